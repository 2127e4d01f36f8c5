"""A whole complaint made in Telegram, through the real Application and the fake Bot API."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select

from bot.delivery import DeliveryWorker
from bot.telegram.app import TelegramApp
from storage.models import Attachment, Outbox
from storage.runtime import Storage
from tests.fakes.botapi import FakeBotAPI
from tests.telegram.helpers import ALICE, begin, eventually, press, say

pytestmark = pytest.mark.e2e


async def test_whole_complaint_with_buttons_text_and_photo(
    api: FakeBotAPI, storage: Storage, bot: TelegramApp, outbox_worker: DeliveryWorker
) -> None:
    alice = api.user(ALICE, "Alice", username="alice_w", language_code="en")
    await begin(alice)
    await say(alice, "The boiler has been broken for three weeks.", "You can send more")
    await alice.send_photo(b"\xff\xd8\xff fake jpeg " * 50, caption="the damp wall")
    await alice.wait_for_message()
    await press(alice, "description:done", "When did it happen?")
    await say(alice, "last Tuesday", "put it right")
    await say(alice, "Fix the boiler, please.", "easier for you")
    await press(alice, "adjustments:large_print", "Done")
    await press(alice, "adjustments:done", "How would you like us to reply")
    await press(alice, "contact_method:chat", "What is your name?")
    summary = await say(alice, "Alice Walker", "Is this right?")
    assert "The boiler has been broken" in (summary.text or "")
    receipt = await press(alice, "summary:send", "Your reference is")

    # Every press was answered, and every answered question lost its buttons (the reply
    # goes first, the edit of the answered question right after it).
    presses = [c for c in api.calls if c.method == "answerCallbackQuery"]
    assert len(api.answered_callbacks) == len(presses) == 11
    with contextlib.suppress(TimeoutError):
        await api.wait_until(lambda: all(m.buttons == [] for m in alice.messages()[:-1]))
    for message in alice.messages()[:-1]:
        assert message.buttons == [], message.text
    assert any("✓ English" in (m.text or "") for m in alice.messages())

    # The receipt names the reference and the dates the procedure set: received on Monday
    # 2 November 2026 (the fake clock), the model's stage 1 acknowledges within 5 working
    # days and answers within 10, worked out here by hand rather than read back.
    [case] = await storage.cases.cases_of(await _person_id(storage))
    assert case.stage is not None
    text = receipt.text or ""
    assert case.reference in text
    assert "Monday 9 November 2026" in text
    assert "Monday 16 November 2026" in text
    assert "The boiler has been broken" in case.description
    async with storage.sessions() as session:
        photos = await session.scalars(select(Attachment).where(Attachment.complaint_id == case.id))
        assert [(a.kind, a.mime_type) for a in photos] == [("photo", "image/jpeg")]

    # /status: the stage and the dates.
    status = await say(alice, "/status", case.reference)
    assert case.stage.name in (status.text or "")
    assert "Monday 16 November 2026" in (status.text or "")

    # A staff reply goes through the outbox and arrives in the chat.
    await storage.cases.reply(case.id, "We have mended the boiler today.", staff_id=None)
    outbox_worker.notify()
    reply = await alice.wait_for_message(lambda m: "mended the boiler" in (m.text or ""))
    assert case.reference in (reply.text or "")

    async def sent_row() -> Outbox | None:
        async with storage.sessions() as session:
            row = await session.scalar(select(Outbox).where(Outbox.body.contains("mended")))
            return row if row is not None and row.state == "sent" else None

    row = await eventually(sent_row)
    assert row.address == str(ALICE) and row.external_id == str(reply.message_id)


async def _person_id(storage: Storage) -> int:
    from storage.people import person_for

    async with storage.sessions() as session:
        person = await person_for(session, "telegram", str(ALICE))
        assert person is not None
        return person.id
