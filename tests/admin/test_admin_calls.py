"""The phone-call adjustment ("a phone call instead of writing") acts: a call task on the
dashboard for each open case whose person asked for it, what the call is for, marked done by
staff (audited), hidden with the case from whoever may not see it. Both databases, real app."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from procedures.case import ContactMethod
from storage.models import AuditEvent, Outbox
from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, submit, token

PHONE = "07700 900123"


async def _calls_panel(client: TestClient) -> str:
    page = await client.get("/staff/")
    assert page.status == 200
    html = await page.text()
    return html.split('id="calls"')[1].split("</section>")[0]


async def _done(
    client: TestClient, case_id: int, purpose: str, stage: int = 1, back: str = ""
) -> int:
    csrf = await token(client)
    response = await client.post(
        f"/staff/cases/{case_id}/calls/{purpose}/done",
        data={"csrf": csrf, "stage": str(stage), "back": back},
        allow_redirects=False,
    )
    return response.status


async def test_a_call_task_follows_the_case_until_each_call_is_made(
    storage: Storage, client: TestClient
) -> None:
    coordinator = await add_staff(storage, "cat@example.org", ["coordinator"])
    caller = await submit(storage, adjustments=("phone_call",), phone=PHONE)
    writer = await submit(storage, "visitor-2", complainant_name="Wren Writer")
    assert await login(client, "cat@example.org") == 303

    panel = await _calls_panel(client)
    assert caller.reference in panel and PHONE in panel
    assert "to acknowledge their complaint" in panel
    assert writer.reference not in panel  # only people who asked for calls

    case_page = await (await client.get(f"/staff/cases/{caller.complaint_id}")).text()
    assert 'id="call"' in case_page and "to acknowledge their complaint" in case_page

    assert await _done(client, caller.complaint_id, "acknowledge", back="case") == 303
    panel = await _calls_panel(client)
    assert "to give them our answer" in panel  # next: the call with the answer
    # Once made, a call cannot be marked twice.
    assert await _done(client, caller.complaint_id, "acknowledge") == 404

    # Acknowledged in writing too: the letter says we will call; the answer call stays due.
    await storage.cases.acknowledge(caller.complaint_id, staff_id=coordinator.id)
    async with storage.sessions() as session:
        letters = list(await session.scalars(select(Outbox.body).order_by(Outbox.id)))
    assert "You asked for a phone call. We will call you." in letters[-1]
    await storage.cases.reply(caller.complaint_id, "We are sorry.", staff_id=coordinator.id)
    assert caller.reference in await _calls_panel(client)  # answered in writing, not called

    assert await _done(client, caller.complaint_id, "respond") == 303
    assert caller.reference not in await _calls_panel(client)
    async with storage.sessions() as session:
        audited = list(
            await session.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "phone_call_done")
            )
        )
    assert audited == ["stage 1 acknowledge", "stage 1 respond"]


async def test_an_ended_case_needs_no_call(storage: Storage, client: TestClient) -> None:
    coordinator = await add_staff(storage, "cat@example.org", ["coordinator"])
    caller = await submit(
        storage, adjustments=("phone_call",), phone=PHONE, contact_method=ContactMethod.PHONE
    )
    assert await login(client, "cat@example.org") == 303
    assert caller.reference in await _calls_panel(client)
    await storage.cases.close(caller.complaint_id, staff_id=coordinator.id, notify=False)
    panel = await _calls_panel(client)
    assert caller.reference not in panel and "No phone calls to make." in panel
    assert await _done(client, caller.complaint_id, "acknowledge") == 404


async def test_a_hidden_case_shows_no_call_and_cannot_be_marked(
    storage: Storage, client: TestClient, other_client: TestClient
) -> None:
    await add_staff(storage, "cat@example.org", ["coordinator"])
    await add_staff(storage, "cho@example.org", ["chair"])
    about = await submit(
        storage, adjustments=("phone_call",), phone=PHONE, about_role="coordinator"
    )
    assert await login(client, "cat@example.org") == 303
    panel = await _calls_panel(client)
    assert about.reference not in panel and PHONE not in panel
    assert await _done(client, about.complaint_id, "acknowledge") == 404

    assert await login(other_client, "cho@example.org") == 303
    assert about.reference in await _calls_panel(other_client)
    assert await _done(other_client, about.complaint_id, "acknowledge") == 303


async def test_a_wrong_purpose_or_stage_is_refused(storage: Storage, client: TestClient) -> None:
    await add_staff(storage, "cat@example.org", ["coordinator"])
    caller = await submit(storage, adjustments=("phone_call",), phone=PHONE)
    assert await login(client, "cat@example.org") == 303
    assert await _done(client, caller.complaint_id, "chat") == 400
    assert await _done(client, caller.complaint_id, "acknowledge", stage=2) == 404
    assert caller.reference in await _calls_panel(client)
