"""The main path: sign in, see the case on the dashboard, act on it with a preview."""

from __future__ import annotations

import html as htmllib

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from storage.models import AuditEvent, Outbox
from storage.runtime import Storage
from tests.admin.helpers import add_staff, csrf_of, login, submit, version_of
from tests.conftest import FakeClock


async def test_sign_in_and_acknowledge_with_preview(
    storage: Storage, client: TestClient, clock: FakeClock
) -> None:
    me = await add_staff(storage, "coord@example.org", ["coordinator", "admin"])
    done = await submit(storage)
    clock.advance(days=10)
    assert await login(client, "coord@example.org") == 303
    board = await client.get("/staff/")
    html = await board.text()
    assert board.status == 200
    assert done.reference in html
    page = await client.get(f"/staff/cases/{done.complaint_id}")
    html = await page.text()
    assert "Alex Example" in html
    form = {"csrf": csrf_of(html), "version": str(version_of(html))}
    preview = await client.post(
        f"/staff/cases/{done.complaint_id}/actions/acknowledge/preview", data=form
    )
    text = await preview.text()
    assert preview.status == 200, text
    assert "We have started looking at your complaint" in text
    sent = await client.post(
        f"/staff/cases/{done.complaint_id}/actions/acknowledge", data=form, allow_redirects=False
    )
    assert sent.status == 303, await sent.text()
    async with storage.sessions() as session:
        rows = list(await session.scalars(select(Outbox).order_by(Outbox.id)))
        events = list(await session.scalars(select(AuditEvent.action)))
    assert "We have started looking at your complaint" in rows[-1].body
    assert rows[-1].body.split("\n")[0] in text
    assert {"login", "view", "acknowledge"} <= set(events)
    assert me.id


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("acknowledge", {}),
        ("message", {"body": "Could you tell us the date?"}),
        ("request_information", {"question": "Which session was it?"}),
        ("extend", {"which": "respond", "new_date": "2026-12-31", "reason": "A report is late."}),
        ("reply", {"body": "We are sorry. It was our mistake."}),
        ("escalate", {"reasons": "Not resolved."}),
        ("close", {"notify": "yes"}),
    ],
)
async def test_the_preview_is_exactly_what_is_sent(
    storage: Storage, client: TestClient, action: str, fields: dict[str, str]
) -> None:
    """The preview builds the letter itself; it must never differ from what storage sends."""
    await add_staff(storage, "coord@example.org", ["coordinator"])
    done = await submit(storage, language="pl", adjustments=("extra_time", "phone_call"))
    assert await login(client, "coord@example.org") == 303
    path = f"/staff/cases/{done.complaint_id}"
    html = await (await client.get(path)).text()
    form = {"csrf": csrf_of(html), "version": str(version_of(html)), **fields}
    preview = await client.post(f"{path}/actions/{action}/preview", data=form)
    page = await preview.text()
    assert preview.status == 200, page
    shown = htmllib.unescape(page.split('<div class="letter pre" aria-label="The message">')[1])
    shown = shown.split("</div>")[0]
    sent = await client.post(f"{path}/actions/{action}", data=form, allow_redirects=False)
    assert sent.status == 303, await sent.text()
    async with storage.sessions() as session:
        last = await session.scalar(select(Outbox).order_by(Outbox.id.desc()).limit(1))
    assert last is not None and last.language == "pl"
    assert shown == last.body
