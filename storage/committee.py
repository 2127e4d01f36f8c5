"""The management committee's list: complaints and compliments received since its last
meeting, which staff produce for the meeting and then mark as noted (West Wilts: "noted at
the next meeting of the management committee").

Only what a member of staff may see is listed (storage/visibility.py), and marking notes
exactly the cases that were listed, so nothing hidden is noted unseen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update

from storage.cases import CaseService
from storage.db import reading
from storage.errors import InvalidInput
from storage.models import AuditEvent, CommitteeMeeting, Complaint
from storage.visibility import viewer_for, visible


@dataclass(frozen=True)
class CommitteeItem:
    id: int
    reference: str
    kind: str
    received: datetime
    category: str | None
    status: str


@dataclass(frozen=True)
class CommitteeList:
    last_meeting: date | None
    items: tuple[CommitteeItem, ...]


async def committee_list(cases: CaseService, staff_id: int) -> CommitteeList:
    """Everything received and not yet noted at a meeting, oldest first."""
    async with reading(cases.sessions) as session:
        viewer = await viewer_for(session, staff_id)
        last = await session.scalar(select(func.max(CommitteeMeeting.held_on)))
        rows = await session.scalars(
            select(Complaint)
            .where(Complaint.committee_meeting_id.is_(None), visible(viewer))
            .order_by(Complaint.id)
        )
        items = tuple(
            CommitteeItem(c.id, c.reference, c.kind, c.created_at, c.category, c.status)
            for c in rows
        )
        return CommitteeList(last, items)


async def mark_noted(
    cases: CaseService, complaint_ids: Iterable[int], *, held_on: date, staff_id: int
) -> int:
    """Record the meeting and that it noted these cases; returns the meeting id."""
    ids = sorted(set(complaint_ids))
    if not ids:
        raise InvalidInput("there is nothing on the list to mark as noted")
    async with cases.unit_of_work() as session:
        viewer = await viewer_for(session, staff_id)
        now = cases.clock()
        meeting = CommitteeMeeting(held_on=held_on, staff_id=staff_id, created_at=now)
        session.add(meeting)
        await session.flush()
        await session.execute(
            update(Complaint)
            .where(
                Complaint.id.in_(ids),
                Complaint.committee_meeting_id.is_(None),
                visible(viewer),
            )
            .values(committee_meeting_id=meeting.id)
            .execution_options(synchronize_session=False)
        )
        session.add(
            AuditEvent(
                at=now,
                staff_id=staff_id,
                actor="staff",
                action="committee_noted",
                detail=f"meeting of {held_on}: {len(ids)} noted",
            )
        )
        return meeting.id
