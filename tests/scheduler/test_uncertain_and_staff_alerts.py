"""A send that may have arrived is reported as such, never as "not delivered"; a failed
alert to staff shows on the dashboard (issue 14, point 5)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.scheduler import Scheduler
from procedures.case import Kind, NewComplaint
from storage.models import Outbox
from storage.queries import Queries
from storage.runtime import Storage
from tests.conftest import FakeClock
from tests.scheduler.test_scheduler import WORDS, add, at, bodies, sent_to


async def test_an_uncertain_send_says_check_before_sending_again(
    storage: Storage, clock: FakeClock
) -> None:
    clock.set(at(date(2026, 11, 2), 9))
    sam = await add(storage, "sam@example.org", ["manager"])
    scheduler = Scheduler(storage)
    done = await storage.cases.submit(
        NewComplaint(kind=Kind.COMPLAINT, description=WORDS), channel="telegram", external_id="7"
    )
    async with storage.sessions() as session, session.begin():
        receipt = await session.scalar(
            select(Outbox).where(Outbox.complaint_id == done.complaint_id)
        )
        assert receipt is not None
        receipt.state, receipt.last_error = "uncertain", "uncertain: timed out; may have arrived"
    await scheduler.tick()
    alerts = [b for b in await bodies(storage, sam) if "may have arrived" in b]
    assert len(alerts) == 1 and done.reference in alerts[0]
    assert "check with them before sending it again" in alerts[0]
    assert "could not be delivered" not in alerts[0]
    assert not any("reach them another way" in b for b in await bodies(storage, sam))
    board = await Queries(storage.cases).dashboard(sam)
    [task] = [t for t in board.outbox_tasks if t.id == receipt.id]
    assert task.state == "uncertain"


async def test_a_failed_alert_to_staff_shows_on_the_dashboard(
    storage: Storage, clock: FakeClock
) -> None:
    clock.set(at(date(2026, 11, 2), 9))
    sam = await add(storage, "sam@example.org", ["manager"])
    ada = await add(storage, "ada@example.org", ["admin"])
    await storage.cases.submit(NewComplaint(kind=Kind.COMPLAINT, description=WORDS))
    await Scheduler(storage).tick()
    [alert, *_] = await sent_to(storage, sam)
    async with storage.sessions() as session, session.begin():
        row = await session.get_one(Outbox, alert.id)
        row.state, row.last_error = "failed", "mail server refused: 550"
    for viewer in (sam, ada):
        board = await Queries(storage.cases).dashboard(viewer)
        [task] = [t for t in board.outbox_tasks if t.id == alert.id]
        assert task.to_staff and task.state == "failed" and "550" in task.last_error
    await Queries(storage.cases).mark_delivered(alert.id, ada)
