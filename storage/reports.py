"""Report figures for staff and the board, as plain dataclasses from the database.

Every figure is about the complaints *received* in the period (their local date of receipt,
start and end included): a cohort, so each complaint is counted once and a report for a
past term does not change when later terms are added. Figures rest only on columns that
erasure keeps (services/retention.py), so reports stay right after personal data is gone.

Definitions, so the numbers can be checked by hand:
- On time: done on or before the *original* due date (before any extension). A stage done
  late but by its extended date is "within extension". A stage not done whose due date has
  not passed yet (as of the report's date) is "pending" and counts in no rate.
- Working days to respond: from the day of receipt of the stage (a non-working day counts as
  the next working day) to the day of the response, receipt day not counted, as the
  procedure's calendar counts deadlines. The 90th percentile is the nearest rank: the
  ceil(0.9 * n)-th smallest.
- Outcome of a complaint: the outcome recorded at the latest stage that has one.
- Resolved at: the stage a complaint was at when it was closed; "external" when referred to
  the external body; withdrawn complaints are counted apart.
- Complaints about staff: about a named person, a role, or with a subject recorded. Only
  the number is given, never who.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from procedures.calendar import WorkingCalendar
from procedures.model import Procedure
from storage.db import reading
from storage.models import Complaint, Extension, StageRecord
from storage.visibility import Viewer, visible

OUTCOME_KEYS = ("upheld", "partly_upheld", "not_upheld")
# What _figures reads of a complaint (never its words: those may be erased).
REPORT_COLUMNS = (
    "id",
    "reference",
    "kind",
    "category",
    "received_via",
    "current_stage",
    "status",
    "about_staff",
    "about_role",
    "subject_staff_id",
    "created_at",
)


@dataclass(frozen=True)
class Tally:
    """One line of a breakdown: a key (category id, channel, stage number...) and a count."""

    key: str
    count: int


@dataclass(frozen=True)
class Timeliness:
    """How one stage kept its promises, for the acknowledgement or the response."""

    stage: int
    name: str
    which: str  # acknowledge / respond
    on_time: int
    within_extension: int
    late: int  # done late, or not done and past the due date
    pending: int  # not done, not yet due

    @property
    def measured(self) -> int:
        return self.on_time + self.within_extension + self.late

    @property
    def rate(self) -> float | None:
        """Share on time (0-1) of those measured; None when there is nothing to measure."""
        return self.on_time / self.measured if self.measured else None


@dataclass(frozen=True)
class ExtensionLine:
    reference: str
    stage: int
    which: str
    previous_date: date | None
    new_date: date
    reason: str


@dataclass(frozen=True)
class ResponseDays:
    """Working days to respond, overall (stage 0) or for one stage."""

    stage: int
    count: int
    mean: float | None
    p90: int | None


@dataclass(frozen=True)
class Change:
    """One line of "you said, we did": what the complaint was about, and what changed."""

    reference: str
    category: str | None
    stage: int
    outcome: str | None
    we_did: str


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    complaints: int
    compliments: int
    feedback: int
    responses: int  # stage responses sent for complaints received that month
    responses_on_time: int


@dataclass(frozen=True)
class Report:
    organisation: str
    start: date
    end: date
    as_of: date
    received: int
    by_kind: tuple[Tally, ...]
    by_category: tuple[Tally, ...]  # complaints only; "" = no category
    by_channel: tuple[Tally, ...]
    by_stage_reached: tuple[Tally, ...]  # complaints only; "0" = informal
    timeliness: tuple[Timeliness, ...]
    extensions: tuple[ExtensionLine, ...]
    extensions_by_which: tuple[Tally, ...]
    outcomes: tuple[Tally, ...]  # per complaint; "none" = not yet decided
    resolved_at: tuple[Tally, ...]  # "1", "2"..., "0" informal, "external", "withdrawn"
    response_days: tuple[ResponseDays, ...]  # overall first (stage 0), then per stage
    referred_external: int
    about_staff: int
    adjustments: tuple[Tally, ...]  # per complaint made by a person with that need
    languages: tuple[Tally, ...]
    compliments: int
    months: tuple[Month, ...]
    changes: tuple[Change, ...]
    stage_names: dict[int, str] = field(default_factory=dict)
    category_labels: dict[str, str] = field(default_factory=dict)


# -- arithmetic ----------------------------------------------------------------------------


def working_days_between(calendar: WorkingCalendar, received: date, done: date) -> int:
    """Working days after the (effective) day of receipt, up to and including `done`."""
    start = calendar.next_working_day(received)
    days, day = 0, start
    while day < done:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            days += 1
    return days


def percentile_90(values: list[int]) -> int | None:
    """Nearest-rank 90th percentile: the ceil(0.9 n)-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _tallies(counter: Counter[str], order: tuple[str, ...] = ()) -> tuple[Tally, ...]:
    """Keys in `order` first (zeros included), then the rest by count, largest first."""
    first = [Tally(k, counter.get(k, 0)) for k in order]
    rest = sorted(
        ((k, n) for k, n in counter.items() if k not in order), key=lambda kv: (-kv[1], kv[0])
    )
    return (*first, *(Tally(k, n) for k, n in rest))


def _local_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment else None


def _bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight at the start and after the end of the period."""
    low = datetime.combine(start, time(0), zone).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return low, high


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# -- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stage:
    record: StageRecord
    original_ack: date | None
    original_respond: date | None


async def build_report(
    sessions: async_sessionmaker[AsyncSession],
    procedure: Procedure,
    calendar: WorkingCalendar,
    *,
    start: date,
    end: date,
    as_of: date,
    zone: ZoneInfo,
    viewer: Viewer | None = None,
) -> Report:
    """The figures for complaints received from `start` to `end` (both included).

    With `viewer`, the lists that name cases (extensions, changes) leave out the cases
    hidden from that member of staff; the counts always include every case.
    """
    if end < start:
        raise ValueError("the period ends before it starts")
    low, high = _bounds(start, end, zone)
    received = and_(Complaint.created_at >= low, Complaint.created_at < high)
    in_period = select(Complaint.id).where(received)  # a subquery: no list of 50,000 ids
    async with reading(sessions) as session:
        # Plain rows, not ORM objects (a year is tens of thousands): they are read by
        # attribute like the models, for a fraction of the cost. Each complaint's own
        # language and needs (storage/promises.py); only the columns the figures use.
        rows = (
            await session.execute(
                select(
                    *(getattr(Complaint, c) for c in REPORT_COLUMNS),
                    Complaint.language,
                    Complaint.adjustments,
                )
                .where(received)
                .order_by(Complaint.id)
            )
        ).all()
        records = (
            await session.execute(
                select(*StageRecord.__table__.c)
                .where(StageRecord.complaint_id.in_(in_period))
                .order_by(StageRecord.complaint_id, StageRecord.number)
            )
        ).all()
        extensions = list(
            await session.scalars(
                select(Extension)
                .join(StageRecord, StageRecord.id == Extension.stage_record_id)
                .where(StageRecord.complaint_id.in_(in_period))
                .order_by(Extension.id)
            )
        )
        shown: set[int] | None = None
        if viewer is not None:
            shown = set(await session.scalars(in_period.where(visible(viewer))))
    # Pure arithmetic over tens of thousands of rows: in a thread, so the event loop (other
    # staff's pages, /health) keeps answering while a year's report is worked out.
    return await asyncio.to_thread(
        _figures,
        procedure,
        calendar,
        zone,
        start=start,
        end=end,
        as_of=as_of,
        rows=[(row, row.language, list(row.adjustments or [])) for row in rows],
        records=records,
        extensions=extensions,
        shown=shown if shown is not None else {row.id for row in rows},
    )


def _figures(
    procedure: Procedure,
    calendar: WorkingCalendar,
    zone: ZoneInfo,
    *,
    start: date,
    end: date,
    as_of: date,
    rows: list[tuple[Complaint, str, list[Any]]],
    records: list[StageRecord],
    extensions: list[Extension],
    shown: set[int],
) -> Report:
    by_id = {row[0].id: row[0] for row in rows}
    stages_of: dict[int, list[StageRecord]] = defaultdict(list)
    for record in records:
        stages_of[record.complaint_id].append(record)
    # The first extension of each date holds the date the procedure set.
    first_previous: dict[tuple[int, str], date | None] = {}
    for ext in extensions:
        first_previous.setdefault((ext.stage_record_id, ext.which), ext.previous_date)
    record_by_id = {r.id: r for r in records}

    def original(record: StageRecord, which: str) -> date | None:
        key = (record.id, which)
        if key in first_previous:
            return first_previous[key]
        return record.acknowledge_by if which == "acknowledge" else record.respond_by

    kinds: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    adjustments: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    about_staff = referred = 0
    month_counts: dict[str, Counter[str]] = {m: Counter() for m in _months(start, end)}
    changes: list[Change] = []

    for complaint, language, needs in rows:
        kinds[complaint.kind] += 1
        channels[complaint.received_via] += 1
        languages[language] += 1
        for need in dict.fromkeys(needs):
            adjustments[str(need)] += 1
        month = complaint.created_at.astimezone(zone).strftime("%Y-%m")
        month_counts.setdefault(month, Counter())[complaint.kind] += 1
        if complaint.kind != "complaint":
            continue
        categories[complaint.category or ""] += 1
        reached[str(complaint.current_stage)] += 1
        if complaint.about_staff or complaint.about_role or complaint.subject_staff_id:
            about_staff += 1
        decided = [s for s in stages_of[complaint.id] if s.outcome]
        outcomes[decided[-1].outcome if decided else "none"] += 1  # type: ignore[index]
        if complaint.status == "referred":
            referred += 1
            resolved["external"] += 1
        elif complaint.status == "closed":
            resolved[str(complaint.current_stage)] += 1
        elif complaint.status == "withdrawn":
            resolved["withdrawn"] += 1
        for record in stages_of[complaint.id]:
            detail = record.outcome_detail or {}
            we_did = "; ".join(
                text for text in (detail.get("policy_change"), detail.get("actions")) if text
            )
            if we_did and complaint.id in shown:
                changes.append(
                    Change(
                        complaint.reference,
                        complaint.category,
                        record.number,
                        record.outcome,
                        we_did,
                    )
                )

    timeliness, days_all, days_by_stage = _timeliness(
        procedure, calendar, zone, records, by_id, original, as_of, month_counts
    )
    response_days = [
        ResponseDays(0, len(days_all), _mean(days_all), percentile_90(days_all)),
        *(
            ResponseDays(number, len(values), _mean(values), percentile_90(values))
            for number, values in sorted(days_by_stage.items())
        ),
    ]
    extension_lines = tuple(
        ExtensionLine(
            by_id[record_by_id[e.stage_record_id].complaint_id].reference,
            record_by_id[e.stage_record_id].number,
            e.which,
            e.previous_date,
            e.new_date,
            e.reason,
        )
        for e in extensions
        if record_by_id[e.stage_record_id].complaint_id in shown
    )
    stage_keys = tuple(str(s.number) for s in procedure.stages)
    if procedure.has_informal_route:
        stage_keys = ("0", *stage_keys)
    return Report(
        organisation=procedure.organisation,
        start=start,
        end=end,
        as_of=as_of,
        received=len(rows),
        # Enquiries (CALAT's elected members) are counted apart, never as complaints.
        by_kind=_tallies(
            kinds,
            ("complaint", "compliment", "feedback", *(("enquiry",) if procedure.enquiries else ())),
        ),
        by_category=_tallies(categories, tuple(c.id for c in procedure.categories)),
        by_channel=_tallies(channels),
        by_stage_reached=_tallies(reached, stage_keys),
        timeliness=tuple(timeliness),
        extensions=extension_lines,
        extensions_by_which=_tallies(
            Counter(e.which for e in extensions), ("acknowledge", "respond")
        ),
        outcomes=_tallies(outcomes, (*OUTCOME_KEYS, "none")),
        resolved_at=_tallies(resolved, (*stage_keys, "external", "withdrawn")),
        response_days=tuple(response_days),
        referred_external=referred,
        about_staff=about_staff,
        adjustments=_tallies(adjustments),
        languages=_tallies(languages),
        compliments=kinds["compliment"],
        months=tuple(
            Month(
                month,
                counts["complaint"],
                counts["compliment"],
                counts["feedback"],
                counts["responses"],
                counts["responses_on_time"],
            )
            for month, counts in sorted(month_counts.items())
        ),
        changes=tuple(changes),
        stage_names={0: "Informal resolution", **{s.number: s.name for s in procedure.stages}},
        category_labels={c.id: c.label for c in procedure.categories},
    )


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _timeliness(
    procedure: Procedure,
    calendar: WorkingCalendar,
    zone: ZoneInfo,
    records: list[StageRecord],
    by_id: dict[int, Complaint],
    original: Any,
    as_of: date,
    month_counts: dict[str, Counter[str]],
) -> tuple[list[Timeliness], list[int], dict[int, list[int]]]:
    tally: dict[tuple[int, str], Counter[str]] = {}
    # A year's responses repeat a few thousand (received, done) pairs: count each once.
    counted: dict[tuple[date, date], int] = {}
    days_all: list[int] = []
    days_by_stage: dict[int, list[int]] = defaultdict(list)
    for record in records:
        complaint = by_id[record.complaint_id]
        if record.number == 0 or complaint.kind != "complaint":
            continue  # the informal route has no time limits
        for which, done_at, current in (
            ("acknowledge", record.acknowledged_at, record.acknowledge_by),
            ("respond", record.responded_at, record.respond_by),
        ):
            due = original(record, which)
            if due is None:
                continue
            done = _local_day(done_at, zone)
            if done is None and complaint.status in ("closed", "withdrawn", "referred"):
                continue  # ended without this step (withdrawn early): nothing to measure
            if done is None:
                verdict = "late" if as_of > (current or due) else "pending"
            elif done <= due:
                verdict = "on_time"
            elif current is not None and done <= current:
                verdict = "within_extension"
            else:
                verdict = "late"
            tally.setdefault((record.number, which), Counter())[verdict] += 1
            if which == "respond" and done is not None:
                pair = (record.received_on, done)
                if pair not in counted:
                    counted[pair] = working_days_between(calendar, *pair)
                days = counted[pair]
                days_all.append(days)
                days_by_stage[record.number].append(days)
                month = complaint.created_at.astimezone(zone).strftime("%Y-%m")
                month_counts[month]["responses"] += 1
                month_counts[month]["responses_on_time"] += verdict == "on_time"
    lines = []
    for stage in procedure.stages:
        for which in ("acknowledge", "respond"):
            counts = tally.get((stage.number, which), Counter())
            lines.append(
                Timeliness(
                    stage.number,
                    stage.name,
                    which,
                    counts["on_time"],
                    counts["within_extension"],
                    counts["late"],
                    counts["pending"],
                )
            )
    return lines, days_all, days_by_stage
