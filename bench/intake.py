"""Intake: many complainants completing a whole complaint at once, through dialogue + storage.

Baseline, measured in the same run on the same database: bare single-row durable
transactions writing a draft of the same size (the least any design must do per answer).
Target: our turns per second >= 0.5 x the baseline's transactions per second.

    python bench/intake.py [--complainants 200] [--database-url postgresql+asyncpg://...]
    python bench/intake.py --processes 2 --database-url postgresql+asyncpg://...  # scaling

With --processes N the same complainants are also split over N processes sharing the
database (as several `complaints serve` would), and turns/s is printed against one process
running the same split in the same run.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import tempfile
import time
import uuid
from pathlib import Path

from common import Figure, arguments, percentile, report
from sqlalchemy import text

from services.dialogue import ChatRunner
from storage.db import create_engine, is_sqlite, migrate
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.scripted import MAX_TURNS, answer_for


async def complainant(runner: ChatRunner, latencies: list[float]) -> int:
    person = uuid.uuid4().hex
    reply = await runner.current(person)
    used: dict[str, int] = {}
    turns = 0
    while reply.step != "menu":
        started = time.perf_counter()
        replies = await runner.handle(person, answer_for(reply, used), update_id=uuid.uuid4().hex)
        latencies.append(time.perf_counter() - started)
        assert replies, "an answer was taken for a repeat"
        reply = replies[-1]
        turns += 1
        if turns > MAX_TURNS:
            raise RuntimeError(f"stuck at {reply.step}: {reply.text[:80]}")
    return turns


async def ours(storage: Storage, complainants: int) -> tuple[float, list[float], int]:
    runner = ChatRunner(storage, "webchat")
    latencies: list[float] = []
    started = time.perf_counter()
    turns = await asyncio.gather(*(complainant(runner, latencies) for _ in range(complainants)))
    elapsed = time.perf_counter() - started
    return sum(turns) / elapsed, latencies, sum(turns)


def _share(url: str, folder: str, complainants: int, start: object, out: object) -> None:
    """In a child process: one share of the complainants, after every child is ready."""

    async def run() -> tuple[int, float]:
        settings = Settings(data_dir=Path(folder), secret_key="bench", database_url=url)
        storage = await open_storage(settings, run_migrations=False)
        try:
            start.wait()  # type: ignore[attr-defined]
            began = time.perf_counter()
            _rate, _latencies, turns = await ours(storage, complainants)
            return turns, time.perf_counter() - began
        finally:
            await storage.close()

    out.put(asyncio.run(run()))  # type: ignore[attr-defined]


def across(url: str, folder: str, complainants: int, processes: int) -> float:
    """Turns/s of `complainants` split over `processes` processes started together."""
    context = multiprocessing.get_context("spawn")
    start, out = context.Barrier(processes), context.Queue()
    shares = [complainants // processes] * processes
    children = [
        context.Process(target=_share, args=(url, folder, share, start, out)) for share in shares
    ]
    for child in children:
        child.start()
    results = [out.get(timeout=600) for _ in children]
    for child in children:
        child.join()
    return sum(turns for turns, _ in results) / max(elapsed for _, elapsed in results)


async def baseline(url: str, transactions: int, concurrency: int, size: int) -> float:
    """Bare durable single-row upserts of a draft-sized JSON document, same engine settings."""
    engine = create_engine(url)
    payload = json.dumps({"answers": "x" * size})
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE IF NOT EXISTS bench_drafts (id VARCHAR(64) PRIMARY KEY, data TEXT)")
        )
    upsert = text(
        "INSERT INTO bench_drafts (id, data) VALUES (:id, :data) "
        "ON CONFLICT (id) DO UPDATE SET data = excluded.data"
    )

    async def writer(n: int) -> None:
        key = f"w{n}"
        for _ in range(transactions // concurrency):
            async with engine.begin() as connection:
                await connection.execute(upsert, {"id": key, "data": payload})

    started = time.perf_counter()
    await asyncio.gather(*(writer(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return (transactions // concurrency * concurrency) / elapsed


async def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--complainants", type=int, default=200)
    parser.add_argument(
        "--processes", type=int, default=1, help="also split the complainants over N processes"
    )
    args = parser.parse_args()
    complainants = 5 if args.quick else args.complainants
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder), secret_key="bench", database_url=args.database_url
        )
        url = settings.database
        if not is_sqlite(url):
            await reset_postgres(url)
        await migrate(url)
        storage = await open_storage(settings, run_migrations=False)
        try:
            rate, latencies, turns = await ours(storage, complainants)
            draft_size = await largest_draft(storage)
        finally:
            await storage.close()
        # Connections: SQLAlchemy's default pool, as in our run.
        base = await baseline(
            url, transactions=max(200, turns), concurrency=min(complainants, 20), size=draft_size
        )
        scaled = []
        if args.processes > 1:
            for count in (1, args.processes):
                scaled.append(await asyncio.to_thread(across, url, folder, complainants, count))
    scaling = [
        Figure(
            f"intake turns/s, {args.processes} processes",
            scaled[1],
            "turns/s",
            "ratio to 1 process (ceiling: cores)",
            scaled[0],
        )
    ]
    report(
        [
            *(scaling if scaled else []),
            Figure("intake turns/s", rate, "turns/s", ">= 0.5 x baseline", base),
            Figure("intake p50 turn latency", percentile(latencies, 50) * 1000, "ms", "report"),
            Figure("intake p99 turn latency", percentile(latencies, 99) * 1000, "ms", "report"),
            Figure("baseline durable tx/s", base, "tx/s", "reference"),
        ]
    )
    backend = url.split(":")[0]
    print(f"# {complainants} complainants, {turns} turns, drafts of {draft_size} bytes, {backend}")


async def largest_draft(storage: Storage) -> int:
    async with storage.engine.connect() as connection:
        size = await connection.scalar(text("SELECT max(length(CAST(data AS TEXT))) FROM drafts"))
    return int(size or 1000)


async def reset_postgres(url: str) -> None:
    """Benchmarks on PostgreSQL start from an empty schema."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
