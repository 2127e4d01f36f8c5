"""One leader among the processes that share a database, for work that must run once.

The scheduler's rounds and Telegram polling must run in one process at a time. On
PostgreSQL the leader holds a session-level advisory lock on a connection of its own; when
the process dies its connection closes, the server releases the lock, and another
process's next try takes over. SQLite serves one machine, where several processes are not
supported (docs/deploying.md), so there every process leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

Work = Callable[[asyncio.Event], Awaitable[None]]
RETRY_SECONDS = 5.0  # how soon a follower tries again, and how often a leader checks its lock


def lock_key(name: str) -> int:
    """A stable advisory lock key per purpose, the same in every process and version."""
    return zlib.crc32(f"complaints-assistant:lead:{name}".encode())


def together(jobs: list[Work]) -> Work:
    """One piece of work made of several that run side by side and stop together."""

    async def run(stop: asyncio.Event) -> None:
        await asyncio.gather(*(job(stop) for job in jobs))

    return run


class Leadership:
    """Runs `work(stop)` while this process leads `name`; stops it when leadership is lost."""

    def __init__(
        self, engine: AsyncEngine, name: str, *, retry_seconds: float = RETRY_SECONDS
    ) -> None:
        self.engine = engine
        self.name = name
        self.key = lock_key(name)
        self.retry_seconds = retry_seconds
        self.leading = False

    async def run(self, stop: asyncio.Event, work: Work) -> None:
        if self.engine.dialect.name != "postgresql":
            self.leading = True
            await work(stop)
            return
        while not stop.is_set():
            try:
                await self._term(stop, work)
            except Exception:  # the database went away: follow, and try again later
                log.warning("leadership of %s lost or not reachable; retrying", self.name)
            await _sleep(stop, self.retry_seconds)

    async def _term(self, stop: asyncio.Event, work: Work) -> None:
        """One try: take the lock, then do the work until stop or until the lock is lost."""
        async with self.engine.connect() as connection:
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
            await connection.commit()  # the lock is the session's, not the transaction's
            if not taken:
                return
            log.info("this process now leads %s", self.name)
            self.leading = True
            ended = asyncio.Event()
            task = asyncio.create_task(work(ended), name=f"lead:{self.name}")
            try:
                await self._hold(connection, stop, task)
            finally:
                self.leading = False
                ended.set()
                await asyncio.gather(task, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                    )
                    await connection.commit()

    async def _hold(
        self, connection: AsyncConnection, stop: asyncio.Event, task: asyncio.Task[None]
    ) -> None:
        """Check the lock's connection now and then; return when told to stop or it fails."""
        while not stop.is_set() and not task.done():
            await _sleep(stop, self.retry_seconds, task)
            if stop.is_set() or task.done():
                return
            await connection.execute(text("SELECT 1"))  # raises once the connection is gone
            await connection.commit()


async def _sleep(
    stop: asyncio.Event, seconds: float, task: asyncio.Task[None] | None = None
) -> None:
    """Wait `seconds`, or less if `stop` is set or `task` ends."""
    waits: list[asyncio.Future[object]] = [asyncio.ensure_future(stop.wait())]
    if task is not None:
        waits.append(task)  # type: ignore[arg-type]
    _done, pending = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for future in pending:
        if future is not task:
            future.cancel()
