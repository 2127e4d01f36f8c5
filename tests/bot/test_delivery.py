"""The outbox worker on real databases: exactly once, in order, within rate limits."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import DeliveryWorker, Limits, PermanentFailure, TemporaryFailure
from storage.delivery import UNCERTAIN, DeliveryStore, Item
from storage.models import Outbox, Person
from storage.runtime import Storage
from tests.conftest import FakeClock


@dataclass
class ScriptedSender:
    """Records what arrived; fails a seeded share of sends like a throttled Bot API."""

    fail_share: float = 0.0
    blocked: set[str] = field(default_factory=set)
    seed: int = 7
    delivered: list[tuple[str, str, float]] = field(default_factory=list)
    _random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    async def send(self, item: Item, progress: Callable[[str], object]) -> str | None:
        await asyncio.sleep(0)
        if item.address in self.blocked:
            raise PermanentFailure("Forbidden: bot was blocked by the user")
        if self._random.random() < self.fail_share:
            if self._random.random() < 0.5:
                raise TemporaryFailure("Too Many Requests", retry_after=0.05)
            raise TemporaryFailure("Internal Server Error")
        self.delivered.append((item.address, item.body, time.monotonic()))
        return str(len(self.delivered))


async def queue(storage: Storage, clock: FakeClock, chats: int, per_chat: int) -> None:
    async with storage.sessions() as session, session.begin():
        person = Person(created_at=clock())
        session.add(person)
        await session.flush()
        for n in range(per_chat):
            for chat in range(chats):
                session.add(
                    Outbox(
                        person_id=person.id,
                        channel="telegram",
                        address=f"chat{chat}",
                        body=f"message {n}",
                        next_attempt_at=clock(),
                        created_at=clock(),
                    )
                )


async def states(storage: Storage) -> dict[str, int]:
    async with storage.sessions() as session:
        counts: dict[str, int] = defaultdict(int)
        for state in await session.scalars(select(Outbox.state)):
            counts[state] += 1
        return dict(counts)


def fast_limits() -> Limits:
    return Limits(per_second=1000, per_chat_interval=0.05, idle_poll=0.01, max_attempts=50)


async def drain(worker: DeliveryWorker, storage: Storage, total: int) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    for _ in range(3000):
        done = await states(storage)
        if done.get("sent", 0) + done.get("failed", 0) == total:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await task


def worker_for(storage: Storage, sender: ScriptedSender, limits: Limits) -> DeliveryWorker:
    # Backoff waits are real seconds, so these workers run on the real clock.
    return DeliveryWorker(DeliveryStore(storage.sessions), {"telegram": sender}, limits)


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every retry is due at once, so budget tests need not wait real seconds."""
    monkeypatch.setattr("bot.delivery.backoff", lambda attempts, retry_after: 0.0)


async def test_every_message_once_in_order_despite_faults(
    storage: Storage, no_backoff: None
) -> None:
    await queue(storage, storage.cases.clock, chats=10, per_chat=6)
    sender = ScriptedSender(fail_share=0.2)
    worker = worker_for(storage, sender, fast_limits())
    await drain(worker, storage, 60)
    assert await states(storage) == {"sent": 60}
    bodies = defaultdict(list)
    for address, body, _ in sender.delivered:
        bodies[address].append(body)
    assert len(sender.delivered) == 60  # nothing twice
    for address, got in bodies.items():
        assert got == [f"message {n}" for n in range(6)], address  # in order per chat


async def test_per_chat_interval_is_kept(storage: Storage) -> None:
    await queue(storage, storage.cases.clock, chats=2, per_chat=4)
    sender = ScriptedSender()
    limits = Limits(per_second=1000, per_chat_interval=0.2, idle_poll=0.01)
    await drain(worker_for(storage, sender, limits), storage, 8)
    by_chat = defaultdict(list)
    for address, _, at in sender.delivered:
        by_chat[address].append(at)
    for times in by_chat.values():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps) >= 0.19, gaps


async def test_blocked_chat_is_marked_failed_and_others_still_arrive(storage: Storage) -> None:
    await queue(storage, storage.cases.clock, chats=3, per_chat=1)
    sender = ScriptedSender(blocked={"chat1"})
    await drain(worker_for(storage, sender, fast_limits()), storage, 3)
    assert await states(storage) == {"sent": 2, "failed": 1}
    async with storage.sessions() as session:
        failed = await session.scalar(select(Outbox).where(Outbox.state == "failed"))
    assert failed is not None and "blocked" in failed.last_error


async def test_retry_budget_exhausted_marks_failed(storage: Storage, no_backoff: None) -> None:
    await queue(storage, storage.cases.clock, chats=1, per_chat=1)
    sender = ScriptedSender(fail_share=1.0)
    limits = Limits(per_second=1000, per_chat_interval=0.0, idle_poll=0.01, max_attempts=3)
    await drain(worker_for(storage, sender, limits), storage, 1)
    async with storage.sessions() as session:
        row = await session.scalar(select(Outbox))
    assert row is not None and (row.state, row.attempts) == ("failed", 3)


async def test_interrupted_send_is_never_resent_but_shown_to_staff(
    storage: Storage, clock: FakeClock
) -> None:
    await queue(storage, clock, chats=1, per_chat=1)
    store = DeliveryStore(storage.sessions)
    lease = timedelta(minutes=2)
    [item] = await store.claim(frozenset({"telegram"}), now=clock(), lease=lease, limit=5)
    # The process dies here, mid-send. Later, a new process starts:
    clock.advance(minutes=5)
    assert await store.recover(now=clock(), lease=lease) == 1
    assert await store.claim(frozenset({"telegram"}), now=clock(), lease=lease, limit=5) == []
    async with storage.sessions() as session:
        row = await session.get(Outbox, item.id)
    assert row is not None and (row.state, row.last_error) == ("uncertain", UNCERTAIN)


async def test_two_workers_never_take_the_same_row(storage: Storage, clock: FakeClock) -> None:
    await queue(storage, clock, chats=20, per_chat=3)
    store = DeliveryStore(storage.sessions)
    lease = timedelta(minutes=2)
    seen: list[int] = []
    for _ in range(10):
        batches = await asyncio.gather(
            *(
                store.claim(frozenset({"telegram"}), now=clock(), lease=lease, limit=4)
                for _ in range(3)
            )
        )
        for batch in batches:
            for item in batch:
                seen.append(item.id)
                await store.sent(item.id, now=clock(), external_id=None)
    assert len(seen) == len(set(seen)) == 60
