"""Working days: weekends, the bank holidays of one UK nation, and closure dates.

Counting rule for "within N working days of receipt" (docs/procedures.md):
the deadline is the Nth working day after the day of receipt; the day of receipt
itself is not counted. Something received on a weekend, bank holiday or closure day
is treated as received on the next working day, and counted from there the same way:
received Saturday with 5 working days -> treated as received Monday -> due the
following Monday (the 5th working day after that Monday).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta

import holidays

from procedures.model import TimeLimit, Unit
from procedures.window import add_calendar

# Our nation names (storage.settings.NATIONS) -> the holidays package's GB subdivisions.
SUBDIVISIONS = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


class WorkingCalendar:
    """Working days for one nation. Holidays are looked up once per year and cached."""

    def __init__(self, nation: str, closures: Iterable[date] = ()) -> None:
        if nation not in SUBDIVISIONS:
            raise ValueError(f"unknown nation {nation!r}: use one of {', '.join(SUBDIVISIONS)}")
        self.nation = nation
        self.closures = frozenset(closures)
        self._holidays = holidays.country_holidays("GB", subdiv=SUBDIVISIONS[nation])
        self._years: dict[int, list[int]] = {}  # year -> sorted ordinals of its working days

    def is_working_day(self, day: date) -> bool:
        days = self._working_days(day.year)
        index = bisect.bisect_left(days, day.toordinal())
        return index < len(days) and days[index] == day.toordinal()

    def add_working_days(self, start: date, n: int) -> date:
        """The nth working day after start; a non-working start counts as the next working day.

        n = 0 gives the day itself if it is a working day, else the next working day.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        year = start.year
        days = self._working_days(year)
        # bisect_left finds start itself, or else the next working day: the effective receipt.
        index = bisect.bisect_left(days, start.toordinal()) + n
        while index >= len(days):
            index -= len(days)
            year += 1
            days = self._working_days(year)
        return date.fromordinal(days[index])

    def next_working_day(self, day: date) -> date:
        """day itself if it is a working day, else the first working day after it."""
        return self.add_working_days(day, 0)

    def due(self, received: date, limit: TimeLimit) -> date:
        """The date a limit counted from `received` runs out, in the limit's own unit."""
        if limit.unit is Unit.WORKING_DAYS:
            return self.add_working_days(received, limit.amount)
        return add_calendar(received, limit)

    def _working_days(self, year: int) -> list[int]:
        days = self._years.get(year)
        if days is None:
            first = date(year, 1, 1)
            every = (first + timedelta(days=i) for i in range(366))
            # `in` fills in the holidays of that year on first use (expand=True).
            days = self._years[year] = [
                day.toordinal()
                for day in every
                if day.year == year
                and day.weekday() < 5
                and day not in self._holidays
                and day not in self.closures
            ]
        return days
