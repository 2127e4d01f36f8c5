"""Reading dates as people write them; TODAY is Wednesday 18 November 2026."""

from __future__ import annotations

from datetime import date

import pytest
from dialogue_helpers import TODAY

from conversations.dates import Outcome, Precision, parse_when


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("today", date(2026, 11, 18), Precision.DAY),
        ("Yesterday", date(2026, 11, 17), Precision.DAY),
        ("the day before yesterday", date(2026, 11, 16), Precision.DAY),
        ("last Tuesday", date(2026, 11, 17), Precision.DAY),
        ("last Wednesday", date(2026, 11, 11), Precision.DAY),
        ("on Friday", date(2026, 11, 13), Precision.DAY),
        ("monday", date(2026, 11, 16), Precision.DAY),
        ("3 days ago", date(2026, 11, 15), Precision.DAY),
        ("two weeks ago", date(2026, 11, 4), Precision.DAY),
        ("a month ago", date(2026, 10, 18), Precision.DAY),
        ("12/10/2026", date(2026, 10, 12), Precision.DAY),  # UK: day first
        ("12.10.26", date(2026, 10, 12), Precision.DAY),
        ("1-2-2026", date(2026, 2, 1), Precision.DAY),
        ("12/10", date(2026, 10, 12), Precision.DAY),
        ("25/12", date(2025, 12, 25), Precision.DAY),  # not yet this year: last year
        ("2026-10-12", date(2026, 10, 12), Precision.DAY),
        ("12 October", date(2026, 10, 12), Precision.DAY),
        ("12th of October 2025", date(2025, 10, 12), Precision.DAY),
        ("October 12th, 2026", date(2026, 10, 12), Precision.DAY),
        ("October", date(2026, 10, 31), Precision.MONTH),
        ("december", date(2025, 12, 31), Precision.MONTH),
        ("November", date(2026, 11, 18), Precision.MONTH),  # this month: up to today
        ("Oct 2026", date(2026, 10, 31), Precision.MONTH),
        ("last month", date(2026, 10, 31), Precision.MONTH),
        ("09/2026", date(2026, 9, 30), Precision.MONTH),
        ("2025", date(2025, 12, 31), Precision.YEAR),
        ("12 października", date(2026, 10, 12), Precision.DAY),  # Polish, with lang="pl"
    ],
)
def test_dates(text: str, expected: date, precision: Precision) -> None:
    parsed = parse_when(text, TODAY, "pl")
    assert parsed.outcome is Outcome.DATE
    assert (parsed.date, parsed.precision) == (expected, precision)


@pytest.mark.parametrize("text", ["tomorrow", "12/12/2026", "2027", "December 2026", "next week"])
def test_future_or_unreadable(text: str) -> None:
    assert parse_when(text, TODAY).outcome in (Outcome.FUTURE, Outcome.UNREADABLE)


@pytest.mark.parametrize("text", ["12/12/2026", "2027", "December 2026", "2027-01-01"])
def test_future(text: str) -> None:
    assert parse_when(text, TODAY).outcome is Outcome.FUTURE


@pytest.mark.parametrize("text", ["I don't know", "not sure", "no idea"])
def test_unknown(text: str) -> None:
    assert parse_when(text, TODAY).outcome is Outcome.UNKNOWN


@pytest.mark.parametrize(
    "text", ["", "banana", "31/02/2026", "32 October", "99999999 days ago", "0001-01-01", "13/13"]
)
def test_unreadable(text: str) -> None:
    assert parse_when(text, TODAY).outcome is Outcome.UNREADABLE
