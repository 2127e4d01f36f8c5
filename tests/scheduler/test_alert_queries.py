"""Deciding who hears of overdue cases takes one visibility query per member of staff, not
one per alert and person (issue 19: at 100,000 complaints a first round had 13,000 alerts
and ran 184,000 statements for 7 minutes). The rule itself stays: a case about a member of
staff is never alerted to them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from procedures.case import Kind, NewComplaint
from storage.alerts import StaffAlerts
from storage.runtime import Storage
from storage.staff import StaffDirectory
from storage.visibility import name_subject
from tests.conftest import FakeClock

CASES = 12


async def test_overdue_alerts_cost_a_few_queries_and_skip_the_subject(
    storage: Storage, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 2, 9, tzinfo=UTC))
    directory = StaffDirectory(storage.sessions, storage.procedure)
    staff = [
        await directory.add(
            f"m{n}@example.org", f"M{n}", "a long enough password", ["manager"], now=clock.now
        )
        for n in range(4)
    ]
    new = NewComplaint(kind=Kind.COMPLAINT, description="The session was cancelled.")
    made = [
        await storage.cases.submit(new, channel="webchat", external_id=f"p{n}")
        for n in range(CASES)
    ]
    about = made[0].complaint_id
    version = (await storage.cases.get(about)).version
    await name_subject(
        storage.cases,
        about,
        staff[1].id,
        staff_id=staff[0].id,
        expected_version=version,
        reason="He ran it.",
    )
    clock.set(datetime(2026, 11, 20, 9, tzinfo=UTC))  # every acknowledgement overdue
    selects: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(storage.engine.sync_engine, "before_cursor_execute", count)
    try:
        found = await StaffAlerts(storage.sessions).immediate(now=clock.now, today=clock.now.date())
    finally:
        event.remove(storage.engine.sync_engine, "before_cursor_execute", count)
    overdue = [(a, r) for a, r in found if a.what == "overdue_acknowledge"]
    assert len(overdue) == CASES
    for alert, recipients in overdue:
        expected = {s.id for s in staff} - (
            {staff[1].id} if alert.case.complaint_id == about else set()
        )
        assert {r.id for r in recipients} == expected
    # Per alert and person this was CASES * 4 visibility queries; now one per person.
    assert len(selects) < CASES + len(staff), selects
    # Once queued, the next round finds nothing new (the marks are checked in the query).
    alerts = StaffAlerts(storage.sessions)
    for alert, _ in found:
        assert await alerts.queue(alert.key, [], now=clock.now)
    assert await alerts.immediate(now=clock.now, today=clock.now.date()) == []
