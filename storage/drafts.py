"""Conversation turns in two short steps: read the draft, then save the answer's outcome.

1. `read()` loads the draft without taking SQLite's write lock (the dialogue then works out
   the answer outside any lock: it is pure and needs no database).
2. `write()` opens the write transaction, records the update id (a repeat is ignored), lets
   the caller carry out effects (submitting a complaint) and saves the new draft only if
   nobody saved another version meanwhile; if someone did, DraftChanged is raised, nothing
   is kept, and the caller answers again from the newer draft.

The processed-update record and the draft land in the same transaction, so a crash before
commit loses nothing the person was told was kept.

Each store remembers the drafts it saved last (`Recent`): the next answer from that chat
starts from that copy instead of a read transaction. The database stays the state: the
copy is only a guess at the version, which the save checks as always, so a draft changed
or deleted elsewhere (another process, erasure) raises DraftChanged and the turn is
answered again from the database. The copies are few and short-lived.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from storage.db import reading
from storage.errors import CaseError
from storage.models import CallbackRequest, Draft, ProcessedUpdate
from storage.people import person_for

# Every answer runs these: built once as Core statements on the tables (the ORM's per-call
# statement building and bulk-update machinery cost more CPU than the database work).
_drafts = Draft.__table__
_mine = (
    _drafts.c.channel == bindparam("b_channel"),
    _drafts.c.external_id == bindparam("b_external_id"),
)
_READ = select(_drafts.c.data, _drafts.c.version, _drafts.c.person_id).where(*_mine)
_READ_LOCKED = _READ.with_for_update()  # PostgreSQL: hold the row; SQLite: BEGIN IMMEDIATE
_UPDATE = update(_drafts).where(*_mine, _drafts.c.version == bindparam("b_seen"))
_DELETE = delete(_drafts).where(*_mine)
_INSERT = {
    "sqlite": sqlite.insert(_drafts).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(_drafts).on_conflict_do_nothing(),
}
_RECORD = {
    "sqlite": sqlite.insert(ProcessedUpdate.__table__).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(ProcessedUpdate.__table__).on_conflict_do_nothing(),
}


RECENT_DRAFTS = 1000  # chats remembered per process (a few MB at most)
RECENT_SECONDS = 600.0  # forgotten after this long without an answer


class DraftChanged(CaseError):
    """Another answer from the same chat was saved first; work it out again."""


@dataclass(frozen=True)
class Snapshot:
    """The draft as read, with the version the new one must replace."""

    data: dict[str, Any] | None
    version: int  # 0: no draft yet
    person_id: int | None


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


class Recent:
    """The drafts this process saved last, with their versions: a guess, checked on save."""

    def __init__(self, size: int = RECENT_DRAFTS, seconds: float = RECENT_SECONDS) -> None:
        self.size, self.seconds = size, seconds
        self._items: OrderedDict[tuple[str, str], tuple[float, Snapshot]] = OrderedDict()

    def get(self, key: tuple[str, str]) -> Snapshot | None:
        found = self._items.get(key)
        if found is None:
            return None
        if time.monotonic() - found[0] > self.seconds:
            del self._items[key]
            return None
        return found[1]

    def put(self, key: tuple[str, str], snapshot: Snapshot) -> None:
        self._items.pop(key, None)
        self._items[key] = (time.monotonic(), snapshot)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def forget(self, key: tuple[str, str]) -> None:
        self._items.pop(key, None)


class DraftStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self.recent = Recent()

    async def read(self, channel: str, external_id: str, *, guess: bool = False) -> Snapshot:
        """The draft, read without a lock. `guess`: the copy this process saved last will do
        (for a turn, whose save checks the version; never for showing the draft). A
        repeated update id is found by `write()`, in the statement that records it."""
        known = self.recent.get((channel, external_id)) if guess else None
        if known is not None:
            return known
        async with reading(self.sessions) as session:
            return await self._snapshot(await session.connection(), channel, external_id)

    @staticmethod
    async def _snapshot(
        connection: AsyncConnection, channel: str, external_id: str, *, lock: bool = False
    ) -> Snapshot:
        keys = {"b_channel": channel, "b_external_id": external_id}
        row = (await connection.execute(_READ_LOCKED if lock else _READ, keys)).first()
        if row is None:
            return Snapshot(None, 0, None)
        return Snapshot(dict(row.data), row.version, row.person_id)

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
        key = (channel, external_id)
        try:
            async with self.sessions() as session, session.begin():
                turn = await self._begin(session, channel, external_id, update_id, snapshot, now)
                yield turn
                if not turn.duplicate:
                    saved = await self._save(await session.connection(), turn, now)
        except BaseException:
            self.recent.forget(key)  # whatever the database holds now, read it next time
            raise
        if not turn.duplicate:
            if saved is None:
                self.recent.forget(key)
            else:
                self.recent.put(key, saved)

    async def _begin(
        self,
        session: AsyncSession,
        channel: str,
        external_id: str,
        update_id: str | None,
        snapshot: Snapshot | None,
        now: datetime,
    ) -> Turn:
        """Record the update id (a repeat is a duplicate turn) and find the draft."""
        connection = await session.connection()
        dialect = connection.dialect.name
        duplicate = False
        if update_id is not None:
            # One statement records the update and tells whether it was seen before.
            recorded = await connection.execute(
                _RECORD[dialect],
                {"channel": channel, "update_id": str(update_id), "processed_at": now},
            )
            duplicate = recorded.rowcount == 0
        if duplicate:
            snapshot = snapshot or Snapshot(None, 0, None)
        elif snapshot is None:
            snapshot = await self._snapshot(connection, channel, external_id, lock=True)
        return Turn(
            session=session,
            channel=channel,
            external_id=external_id,
            duplicate=duplicate,
            data=snapshot.data,
            person_id=snapshot.person_id,
            snapshot=snapshot,
        )

    @staticmethod
    async def _save(connection: AsyncConnection, turn: Turn, now: datetime) -> Snapshot | None:
        """Replace the version the turn started from, or raise DraftChanged (rolling back).
        Returns the draft as saved (None once deleted, or when nothing was saved)."""
        seen = turn.snapshot.version
        keys = {"b_channel": turn.channel, "b_external_id": turn.external_id}
        if turn.deleted:
            await connection.execute(_DELETE, keys)
            return None
        if turn.data is None:
            return None if seen == 0 else turn.snapshot
        values = {"data": turn.data, "person_id": turn.person_id, "updated_at": now}
        if seen == 0:
            created = await connection.execute(
                _INSERT[connection.dialect.name],
                {
                    "channel": turn.channel,
                    "external_id": turn.external_id,
                    "version": 1,
                    **values,
                },
            )
            changed = created.rowcount
        else:
            saved = await connection.execute(
                _UPDATE, {**keys, "b_seen": seen, "version": seen + 1, **values}
            )
            changed = saved.rowcount
        if changed != 1:
            raise DraftChanged(f"{turn.channel} draft changed meanwhile")
        return Snapshot(turn.data, seen + 1, turn.person_id)

    async def load(self, channel: str, external_id: str) -> dict[str, Any] | None:
        return (await self.read(channel, external_id)).data

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
