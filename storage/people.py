"""Finding people by their channel identity, and keeping their preferences current."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from locales import language_for
from procedures.case import NewComplaint
from storage.models import Identity, Person


async def person_id_for(session: AsyncSession, channel: str, external_id: str) -> int | None:
    """The id of the person behind a chat identity: what code above storage may hold."""
    return await session.scalar(
        select(Identity.person_id).where(
            Identity.channel == channel, Identity.external_id == external_id
        )
    )


async def person_for(session: AsyncSession, channel: str, external_id: str) -> Person | None:
    """The ORM row, for storage's own use (people.find_or_create, drafts)."""
    return await session.scalar(
        select(Person)
        .join(Identity)
        .where(Identity.channel == channel, Identity.external_id == external_id)
    )


async def find_or_create(
    session: AsyncSession, channel: str | None, external_id: str | None, *, now: datetime
) -> Person:
    """The person behind a channel identity, created on first contact.

    Without an identity (staff-assisted intake by phone or letter) a new person is made.
    """
    if channel and external_id:
        person = await person_for(session, channel, external_id)
        if person is not None:
            return person
    person = Person(created_at=now, adjustments=[])
    session.add(person)
    await session.flush()
    if channel and external_id:
        session.add(
            Identity(person_id=person.id, channel=channel, external_id=external_id, created_at=now)
        )
        await session.flush()
    return person


def apply_preferences(person: Person, new: NewComplaint) -> None:
    """The latest complaint's answers are the person's current preferences."""
    person.language = language_for(new.language, new.adjustments)
    person.adjustments = list(new.adjustments)
    person.adjustments_note = new.adjustments_note
    person.contact_method = new.contact_method.value
    if new.complainant_name:
        person.name = new.complainant_name
    if new.email:
        person.email = new.email
    if new.phone:
        person.phone = new.phone
    if new.postal_address:
        person.postal_address = new.postal_address
