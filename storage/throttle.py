"""Rate limits as counters in the database, counted before the work they limit.

`hit` adds one to a key's counter in one statement (an upsert that returns the new count), so
thirty requests at once on SQLite or PostgreSQL get thirty different counts and only the
first `limit` go ahead: no read-then-write race. A window that has passed starts again at 1.

`wait_in`/`take_in` are progressive delays instead of a fixed window (sign-in attempts): for
their keys `window_start` is the time of the last attempt let through. The row is locked for
the caller's transaction, so parallel attempts queue and each sees the others' counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
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


def delay(attempts: int, free: int, cap: timedelta) -> timedelta:
    """The wait after `attempts`: none for the first `free`, then 1 s, 2 s, 4 s ... to `cap`."""
    if attempts < free:
        return timedelta(0)
    return min(cap, timedelta(seconds=2 ** min(attempts - free, 30)))


async def wait_in(
    session: AsyncSession,
    key: str,
    *,
    free: int,
    cap: timedelta,
    forget: timedelta,
    now: datetime,
) -> float:
    """Seconds an attempt under `key` must still wait (0: it may go ahead), counting nothing;
    `take_in` counts it. A quiet `forget` since the last attempt starts the count again."""
    key = key[:400]
    await session.execute(
        dialect_insert(session)(Throttle)
        .values(key=key, count=0, window_start=now)
        .on_conflict_do_nothing(index_elements=[Throttle.key])
    )
    row = (
        await session.execute(select(Throttle).where(Throttle.key == key).with_for_update())
    ).scalar_one()
    if row.window_start <= now - forget:
        row.count = 0
    wait = row.window_start + delay(int(row.count), free, cap) - now
    return max(0.0, wait.total_seconds())


async def take_in(session: AsyncSession, key: str, *, now: datetime) -> None:
    """Count one attempt under `key` (after `wait_in` said it may go ahead)."""
    row = await session.get(Throttle, key[:400])
    assert row is not None, "wait_in made the row"
    row.count = int(row.count) + 1
    row.window_start = now
