"""50 concurrent writers on one database: never "database is locked", nothing lost.

30 complainants answer through ChatRunner, 15 members of staff act on cases through
CaseService, and the background writers of `complaints serve` run beside them: the
outbox worker (with a recording sender) and four scheduler loops. On SQLite every
transaction starts with BEGIN IMMEDIATE and waits up to the busy timeout; the test fails
on any "database is locked" (raised, or logged by a background loop). Runs on SQLite and,
when configured, PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.delivery import DeliveryWorker, Limits
from bot.scheduler import Scheduler
from procedures.case import Kind, NewComplaint, Received
from services.dialogue import ChatRunner
from storage.delivery import DeliveryStore, Item
from storage.errors import CaseError
from storage.models import Complaint
from storage.runtime import Storage
from tests.scripted import complain

pytestmark = pytest.mark.faults

COMPLAINANTS = 30
STAFF = 15
SCHEDULERS = 4  # + 1 outbox worker = 50 writers
LOCKED = "database is locked"


async def staff_member(storage: Storage, cases: list[int], rng: random.Random) -> None:
    """Replies, notes and acknowledgements on shared cases; refusals are fine, locks not."""
    actions: list[Callable[[int], object]] = [
        lambda c: storage.cases.reply(
            c, "We are looking into it.", staff_id=None, ends_stage=False
        ),
        lambda c: storage.cases.add_note(c, "Called the site manager.", staff_id=None),
        lambda c: storage.cases.acknowledge(c, staff_id=None),
        lambda c: storage.cases.add_information(c, "More detail from the complainant."),
    ]
    for _ in range(12):
        # Already acknowledged, changed meanwhile: a domain answer, not a lock.
        with contextlib.suppress(CaseError):
            await rng.choice(actions)(rng.choice(cases))  # type: ignore[misc]


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, item: Item, progress: Callable[[str], object]) -> str | None:
        await asyncio.sleep(0.001)
        self.sent.append(item.id)
        return str(item.id)


async def test_fifty_writers_never_see_a_locked_database(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    cases = []
    for n in range(5):
        new = NewComplaint(
            kind=Kind.COMPLAINT,
            description=f"Seeded complaint {n}.",
            complainant_name="Tam",
            received_via=Received.WEBCHAT,
        )
        submitted = await storage.cases.submit(new, channel="webchat", external_id=f"seed-{n}")
        cases.append(submitted.complaint_id)
    runner = ChatRunner(storage, "webchat")
    sender = RecordingSender()
    worker = DeliveryWorker(
        DeliveryStore(storage.sessions),
        {"webchat": sender},
        limits=Limits(per_second=1000, per_chat_interval=0.0, idle_poll=0.01),
    )
    stop = asyncio.Event()
    background = [asyncio.create_task(worker.run(stop))]
    for _ in range(SCHEDULERS):
        scheduler = Scheduler(storage, interval=0.01)
        background.append(asyncio.create_task(scheduler.run(stop)))
    rng = random.Random(5)
    try:
        outcomes = await asyncio.gather(
            *(complain(runner) for _ in range(COMPLAINANTS)),
            *(staff_member(storage, cases, random.Random(rng.random())) for _ in range(STAFF)),
            return_exceptions=True,
        )
    finally:
        stop.set()
        await asyncio.gather(*background)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert not [e for e in errors if LOCKED in str(e)], "database is locked"
    assert errors == []
    logged = [r.getMessage() + str(r.exc_info) for r in caplog.records]
    assert not [m for m in logged if LOCKED in m], "a background writer met a locked database"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], logged
    async with storage.sessions() as session:
        made = await session.scalar(select(func.count(Complaint.id)))
    assert made == COMPLAINANTS + len(cases)  # each complaint once, none lost
    assert len(sender.sent) == len(set(sender.sent))  # no outbox row sent twice
