"""A complainant's named supporter ("someone to help me"), and the copies they receive.

One default supporter per person, kept like the person's other preferences: the latest
complaint's answers replace it, and a complaint that names none removes it. Each complaint
keeps its own copy of the supporter it named (storage/promises.py), and messages about it
follow that copy. Copies go only with the person's consent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from locales import translator
from procedures import letters
from procedures.case import NewComplaint
from storage.models import Outbox, Person, Supporter
from storage.views import SupporterView


async def set_supporter(
    session: AsyncSession, person: Person, new: NewComplaint, *, now: datetime
) -> None:
    """Record (or remove) the supporter named in the complaint's answers."""
    await session.execute(delete(Supporter).where(Supporter.person_id == person.id))
    named = new.supporter
    if named is None or not named.name.strip() or not (named.email or named.phone):
        return
    channel, address = ("email", named.email) if named.email else ("phone", named.phone)
    session.add(
        Supporter(
            person_id=person.id,
            name=named.name.strip(),
            channel=channel,
            address=address,
            consent=named.consent,
            created_at=now,
        )
    )
    await session.flush()


async def supporter_of(session: AsyncSession, person_id: int) -> SupporterView | None:
    row = await session.scalar(select(Supporter).where(Supporter.person_id == person_id))
    if row is None:
        return None
    return SupporterView(
        name=row.name, channel=row.channel, address=row.address, consent=row.consent
    )


async def copy_for_supporter(
    session: AsyncSession,
    person: Person,
    body: str,
    *,
    now: datetime,
    complaint_id: int | None,
    subject: str,
    supporter: SupporterView | None,
    language: str,
) -> Outbox | None:
    """Queue a copy of a message to the person for their supporter, if they consented:
    by email (the worker sends it) or by phone (a task for staff). `supporter`: the one the
    complaint named (storage/promises.py), or the person's default for other messages."""
    if supporter is None or not supporter.consent:
        return None
    first_name = person.name.split()[0] if person.name.strip() else ""
    line = letters.supporter_copy(translator(language), first_name)
    copy = Outbox(
        person_id=person.id,
        complaint_id=complaint_id,
        channel=supporter.channel,
        address=supporter.address,
        language=language,
        subject=subject,
        body=f"{line}\n\n{body}",
        state="pending" if supporter.channel == "email" else "manual",
        next_attempt_at=now,
        created_at=now,
        to_supporter=True,
    )
    session.add(copy)
    return copy
