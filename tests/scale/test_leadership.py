"""Leadership on PostgreSQL: one leader at a time, and a take-over when it dies."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import text

from storage.db import create_engine
from storage.leader import Leadership, lock_key

pytestmark = pytest.mark.postgres


class Worker:
    def __init__(self) -> None:
        self.running = False
        self.terms = 0

    async def __call__(self, stop: asyncio.Event) -> None:
        self.running = True
        self.terms += 1
        try:
            await stop.wait()
        finally:
            self.running = False


async def _until(check: object, seconds: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():  # type: ignore[operator]
        assert loop.time() < deadline, "not true in time"
        await asyncio.sleep(0.02)


async def test_one_leader_at_a_time_and_a_take_over_when_it_dies(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's; on SQLite every process leads")
    engines = [create_engine(db_url), create_engine(db_url)]
    leaders = [Leadership(e, "test-round", retry_seconds=0.1) for e in engines]
    workers = [Worker(), Worker()]
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(leader.run(stop, worker))
        for leader, worker in zip(leaders, workers, strict=True)
    ]
    try:
        await _until(lambda: any(w.running for w in workers))
        await asyncio.sleep(0.5)  # the other keeps trying, and keeps failing
        assert [w.running for w in workers].count(True) == 1
        first = next(i for i, w in enumerate(workers) if w.running)
        # The leader's database session dies (a crashed process, a dropped connection).
        async with engines[1 - first].connect() as admin:
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND objid = :key AND granted"
                ),
                {"key": lock_key("test-round") & 0xFFFFFFFF},
            )
            await admin.commit()
        await _until(lambda: workers[1 - first].running)
        await _until(lambda: not workers[first].running)
        assert workers[1 - first].terms == 1
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.gather(*tasks)
        for engine in engines:
            await engine.dispose()
    assert not any(w.running for w in workers)


async def test_on_sqlite_the_one_process_leads(tmp_path: object) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    worker, stop = Worker(), asyncio.Event()
    task = asyncio.create_task(Leadership(engine, "test-round").run(stop, worker))
    await _until(lambda: worker.running)
    stop.set()
    await task
    await engine.dispose()
    assert worker.terms == 1 and not worker.running
