"""Deciding who hears of overdue cases takes one visibility query per member of staff, not
one per alert and person (issue 19: at 100,000 complaints a first round had 13,000 alerts
and ran 184,000 statements for 7 minutes). The rule itself stays: a case about a member of
staff is never alerted to them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from storage.alerts import StaffAlerts
from storage.runtime import Storage
from tests.conftest import FakeClock
from tests.scheduler.overdue import overdue_cases

CASES = 12


async def test_overdue_alerts_cost_a_few_queries_and_skip_the_subject(
    storage: Storage, clock: FakeClock
) -> None:
    *staff, about = await overdue_cases(storage, clock, CASES, staff=4)
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
        expected = set(staff) - ({staff[1]} if alert.case.complaint_id == about else set())
        assert {r.id for r in recipients} == expected
    # Per alert and person this was CASES * 4 visibility queries; now one per person.
    assert len(selects) < CASES + len(staff), selects
    # Once queued, the next round finds nothing new (the marks are checked in the query).
    alerts = StaffAlerts(storage.sessions)
    for alert, _ in found:
        assert await alerts.queue(alert.key, [], now=clock.now)
    assert await alerts.immediate(now=clock.now, today=clock.now.date()) == []
