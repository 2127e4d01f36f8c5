"""Chats side by side, one chat's updates in order: the real PTB stack against the fake."""

from __future__ import annotations

import asyncio
import json

from bot.telegram.app import TelegramApp
from storage.runtime import Storage
from tests.fakes.botapi import FakeBotAPI
from tests.telegram.helpers import begin


async def test_a_slow_chat_does_not_hold_up_another(api: FakeBotAPI, bot: TelegramApp) -> None:
    slow, quick = api.user(2001, "Slow"), api.user(2002, "Quick")
    # The next reply the bot sends (the slow person's) takes the Bot API two seconds.
    api.faults.delay(2.0, method="sendMessage", count=1)
    await slow.send_text("/start")
    while not any(c.method == "sendMessage" for c in api.calls):  # noqa: ASYNC110 - held reply
        await asyncio.sleep(0.01)
    await quick.send_text("/start")
    first = await quick.wait_for_message()
    assert slow.messages() == [], "the other chat's reply came first: chats wait on each other"
    assert "Which language" in (first.text or "")
    await slow.wait_for_message()


async def test_one_chats_quick_messages_reach_the_dialogue_in_order(
    api: FakeBotAPI, bot: TelegramApp, storage: Storage
) -> None:
    alice = api.user(2003, "Alice")
    await begin(alice)
    words = [f"Part {n} of what happened." for n in range(1, 6)]
    for text in words:  # sent at once, without waiting for answers
        await alice.send_text(text)
    for _ in range(200):  # until every part is in the saved draft
        described = json.dumps(await storage.drafts.load("telegram", str(alice.id)))
        if all(w in described for w in words):
            break
        await asyncio.sleep(0.05)
    positions = [described.find(w) for w in words]
    assert -1 not in positions, described
    assert positions == sorted(positions), described
