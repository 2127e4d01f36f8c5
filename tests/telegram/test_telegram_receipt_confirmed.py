"""A Telegram receipt counts as sent only when Telegram accepted it; if the reply that shows
it fails, the outbox worker sends it (issue 14, point 2)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.delivery import DeliveryWorker
from bot.telegram.app import TelegramApp
from storage.models import Outbox
from storage.runtime import Storage
from tests.conftest import FakeClock
from tests.fakes.botapi import FakeBotAPI, FakeUser
from tests.telegram.helpers import ALICE, after_description, begin, eventually, press, say

pytestmark = pytest.mark.e2e


async def to_summary(alice: FakeUser) -> None:
    await begin(alice)
    await say(alice, "The boiler has been broken for three weeks.", "You can send more")
    await after_description(alice)


async def receipt_row(storage: Storage) -> Outbox | None:
    async with storage.sessions() as session:
        return await session.scalar(
            select(Outbox).where(Outbox.body.contains("Your reference is")).order_by(Outbox.id)
        )


def receipts(alice: FakeUser) -> list[str]:
    return [m.text or "" for m in alice.messages() if "Your reference is" in (m.text or "")]


async def test_a_receipt_telegram_accepted_is_sent_once(
    api: FakeBotAPI,
    storage: Storage,
    bot: TelegramApp,
    outbox_worker: DeliveryWorker,
    clock: FakeClock,
) -> None:
    alice = api.user(ALICE, "Alice", language_code="en")
    await to_summary(alice)
    await press(alice, "summary:send", "Your reference is")
    row = await eventually(
        lambda: _when(receipt_row(storage), lambda r: r.state == "sent" and r.external_id)
    )
    assert row.sent_at is not None and row.external_id
    clock.advance(minutes=5)  # long past the grace the worker would wait
    outbox_worker.notify()
    await say(alice, "/status", "C-2026")
    assert len(receipts(alice)) == 1


async def test_a_receipt_whose_reply_failed_is_sent_by_the_worker(
    api: FakeBotAPI,
    storage: Storage,
    bot: TelegramApp,
    outbox_worker: DeliveryWorker,
    clock: FakeClock,
) -> None:
    alice = api.user(ALICE, "Alice", language_code="en")
    await to_summary(alice)
    # The complaint is stored, then every reply of this turn fails (NetworkError after the
    # commit), the apology too.
    api.faults.fail_next(count=10, status=502, method="sendMessage")
    summary = next(m for m in reversed(alice.messages()) if m.buttons)
    await alice.press(summary, "summary:send")
    row = await eventually(lambda: receipt_row(storage))
    # The row is committed before the replies go out: clear the faults only once the reply
    # and the apology have both failed, or the reply could still get through.
    await api.wait_until(lambda: [m for m, _ in api.faults.injected].count("sendMessage") >= 2)
    api.faults.clear()
    assert receipts(alice) == []
    async with storage.sessions() as session:
        row = await session.get_one(Outbox, row.id)
    assert row.state == "pending" and row.sent_at is None  # not "sent": nobody saw it
    clock.advance(minutes=1)  # past the grace given to the reply
    outbox_worker.notify()
    await alice.wait_for_message(lambda m: "Your reference is" in (m.text or ""))
    row = await eventually(lambda: _when(receipt_row(storage), lambda r: r.state == "sent"))
    assert len(receipts(alice)) == 1


async def _when(found, test):  # type: ignore[no-untyped-def]
    row = await found
    return row if row is not None and test(row) else None
