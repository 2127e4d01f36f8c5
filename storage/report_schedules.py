"""Statistical reports on a schedule, by email to named recipients (CALAT: "termly
statistical reports to the Senior Management Team and to the governance board").

A schedule says how often (every term, every year, or at each committee meeting), who gets
it and the next date. On that date the scheduler (bot/scheduler.py, through
services/scheduled_reports.py) sends the report for the period since the last one, queued in
the outbox with a once-only key in the same transaction, and moves the date on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from procedures.model import TimeLimit, Unit
from procedures.window import add_calendar
from storage.db import reading
from storage.errors import InvalidInput, NotFound
from storage.models import AuditEvent, Outbox, ReportSchedule, SchedulerMark

# Months between reports; a meeting schedule has no fixed interval.
EVERY = {"term": 4, "year": 12, "meeting": 0}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ScheduleView:
    id: int
    name: str
    every: str
    recipients: tuple[str, ...]
    next_on: date | None
    last_sent_on: date | None

    @property
    def period(self) -> tuple[date, date]:
        """The days the next report covers: since the last one, up to the day before."""
        assert self.next_on is not None
        end = self.next_on - timedelta(days=1)
        if self.last_sent_on is not None:
            return self.last_sent_on, end
        months = EVERY[self.every] or 12
        return _months_before(self.next_on, months), end


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, 28))


def parse_recipients(text: str) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(a.strip().lower() for a in re.split(r"[,;\s]+", text) if a))
    if not found:
        raise InvalidInput("name at least one recipient's email address")
    wrong = [a for a in found if not _EMAIL.match(a)]
    if wrong:
        raise InvalidInput(f"not an email address: {wrong[0]}")
    return found


def _view(row: ReportSchedule) -> ScheduleView:
    return ScheduleView(
        row.id, row.name, row.every, tuple(row.recipients or ()), row.next_on, row.last_sent_on
    )


async def add_schedule(
    sessions: async_sessionmaker[AsyncSession],
    *,
    name: str,
    every: str,
    recipients: str,
    next_on: date,
    staff_id: int | None,
    now: datetime,
) -> int:
    if every not in EVERY:
        raise InvalidInput("choose every term, every year or every committee meeting")
    if not name.strip():
        raise InvalidInput("give the schedule a name, such as 'Termly report to the SMT'")
    addresses = parse_recipients(recipients)
    async with sessions() as session, session.begin():
        row = ReportSchedule(
            name=name.strip()[:200],
            every=every,
            recipients=list(addresses),
            next_on=next_on,
            staff_id=staff_id,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        session.add(
            AuditEvent(at=now, staff_id=staff_id, action="report_schedule", detail=row.name)
        )
        return row.id


async def set_next(
    sessions: async_sessionmaker[AsyncSession], schedule_id: int, next_on: date
) -> None:
    """The next meeting's date (or any new date) for a schedule."""
    async with sessions() as session, session.begin():
        row = await session.get(ReportSchedule, schedule_id)
        if row is None:
            raise NotFound(f"no report schedule {schedule_id}")
        if row.last_sent_on and next_on <= row.last_sent_on:
            raise InvalidInput("the next date must be after the last report")
        row.next_on = next_on


async def all_schedules(sessions: async_sessionmaker[AsyncSession]) -> list[ScheduleView]:
    async with reading(sessions) as session:
        rows = await session.scalars(select(ReportSchedule).order_by(ReportSchedule.id))
        return [_view(r) for r in rows]


async def due_schedules(
    sessions: async_sessionmaker[AsyncSession], today: date
) -> list[ScheduleView]:
    async with reading(sessions) as session:
        rows = await session.scalars(
            select(ReportSchedule)
            .where(ReportSchedule.next_on.is_not(None), ReportSchedule.next_on <= today)
            .order_by(ReportSchedule.id)
        )
        return [_view(r) for r in rows]


async def record_sent(
    sessions: async_sessionmaker[AsyncSession],
    schedule: ScheduleView,
    *,
    subject: str,
    body: str,
    now: datetime,
) -> bool:
    """Queue the report to every recipient and move the date on, together, once per date;
    False when another process did it first."""
    assert schedule.next_on is not None
    key = f"report:{schedule.id}:{schedule.next_on.isoformat()}"
    try:
        async with sessions() as session, session.begin():
            if await session.get(SchedulerMark, key) is not None:
                return False
            session.add(SchedulerMark(key=key, at=now))
            for address in schedule.recipients:
                session.add(
                    Outbox(
                        channel="email",
                        address=address,
                        language="en",
                        subject=subject[:200],
                        body=body,
                        state="pending",
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
            row = await session.get_one(ReportSchedule, schedule.id)
            row.last_sent_on = schedule.next_on
            months = EVERY[row.every]
            row.next_on = (
                add_calendar(schedule.next_on, TimeLimit(months, Unit.MONTHS)) if months else None
            )
    except IntegrityError:
        return False
    return True
