"""Telegram: simulated people make whole complaints through the real PTB stack.

The bot under test is the real `complaints serve` process (polling, its own database),
pointed at the fake Bot API, which runs in this process together with the simulated
people (tests/fakes/botapi.py). Baseline, in the same run on the same fake server: a
minimal python-telegram-bot echo bot (also its own process) answering the same number of
text messages from the same number of people.

Figures:
- updates/s with 100 people each completing an intake as fast as the bot answers
  (closed loop), against the echo bot's updates/s. Target: >= 0.5 x echo.
- p95 time from the person's update to the bot's first reply message (from the fake
  server's own clocks) in a paced run at 50 updates/s. Target: <= 100 ms.

    python bench/telegram.py [--users 100] [--rate 50] [--database-url ...]
    python bench/telegram.py --echo-bot URL   (the baseline bot; token from BENCH_TOKEN)
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, Figure, arguments, percentile, report
from footprint import ServeProcess

from tests.fakes.botapi import BotMessage, FakeBotAPI, FakeUser
from tests.scripted import COMPLAINT_PLAN, choice_id, next_action

TOKEN = "123456:BENCH-TELEGRAM"
RECEIPT = "Your reference is"
Pace = Callable[[], Awaitable[None]]
user_ids = itertools.count(700_001)


async def no_pace() -> None:
    return None


def pacer(rate: float) -> Pace:
    """All people together send `rate` updates a second (open slots, taken in turn)."""
    slots = itertools.count()
    started = time.monotonic()

    async def pace() -> None:
        delay = started + next(slots) / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    return pace


class Person:
    """One simulated person; records the delay of the first reply to each of their updates."""

    def __init__(self, api: FakeBotAPI, latencies: list[float]) -> None:
        self.api = api
        self.user: FakeUser = api.user(next(user_ids), "Sam", language_code="en")
        self.latencies = latencies
        self.updates = 0

    async def act(self, send: Callable[[], Awaitable[object]]) -> BotMessage:
        """Send one update; the bot's first message after it."""
        chat = self.api._chat(self.user.id)
        index = len(chat.bot_messages)
        self.user._read = index
        started = time.monotonic()
        await send()
        self.updates += 1
        first = await self.user.wait_for_message(timeout=60)
        self.latencies.append(self.api.sent_at[self.user.id][index] - started)
        return first

    async def intake(self, pace: Pace) -> None:
        await pace()
        message = await self.wait_turn(await self.act(lambda: self.user.send_text("/start")))
        used: dict[str, int] = {}
        for _ in range(40):
            if RECEIPT in (message.text or ""):
                return
            buttons = [b.callback_data or "" for b in message.buttons]
            step = buttons[0].split(":")[0] if buttons else ""
            text: str | None = "Sam Jones"  # a question without buttons: free text
            choice: str | None = None
            if step in COMPLAINT_PLAN:
                kind, value = next_action(step, used)
                if kind == "tap":
                    text, choice = None, choice_id(step, value, buttons)
                else:
                    text = value
            elif buttons:
                raise RuntimeError(f"no plan for buttons {buttons}: {message.text!r}")
            await pace()
            first = await self.act(self.answer(message, choice, text))
            message = await self.wait_turn(first)
        raise RuntimeError(f"no receipt for {self.user.id}: {message.text!r}")

    def answer(
        self, message: BotMessage, choice: str | None, text: str | None
    ) -> Callable[[], Awaitable[object]]:
        if choice is not None:
            return lambda: self.user.press(message, choice)
        return lambda: self.user.send_text(text or "")

    async def wait_turn(self, first: BotMessage) -> BotMessage:
        """After a summary press, the receipt follows the first reply; wait for it."""
        if first.buttons or RECEIPT in (first.text or ""):
            return first
        latest = self.user.last_message() or first
        if "send" in (first.text or "").lower() and RECEIPT not in (latest.text or ""):
            return await self.user.wait_for_message(
                lambda m: RECEIPT in (m.text or "") or bool(m.buttons), timeout=30
            )
        return latest

    async def echo(self, count: int, pace: Pace) -> None:
        for n in range(count):
            await pace()
            await self.act(lambda n=n: self.user.send_text(f"echo {n}"))  # type: ignore[misc]


async def run_people(
    api: FakeBotAPI, users: int, work: Callable[[Person], Awaitable[None]]
) -> tuple[float, list[float], int]:
    """(updates/s, latencies, updates) of `users` people doing `work` at once."""
    latencies: list[float] = []
    people = [Person(api, latencies) for _ in range(users)]
    started = time.monotonic()
    await asyncio.gather(*(work(p) for p in people))
    elapsed = time.monotonic() - started
    updates = sum(p.updates for p in people)
    return updates / elapsed, latencies, updates


async def wait_polling(api: FakeBotAPI, process: subprocess.Popen[bytes] | None) -> None:
    """Until the bot's first long poll reached the server."""
    polls = len(api.calls_of("getUpdates"))
    for _ in range(600):
        if len(api.calls_of("getUpdates")) > polls or (polls and not api.pending_update_count):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError("the bot process exited")
        await asyncio.sleep(0.05)
    raise TimeoutError("the bot never polled")


async def echo_baseline(api: FakeBotAPI, users: int, per_user: int) -> float:
    env = {**os.environ, "BENCH_TOKEN": TOKEN, "PTB_TIMEDELTA": "1"}
    command = [sys.executable, str(Path(__file__)), "--echo-bot", api.root_url]
    # Its shutdown may log a timed-out last poll; nothing to do with the figures.
    process = await asyncio.to_thread(
        subprocess.Popen, command, env=env, cwd=ROOT, stderr=subprocess.DEVNULL
    )
    try:
        await wait_polling(api, process)
        rate, _, _ = await run_people(api, users, lambda p: p.echo(per_user, no_pace))
        return rate
    finally:
        process.terminate()
        process.wait(timeout=15)


def echo_bot(api_url: str) -> None:
    """The baseline: python-telegram-bot's minimal echo bot, polling, with the concurrency
    and rate-limit settings `complaints serve` uses (bot/telegram/app.py)."""
    from telegram import Update
    from telegram.ext import (
        AIORateLimiter,
        ApplicationBuilder,
        ContextTypes,
        MessageHandler,
        filters,
    )

    from bot.telegram.updates import PerChat

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    application = (
        ApplicationBuilder()
        .token(os.environ["BENCH_TOKEN"])
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .concurrent_updates(PerChat())
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=2))
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(timeout=10)


@dataclass
class Measured:
    rate: float  # updates/s flat out
    latencies: list[float]  # flat out
    paced_rate: float
    paced: list[float]  # latencies of the paced run
    per_user: int


async def measure(
    api: FakeBotAPI, serve: ServeProcess, users: int, rate: float, seconds: float, quick: bool
) -> Measured:
    try:
        await serve.start()
        await wait_polling(api, serve.process)
        # Warm-up: one intake, so imports and first queries are not timed.
        await run_people(api, 1, lambda p: p.intake(no_pace))
        flat, latencies, updates = await run_people(api, users, lambda p: p.intake(no_pace))
        per_user = round(updates / users)
        paced_users = 2 if quick else max(1, int(rate * seconds / per_user))
        pace = pacer(rate)
        paced_rate, paced, _ = await run_people(api, paced_users, lambda p: p.intake(pace))
        return Measured(flat, latencies, paced_rate, paced, per_user)
    except BaseException:
        print(serve.log(), file=sys.stderr)
        raise
    finally:
        serve.stop()
        await asyncio.sleep(0.2)  # its last long poll is answered before the next bot polls


async def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50.0, help="updates/s of the paced run")
    parser.add_argument("--paced-seconds", type=float, default=20.0)
    args = parser.parse_args()
    users = 2 if args.quick else args.users
    with tempfile.TemporaryDirectory() as folder:
        async with FakeBotAPI(token=TOKEN) as api:
            shipped = await measure(
                api,
                ServeProcess(Path(folder) / "a", args.database_url, api.root_url, TOKEN),
                users,
                args.rate,
                args.paced_seconds,
                args.quick,
            )
            echo = await echo_baseline(api, users, shipped.per_user)
    ms = 1000
    report(
        [
            Figure("telegram updates/s", shipped.rate, "updates/s", ">= 0.5 x echo", echo),
            Figure(
                "telegram p95 reply, paced",
                percentile(shipped.paced, 95) * ms,
                "ms",
                f"<= 100 (at {args.rate:g}/s)",
            ),
            Figure("telegram paced rate", shipped.paced_rate, "updates/s", "report"),
            Figure("telegram p95 flat out", percentile(shipped.latencies, 95) * ms, "ms", "report"),
            Figure("baseline echo bot updates/s", echo, "updates/s", "reference"),
        ]
    )
    print(
        f"# {users} people x {shipped.per_user} updates flat out, then paced; bot = "
        f"`complaints serve` as shipped on {args.database_url.split(':')[0] or 'SQLite'}; echo "
        "bot with the same concurrency and rate-limit settings"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--echo-bot":
        echo_bot(sys.argv[2])
    else:
        asyncio.run(main())
