"""CALAT: "termly statistical reports to the Senior Management Team and to the governance
board" - scheduled, by email, to named recipients, with the figures the seed lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.scheduler import Scheduler
from procedures.case import Kind
from storage.models import Outbox
from storage.report_schedules import all_schedules
from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, submit, token
from tests.conftest import FakeClock


@pytest.fixture
def procedure() -> str:
    return "calat"


async def report_mail(storage: Storage) -> list[Outbox]:
    async with storage.sessions() as session:
        rows = await session.scalars(
            select(Outbox).where(Outbox.subject.contains("Termly report")).order_by(Outbox.id)
        )
        return list(rows)


async def test_calat_termly_statistical_report_emailed_to_smt_and_governance_board(
    storage: Storage, client: TestClient, clock: FakeClock
) -> None:
    await add_staff(storage, "head@example.org", ["head_of_service", "admin"])
    assert await login(client, "head@example.org") == 303
    form = {
        "csrf": await token(client, "/staff/reports/schedules"),
        "name": "Termly report to the SMT and governance board",
        "every": "term",
        "recipients": "smt@example.org, Board@Example.org",
        "next_on": "2026-12-01",
    }
    wrong = await client.post("/staff/reports/schedules", data={**form, "recipients": "smt"})
    assert wrong.status == 400
    done = await client.post("/staff/reports/schedules", data=form, allow_redirects=False)
    assert done.status == 303

    first = await submit(storage, "v1")
    await submit(storage, "v2")
    await submit(storage, "v3", kind=Kind.COMPLIMENT, description="Great tutor.")
    await storage.cases.reply(first.complaint_id, "You were right.", staff_id=None)
    await storage.cases.record_outcome(
        first.complaint_id,
        outcome="upheld",
        apology=True,
        policy_change="Cancelled classes are now announced by text.",
        staff_id=None,
    )

    scheduler = Scheduler(storage, channels=frozenset({"email"}))
    await scheduler.tick()
    assert await report_mail(storage) == []  # not due yet

    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    await scheduler.tick()
    await scheduler.tick()  # once only
    mail = await report_mail(storage)
    assert sorted(m.address for m in mail) == ["board@example.org", "smt@example.org"]
    body = mail[0].body
    assert "Received: 3." in body
    assert "- Complaints: 2" in body and "- Compliments: 1" in body
    assert "- Upheld: 1" in body
    assert "Nov 2026: 2, 1" in body  # the trend, month by month
    assert "Cancelled classes are now announced by text." in body  # improvements made
    assert "Alex Example" not in body and "cancelled without notice" not in body
    [schedule] = await all_schedules(storage.sessions)
    assert schedule.last_sent_on == date(2026, 12, 1)
    assert schedule.next_on == date(2027, 4, 1)  # the next term


async def test_report_at_each_committee_meeting_waits_for_the_next_meetings_date(
    storage: Storage, client: TestClient, clock: FakeClock
) -> None:
    await add_staff(storage, "head@example.org", ["head_of_service", "admin"])
    assert await login(client, "head@example.org") == 303
    form = {
        "csrf": await token(client, "/staff/reports/schedules"),
        "name": "Termly report for the governance board meeting",
        "every": "meeting",
        "recipients": "board@example.org",
        "next_on": "2026-11-03",
    }
    assert (await client.post("/staff/reports/schedules", data=form)).status == 200
    await submit(storage, "v1")
    clock.set(datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    scheduler = Scheduler(storage, channels=frozenset({"email"}))
    await scheduler.tick()
    assert len(await report_mail(storage)) == 1
    [schedule] = await all_schedules(storage.sessions)
    assert schedule.next_on is None  # until staff give the next meeting's date
    assert await login(client, "head@example.org") == 303  # a day later: a new session
    page = await client.post(
        f"/staff/reports/schedules/{schedule.id}/next",
        data={"csrf": await token(client, "/staff/reports/schedules"), "next_on": "2027-02-02"},
        allow_redirects=False,
    )
    assert page.status == 303
    [schedule] = await all_schedules(storage.sessions)
    assert schedule.next_on == date(2027, 2, 2) and schedule.period[0] == date(2026, 11, 3)
