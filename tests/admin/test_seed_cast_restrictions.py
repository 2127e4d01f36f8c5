"""CAST's persistent and vexatious complaints policy in behaviour: "decide as an organisation
how to manage further communication ... limit or cease further contact ... redirect all
correspondence to a single point of contact"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.scheduler import Scheduler
from storage.models import Outbox
from storage.runtime import Storage
from storage.visibility import name_subject
from tests.admin.helpers import add_staff, login, submit, token
from tests.admin.seed_helpers import outbox_bodies
from tests.conftest import FakeClock


@pytest.fixture
def procedure() -> str:
    return "cast"


async def staff_letters(storage: Storage, staff_id: int) -> list[str]:
    async with storage.sessions() as session:
        rows = await session.scalars(
            select(Outbox).where(Outbox.staff_id == staff_id).order_by(Outbox.id)
        )
        return [f"{r.subject}\n{r.body}" for r in rows]


async def test_cast_vexatious_contact_decided_by_a_lead_and_routed_to_single_point_of_contact(
    storage: Storage, client: TestClient, other_client: TestClient, clock: FakeClock
) -> None:
    lead = await add_staff(storage, "lead@example.org", ["admin"], name="Lee Lead")
    spoc = await add_staff(storage, "spoc@example.org", ["staff"], name="Sam Contact")
    handler = await add_staff(storage, "handler@example.org", ["staff"], name="Hal Handler")
    first = await submit(storage)
    person = f"/staff/people/{first.person_id}"
    review_on = storage.cases.today() + timedelta(days=7)
    form = {
        "restriction": "Please write to your contact only, once a week",
        "reason": "Over forty calls in a fortnight",
        "review_on": review_on.isoformat(),
        "contact": str(spoc.id),
    }

    assert await login(other_client, "handler@example.org") == 303
    refused = await other_client.post(
        f"{person}/restrict",
        data={**form, "csrf": await token(other_client)},
        allow_redirects=False,
    )
    assert refused.status == 403  # not a lead

    assert await login(client, "lead@example.org") == 303
    done = await client.post(
        f"{person}/restrict",
        data={**form, "csrf": await token(client, person)},
        allow_redirects=False,
    )
    assert done.status == 303
    notice = (await outbox_bodies(storage))[-1]
    assert "Over forty calls in a fortnight" in notice and "Sam Contact" in notice
    assert "To ask for a review of this decision" in notice
    assert "9 November 2026" in notice

    scheduler = Scheduler(storage, channels=frozenset({"email"}))
    await scheduler.tick()  # the first complaint's alert, before the arrangement mattered
    before_spoc, before_handler = (
        len(await staff_letters(storage, spoc.id)),
        len(await staff_letters(storage, handler.id)),
    )
    second = await submit(storage, description="Another complaint about my sessions.")
    assert second.person_id == first.person_id
    assert "We have received your complaint." in second.receipt  # never blocked
    await storage.cases.add_information(first.complaint_id, "And another thing.")
    await scheduler.tick()
    to_spoc = (await staff_letters(storage, spoc.id))[before_spoc:]
    assert any(second.reference in m and "single point of contact" in m for m in to_spoc)
    assert any(first.reference in m and "sent more" in m for m in to_spoc)
    assert len(await staff_letters(storage, handler.id)) == before_handler

    clock.advance(days=7)
    await scheduler.tick()
    assert any("due for review" in m for m in await staff_letters(storage, lead.id))


async def test_cast_subject_of_a_complaint_cannot_decide_the_contact_arrangement(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "lead@example.org", ["admin"])
    boss = await add_staff(storage, "boss@example.org", ["admin", "line_manager"])
    case = await submit(storage)
    version = (await storage.cases.get(case.complaint_id)).version
    await name_subject(
        storage.cases, case.complaint_id, boss.id, staff_id=1, expected_version=version
    )
    assert await login(client, "boss@example.org") == 303
    response = await client.post(
        f"/staff/people/{case.person_id}/restrict",
        data={
            "csrf": await token(client),
            "restriction": "Write only",
            "reason": "Many calls",
            "review_on": "2027-01-04",
        },
        allow_redirects=False,
    )
    assert response.status == 404  # as if the person did not exist for them
