"""The permission matrix: every role x routing case x route, on both databases.

West Wilts CCC: stage 1 the Coordinator (a complaint about the Coordinator goes to the Chair),
stage 2 the Chair, stage 3 a panel that must not have been involved before.
Hidden cases answer 404 everywhere (as if they did not exist); visible cases the person may
not change answer 403 to actions; internal notes need only visibility.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from procedures.case import NewComplaint
from server import create_app
from storage.models import Attachment
from storage.runtime import Storage
from storage.visibility import name_subject
from tests.admin.helpers import COMPLAINT, add_staff, csrf_of, login
from tests.conftest import FakeClock

# key -> roles. "involved" acted at stage 1 and sits on the stage 3 panel too.
STAFF: dict[str, list[str]] = {
    "coordinator": ["coordinator"],
    "chair": ["chair"],
    "panel": ["panel"],
    "admin": ["admin"],
    "involved": ["coordinator", "panel"],
    "subject": ["coordinator"],
}


@dataclass(frozen=True)
class Routing:
    name: str
    about_role: str | None = None
    subject: str | None = None  # the STAFF key named as the person complained about
    stage: int = 1
    handler_role: str = "coordinator"
    independent: bool = False
    involved: frozenset[str] = frozenset()

    def hidden_from(self, key: str) -> bool:
        return key == self.subject or (self.about_role or "") in STAFF[key]

    def may_act(self, key: str) -> bool:
        if self.handler_role not in STAFF[key]:
            return False
        return not (self.independent and key in self.involved)


ROUTINGS = (
    Routing("ordinary"),
    Routing("about the coordinator role", about_role="coordinator", handler_role="chair"),
    Routing("about a named member of staff", subject="subject"),
    Routing(
        "stage 3, independent panel",
        stage=3,
        handler_role="panel",
        independent=True,
        involved=frozenset({"involved"}),
    ),
)


@dataclass
class World:
    storage: Storage
    clock: FakeClock
    ids: dict[str, int]
    clients: dict[str, TestClient]

    async def case(self, routing: Routing) -> tuple[int, str, int]:
        """A fresh case routed as asked, with one attachment: (id, reference, attachment)."""
        cases = self.storage.cases
        stored = await self.storage.attachments.save(
            b"%PDF-1.4 test",
            name="letter.pdf",
            mime_type="application/pdf",
            kind="document",
            now=self.clock(),
        )
        new: NewComplaint = replace(
            COMPLAINT, about_role=routing.about_role, attachments=(stored.sha256,)
        )
        done = await cases.submit(
            new, channel="webchat", external_id=f"v{self.clock().timestamp()}"
        )
        self.clock.advance(seconds=1)
        if routing.subject:
            view = await cases.get(done.complaint_id)
            await name_subject(
                cases,
                done.complaint_id,
                self.ids[routing.subject],
                staff_id=self.ids["coordinator"],
                expected_version=view.version,
            )
        if routing.stage == 3:
            await cases.acknowledge(done.complaint_id, staff_id=self.ids["involved"])
            await cases.reply(done.complaint_id, "Stage 1 answer.", staff_id=self.ids["involved"])
            await cases.escalate(done.complaint_id, reasons="Not happy.")
            await cases.reply(done.complaint_id, "Stage 2 answer.", staff_id=self.ids["chair"])
            await cases.escalate(done.complaint_id, reasons="Still not happy.")
        view = await cases.get(done.complaint_id)
        assert view.current_stage == routing.stage
        assert view.stage is not None and view.stage.handler_role == routing.handler_role
        async with self.storage.sessions() as session:
            attachment = await session.scalar(
                select(Attachment.id).where(Attachment.complaint_id == done.complaint_id)
            )
        assert attachment is not None
        return done.complaint_id, done.reference, attachment


@pytest.fixture
async def world(storage: Storage, clock: FakeClock) -> AsyncIterator[World]:
    ids = {}
    clients = {}
    for key, roles in STAFF.items():
        ids[key] = (await add_staff(storage, f"{key}@example.org", roles)).id
    for key in STAFF:
        client = TestClient(TestServer(create_app(storage)))
        await client.start_server()
        assert await login(client, f"{key}@example.org") == 303
        clients[key] = client
    yield World(storage, clock, ids, clients)
    for client in clients.values():
        await client.close()


async def _form(client: TestClient, case_id: int) -> dict[str, str]:
    """Form token and case version as a member of staff who can see the case would have them.

    For a hidden case the token comes from the dashboard and the version is guessed: the
    answer must still be 404, never a hint that the case exists."""
    page = await client.get(f"/staff/cases/{case_id}")
    html = await page.text()
    if page.status != 200:
        html = await (await client.get("/staff/")).text()
    return (
        {"csrf": csrf_of(html), "version": "1"}
        if page.status != 200
        else {
            "csrf": csrf_of(html),
            "version": html.split('name="version" value="')[1].split('"')[0],
        }
    )


Route = Callable[[TestClient, int, str, int], Awaitable[tuple[int, str]]]


async def get_case(client: TestClient, case_id: int, ref: str, att: int) -> tuple[int, str]:
    r = await client.get(f"/staff/cases/{case_id}")
    return r.status, await r.text()


async def get_attachment(client: TestClient, case_id: int, ref: str, att: int) -> tuple[int, str]:
    r = await client.get(f"/staff/cases/{case_id}/attachments/{att}")
    return r.status, r.headers.get("Content-Disposition", "")


async def post_note(client: TestClient, case_id: int, ref: str, att: int) -> tuple[int, str]:
    data = {**await _form(client, case_id), "body": "A note."}
    r = await client.post(f"/staff/cases/{case_id}/actions/note", data=data, allow_redirects=False)
    return r.status, await r.text()


async def post_preview(client: TestClient, case_id: int, ref: str, att: int) -> tuple[int, str]:
    data = await _form(client, case_id)
    r = await client.post(f"/staff/cases/{case_id}/actions/acknowledge/preview", data=data)
    return r.status, await r.text()


async def post_action(client: TestClient, case_id: int, ref: str, att: int) -> tuple[int, str]:
    data = {**await _form(client, case_id), "body": "Our message."}
    r = await client.post(
        f"/staff/cases/{case_id}/actions/message", data=data, allow_redirects=False
    )
    return r.status, await r.text()


async def post_subject(client: TestClient, case_id: int, ref: str, att: int) -> tuple[int, str]:
    data = {**await _form(client, case_id), "subject": ""}
    r = await client.post(f"/staff/cases/{case_id}/subject", data=data, allow_redirects=False)
    return r.status, await r.text()


async def search(client: TestClient, case_id: int, ref: str, att: int) -> tuple[int, str]:
    r = await client.get("/staff/cases", params={"q": ref})
    return r.status, await r.text()


async def dashboard(client: TestClient, case_id: int, ref: str, att: int) -> tuple[int, str]:
    r = await client.get("/staff/")
    return r.status, await r.text()


def expect_page(routing: Routing, key: str, status: int, text: str, ref: str) -> None:
    assert status == (404 if routing.hidden_from(key) else 200)
    if routing.hidden_from(key):
        assert ref not in text


def expect_listed(routing: Routing, key: str, status: int, text: str, ref: str) -> None:
    assert status == 200
    assert (f">{ref}</a>" in text) is not routing.hidden_from(key)


def expect_attachment(routing: Routing, key: str, status: int, text: str, ref: str) -> None:
    assert status == (404 if routing.hidden_from(key) else 200)
    if status == 200:
        assert text.startswith("attachment;")


def expect_visible_change(routing: Routing, key: str, status: int, text: str, ref: str) -> None:
    assert status == (404 if routing.hidden_from(key) else 303), text


def expect_act(ok: int) -> Callable[[Routing, str, int, str, str], None]:
    def check(routing: Routing, key: str, status: int, text: str, ref: str) -> None:
        if routing.hidden_from(key):
            assert status == 404
            assert ref not in text
        elif routing.may_act(key):
            assert status == ok, text
        else:
            assert status == 403, text

    return check


ROUTES: dict[str, tuple[Route, Callable[[Routing, str, int, str, str], None]]] = {
    "GET case page": (get_case, expect_page),
    "GET attachment": (get_attachment, expect_attachment),
    "GET search by reference": (search, expect_listed),
    "GET dashboard": (dashboard, expect_listed),
    "POST internal note": (post_note, expect_visible_change),
    "POST name the subject": (post_subject, expect_visible_change),
    "POST preview acknowledgement": (post_preview, expect_act(200)),
    "POST send a message": (post_action, expect_act(303)),
}


@pytest.mark.parametrize("routing", ROUTINGS, ids=lambda r: r.name)
@pytest.mark.parametrize("route", list(ROUTES))
async def test_permission_matrix(world: World, routing: Routing, route: str) -> None:
    call, expect = ROUTES[route]
    for key, client in world.clients.items():
        # A fresh case for every person, so one person's change never decides another's answer.
        case_id, ref, att = await world.case(routing)
        if route == "GET dashboard":
            # Overdue, so it is on the dashboard for everyone who may see it.
            world.clock.advance(days=40)
            assert await login(client, f"{key}@example.org") == 303
        status, text = await call(client, case_id, ref, att)
        try:
            expect(routing, key, status, text, ref)
        except AssertionError as error:
            raise AssertionError(f"{key} on {routing.name}: {route} -> {status}") from error
