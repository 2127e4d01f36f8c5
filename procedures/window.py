"""Whether a complaint is made within the procedure's time limit after the incident."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta
from enum import StrEnum

from procedures.model import ComplaintWindow, TimeLimit, Unit


class WindowStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"  # past the expected limit: accepted at the organisation's discretion
    TOO_LATE = "too_late"  # past the outer limit: staff may still decide to accept


def add_calendar(start: date, limit: TimeLimit) -> date:
    """start + a calendar limit ("14 days", "2 weeks", "1 month"), as written.

    Working days need the calendar (procedures/calendar.py); they are not accepted here.
    A month later than 31 January is the last day of February.
    """
    if limit.unit is Unit.DAYS:
        return start + timedelta(days=limit.amount)
    if limit.unit is Unit.WEEKS:
        return start + timedelta(weeks=limit.amount)
    if limit.unit is Unit.MONTHS:
        months = start.month - 1 + limit.amount
        year, month = start.year + months // 12, months % 12 + 1
        day = min(start.day, _calendar.monthrange(year, month)[1])
        return date(year, month, day)
    raise ValueError(f"{limit} is not a calendar limit")


def window_status(window: ComplaintWindow | None, incident: date, today: date) -> WindowStatus:
    if window is None:
        return WindowStatus.ON_TIME
    if window.not_after and today > add_calendar(incident, window.not_after):
        return WindowStatus.TOO_LATE
    if window.expected_within and today > add_calendar(incident, window.expected_within):
        return WindowStatus.LATE
    return WindowStatus.ON_TIME
