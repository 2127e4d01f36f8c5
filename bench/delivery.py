"""Delivery: outbox messages to many Telegram chats through the worker and the real PTB bot.

3,000 queued messages to 300 chats go out through `DeliveryWorker` + `TelegramSender`, with
the bot `complaints serve` uses (PTB's ExtBot with AIORateLimiter) against the fake Bot API.
Two runs on one database and one fake server:

1. clean: messages per second (target >= 29/s, 97% of Telegram's 30/s) and the fastest
   rate to any one chat over 5 consecutive messages, from the server's own send times
   (`api.sent_at`; target <= 1 message/s);
2. faults: 20% of sendMessage calls answered 429 (retry after 1 s) or 500; every message
   must still be delivered exactly once (counted in the server's chats).

Baseline, same run: a bare PTB `Bot` sending to the same server with the same concurrency,
no database, no pacing (what the server and client can do at most).

    python bench/delivery.py [--messages 3000] [--chats 300] [--fault-messages 3000]
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from common import Figure, arguments, report
from sqlalchemy import func, insert, select, text
from telegram import Bot

from bot.delivery import DeliveryWorker, Limits
from bot.telegram.app import TelegramApp, build_application
from bot.telegram.sender import TelegramSender
from storage.db import is_sqlite, migrate
from storage.delivery import DeliveryStore
from storage.models import Outbox
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.fakes.botapi import FakeBotAPI

TOKEN = "123456:BENCH-DELIVERY"
# PTB logs every 429 it gives up on, with a traceback; the figures say what happened.
logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
logging.getLogger("bot.delivery").setLevel(logging.ERROR)
FAULT_RATE = 0.2
WINDOW = 5  # consecutive messages over which a chat's rate is measured


@dataclass
class Run:
    label: str
    chats: list[int]
    bodies: list[str]
    elapsed: float = 0.0
    states: Counter[str] = field(default_factory=Counter)


async def seed(storage: Storage, run: Run) -> None:
    """Queue the run's messages, interleaved over its chats, in one bulk insert."""
    now = datetime.now(UTC)
    rows = [
        {
            "channel": "telegram",
            "address": str(run.chats[i % len(run.chats)]),
            "language": "en",
            "subject": "",
            "body": body,
            "state": "pending",
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": now,
            "created_at": now,
        }
        for i, body in enumerate(run.bodies)
    ]
    async with storage.sessions() as session, session.begin():
        await session.execute(insert(Outbox), rows)
    if not is_sqlite(storage.settings.database):
        # What autovacuum would do soon after: with the statistics of an empty table the
        # claim's plan re-runs its per-chat subquery for every row (minutes at 3,000 rows).
        async with storage.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE outbox"))


async def unfinished(storage: Storage) -> int:
    async with storage.sessions() as session:
        count = await session.scalar(
            select(func.count()).where(Outbox.state.in_(("pending", "sending")))
        )
    return int(count or 0)


async def deliver(storage: Storage, api: FakeBotAPI, bot: TelegramApp, run: Run) -> None:
    """Run the worker until the outbox is empty; elapsed = start to the last message sent."""
    for chat in run.chats:
        api.user(chat, f"Person {chat}")
    await seed(storage, run)
    stop = asyncio.Event()
    worker = DeliveryWorker(
        DeliveryStore(storage.sessions),
        {"telegram": TelegramSender(bot.bot_data.outbox or bot.bot)},
        limits=Limits(),
    )
    started = time.monotonic()
    task = asyncio.create_task(worker.run(stop))
    try:
        while await unfinished(storage):  # noqa: ASYNC110 - the database is the state
            await asyncio.sleep(0.25)
    finally:
        stop.set()
        await task
    last = max(max(api.sent_at.get(chat, [started])) for chat in run.chats)
    run.elapsed = last - started
    async with storage.sessions() as session:
        rows = await session.execute(select(Outbox.state, func.count()).group_by(Outbox.state))
        run.states = Counter({state: count for state, count in rows.all()})


def fastest_chat_rate(api: FakeBotAPI, chats: list[int]) -> tuple[float, float]:
    """(messages/s over WINDOW consecutive sends, shortest gap in s) over all chats."""
    rate, gap = 0.0, float("inf")
    for chat in chats:
        times = sorted(api.sent_at.get(chat, []))
        for a, b in itertools.pairwise(times):
            gap = min(gap, b - a)
        for i in range(len(times) - WINDOW + 1):
            span = times[i + WINDOW - 1] - times[i]
            rate = max(rate, (WINDOW - 1) / span if span > 0 else float("inf"))
    return rate, gap


def delivered_counts(api: FakeBotAPI, run: Run) -> Counter[str]:
    """How many times each of the run's bodies reached a chat."""
    wanted = set(run.bodies)
    seen: Counter[str] = Counter()
    for chat in run.chats:
        for message in api.messages(chat):
            if message.text in wanted:
                seen[message.text] += 1
    return seen


async def bare_sends(api: FakeBotAPI, count: int, chats: list[int], concurrency: int) -> float:
    """Baseline: a plain PTB Bot sending as fast as it can, `concurrency` at a time."""
    for chat in chats:
        api.user(chat, f"Baseline {chat}")
    bot = Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)
    queue = list(range(count))
    async with bot:

        async def sender() -> None:
            while queue:
                n = queue.pop()
                await bot.send_message(chats[n % len(chats)], f"baseline {n}")

        started = time.monotonic()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        return count / (time.monotonic() - started)


async def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--fault-messages", type=int, default=1000)
    parser.add_argument("--fault-chats", type=int, default=50)
    parser.add_argument("--burst-chats", type=int, default=10)
    parser.add_argument("--burst-per-chat", type=int, default=20)
    args = parser.parse_args()
    messages, chats = (40, 20) if args.quick else (args.messages, args.chats)
    fault_messages, fault_chats_n = (
        (20, 5) if args.quick else (args.fault_messages, args.fault_chats)
    )
    burst_chats, per_chat = (3, 4) if args.quick else (args.burst_chats, args.burst_per_chat)
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # PTB 22: retry_after as a timedelta
    clean = Run("clean", list(range(10_001, 10_001 + chats)), [])
    clean.bodies = [f"Clean message {n} of the delivery benchmark." for n in range(messages)]
    fault_chats = list(range(20_001, 20_001 + fault_chats_n))
    faulty = Run("faults", fault_chats, [f"Faulty run message {n}." for n in range(fault_messages)])
    # Few chats, many messages each: here the 1 message/s per chat limit is what binds.
    burst = Run("burst", list(range(40_001, 40_001 + burst_chats)), [])
    burst.bodies = [f"Burst message {n}." for n in range(burst_chats * per_chat)]
    with tempfile.TemporaryDirectory() as folder:
        async with FakeBotAPI(token=TOKEN) as api:
            settings = Settings(
                data_dir=Path(folder),
                secret_key="bench",
                database_url=args.database_url,
                telegram_token=TOKEN,
                telegram_api_url=api.root_url,
            )
            if not is_sqlite(settings.database):
                from intake import reset_postgres

                await reset_postgres(settings.database)
            await migrate(settings.database)
            storage = await open_storage(settings, run_migrations=False)
            application = build_application(storage, settings)
            await application.initialize()
            try:
                baseline_chats = list(range(30_001, 30_001 + chats))
                base = await bare_sends(
                    api, min(messages, 1000), baseline_chats, Limits().concurrency
                )
                await deliver(storage, api, application, clean)
                clean_counts = delivered_counts(api, clean)
                await deliver(storage, api, application, burst)
                burst_counts = delivered_counts(api, burst)
                rate, gap = fastest_chat_rate(api, burst.chats)
                api.faults.fail_randomly(FAULT_RATE, seed=9, statuses=(429, 500), retry_after=1)
                await deliver(storage, api, application, faulty)
                api.faults.clear()
                faulty_counts = delivered_counts(api, faulty)
                fault_rate, fault_gap = fastest_chat_rate(api, faulty.chats)
                injected = Counter(status for _, status in api.faults.injected)
            finally:
                await application.shutdown()
                await storage.close()
    once = sum(1 for body in faulty.bodies if faulty_counts[body] == 1)
    twice = sum(1 for body in faulty.bodies if faulty_counts[body] > 1)
    report(
        [
            Figure("delivery messages/s", messages / clean.elapsed, "msg/s", ">= 29", base),
            Figure(
                "delivery clean exactly once",
                sum(
                    1 for b in clean.bodies + burst.bodies if (clean_counts + burst_counts)[b] == 1
                ),
                "messages",
                f"= {len(clean.bodies) + len(burst.bodies)}",
            ),
            Figure("delivery burst fastest chat rate", rate, "msg/s", "<= 1 (5-msg window)"),
            Figure("delivery burst shortest gap", gap * 1000, "ms", ">= 1000"),
            Figure(
                "delivery burst messages/s",
                len(burst.bodies) / burst.elapsed,
                "msg/s",
                "report",
            ),
            Figure(
                "delivery faults messages/s",
                fault_messages / faulty.elapsed,
                "msg/s",
                "report",
                base,
            ),
            Figure("delivery faults exactly once", once, "messages", f"= {fault_messages}"),
            Figure("delivery faults duplicated", twice, "messages", "= 0"),
            Figure("delivery faults fastest chat rate", fault_rate, "msg/s", "<= 1 (5-msg window)"),
            Figure("delivery faults shortest gap", fault_gap * 1000, "ms", ">= 1000"),
            Figure("baseline bare sends/s", base, "msg/s", "reference"),
        ]
    )
    print(
        f"# {messages} messages to {chats} chats; {len(burst.bodies)} to {burst_chats} chats; "
        f"{fault_messages} to {len(fault_chats)} chats with {FAULT_RATE:.0%} faults (injected "
        f"{dict(injected)}); outbox states at the end {dict(faulty.states)}; "
        f"{settings.database.split(':')[0]}"
    )


if __name__ == "__main__":
    asyncio.run(main())
