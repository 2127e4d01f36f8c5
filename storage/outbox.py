"""Writing messages for a person into the outbox, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Identity, Message, Outbox, Person
from storage.supporters import copy_for_supporter

CHAT_CHANNELS = ("telegram", "webchat", "console")
# Channels no worker can deliver: the row is a task for staff (call them, post a letter).
MANUAL_CHANNELS = ("phone", "post")


async def destination(session: AsyncSession, person: Person) -> tuple[str, str]:
    """(channel, address) for the way the person asked to hear back."""
    method = person.contact_method
    if method == "email" and person.email:
        return "email", person.email
    if method == "phone" and person.phone:
        return "phone", person.phone
    if method == "post" and person.postal_address:
        return "post", person.postal_address
    # "chat", or a method whose details are missing: the chat they last wrote from.
    identity = await session.scalar(
        select(Identity)
        .where(Identity.person_id == person.id, Identity.channel.in_(CHAT_CHANNELS))
        .order_by(Identity.id.desc())
        .limit(1)
    )
    if identity is not None:
        return identity.channel, identity.external_id
    if person.email:
        return "email", person.email
    if person.phone:
        return "phone", person.phone
    return "post", person.postal_address


# Adjustments that change how a letter must be produced: staff see the mark on the task, and
# printing/ lays the letter out by it (postal_formats): the row keeps what was asked for then.
POSTAL_FORMATS = {
    "large_print": "[LARGE PRINT]",
    "braille": "[BRAILLE]",
    "easy_read": "[EASY READ]",
}


def postal_formats(subject: str) -> frozenset[str]:
    """The formats a queued letter was marked for, read back from its subject."""
    return frozenset(key for key, mark in POSTAL_FORMATS.items() if mark in subject)


def _format_marks(person: Person) -> str:
    """ "[LARGE PRINT] " and/or "[BRAILLE] " for a letter to someone who asked for it."""
    wanted = person.adjustments or []
    return "".join(f"{mark} " for key, mark in POSTAL_FORMATS.items() if key in wanted)


async def enqueue(
    session: AsyncSession,
    person: Person,
    body: str,
    *,
    now: datetime,
    complaint_id: int | None = None,
    subject: str = "",
    inline: bool = False,
) -> Outbox:
    """Queue `body` for the person and record it on the case timeline; with their consent,
    a copy for their named supporter too (storage/supporters.py).

    `inline`: the channel shows this text right now as its reply (the receipt in a chat),
    so the row is recorded as sent and the worker leaves it alone.
    """
    channel, address = await destination(session, person)
    if channel == "post":
        subject = _format_marks(person) + subject
    row = Outbox(
        person_id=person.id,
        complaint_id=complaint_id,
        channel=channel,
        address=address,
        language=person.language,
        subject=subject,
        body=body,
        state="sent" if inline else ("manual" if channel in MANUAL_CHANNELS else "pending"),
        next_attempt_at=now,
        created_at=now,
        sent_at=now if inline else None,
        external_id="inline" if inline else None,
    )
    session.add(row)
    await copy_for_supporter(
        session, person, body, now=now, complaint_id=complaint_id, subject=subject
    )
    await session.flush()
    if complaint_id is not None:
        session.add(
            Message(
                complaint_id=complaint_id,
                direction="outbound",
                channel=channel,
                body=body,
                outbox_id=row.id,
                created_at=now,
            )
        )
    return row


async def take_for_chat(
    sessions: async_sessionmaker[AsyncSession], channel: str, address: str, *, now: datetime
) -> list[str]:
    """Messages waiting for a chat that delivers by showing them (the web chat page).

    They count as delivered once handed to the page, in the same transaction that reads them,
    so two open tabs never both show the same message as new.
    """
    async with sessions() as session, session.begin():
        rows = list(
            await session.scalars(
                select(Outbox)
                .where(
                    Outbox.channel == channel,
                    Outbox.address == address,
                    Outbox.state == "pending",
                )
                .order_by(Outbox.id)
            )
        )
        for row in rows:
            row.state = "sent"
            row.sent_at = now
            row.attempts += 1
        return [row.body for row in rows]
