"""Rate limits as counters in the database, counted before the work they limit.

`hit` adds one to a key's counter in one statement (an upsert that returns the new count), so
thirty requests at once on SQLite or PostgreSQL get thirty different counts and only the
first `limit` go ahead: no read-then-write race. A window that has passed starts again at 1.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import dialect_insert, reading
from storage.models import Throttle


async def add_in(
    session: AsyncSession, key: str, amount: int, *, window: timedelta, now: datetime
) -> int:
    """Add `amount` to the key's counter inside the caller's transaction; the new total."""
    insert = dialect_insert(session)(Throttle).values(key=key[:400], count=amount, window_start=now)
    expired = Throttle.window_start <= now - window
    statement = insert.on_conflict_do_update(
        index_elements=[Throttle.key],
        set_={
            "count": case((expired, amount), else_=Throttle.count + amount),
            "window_start": case((expired, now), else_=Throttle.window_start),
        },
    ).returning(Throttle.count)
    return int((await session.execute(statement)).scalar_one())


async def hit(
    sessions: async_sessionmaker[AsyncSession],
    key: str,
    *,
    window: timedelta,
    now: datetime,
    amount: int = 1,
) -> int:
    """Count one more event (or `amount` bytes) for `key`, in its own transaction."""
    async with sessions() as session, session.begin():
        return await add_in(session, key, amount, window=window, now=now)


async def count(
    sessions: async_sessionmaker[AsyncSession], key: str, *, window: timedelta, now: datetime
) -> int:
    """The key's count in the current window, without adding to it."""
    async with reading(sessions) as session:
        row = await session.get(Throttle, key[:400])
        if row is None or row.window_start <= now - window:
            return 0
        return int(row.count)


async def clear(sessions: async_sessionmaker[AsyncSession], *keys: str) -> None:
    async with sessions() as session, session.begin():
        await session.execute(delete(Throttle).where(Throttle.key.in_([k[:400] for k in keys])))
