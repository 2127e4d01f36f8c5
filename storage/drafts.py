"""Conversation turns: load the draft, let the caller answer, save, all in one transaction.

The processed-update record is written in the same transaction as the draft, so a
repeated delivery of the same update changes nothing, and a crash before commit loses
nothing that was acknowledged to the person.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import CallbackRequest, Draft, ProcessedUpdate
from storage.people import person_for

DRAFT_KEEP = timedelta(days=30)


@dataclass
class Turn:
    """One answer being handled. Set `data` to save the new draft; `delete()` to forget it."""

    session: AsyncSession
    channel: str
    external_id: str
    duplicate: bool
    data: dict[str, Any] | None
    person_id: int | None
    _row: Draft | None = field(default=None, repr=False)
    _deleted: bool = False

    def delete(self) -> None:
        self._deleted = True


class DraftStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @asynccontextmanager
    async def turn(
        self, channel: str, external_id: str, update_id: str | None, *, now: datetime
    ) -> AsyncIterator[Turn]:
        async with self.sessions() as session, session.begin():
            duplicate = False
            if update_id is not None:
                key = (channel, str(update_id))
                duplicate = await session.get(ProcessedUpdate, key) is not None
                if not duplicate:
                    session.add(
                        ProcessedUpdate(channel=channel, update_id=str(update_id), processed_at=now)
                    )
            row = await session.scalar(
                select(Draft).where(Draft.channel == channel, Draft.external_id == external_id)
            )
            person = await person_for(session, channel, external_id)
            turn = Turn(
                session=session,
                channel=channel,
                external_id=external_id,
                duplicate=duplicate,
                data=dict(row.data) if row else None,
                person_id=person.id if person else None,
                _row=row,
            )
            yield turn
            if duplicate:
                return
            if turn._deleted:
                if row is not None:
                    await session.delete(row)
            elif turn.data is not None:
                if row is None:
                    session.add(
                        Draft(
                            channel=channel,
                            external_id=external_id,
                            person_id=turn.person_id,
                            data=turn.data,
                            updated_at=now,
                        )
                    )
                else:
                    row.data = turn.data
                    row.updated_at = now

    async def load(self, channel: str, external_id: str) -> dict[str, Any] | None:
        async with self.sessions() as session:
            row = await session.scalar(
                select(Draft).where(Draft.channel == channel, Draft.external_id == external_id)
            )
            return dict(row.data) if row else None

    async def request_callback(
        self, session: AsyncSession, channel: str, external_id: str, note: str, *, now: datetime
    ) -> None:
        """'Talk to a person': a task on the staff dashboard, inside the turn's transaction."""
        person = await person_for(session, channel, external_id)
        session.add(
            CallbackRequest(
                person_id=person.id if person else None,
                channel=channel,
                external_id=external_id,
                note=note,
                created_at=now,
            )
        )

    async def purge(self, *, now: datetime) -> int:
        """Forget drafts untouched for 30 days and old processed-update ids."""
        async with self.sessions() as session, session.begin():
            gone = await session.execute(delete(Draft).where(Draft.updated_at < now - DRAFT_KEEP))
            await session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - DRAFT_KEEP)
            )
            return int(gone.rowcount or 0)  # type: ignore[attr-defined]
