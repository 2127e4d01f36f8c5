"""Who may see and act on a case: the confidentiality and independence rules, in SQL.

Confidentiality. A complaint is hidden from a member of staff when
  - they are its subject (complaints.subject_staff_id, set by staff on the case page), or
  - it is about a role they hold (complaints.about_role, from the dialogue's routing: a
    complaint about "the Coordinator" is hidden from everyone holding the coordinator role), or
  - the complainant's "which member of staff" answer could mean them (subject_candidates,
    matched at submission by storage/subjects.py) and no lead has settled who it means, or
  - that answer matches nobody (complaints.triage == "unmatched") and they are not a lead:
    such a case is held for the leads' triage queue, not shown to all.
Hidden means absent everywhere: lists, search, counts, dashboard, the case page and its
attachments answer "not found", exactly as for a case that does not exist. Call-back
requests and undelivered messages with no case are hidden when the person has a hidden case.
The admin role gives no exception: an administrator complained about is hidden from it too.

Acting. Anyone who may see a case may read it and add internal notes. Changing it
(acknowledge, reply, extend, escalate, naming its subject...) needs the handler role of the
stage it is at; and
where the procedure says a stage's handler must not have been involved before
(Stage.handler_not_involved_before), nobody who acted on the case at an earlier stage may act
on it, or be assigned as its handler, at that stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from procedures.model import Procedure
from storage.errors import CaseError, ChangedMeanwhile, InvalidInput, NotFound
from storage.models import AuditEvent, Complaint, StaffUser, StageRecord, SubjectCandidate
from storage.staff import ADMIN

if TYPE_CHECKING:
    from storage.cases import CaseService


T = TypeVar("T")

# Who settles who a complaint is about (the triage queue) and is told when a subject changes.
# Other engineers add roles here (say, a Board member): this is the one place that says so.
LEAD_ROLES: tuple[str, ...] = (ADMIN,)
UNMATCHED = "unmatched"  # complaints.triage: the answer names nobody on staff
NAMED = "named"  # complaints.triage: candidates found, not yet confirmed

# Audit actions that are not involvement in deciding a case.
NOT_INVOLVEMENT = ("view", "view_attachment")


class NotPermitted(CaseError):
    """The person may see the case but not do this to it; the message says why."""


@dataclass(frozen=True)
class Viewer:
    """The member of staff asking: their id and roles."""

    id: int
    roles: tuple[str, ...]


def is_lead(viewer: Viewer) -> bool:
    return any(role in LEAD_ROLES for role in viewer.roles)


def visible(viewer: Viewer, complaint: Any = Complaint) -> ColumnElement[bool]:
    """SQL condition on Complaint: true for the cases this member of staff may see.

    The one visibility rule: every listing, count, search, alert and page uses it."""
    conditions = [
        or_(complaint.subject_staff_id.is_(None), complaint.subject_staff_id != viewer.id),
        not_(
            exists(
                select(SubjectCandidate.staff_id).where(
                    SubjectCandidate.complaint_id == complaint.id,
                    SubjectCandidate.staff_id == viewer.id,
                )
            )
        ),
    ]
    if viewer.roles:
        conditions.append(
            or_(complaint.about_role.is_(None), complaint.about_role.not_in(viewer.roles))
        )
    if not is_lead(viewer):
        conditions.append(or_(complaint.triage.is_(None), complaint.triage != UNMATCHED))
    return and_(*conditions)


def hidden_people(viewer: Viewer) -> Select[tuple[int]]:
    """People with at least one case hidden from the viewer (for records with no case)."""
    other = aliased(Complaint)  # never correlated with a Complaint in the outer query
    return select(other.person_id).where(not_(visible(viewer, other)))


async def viewer_for(session: AsyncSession, staff_id: int) -> Viewer:
    """The viewer for an active account; a missing or disabled account sees nothing."""
    row = await session.get(StaffUser, staff_id)
    if row is None or not row.active:
        raise NotFound(f"no active staff account {staff_id}")
    return Viewer(row.id, tuple(row.roles or ()))


# Longest literal IN list a query is given: SQLite and asyncpg cap bound parameters.
CHUNK = 500


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """`values` in lists of at most `size`, for IN lists that stay bounded."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def visible_among(session: AsyncSession, viewer: Viewer, ids: Iterable[int]) -> set[int]:
    """Which of these complaints the viewer may see: one query per CHUNK ids, not per case."""
    seen: set[int] = set()
    for batch in chunks(sorted(set(ids))):
        seen.update(
            await session.scalars(
                select(Complaint.id).where(Complaint.id.in_(batch), visible(viewer))
            )
        )
    return seen


async def can_see(session: AsyncSession, viewer: Viewer, complaint_id: int) -> bool:
    found = await session.scalar(
        select(Complaint.id).where(Complaint.id == complaint_id, visible(viewer))
    )
    return found is not None


async def involved_before(session: AsyncSession, complaint: Complaint) -> set[int]:
    """Staff who handled or acted on the case before its current stage opened."""
    if len(complaint.stages) < 2:
        return set()
    involved = {s.handler_staff_id for s in complaint.stages[:-1] if s.handler_staff_id}
    opened = await session.scalar(
        select(func.max(AuditEvent.id)).where(
            AuditEvent.complaint_id == complaint.id, AuditEvent.action == "escalate"
        )
    )
    if opened is not None:
        rows = await session.scalars(
            select(AuditEvent.staff_id)
            .where(
                AuditEvent.complaint_id == complaint.id,
                AuditEvent.id < opened,
                AuditEvent.staff_id.is_not(None),
                AuditEvent.action.not_in(NOT_INVOLVEMENT),
            )
            .distinct()
        )
        involved |= {r for r in rows if r is not None}
    return involved


async def act_refusal(
    session: AsyncSession, procedure: Procedure, complaint: Complaint, viewer: Viewer
) -> str | None:
    """Why this member of staff may not change the case now, or None when they may.

    `complaint.stages` must be loaded."""
    if not complaint.stages:
        return None  # compliments and feedback have no stage and no handler
    record = complaint.stages[-1]
    if record.handler_role not in viewer.roles:
        return f"This stage is handled by {record.handler_label} ({record.handler_role} role)."
    rule = procedure.stage(max(record.number, 1))
    if rule.handler_not_involved_before and viewer.id in await involved_before(session, complaint):
        return (
            f"{rule.name} must be handled by someone not involved at an earlier stage, "
            "and you were."
        )
    return None


async def check(
    session: AsyncSession,
    procedure: Procedure,
    complaint: Complaint,
    staff_id: int,
    *,
    acting: bool,
) -> Viewer:
    """NotFound when the case is hidden from the staff member; NotPermitted when `acting`
    and they may not change it. Used by every case operation given a staff_id."""
    viewer = await viewer_for(session, staff_id)
    if not await can_see(session, viewer, complaint.id):
        raise NotFound(f"no complaint {complaint.id}")
    if acting:
        reason = await act_refusal(session, procedure, complaint, viewer)
        if reason:
            raise NotPermitted(reason)
    return viewer


async def handler_refusal(
    session: AsyncSession, procedure: Procedure, complaint: Complaint, staff_id: int
) -> str | None:
    """Why this person cannot be the current stage's handler, or None when they can."""
    try:
        viewer = await viewer_for(session, staff_id)
    except NotFound:
        return "That account does not exist or is disabled."
    if not await can_see(session, viewer, complaint.id):
        return "That person cannot handle this case: it is about them or their role."
    return await act_refusal(session, procedure, complaint, viewer)


async def bump_version(session: AsyncSession, complaint: Complaint, expected_version: int) -> None:
    """Claim the next version of the case (optimistic locking, as in storage/cases.py)."""
    if complaint.version != expected_version:
        raise ChangedMeanwhile(f"{complaint.reference} was changed by someone else")
    bumped = await session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id, Complaint.version == expected_version)
        .values(version=Complaint.version + 1)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise ChangedMeanwhile(f"{complaint.reference} was changed by someone else")


async def set_subject(
    session: AsyncSession,
    complaint: Complaint,
    subject_id: int | None,
    *,
    staff_id: int,
    expected_version: int,
    now: datetime,
    reason: str,
    action: str = "set_subject",
) -> None:
    """Name the member of staff the complaint is about (hides it from them from now on).

    Always with a reason, in the audit log; the scheduler tells the leads (storage/alerts.py)."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Give the reason for naming or changing who the complaint is about.")
    if subject_id is not None and await session.get(StaffUser, subject_id) is None:
        raise InvalidInput("Choose a member of staff from the list.")
    if staff_id in await candidates_of(session, complaint.id) or staff_id == (
        complaint.subject_staff_id
    ):
        raise NotFound(f"no complaint {complaint.id}")  # never reached through visible()
    await bump_version(session, complaint, expected_version)
    complaint.subject_staff_id = subject_id
    if subject_id is not None:
        # The subject cannot stay the handler of any stage of it.
        await session.execute(
            update(StageRecord)
            .where(
                StageRecord.complaint_id == complaint.id,
                StageRecord.handler_staff_id == subject_id,
            )
            .values(handler_staff_id=None)
        )
    session.add(
        AuditEvent(
            at=now,
            staff_id=staff_id,
            actor="staff",
            action=action,
            complaint_id=complaint.id,
            detail=(f"account {subject_id}" if subject_id else "nobody on staff")
            + f"; reason: {reason}"[:160],
        )
    )


async def candidates_of(session: AsyncSession, complaint_id: int) -> set[int]:
    rows = await session.scalars(
        select(SubjectCandidate.staff_id).where(SubjectCandidate.complaint_id == complaint_id)
    )
    return set(rows)


async def assign_handler(
    session: AsyncSession,
    procedure: Procedure,
    complaint: Complaint,
    handler_id: int | None,
    *,
    staff_id: int,
    expected_version: int,
    now: datetime,
) -> None:
    """Make someone the named handler of the current stage, if the rules allow them."""
    if not complaint.stages:
        raise InvalidInput(f"{complaint.reference} has no stage to assign.")
    if handler_id is not None:
        reason = await handler_refusal(session, procedure, complaint, handler_id)
        if reason:
            raise InvalidInput(reason)
    await bump_version(session, complaint, expected_version)
    complaint.stages[-1].handler_staff_id = handler_id
    session.add(
        AuditEvent(
            at=now,
            staff_id=staff_id,
            actor="staff",
            action="assign_handler",
            complaint_id=complaint.id,
            detail=f"stage {complaint.stages[-1].number} account {handler_id}",
        )
    )


# -- the two operations staff do on the case page besides the procedure's actions -----------


async def name_subject(
    cases: CaseService,
    complaint_id: int,
    subject_id: int | None,
    *,
    staff_id: int,
    expected_version: int,
    reason: str,
) -> None:
    """Naming or changing the subject is acting on the case: the stage's handler (not the
    subject, who cannot see it), with a reason. Leads settle matches in the triage queue."""
    async with cases.unit_of_work() as session:
        complaint, _ = await cases._load(
            session, complaint_id, change=False, staff_id=staff_id, acting=True
        )
        await set_subject(
            session,
            complaint,
            subject_id,
            staff_id=staff_id,
            expected_version=expected_version,
            now=cases.clock(),
            reason=reason,
        )


async def settle_subject(
    cases: CaseService,
    complaint_id: int,
    subject_id: int | None,
    *,
    staff_id: int,
    expected_version: int,
    reason: str,
) -> None:
    """A lead who is not named confirms or corrects who the complaint is about (None: nobody
    on staff). The other candidates see the case again; the triage is audited."""
    async with cases.unit_of_work() as session:
        complaint, _ = await cases._load(
            session, complaint_id, change=False, staff_id=staff_id, acting=False
        )
        viewer = await viewer_for(session, staff_id)
        if not is_lead(viewer):
            raise NotPermitted("Only a lead can settle who a complaint is about.")
        await set_subject(
            session,
            complaint,
            subject_id,
            staff_id=staff_id,
            expected_version=expected_version,
            now=cases.clock(),
            reason=reason,
            action="triage",
        )
        complaint.triage = None
        await session.execute(
            delete(SubjectCandidate).where(SubjectCandidate.complaint_id == complaint.id)
        )


async def name_handler(
    cases: CaseService,
    complaint_id: int,
    handler_id: int | None,
    *,
    staff_id: int,
    expected_version: int,
) -> None:
    """Assigning is for the stage's handlers themselves, or an admin allocating work."""
    async with cases.unit_of_work() as session:
        complaint, _ = await cases._load(
            session, complaint_id, change=False, staff_id=staff_id, acting=False
        )
        viewer = await viewer_for(session, staff_id)
        if ADMIN not in viewer.roles:
            reason = await act_refusal(session, cases.procedure, complaint, viewer)
            if reason:
                raise NotPermitted(reason)
        await assign_handler(
            session,
            cases.procedure,
            complaint,
            handler_id,
            staff_id=staff_id,
            expected_version=expected_version,
            now=cases.clock(),
        )
