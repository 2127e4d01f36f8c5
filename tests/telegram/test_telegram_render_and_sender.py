"""Rendering replies and the outbox sender's error mapping, against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from bot.delivery import PermanentFailure, TemporaryFailure
from bot.telegram.render import (
    MAX_CALLBACK_DATA,
    answered,
    button_data,
    render,
    resolve,
    split_text,
    utf16_len,
)
from bot.telegram.sender import TelegramSender, parts_sent
from conversations.model import Choice, Reply
from storage.delivery import Item
from tests.fakes.botapi import FakeBotAPI
from tests.telegram.helpers import ALICE, TOKEN


def item(body: str, progress: str = "", address: str = str(ALICE)) -> Item:
    return Item(1, "telegram", address, "", body, "en", 1, progress)


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=0.3)
    async with Bot(TOKEN, base_url=api.base_url, request=request) as client:
        yield client


def test_split_text_keeps_parts_within_the_limit_and_loses_nothing() -> None:
    text = "\n\n".join(f"Paragraph {n}: " + "word " * 300 for n in range(8)) + "😀" * 3000
    parts = split_text(text)
    assert len(parts) > 2
    assert all(utf16_len(part) <= 4096 for part in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )
    assert split_text("short") == ["short"]


def test_long_choice_ids_are_hashed_and_resolved() -> None:
    long_id = "pick:" + "x" * 80
    choices = (Choice("kind:complaint", "Complaint"), Choice(long_id, "Long"))
    data = button_data(long_id)
    assert len(data.encode()) <= MAX_CALLBACK_DATA and data != long_id
    assert resolve(data, choices) == long_id
    assert resolve("kind:complaint", choices) == "kind:complaint"
    assert resolve(button_data("old:" + "y" * 80), choices).startswith("#")  # an old button


def test_render_puts_buttons_one_per_row_on_the_last_question_only() -> None:
    menu = (Choice("menu:status", "Status"), Choice("menu:new", "New"))
    rendered = render([Reply("Sending it now.", menu), Reply("Received. " + "x" * 5000, menu)])
    assert [m.markup is not None for m in rendered] == [False, False, True]
    markup = rendered[-1].markup
    assert markup is not None
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["menu:status"],
        ["menu:new"],
    ]
    assert answered("Question?", "Yes") == "Question?\n\n✓ Yes"
    assert answered("x" * 4096, "Yes") is None


async def test_sender_splits_long_messages_and_resumes_after_sent_parts(
    api: FakeBotAPI, bot: Bot
) -> None:
    alice = api.user(ALICE)
    body = "\n\n".join(f"Part {n} " + "a" * 4000 for n in range(3))
    marks: list[str] = []

    async def progress(marker: str) -> None:
        marks.append(marker)

    message_id = await TelegramSender(bot).send(item(body), progress)
    assert marks == ["parts:1", "parts:2"]
    assert [m.text[:6] for m in alice.messages() if m.text] == ["Part 0", "Part 1", "Part 2"]
    assert message_id == str(alice.messages()[-1].message_id)

    # A retry after two parts went out sends only the third.
    await TelegramSender(bot).send(item(body, progress="parts:2"), progress)
    assert [m.text[:6] for m in alice.messages() if m.text][3:] == ["Part 2"]
    assert parts_sent("parts:2") == 2 and parts_sent("") == 0 and parts_sent("7") == 0


async def test_sender_maps_errors(api: FakeBotAPI, bot: Bot) -> None:
    alice = api.user(ALICE)
    sender = TelegramSender(bot)

    async def progress(marker: str) -> None:
        raise AssertionError("single-part messages record no progress")

    api.faults.fail_next(status=429, method="sendMessage", retry_after=3)
    with pytest.raises(TemporaryFailure) as limited:
        await sender.send(item("hi"), progress)
    assert limited.value.retry_after == 3
    api.faults.fail_next(status=500, method="sendMessage")
    with pytest.raises(TemporaryFailure):
        await sender.send(item("hi"), progress)
    alice.block_bot()
    with pytest.raises(PermanentFailure, match="blocked"):
        await sender.send(item("hi"), progress)
    alice.unblock_bot()
    with pytest.raises(PermanentFailure, match=r"(?i)chat not found"):
        await sender.send(item("hi", address="424242"), progress)
    with pytest.raises(PermanentFailure, match="not a Telegram chat id"):
        await sender.send(item("hi", address="someone@example.org"), progress)

    # No answer in time: it may have arrived, so it must not be sent again.
    api.faults.delay(0.6, method="sendMessage", count=1)
    with pytest.raises(PermanentFailure, match="uncertain"):
        await sender.send(item("slow"), progress)
    await alice.wait_for_message(lambda m: m.text == "slow")

    # Nothing listening: the message cannot have left, so it is retried.
    unreachable = Bot(TOKEN, base_url="http://127.0.0.1:9/bot")
    with pytest.raises(NetworkError):
        await unreachable.initialize()  # its getMe fails; the connection pool is up
    try:
        with pytest.raises(TemporaryFailure, match="network"):
            await TelegramSender(unreachable).send(item("hi"), progress)
    finally:
        await unreachable.shutdown()
