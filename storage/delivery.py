"""The outbox's states, moved only here: claim, sent, retry later, failed.

pending --claim--> sending --sent--> sent
                      |--retry--> pending (next_attempt_at later)
                      |--unsure--> uncertain (may have arrived: visible to staff)
                      |--fail---> failed (visible to staff)
pending/shown --the web chat page confirmed it--> sent
pending --the Telegram reply that showed it returned a message id--> sent

"Sent" means the channel confirmed it (docs/architecture.md says how, per channel), and
`sent_at` is when. A row is marked `sending` and committed *before* the send starts. If the
process dies mid-send we cannot know whether the message arrived, so on restart such rows
are not sent again: they become `uncertain` with a note for staff to check with the
person. That keeps the promise "never twice"; the rare uncertain message is visible.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from storage.models import Outbox


class State(StrEnum):
    """Where one outbox row is; the `state` column holds these values."""

    PENDING = "pending"  # waiting for the worker, or for the chat page to show it
    SENDING = "sending"  # claimed by a worker, send in flight
    SHOWN = "shown"  # a web chat page showed it; the page has not confirmed it yet
    SENT = "sent"  # the channel confirmed it (sent_at)
    UNCERTAIN = "uncertain"  # the send may or may not have arrived: staff check first
    FAILED = "failed"  # could not be delivered: staff reach the person another way
    MANUAL = "manual"  # phone call or letter, or email with no mail server: a staff task


# Rows a member of staff must act on (the dashboard's "to deliver by hand or that failed").
FOR_STAFF = (State.FAILED, State.UNCERTAIN, State.MANUAL)

UNCERTAIN = (
    "Interrupted while sending: it may or may not have arrived. "
    "Please check with the person before sending it again."
)


@dataclass(frozen=True)
class Item:
    """One claimed message, as plain data for a sender."""

    id: int
    channel: str
    address: str
    subject: str
    body: str
    language: str
    attempts: int
    progress: str  # e.g. "parts:2" once two parts of a long message were sent


class DeliveryStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def recover(self, *, now: datetime, lease: timedelta) -> int:
        """Rows left `sending` by a process that died: mark them failed, never resend."""
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(Outbox)
                .where(Outbox.state == "sending", Outbox.claimed_until < now)
                .values(state=State.UNCERTAIN, last_error=UNCERTAIN, claimed_until=None)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def hand_over(self, channel: str, *, reason: str) -> int:
        """Nothing in this process can send `channel` (no mail server is set): its waiting
        rows become tasks for staff, with the reason, instead of waiting for ever."""
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(Outbox)
                .where(Outbox.channel == channel, Outbox.state == State.PENDING)
                .values(state=State.MANUAL, last_error=reason[:500])
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def claim(
        self,
        channels: frozenset[str],
        *,
        now: datetime,
        lease: timedelta,
        limit: int,
        busy: frozenset[str] = frozenset(),
    ) -> list[Item]:
        """Take up to `limit` due rows, at most one per chat and none for a busy chat.

        On PostgreSQL, FOR UPDATE SKIP LOCKED lets several workers claim side by side
        without taking the same row; on SQLite, BEGIN IMMEDIATE serialises the claims.
        """
        outer = aliased(Outbox)
        async with self.sessions() as session, session.begin():
            # Each chat's oldest waiting message, and only when it is due and nothing of that
            # chat is in flight: later messages never overtake an earlier one being retried.
            in_flight = (
                select(Outbox.id)
                .where(
                    Outbox.state == State.SENDING,
                    Outbox.channel == outer.channel,
                    Outbox.address == outer.address,
                )
                .exists()
            )
            heads = (
                select(func.min(outer.id))
                .where(outer.state == State.PENDING, outer.channel.in_(channels), ~in_flight)
                .group_by(outer.channel, outer.address)
            )
            query = (
                select(Outbox)
                .where(
                    Outbox.id.in_(heads),
                    Outbox.state == State.PENDING,
                    Outbox.next_attempt_at <= now,
                )
                .limit(limit + len(busy))
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = await session.scalars(query.order_by(Outbox.id))
            taken = [r for r in rows if f"{r.channel}:{r.address}" not in busy][:limit]
            for row in taken:
                row.state = State.SENDING
                row.attempts += 1
                row.claimed_until = now + lease
            return [
                Item(
                    r.id,
                    r.channel,
                    r.address,
                    r.subject,
                    r.body,
                    r.language,
                    r.attempts,
                    r.progress,
                )
                for r in taken
            ]

    async def _finish(self, item_id: int, **values: object) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(Outbox)
                .where(Outbox.id == item_id, Outbox.state == State.SENDING)
                .values(claimed_until=None, **values)
            )

    async def sent(self, item_id: int, *, now: datetime, external_id: str | None) -> None:
        await self._finish(item_id, state=State.SENT, sent_at=now, external_id=external_id)

    async def progress(self, item_id: int, progress: str) -> None:
        """Record that part of a long message went out, so a retry resumes after it."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(Outbox).where(Outbox.id == item_id).values(progress=progress)
            )

    async def retry(self, item_id: int, *, at: datetime, error: str) -> None:
        await self._finish(item_id, state=State.PENDING, next_attempt_at=at, last_error=error[:500])

    async def uncertain(self, item_id: int, *, error: str) -> None:
        """The send may have arrived (timed out, connection lost): never sent again."""
        await self._finish(item_id, state=State.UNCERTAIN, last_error=error[:500])

    async def failed(self, item_id: int, *, error: str) -> None:
        await self._finish(item_id, state=State.FAILED, last_error=error[:500])

    async def confirmed(
        self,
        ids: Iterable[int],
        *,
        channel: str,
        address: str,
        now: datetime,
        external_id: str | None = None,
    ) -> int:
        """The chat confirmed it showed these rows (a Telegram reply returned its message
        id; the web chat page said which messages it displayed). Only the chat's own rows,
        and only ones not already sent, claimed or given up on."""
        wanted = list(ids)
        if not wanted:
            return 0
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(Outbox)
                .where(
                    Outbox.id.in_(wanted),
                    Outbox.channel == channel,
                    Outbox.address == address,
                    Outbox.state.in_((State.PENDING, State.SHOWN)),
                )
                .values(state=State.SENT, sent_at=now, external_id=external_id)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
