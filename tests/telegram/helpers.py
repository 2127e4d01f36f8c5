"""Acting as the person in Telegram, and waiting on the database, for the e2e tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select

from bot.delivery import Limits
from storage.models import Outbox
from storage.runtime import Storage
from tests.conftest import FakeClock
from tests.fakes.botapi import BotMessage, FakeUser
from tests.scripted import choice_id, next_action

T = TypeVar("T")
TOKEN = "123456:SECRET-TEST-TOKEN-do-not-log"
ALICE = 1001


def _text(message: BotMessage) -> str:
    return message.text or message.caption or ""


def _step(message: BotMessage) -> str:
    """The question a message asks, from its buttons' callback data ("privacy:yes")."""
    return next(((b.callback_data or "").split(":")[0] for b in message.buttons), "")


async def say(user: FakeUser, text: str, expect: str) -> BotMessage:
    """Type `text`; the bot's next message containing `expect`."""
    await user.send_text(text)
    return await user.wait_for_message(lambda m: expect in _text(m))


async def press(user: FakeUser, data: str, expect: str) -> BotMessage:
    """Tap the button `data` on the newest message showing it; the next reply with `expect`."""
    message = next(
        m for m in reversed(user.messages()) if data in [b.callback_data for b in m.buttons]
    )
    await user.press(message, data)
    return await user.wait_for_message(lambda m: expect in _text(m))


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 5.0) -> T:  # noqa: ASYNC109
    """Re-check `check()` (a database read) until it returns something truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := await check()):
        if loop.time() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        await asyncio.sleep(0.02)
    return result


async def outbox_states(storage: Storage) -> dict[str, str]:
    """Outbox body -> state, for every row."""
    async with storage.sessions() as session:
        rows = await session.execute(select(Outbox.body, Outbox.state))
        return {body: state for body, state in rows.all()}


def moving(clock: FakeClock) -> Callable[[], datetime]:
    """The fake clock's time plus real time elapsed, so the worker's retries come due."""
    started = time.monotonic()
    return lambda: clock() + timedelta(seconds=time.monotonic() - started)


def fast_limits() -> Limits:
    return Limits(per_second=1000, per_chat_interval=0.02, idle_poll=0.02, max_attempts=20)


async def begin(alice: FakeUser) -> None:
    """From /start to the description question, answering as the scripted complainant."""
    await to_description(alice, await say(alice, "/start", "Which language"))


async def to_description(alice: FakeUser, message: BotMessage) -> None:
    """From the question `message` asks to the description question, as the script answers."""
    used: dict[str, int] = {}
    while (step := _step(message)) != "description":
        kind, value = next_action(step, used)
        assert kind == "tap", f"the plan types at '{step}'"
        buttons = [b.callback_data or "" for b in message.buttons]
        message = await press(alice, choice_id(step, value, buttons), "")
    assert "what happened" in _text(message), _text(message)


async def after_description(alice: FakeUser) -> None:
    """From the description question, once something was said, to the read-back."""
    await press(alice, "description:done", "When did it happen?")
    await say(alice, "last Tuesday", "put it right")
    await say(alice, "Fix the boiler, please.", "easier for you")
    await press(alice, "adjustments:done", "How would you like us to reply")
    await press(alice, "contact_method:chat", "What is your name?")
    await say(alice, "Alice Walker", "Is this right?")
