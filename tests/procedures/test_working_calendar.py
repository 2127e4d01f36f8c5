"""The working-day calendar: counting rules, closures, and properties (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from procedures.calendar import WorkingCalendar
from procedures.deadlines import calendar_for, stage_deadlines
from procedures.loader import load_procedure
from procedures.model import TimeLimit, Unit

NATIONS = ("england", "wales", "scotland", "northern-ireland")
CALENDARS = {nation: WorkingCalendar(nation) for nation in NATIONS}
SUBDIV = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern-ireland": "NIR"}

nations = st.sampled_from(NATIONS)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=80)


def test_receipt_day_is_not_counted() -> None:
    cal = CALENDARS["england"]
    assert cal.add_working_days(date(2026, 12, 7), 1) == date(2026, 12, 8)  # Mon -> Tue
    assert cal.add_working_days(date(2026, 12, 11), 1) == date(2026, 12, 14)  # Fri -> Mon
    assert cal.add_working_days(date(2026, 12, 7), 0) == date(2026, 12, 7)


def test_weekend_receipt_counts_from_the_next_working_day() -> None:
    cal = CALENDARS["england"]
    saturday, sunday, monday = date(2026, 12, 12), date(2026, 12, 13), date(2026, 12, 14)
    for received in (saturday, sunday, monday):
        assert cal.add_working_days(received, 5) == date(2026, 12, 21)
    assert cal.add_working_days(saturday, 0) == monday
    assert cal.next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError):
        CALENDARS["england"].add_working_days(date(2026, 1, 5), -1)


def test_unknown_nation() -> None:
    with pytest.raises(ValueError, match="unknown nation 'uk'"):
        WorkingCalendar("uk")


def test_due_in_every_unit() -> None:
    cal = CALENDARS["england"]
    received = date(2027, 1, 31)
    assert cal.due(received, TimeLimit(1, Unit.WORKING_DAYS)) == date(2027, 2, 2)  # from Mon 1st
    assert cal.due(received, TimeLimit(14, Unit.DAYS)) == date(2027, 2, 14)  # a Sunday, as written
    assert cal.due(received, TimeLimit(2, Unit.WEEKS)) == date(2027, 2, 14)
    assert cal.due(received, TimeLimit(1, Unit.MONTHS)) == date(2027, 2, 28)


def test_closures_are_not_working_days() -> None:
    # A Christmas shutdown 29-31 Dec 2026: Thu 24 Dec + 5 working days = 4,5,6,7,8 Jan.
    shutdown = [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)]
    cal = WorkingCalendar("england", shutdown)
    assert not cal.is_working_day(date(2026, 12, 30))
    assert cal.add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 8)


def test_calendar_for_uses_the_procedure_closures_and_extra_ones(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "procedures/presets/model.toml").read_text()
    path = tmp_path / "shut.toml"
    path.write_text('closures = [2026-12-29, "2026-12-30"]\n' + text)
    procedure = load_procedure(str(path))
    cal = calendar_for(procedure, "england", extra_closures=[date(2026, 12, 31)])
    due = stage_deadlines(procedure, 1, date(2026, 12, 24), cal)
    assert due.acknowledge_by == date(2027, 1, 8)
    # Without the extra closure: 31 Dec, 4, 5, 6, 7 Jan.
    plain = stage_deadlines(procedure, 1, date(2026, 12, 24), calendar_for(procedure, "england"))
    assert plain.acknowledge_by == date(2027, 1, 7)


def test_years_before_and_after_the_first_lookup() -> None:
    cal = WorkingCalendar("england")
    assert cal.is_working_day(date(2026, 6, 1))
    assert not cal.is_working_day(date(2020, 12, 25))  # earlier year, added in front
    assert cal.add_working_days(date(2026, 12, 31), 260) > date(2027, 12, 31)


def _slow_add(nation: str, start: date, n: int) -> date:
    """An independent, day-by-day reading of the counting rule."""
    closed = holidays.country_holidays("GB", subdiv=SUBDIV[nation])

    def working(d: date) -> bool:
        return d.weekday() < 5 and d not in closed

    day = start
    while not working(day):
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
    return day


@given(nations, days, counts)
def test_agrees_with_a_day_by_day_count(nation: str, start: date, n: int) -> None:
    assert CALENDARS[nation].add_working_days(start, n) == _slow_add(nation, start, n)


@given(nations, days, st.integers(min_value=1, max_value=80))
def test_deadline_is_a_working_day_after_receipt(nation: str, start: date, n: int) -> None:
    cal = CALENDARS[nation]
    due = cal.due(start, TimeLimit(n, Unit.WORKING_DAYS))
    assert cal.is_working_day(due)
    assert due > start
    assert due.weekday() < 5


@given(nations, days, days, counts)
def test_monotonic_in_receipt_date(nation: str, a: date, b: date, n: int) -> None:
    cal = CALENDARS[nation]
    first, second = sorted((a, b))
    assert cal.add_working_days(first, n) <= cal.add_working_days(second, n)


@given(nations, days, counts, counts)
def test_adding_n_then_m_is_adding_n_plus_m(nation: str, start: date, n: int, m: int) -> None:
    cal = CALENDARS[nation]
    received = cal.next_working_day(start)  # the property holds for receipt on working days
    assert cal.add_working_days(cal.add_working_days(received, n), m) == cal.add_working_days(
        received, n + m
    )


def test_every_receipt_day_of_two_years_agrees_with_a_day_by_day_count() -> None:
    # Exhaustive where the properties above sample: every receipt day across two years of
    # Scottish holidays (and the cached years they span), for a 20 working-day limit.
    # How fast the calendar is belongs to bench/, not here.
    cal = WorkingCalendar("scotland")
    limit = TimeLimit(20, Unit.WORKING_DAYS)
    for offset in range(730):
        received = date(2026, 1, 1) + timedelta(days=offset)
        assert cal.due(received, limit) == _slow_add("scotland", received, 20), received
