"""Call tasks for "a phone call instead of writing" (the phone_call adjustment).

Nothing is stored until a call is made: the task due on an open case is worked out from its
current stage and the calls already marked done (PhoneCall rows), so it follows the case as
it is acknowledged, answered and escalated. First a call to acknowledge (while the stage is
neither acknowledged nor answered), then a call to give the answer, which stays until made
even once the written answer has gone: the person asked to be told by phone.
Visibility follows storage/visibility.py, as for every case record.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases import ENDED
from storage.errors import InvalidInput, NotFound
from storage.models import AuditEvent, Complaint, Person, PhoneCall, StageRecord
from storage.views import CallTask
from storage.visibility import Viewer, visible

PURPOSES = ("acknowledge", "respond")
ADJUSTMENT = "phone_call"


def next_call(record: StageRecord, done: set[str]) -> str | None:
    """The call due now at this stage, given the purposes already called for."""
    if "acknowledge" not in done and not record.acknowledged_at and not record.responded_at:
        return "acknowledge"
    if "respond" not in done:
        return "respond"
    return None


def _wants_calls() -> ColumnElement[bool]:
    # adjustments is a JSON list: its text holds the id in quotes on both databases.
    return cast(Person.adjustments, String).contains(f'"{ADJUSTMENT}"')


def _candidates(viewer: Viewer, complaint_id: int | None = None) -> Select[Any]:
    query = (
        select(Complaint, Person, StageRecord)
        .join(Person, Person.id == Complaint.person_id)
        .join(
            StageRecord,
            and_(
                StageRecord.complaint_id == Complaint.id,
                StageRecord.number == Complaint.current_stage,
            ),
        )
        .where(
            Complaint.kind == "complaint",
            Complaint.status.not_in(ENDED),
            _wants_calls(),
            visible(viewer),
        )
    )
    if complaint_id is not None:
        query = query.where(Complaint.id == complaint_id)
    return query


async def _done(
    session: AsyncSession, pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], set[str]]:
    """Purposes called for, by (complaint id, stage number)."""
    found: dict[tuple[int, int], set[str]] = {}
    if not pairs:
        return found
    rows = await session.execute(
        select(PhoneCall.complaint_id, PhoneCall.stage_number, PhoneCall.purpose).where(
            PhoneCall.complaint_id.in_({c for c, _ in pairs})
        )
    )
    for complaint_id, stage, purpose in rows:
        found.setdefault((complaint_id, stage), set()).add(purpose)
    return found


async def call_tasks(
    session: AsyncSession, viewer: Viewer, *, complaint_id: int | None = None, limit: int = 50
) -> tuple[CallTask, ...]:
    """Calls due on the open cases this member of staff may see, soonest first."""
    rows = list(await session.execute(_candidates(viewer, complaint_id)))
    done = await _done(session, [(c.id, r.number) for c, _, r in rows])
    tasks: list[CallTask] = []
    for complaint, person, record in rows:
        purpose = next_call(record, done.get((complaint.id, record.number), set()))
        if purpose is None:
            continue
        tasks.append(
            CallTask(
                complaint_id=complaint.id,
                reference=complaint.reference,
                person_name=person.name,
                phone=person.phone,
                language=person.language,
                stage_number=record.number,
                purpose=purpose,
                due=record.acknowledge_by if purpose == "acknowledge" else record.respond_by,
            )
        )
    tasks.sort(key=lambda t: (t.due is None, t.due or date.min, t.complaint_id))
    return tuple(tasks[:limit])


async def mark_call_done(
    session: AsyncSession,
    viewer: Viewer,
    complaint_id: int,
    stage_number: int,
    purpose: str,
    *,
    now: datetime,
) -> None:
    """Staff made the call: recorded once, audited; a hidden case is NotFound."""
    if purpose not in PURPOSES:
        raise InvalidInput(f"No such call: {purpose}.")
    tasks = await call_tasks(session, viewer, complaint_id=complaint_id)
    if not any(t.stage_number == stage_number and t.purpose == purpose for t in tasks):
        raise NotFound(f"no {purpose} call due on complaint {complaint_id}")
    session.add(
        PhoneCall(
            complaint_id=complaint_id,
            stage_number=stage_number,
            purpose=purpose,
            staff_id=viewer.id,
            done_at=now,
        )
    )
    session.add(
        AuditEvent(
            at=now,
            staff_id=viewer.id,
            action="phone_call_done",
            complaint_id=complaint_id,
            detail=f"stage {stage_number} {purpose}",
        )
    )
