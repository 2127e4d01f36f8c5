"""Conversation turns in two short steps: read the draft, then save the answer's outcome.

1. `read()` loads the draft without taking SQLite's write lock (the dialogue then works out
   the answer outside any lock: it is pure and needs no database).
2. `write()` opens the write transaction, records the update id (a repeat is ignored), lets
   the caller carry out effects (submitting a complaint) and saves the new draft only if
   nobody saved another version meanwhile; if someone did, DraftChanged is raised, nothing
   is kept, and the caller answers again from the newer draft.

The processed-update record and the draft land in the same transaction, so a crash before
commit loses nothing the person was told was kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import dialect_insert, reading
from storage.errors import CaseError
from storage.models import CallbackRequest, Draft, ProcessedUpdate
from storage.people import person_for


class DraftChanged(CaseError):
    """Another answer from the same chat was saved first; work it out again."""


@dataclass(frozen=True)
class Snapshot:
    """The draft as read, with the version the new one must replace."""

    data: dict[str, Any] | None
    version: int  # 0: no draft yet
    person_id: int | None
    seen: bool  # the update id was already handled


@dataclass
class Turn:
    """One answer being saved. Set `data` to save the new draft; `delete()` to forget it.

    `person_id` is the person behind this chat once a complaint made them known; set it
    when submitting, so later turns find their complaints without another query.
    """

    session: AsyncSession
    channel: str
    external_id: str
    duplicate: bool
    data: dict[str, Any] | None
    person_id: int | None
    snapshot: Snapshot
    deleted: bool = False

    def delete(self) -> None:
        self.deleted = True


class DraftStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def read(self, channel: str, external_id: str, update_id: str | None) -> Snapshot:
        async with reading(self.sessions) as session:
            return await self._snapshot(session, channel, external_id, update_id)

    @staticmethod
    async def _snapshot(
        session: AsyncSession,
        channel: str,
        external_id: str,
        update_id: str | None,
        *,
        lock: bool = False,
    ) -> Snapshot:
        query = select(Draft.data, Draft.version, Draft.person_id).where(
            Draft.channel == channel, Draft.external_id == external_id
        )
        if lock:  # PostgreSQL: hold the row; SQLite's BEGIN IMMEDIATE already holds all
            query = query.with_for_update()
        row = (await session.execute(query)).first()
        seen = update_id is not None and (
            await session.get(ProcessedUpdate, (channel, str(update_id))) is not None
        )
        if row is None:
            return Snapshot(None, 0, None, seen)
        return Snapshot(dict(row.data), row.version, row.person_id, seen)

    @asynccontextmanager
    async def write(
        self,
        channel: str,
        external_id: str,
        update_id: str | None,
        snapshot: Snapshot | None,
        *,
        now: datetime,
    ) -> AsyncIterator[Turn]:
        """The write transaction. Without a snapshot, the draft is read here, locked, and
        `turn.snapshot` holds it: the caller answers inside the lock and cannot lose."""
        async with self.sessions() as session, session.begin():
            duplicate = False
            if update_id is not None:
                # One statement records the update and tells whether it was seen before.
                recorded = await session.execute(
                    dialect_insert(session)(ProcessedUpdate)
                    .values(channel=channel, update_id=str(update_id), processed_at=now)
                    .on_conflict_do_nothing()
                )
                duplicate = recorded.rowcount == 0  # type: ignore[attr-defined]
            if snapshot is None:
                snapshot = await self._snapshot(session, channel, external_id, None, lock=True)
            turn = Turn(
                session=session,
                channel=channel,
                external_id=external_id,
                duplicate=duplicate,
                data=snapshot.data,
                person_id=snapshot.person_id,
                snapshot=snapshot,
            )
            yield turn
            if not duplicate:
                await self._save(session, turn, snapshot.version, now)

    async def _save(self, session: AsyncSession, turn: Turn, seen: int, now: datetime) -> None:
        """Replace version `seen` of the draft, or raise DraftChanged (rolling back)."""
        mine = (Draft.channel == turn.channel, Draft.external_id == turn.external_id)
        if turn.deleted:
            await session.execute(delete(Draft).where(*mine))
            return
        if turn.data is None:
            return
        if seen == 0:
            created = await session.execute(
                dialect_insert(session)(Draft)
                .values(
                    channel=turn.channel,
                    external_id=turn.external_id,
                    person_id=turn.person_id,
                    data=turn.data,
                    version=1,
                    updated_at=now,
                )
                .on_conflict_do_nothing()
            )
            changed = created.rowcount  # type: ignore[attr-defined]
        else:
            saved = await session.execute(
                update(Draft)
                .where(*mine, Draft.version == seen)
                .values(
                    data=turn.data,
                    version=seen + 1,
                    person_id=turn.person_id,
                    updated_at=now,
                )
            )
            changed = saved.rowcount  # type: ignore[attr-defined]
        if changed != 1:
            raise DraftChanged(f"{turn.channel} draft changed meanwhile")

    async def load(self, channel: str, external_id: str) -> dict[str, Any] | None:
        return (await self.read(channel, external_id, None)).data

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
