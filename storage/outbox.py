"""Writing messages for a person into the outbox, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.delivery import State
from storage.models import Complaint, Message, Outbox, Person
from storage.promises import CHAT_CHANNELS, chat_of, promise_of, resolve
from storage.supporters import copy_for_supporter, supporter_of

__all__ = ["CHAT_CHANNELS", "MANUAL_CHANNELS", "Waiting", "destination", "enqueue"]

# Channels no worker can deliver: the row is a task for staff (call them, post a letter).
MANUAL_CHANNELS = ("phone", "post")
# A Telegram reply that showed a message gets this long to confirm it before the worker
# sends it itself (the reply failed, or the process died before it went out).
CONFIRM_GRACE = timedelta(seconds=30)


async def destination(session: AsyncSession, person: Person) -> tuple[str, str]:
    """(channel, address) for the way the person asked to hear back, by default."""
    return resolve(
        person.contact_method,
        person.email,
        person.phone,
        person.postal_address,
        await chat_of(session, person.id),
    )


async def reply_channel(session: AsyncSession, person: Person, complaint: Complaint) -> str:
    """The channel this complaint's messages go to: what its receipt promised, else the
    person's default."""
    if complaint.reply_channel:
        return promise_of(complaint).reply_channel
    return (await destination(session, person))[0]


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


def _format_marks(adjustments: list[str] | tuple[str, ...]) -> str:
    """ "[LARGE PRINT] " and/or "[BRAILLE] " for a letter to someone who asked for it."""
    wanted = adjustments or []
    return "".join(f"{mark} " for key, mark in POSTAL_FORMATS.items() if key in wanted)


async def enqueue(
    session: AsyncSession,
    person: Person,
    body: str,
    *,
    now: datetime,
    complaint_id: int | None = None,
    subject: str = "",
    shown_in: tuple[str, str] | None = None,
) -> Outbox:
    """Queue `body` for the person and record it on the case timeline; with their consent,
    a copy for their named supporter too (storage/supporters.py).

    A message about a complaint follows what that complaint's receipt promised (its own
    language, reply channel and supporter: storage/promises.py); any other message follows
    the person's defaults.

    `shown_in`: the chat (channel, address) that shows this text right now as its reply
    (the receipt). It stays unconfirmed until that chat confirms it (storage/delivery.py);
    if the person chose another way (email, post...), it is also queued for that way.
    Returns the row the chat shows, else the row queued.
    """
    complaint = await session.get(Complaint, complaint_id) if complaint_id else None
    if complaint is not None and complaint.reply_channel:
        promise = promise_of(complaint)
        channel, address = promise.reply_channel, promise.reply_address
        language, adjustments = promise.language, promise.adjustments
        supporter = promise.supporter
    else:
        channel, address = await destination(session, person)
        language, adjustments = person.language, tuple(person.adjustments or ())
        supporter = await supporter_of(session, person.id)
    if channel == "post":
        subject = _format_marks(adjustments) + subject
    rows: list[Outbox] = []
    shown: Outbox | None = None
    if shown_in is not None:
        shown = _shown_row(person, complaint_id, shown_in, language, subject, body, now)
        rows.append(shown)
    if shown_in != (channel, address):
        rows.append(
            Outbox(
                person_id=person.id,
                complaint_id=complaint_id,
                channel=channel,
                address=address,
                language=language,
                subject=subject,
                body=body,
                state=State.MANUAL if channel in MANUAL_CHANNELS else State.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
        )
    session.add_all(rows)
    await copy_for_supporter(
        session,
        person,
        body,
        now=now,
        complaint_id=complaint_id,
        subject=subject,
        supporter=supporter,
        language=language,
    )
    await session.flush()
    if complaint_id is not None:
        # One timeline entry, for the way the person asked to hear back.
        main = rows[-1]
        session.add(
            Message(
                complaint_id=complaint_id,
                direction="outbound",
                channel=main.channel,
                body=body,
                outbox_id=main.id,
                created_at=now,
            )
        )
    return shown or rows[-1]


def _shown_row(
    person: Person,
    complaint_id: int | None,
    chat: tuple[str, str],
    language: str,
    subject: str,
    body: str,
    now: datetime,
) -> Outbox:
    """The row for a message a chat is showing now: unconfirmed until the chat says so.

    The web chat page showed it (shown) and shows it again on the next visit until the page
    confirms it; Telegram's reply confirms it with its message id, and if it does not, the
    worker sends it after CONFIRM_GRACE.
    """
    channel, address = chat
    web = channel != "telegram"
    return Outbox(
        person_id=person.id,
        complaint_id=complaint_id,
        channel=channel,
        address=address,
        language=language,
        subject=subject,
        body=body,
        state=State.SHOWN if web else State.PENDING,
        next_attempt_at=now if web else now + CONFIRM_GRACE,
        created_at=now,
        shown_at=now if web else None,
    )


@dataclass(frozen=True)
class Waiting:
    """A message a chat page is to show, with the id it confirms it by."""

    id: int
    body: str


async def take_for_chat(
    sessions: async_sessionmaker[AsyncSession],
    channel: str,
    address: str,
    *,
    now: datetime,
    besides: frozenset[int] = frozenset(),
) -> list[Waiting]:
    """Messages for a chat that delivers by showing them (the web chat page, the console):
    new ones, and ones shown before that the chat never confirmed (the page was lost).

    They become `shown`; they are `sent` only when the chat confirms them
    (DeliveryStore.confirmed). `besides`: ids this response shows already.
    """
    async with sessions() as session, session.begin():
        rows = list(
            await session.scalars(
                select(Outbox)
                .where(
                    Outbox.channel == channel,
                    Outbox.address == address,
                    Outbox.state.in_((State.PENDING, State.SHOWN)),
                )
                .order_by(Outbox.id)
            )
        )
        rows = [row for row in rows if row.id not in besides]
        for row in rows:
            if row.state == State.PENDING:
                row.attempts += 1
            row.state = State.SHOWN
            row.shown_at = now
        return [Waiting(row.id, row.body) for row in rows]
