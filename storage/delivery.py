"""The outbox's states, moved only here: claim, sent, retry later, failed.

pending --claim--> sending --sent--> sent
                      |--retry--> pending (next_attempt_at later)
                      |--fail---> failed (visible to staff)

A row is marked `sending` and committed *before* the send starts. If the process dies
mid-send we cannot know whether the message arrived, so on restart such rows are not sent
again: they become `failed` with a note for staff to check with the person. That keeps the
promise "never twice"; the rare uncertain message is visible, never silently lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from storage.models import Outbox

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
                .values(state="failed", last_error=UNCERTAIN, claimed_until=None)
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
                    Outbox.state == "sending",
                    Outbox.channel == outer.channel,
                    Outbox.address == outer.address,
                )
                .exists()
            )
            heads = (
                select(func.min(outer.id))
                .where(outer.state == "pending", outer.channel.in_(channels), ~in_flight)
                .group_by(outer.channel, outer.address)
            )
            query = (
                select(Outbox)
                .where(
                    Outbox.id.in_(heads),
                    Outbox.state == "pending",
                    Outbox.next_attempt_at <= now,
                )
                .limit(limit + len(busy))
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = await session.scalars(query.order_by(Outbox.id))
            taken = [r for r in rows if f"{r.channel}:{r.address}" not in busy][:limit]
            for row in taken:
                row.state = "sending"
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
                    r.external_id or "",
                )
                for r in taken
            ]

    async def _finish(self, item_id: int, **values: object) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(Outbox)
                .where(Outbox.id == item_id, Outbox.state == "sending")
                .values(claimed_until=None, **values)
            )

    async def sent(self, item_id: int, *, now: datetime, external_id: str | None) -> None:
        await self._finish(item_id, state="sent", sent_at=now, external_id=external_id)

    async def progress(self, item_id: int, progress: str) -> None:
        """Record that part of a long message went out, so a retry resumes after it."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(Outbox).where(Outbox.id == item_id).values(external_id=progress)
            )

    async def retry(self, item_id: int, *, at: datetime, error: str) -> None:
        await self._finish(item_id, state="pending", next_attempt_at=at, last_error=error[:500])

    async def failed(self, item_id: int, *, error: str) -> None:
        await self._finish(item_id, state="failed", last_error=error[:500])
