"""Contact arrangements for persistent or vexatious complainants (CAST's policy).

A restriction is never a silent block. It names what changes (for example a single point
of contact, or one email a week), why, and when it will be reviewed; the person is sent a
written notice in their language through the outbox, in the same transaction; it is audited;
and complaints from the person are still received and recorded as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import not_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from locales import translator
from procedures import letters
from storage.cases import CaseService
from storage.errors import IllegalTransition, InvalidInput, NotFound
from storage.models import AuditEvent, Complaint, ContactRestriction, Person, StaffUser
from storage.outbox import enqueue
from storage.staff import ADMIN
from storage.visibility import NotPermitted, viewer_for, visible


@dataclass(frozen=True)
class RestrictionView:
    id: int
    person_id: int
    restriction: str
    reason: str
    review_on: date
    contact_staff_id: int | None
    contact_name: str
    created_at: datetime
    ended_at: datetime | None


async def restrict(
    cases: CaseService,
    person_id: int,
    *,
    restriction: str,
    reason: str,
    review_on: date,
    contact_staff_id: int | None,
    staff_id: int | None,
) -> int:
    """Record the arrangement and queue the written notice; returns the restriction id."""
    if not restriction.strip() or not reason.strip():
        raise InvalidInput("Say what changes and why: the person is told both.")
    if review_on <= cases.today():
        raise InvalidInput("The review date must be in the future.")
    async with cases.unit_of_work() as session:
        person = await session.get(Person, person_id)
        if person is None:
            raise NotFound(f"no person {person_id}")
        if staff_id is not None:
            await _check_lead(session, staff_id, person_id)
        contact_name = ""
        if contact_staff_id is not None:
            contact = await session.get(StaffUser, contact_staff_id)
            if contact is None or not contact.active:
                raise InvalidInput("Choose an active member of staff as the contact.")
            contact_name = contact.name
        now = cases.clock()
        row = ContactRestriction(
            person_id=person_id,
            contact_staff_id=contact_staff_id,
            restriction=restriction,
            reason=reason,
            review_on=review_on,
            staff_id=staff_id,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        text = letters.restriction_notice(
            translator(person.language),
            organisation=cases.procedure.localised(person.language).organisation,
            restriction=restriction,
            reason=reason,
            review_on=review_on,
            contact_name=contact_name,
        )
        await enqueue(session, person, text, now=now)
        _audit(session, "restrict", staff_id, now, f"person {person_id}, review {review_on}")
        return row.id


async def _check_lead(session: AsyncSession, staff_id: int, person_id: int) -> None:
    """CAST decides "as an organisation": a lead (the admin role) decides, never someone
    the person has complained about (a case of theirs hidden from them)."""
    viewer = await viewer_for(session, staff_id)
    if ADMIN not in viewer.roles:
        raise NotPermitted("only a lead (the admin role) can decide a contact arrangement")
    hidden = await session.scalar(
        select(Complaint.id).where(Complaint.person_id == person_id, not_(visible(viewer)))
    )
    if hidden is not None:
        raise NotFound(f"no person {person_id}")


async def lift(cases: CaseService, restriction_id: int, *, staff_id: int | None) -> None:
    """End the arrangement (at review, or earlier) and tell the person."""
    async with cases.unit_of_work() as session:
        row = await session.get(ContactRestriction, restriction_id)
        if row is None:
            raise NotFound(f"no restriction {restriction_id}")
        if staff_id is not None:
            await _check_lead(session, staff_id, row.person_id)
        if row.ended_at is not None:
            raise IllegalTransition("this arrangement has already ended")
        now = cases.clock()
        row.ended_at = now
        person = await session.get_one(Person, row.person_id)
        text = letters.restriction_lifted(
            translator(person.language),
            organisation=cases.procedure.localised(person.language).organisation,
        )
        await enqueue(session, person, text, now=now)
        _audit(session, "lift_restriction", staff_id, now, f"person {row.person_id}")


def _audit(
    session: AsyncSession, action: str, staff_id: int | None, now: datetime, detail: str
) -> None:
    session.add(
        AuditEvent(
            at=now,
            staff_id=staff_id,
            actor="staff" if staff_id else "system",
            action=action,
            detail=detail[:200],
        )
    )


async def _views(
    sessions: async_sessionmaker[AsyncSession], *where: object
) -> list[RestrictionView]:
    contact = aliased(StaffUser)
    async with sessions() as session:
        rows = await session.execute(
            select(ContactRestriction, contact.name)
            .outerjoin(contact, contact.id == ContactRestriction.contact_staff_id)
            .where(*where)
            .order_by(ContactRestriction.id)
        )
        return [
            RestrictionView(
                r.id,
                r.person_id,
                r.restriction,
                r.reason,
                r.review_on,
                r.contact_staff_id,
                name or "",
                r.created_at,
                r.ended_at,
            )
            for r, name in rows
        ]


async def active_for(
    sessions: async_sessionmaker[AsyncSession], person_id: int
) -> list[RestrictionView]:
    return await _views(
        sessions,
        ContactRestriction.person_id == person_id,
        ContactRestriction.ended_at.is_(None),
    )


async def due_for_review(
    sessions: async_sessionmaker[AsyncSession], today: date
) -> list[RestrictionView]:
    """Arrangements whose review date has come: the scheduler reminds the admins."""
    return await _views(
        sessions, ContactRestriction.ended_at.is_(None), ContactRestriction.review_on <= today
    )
