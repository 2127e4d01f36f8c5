"""A scheduler round with many overdue cases must not keep web chat answers from the database
(issue 19: at 100,000 complaints the first round queued ~13,000 alerts one transaction
each, and visitors got HTTP 500 "database is locked"). The round queues in batches and lets
a waiting answer go first between them; every alert is still queued exactly once, never to
the complaint's subject, and a round stopped half way queues nothing twice when run again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import event, select

import storage.alerts as alerts_module
from bot.scheduler import Scheduler
from server import create_app
from storage.alerts import StaffAlerts
from storage.models import Complaint, Outbox, SchedulerMark
from storage.runtime import Storage
from tests.conftest import FakeClock
from tests.scheduler.overdue import overdue_cases
from tests.scripted import complaint_plan
from tests.webchat.visitor import Visitor

CASES = 200  # two overdue alerts each, to three managers: ~1,600 rows, several batches
VISITORS = 6
ROUND_TIME = datetime(2026, 11, 20, 7, tzinfo=UTC)  # before the digest hour: alerts only


async def seed(storage: Storage, clock: FakeClock) -> tuple[list[int], int]:
    """Three managers and CASES complaints whose acknowledgement and reply are overdue; the
    first is about the second manager. Returns (staff ids, that complaint's id)."""
    *staff, about = await overdue_cases(storage, clock, CASES, staff=3)
    clock.set(ROUND_TIME)
    # Today's retention is done, so the round is the alerts (and their reads) alone.
    await StaffAlerts(storage.sessions).queue(f"retention:{ROUND_TIME.date()}", [], now=clock.now)
    return staff, about


@pytest.fixture
async def served(storage: Storage) -> AsyncIterator[str]:
    server = TestServer(create_app(storage))
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


async def overdue_letters(storage: Storage) -> list[tuple[int | None, str]]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(Outbox.staff_id, Outbox.subject).where(Outbox.subject.like("Overdue:%"))
        )
        return [(staff, subject) for staff, subject in rows]


async def overdue_marks(storage: Storage) -> int:
    async with storage.sessions() as session:
        keys = await session.scalars(
            select(SchedulerMark.key).where(SchedulerMark.key.like("alert:late_%"))
        )
        return len(list(keys))


async def assert_each_alert_once(storage: Storage, staff: list[int], about: int) -> None:
    letters = await overdue_letters(storage)
    assert max(Counter(letters).values()) == 1  # nobody told the same thing twice
    assert len(letters) == 2 * (CASES * len(staff) - 1)  # all, but not to the subject
    async with storage.sessions() as session:
        reference = (await session.get_one(Complaint, about)).reference
    told_subject = [s for who, s in letters if who == staff[1] and s.endswith(reference)]
    assert told_subject == []
    assert await overdue_marks(storage) == 2 * CASES


class LockWatch:
    """Who waits for SQLite's write lock, and who takes it meanwhile: each BEGIN IMMEDIATE
    is recorded when it is sent and when it returns, with the asyncio task that sent it."""

    def __init__(self, storage: Storage) -> None:
        self.engine = storage.engine.sync_engine
        self.events: list[tuple[str, str]] = []  # (task name, "wait" or "got")
        self.queueing = asyncio.Event()  # the round has begun writing its alerts

    def __enter__(self) -> LockWatch:
        event.listen(self.engine, "before_cursor_execute", self.before)
        event.listen(self.engine, "after_cursor_execute", self.after)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self.before)
        event.remove(self.engine, "after_cursor_execute", self.after)

    def _task(self) -> str:
        task = asyncio.current_task()
        return task.get_name() if task else ""

    def before(self, _c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement == "BEGIN IMMEDIATE":
            self.events.append((self._task(), "wait"))
        if self._task() == "round" and "INSERT INTO scheduler_marks" in statement:
            self.queueing.set()

    def after(self, _c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement == "BEGIN IMMEDIATE":
            self.events.append((self._task(), "got"))

    def overtaken(self) -> list[int]:
        """For each visitor's write: how many of the round's transactions took the lock
        while it waited for it."""
        counts = []
        for start, (task, what) in enumerate(self.events):
            if task == "round" or what != "wait":
                continue
            end = self.events.index((task, "got"), start)
            between = self.events[start:end]
            counts.append(sum(1 for t, w in between if t == "round" and w == "got"))
        return counts


async def test_web_chat_answers_go_through_while_a_big_round_queues_its_alerts(
    storage: Storage, clock: FakeClock, served: str
) -> None:
    staff, about = await seed(storage, clock)
    scheduler = Scheduler(storage, channels=frozenset({"email"}))
    sessions = [
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(VISITORS)
    ]
    visitors = [Visitor(session, served) for session in sessions]
    for visitor in visitors:
        await visitor.open()

    async def complain(visitor: Visitor, tag: str) -> None:
        await watch.queueing.wait()  # answer while the round writes, not before it
        await visitor.follow(complaint_plan(tag), until="summary")  # each answer: status 200
        page = await visitor.open()  # what is shown again comes from the database
        for typed in (f"twice. ({tag})", f"new date. ({tag})", f"Sam Jones ({tag})"):
            assert typed in page.last

    try:
        with LockWatch(storage) as watch:
            round_ = asyncio.create_task(scheduler.tick(), name="round")
            await asyncio.gather(round_, *(complain(v, f"v{n}") for n, v in enumerate(visitors)))
    finally:
        for session in sessions:
            await session.close()

    await assert_each_alert_once(storage, staff, about)
    if storage.engine.dialect.name == "sqlite":
        # One write lock for the database: a waiting answer may wait for the batch that has
        # the lock, never for batch after batch (one transaction per alert overtook it
        # again and again, past the busy timeout: "database is locked").
        waits = watch.overtaken()
        assert waits and max(waits) <= 1, waits


async def test_a_round_stopped_half_way_queues_nothing_twice(
    storage: Storage, clock: FakeClock, served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff, about = await seed(storage, clock)
    scheduler = Scheduler(storage, channels=frozenset({"email"}))

    class Stopped(Exception):
        pass

    async def stop(_engine: object) -> None:  # the process ends after the first batch
        raise Stopped

    with monkeypatch.context() as patched:
        patched.setattr(alerts_module, "give_way", stop)
        with pytest.raises(Stopped):
            await scheduler.tick()
    first = await overdue_marks(storage)
    assert 0 < first < 2 * CASES  # some queued, not all
    await Scheduler(storage, channels=frozenset({"email"})).tick()  # after the restart
    await assert_each_alert_once(storage, staff, about)
    await Scheduler(storage, channels=frozenset({"email"})).tick()  # and once more: nothing
    await assert_each_alert_once(storage, staff, about)
