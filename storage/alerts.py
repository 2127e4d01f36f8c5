"""What staff must be told, and to whom: the facts behind bot/scheduler.py's alerts.

Recipients of a case are the named handler of its current stage, or else every active
member of staff holding the stage's handler role; never someone the case is hidden from
(storage/visibility.py: its subject, or holders of the role it is about). Facts carry the
reference, the stage and the dates only: never the complaint's words.

Each alert is queued under a unique key (scheduler_marks) in the same transaction as its
outbox rows, so a restart or a second process never sends it twice. A round's alerts are
queued in batches (`queue_many`): a first round at 100,000 complaints has ~13,000 of them,
and one transaction each kept the write lock so busy that web chat answers timed out.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, cast, exists, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import load_only

from procedures.case import CASE_KINDS
from storage.cases import ENDED
from storage.db import dialect_insert, give_way, iso_date, reading
from storage.delivery import State
from storage.models import (
    AuditEvent,
    Complaint,
    ContactRestriction,
    Outbox,
    SchedulerMark,
    StaffUser,
    StageRecord,
)
from storage.staff import ADMIN
from storage.visibility import LEAD_ROLES, Viewer, chunks, visible_among

EVENT_ACTIONS = ("submit", "escalate", "add_information", "subject_match", "set_subject", "triage")
# Events for the leads (storage/visibility.LEAD_ROLES), not the stage's handlers.
LEAD_EVENTS = frozenset({"subject_match", "set_subject", "triage"})
# What the person sent: with a contact arrangement (storage/restrictions.py) these go to
# their single point of contact only. More information is news only for them.
FROM_PERSON = ("submit", "add_information")


def _awaiting_answer() -> Select[tuple[Complaint, StageRecord]]:
    """Each open complaint with its current stage, where that stage is not yet answered.

    Only the columns an alert uses: a first round reads thousands of them."""
    return (
        select(Complaint, StageRecord)
        .options(load_only(*(getattr(Complaint, c) for c in ALERT_COLUMNS)))
        .join(
            StageRecord,
            and_(
                StageRecord.complaint_id == Complaint.id,
                StageRecord.number == Complaint.current_stage,
            ),
        )
        .where(
            Complaint.status.not_in(ENDED),
            Complaint.kind.in_(CASE_KINDS),
            StageRecord.responded_at.is_(None),
        )
    )


def _not_yet_alerted(session: AsyncSession, today: date) -> Select[tuple[Complaint, StageRecord]]:
    """The stages awaiting an answer with a date passed whose alert is not marked yet.

    Only a filter: `_done` still decides, by the same keys. Each round used to read every
    open stage (13,000 at 100,000 complaints) to find the few new ones."""

    def unmarked(which: str, due: Any) -> Any:
        key = (
            literal(f"alert:late_{which}:")
            + cast(StageRecord.id, String)
            + ":"
            + iso_date(session, due)
        )
        return ~exists(select(SchedulerMark.key).where(SchedulerMark.key == key))

    pending_ack = and_(StageRecord.acknowledged_at.is_(None), StageRecord.acknowledge_by < today)
    return _awaiting_answer().where(
        or_(
            and_(pending_ack, unmarked("acknowledge", StageRecord.acknowledge_by)),
            and_(StageRecord.respond_by < today, unmarked("respond", StageRecord.respond_by)),
        )
    )


ALERT_COLUMNS = ("id", "reference", "kind", "person_id", "current_stage", "status")
BATCH = 200  # outbox rows per transaction when queueing a round's alerts
RECENT = timedelta(days=1)  # older events (say, on a first start) are not news any more


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    email: str
    telegram_chat_id: str | None


@dataclass(frozen=True)
class CaseFacts:
    complaint_id: int
    reference: str
    kind: str
    stage_number: int | None
    stage_name: str
    acknowledge_by: date | None
    acknowledged: bool
    respond_by: date | None
    responded: bool


@dataclass(frozen=True)
class Alert:
    """Something to tell the case's recipients now, under a key that makes it happen once."""

    key: str
    what: str  # submit / escalate / failed / uncertain / overdue_acknowledge / overdue_respond
    case: CaseFacts
    channel: str = ""  # for failed deliveries: the complainant's channel
    to_contact: bool = False  # routed to the person's single point of contact


@dataclass(frozen=True)
class DueItem:
    case: CaseFacts
    which: str  # acknowledge / respond
    due: date
    overdue: bool


@dataclass(frozen=True)
class Letter:
    """One message to one member of staff on one channel."""

    staff_id: int
    channel: str
    address: str
    subject: str
    body: str


def _facts(complaint: Complaint, record: StageRecord | None) -> CaseFacts:
    return CaseFacts(
        complaint.id,
        complaint.reference,
        complaint.kind,
        record.number if record else None,
        record.name if record else "",
        record.acknowledge_by if record else None,
        bool(record and record.acknowledged_at),
        record.respond_by if record else None,
        bool(record and record.responded_at),
    )


def _open_dates(record: StageRecord) -> list[tuple[str, date]]:
    """The stage's promises not kept yet: (acknowledge or respond, due date)."""
    dates = []
    if not record.acknowledged_at and not record.responded_at and record.acknowledge_by:
        dates.append(("acknowledge", record.acknowledge_by))
    if not record.responded_at and record.respond_by:
        dates.append(("respond", record.respond_by))
    return dates


class StaffAlerts:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    # -- who ---------------------------------------------------------------------------

    async def _staff(self, session: AsyncSession) -> list[StaffUser]:
        return list(await session.scalars(select(StaffUser).where(StaffUser.active.is_(True))))

    @staticmethod
    def _chosen(
        record: StageRecord | None,
        staff: list[StaffUser],
        contact_id: int | None = None,
        *,
        leads: bool = False,
    ) -> list[StaffUser]:
        """Who a case's alert is for, before the visibility rule is applied."""
        if leads:
            return [s for s in staff if set(LEAD_ROLES) & set(s.roles or [])]
        if contact_id is not None and any(s.id == contact_id for s in staff):
            return [s for s in staff if s.id == contact_id]
        if record is not None and record.handler_staff_id:
            return [s for s in staff if s.id == record.handler_staff_id]
        role = record.handler_role if record is not None else ADMIN
        return [s for s in staff if role in (s.roles or [])]

    @staticmethod
    async def _allowed(
        session: AsyncSession, wanted: list[tuple[int, list[StaffUser]]]
    ) -> list[list[Recipient]]:
        """For each (complaint id, chosen staff): those of them who may see the case.

        One visibility query per member of staff (per CHUNK cases), not one per alert and
        person: a first round at 100,000 complaints has thousands of overdue stages."""
        cases: dict[int, set[int]] = defaultdict(set)
        members: dict[int, StaffUser] = {}
        for complaint_id, chosen in wanted:
            for member in chosen:
                cases[member.id].add(complaint_id)
                members[member.id] = member
        seen = {
            member_id: await visible_among(
                session, Viewer(member_id, tuple(members[member_id].roles or ())), ids
            )
            for member_id, ids in cases.items()
        }
        return [
            [
                Recipient(m.id, m.name, m.email, m.telegram_chat_id)
                for m in chosen
                if complaint_id in seen[m.id]
            ]
            for complaint_id, chosen in wanted
        ]

    async def _current(
        self,
        session: AsyncSession,
        complaint_ids: list[int],
        known: dict[int, tuple[Complaint, StageRecord | None]],
    ) -> dict[int, tuple[Complaint, StageRecord | None]]:
        """Each complaint with its current stage record; `known` ones are not read again."""
        current = dict(known)
        for batch in chunks(sorted(set(complaint_ids) - set(known))):
            rows = await session.execute(
                select(Complaint, StageRecord)
                .outerjoin(
                    StageRecord,
                    and_(
                        StageRecord.complaint_id == Complaint.id,
                        StageRecord.number == Complaint.current_stage,
                    ),
                )
                .where(Complaint.id.in_(batch))
            )
            current.update({c.id: (c, r) for c, r in rows})
        return current

    @staticmethod
    async def _contacts(session: AsyncSession, person_ids: list[int]) -> dict[int, int]:
        """Person id -> their single point of contact, for people with an arrangement."""
        found: dict[int, int] = {}
        for batch in chunks(sorted(set(person_ids))):
            rows = await session.execute(
                select(ContactRestriction.person_id, ContactRestriction.contact_staff_id)
                .where(
                    ContactRestriction.person_id.in_(batch),
                    ContactRestriction.ended_at.is_(None),
                    ContactRestriction.contact_staff_id.is_not(None),
                )
                .order_by(ContactRestriction.id)
            )
            found.update({person: contact for person, contact in rows if contact is not None})
        return found

    # -- what ----------------------------------------------------------------------------

    async def immediate(self, *, now: datetime, today: date) -> list[tuple[Alert, list[Recipient]]]:
        """New complaints and escalations, failed deliveries, and due dates just passed."""
        async with reading(self.sessions) as session:
            cursor = await session.get(SchedulerMark, "cursor:audit")
            events = list(
                await session.execute(
                    select(AuditEvent.id, AuditEvent.action, AuditEvent.complaint_id)
                    .where(
                        AuditEvent.id > (cursor.value if cursor else 0),
                        AuditEvent.action.in_(EVENT_ACTIONS),
                        AuditEvent.at >= now - RECENT,
                        AuditEvent.complaint_id.is_not(None),
                    )
                    .order_by(AuditEvent.id)
                )
            )
            failed = list(
                await session.execute(
                    select(Outbox.id, Outbox.complaint_id, Outbox.channel, Outbox.state).where(
                        Outbox.state.in_((State.FAILED, State.UNCERTAIN)),
                        Outbox.person_id.is_not(None),  # not a staff alert that failed
                        Outbox.complaint_id.is_not(None),
                    )
                )
            )
            overdue = list(await session.execute(_not_yet_alerted(session, today)))
            ids = [e.complaint_id for e in events] + [f.complaint_id for f in failed]
            current = await self._current(session, ids, {c.id: (c, r) for c, r in overdue})
            staff = await self._staff(session)
            contacts = await self._contacts(session, [c.person_id for c, _ in current.values()])
            found: list[Alert] = []
            for event in events:
                complaint, record = current[event.complaint_id]
                if event.action == "add_information" and complaint.person_id not in contacts:
                    continue
                found.append(
                    Alert(
                        f"alert:{event.action}:{event.id}", event.action, _facts(complaint, record)
                    )
                )
            for row in failed:
                complaint, record = current[row.complaint_id]
                # A send that may have arrived is not a failure: staff check before resending.
                what = "uncertain" if row.state == State.UNCERTAIN else "failed"
                found.append(
                    Alert(f"alert:{what}:{row.id}", what, _facts(complaint, record), row.channel)
                )
            for _, record in overdue:
                complaint, _ = current[record.complaint_id]
                facts = _facts(complaint, record)
                for which, due in _open_dates(record):
                    if due < today:
                        key = f"alert:late_{which}:{record.id}:{due}"
                        found.append(Alert(key, f"overdue_{which}", facts))
            done = await self._done(session, [a.key for a in found])
            todo, wanted = [], []
            for alert in found:
                if alert.key in done:
                    continue
                complaint, record = current[alert.case.complaint_id]
                contact = contacts.get(complaint.person_id) if alert.what in FROM_PERSON else None
                if contact is not None:
                    alert = replace(alert, to_contact=True)
                chosen = self._chosen(record, staff, contact, leads=alert.what in LEAD_EVENTS)
                todo.append(alert)
                wanted.append((complaint.id, chosen))
            result = list(zip(todo, await self._allowed(session, wanted), strict=True))
        if events:
            await self.set_cursor("cursor:audit", max(e.id for e in events), now=now)
        return result

    async def due(self, *, today: date, horizon: date) -> dict[Recipient, list[DueItem]]:
        """Per member of staff: what is overdue or due by `horizon`, on cases they handle."""
        async with reading(self.sessions) as session:
            rows = list(await session.execute(_awaiting_answer().order_by(Complaint.id)))
            staff = await self._staff(session)
            found, wanted = [], []
            for complaint, record in rows:
                facts = _facts(complaint, record)
                items = [
                    DueItem(facts, which, due, due < today)
                    for which, due in _open_dates(record)
                    if due <= horizon
                ]
                if items:
                    found.append(items)
                    wanted.append((complaint.id, self._chosen(record, staff)))
            digest: dict[Recipient, list[DueItem]] = {}
            for items, people in zip(found, await self._allowed(session, wanted), strict=True):
                for person in people:
                    digest.setdefault(person, []).extend(items)
            return digest

    async def admins(self) -> list[Recipient]:
        async with reading(self.sessions) as session:
            return [
                Recipient(s.id, s.name, s.email, s.telegram_chat_id)
                for s in await self._staff(session)
                if ADMIN in (s.roles or [])
            ]

    # -- marks and queueing --------------------------------------------------------------

    @staticmethod
    async def _done(session: AsyncSession, keys: list[str]) -> set[str]:
        done: set[str] = set()
        for batch in chunks(keys):
            done.update(
                await session.scalars(select(SchedulerMark.key).where(SchedulerMark.key.in_(batch)))
            )
        return done

    async def is_done(self, key: str) -> bool:
        async with reading(self.sessions) as session:
            return await session.get(SchedulerMark, key) is not None

    async def set_cursor(self, key: str, value: int, *, now: datetime) -> None:
        """Move the cursor forward (never back), in one statement: two scheduler passes at
        once (two processes) must not both insert it."""
        async with self.sessions() as session, session.begin():
            insert = dialect_insert(session)(SchedulerMark).values(key=key, value=value, at=now)
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=[SchedulerMark.key],
                    set_={"value": insert.excluded.value, "at": insert.excluded.at},
                    where=SchedulerMark.value < insert.excluded.value,
                )
            )

    async def queue(self, key: str, letters: list[Letter], *, now: datetime) -> bool:
        """Queue the letters and record `key`, together; False if `key` was done already."""
        return await self.queue_many([(key, letters)], now=now) == 1

    async def queue_many(self, items: list[tuple[str, list[Letter]]], *, now: datetime) -> int:
        """Queue each key's letters once, a batch of about BATCH rows a transaction, giving
        way to waiting writers between batches; the number of keys newly queued. A batch
        commits its marks with its rows, so a restart mid-round queues nothing twice."""
        queued = 0
        for number, batch in enumerate(_batches(items)):
            if number:
                await give_way(self.sessions.kw["bind"])
            try:
                queued += await self._queue_batch(batch, now)
            except IntegrityError:  # another process marked one of them first: one by one
                for item in batch:
                    with contextlib.suppress(IntegrityError):
                        queued += await self._queue_batch([item], now)
        return queued

    async def _queue_batch(self, batch: list[tuple[str, list[Letter]]], now: datetime) -> int:
        async with self.sessions() as session, session.begin():
            done = await self._done(session, [key for key, _ in batch])
            new = 0
            for key, letters in batch:
                if key in done:
                    continue
                done.add(key)  # the same key twice in one round is still one alert
                session.add(SchedulerMark(key=key, at=now))
                session.add_all(_outbox(letter, now) for letter in letters)
                new += 1
        return new


def _batches(items: list[tuple[str, list[Letter]]]) -> Iterator[list[tuple[str, list[Letter]]]]:
    """`items` in runs of about BATCH rows (a mark and its letters each), whole keys only."""
    batch: list[tuple[str, list[Letter]]] = []
    rows = 0
    for item in items:
        batch.append(item)
        rows += 1 + len(item[1])
        if rows >= BATCH:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


def _outbox(letter: Letter, now: datetime) -> Outbox:
    return Outbox(
        person_id=None,
        staff_id=letter.staff_id,
        complaint_id=None,  # keeps alerts off the complainant's timeline
        channel=letter.channel,
        address=letter.address,
        language="en",
        subject=letter.subject[:200],
        body=letter.body,
        state="pending",
        next_attempt_at=now,
        created_at=now,
    )
