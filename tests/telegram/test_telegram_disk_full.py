"""A full disk in Telegram: the person is told kindly, in their language, to send it again
in a few minutes; staff get one log line; it works again once space is freed (issue 14,
point 6). The real PTB stack against the fake Bot API, on a disk the test fills."""

from __future__ import annotations

import logging
import secrets

import pytest

from bot.telegram.app import TelegramApp
from bot.unsaved import unsaved_words
from locales import translator
from storage.runtime import Storage
from tests.fakes.botapi import FakeBotAPI, FakeUser
from tests.faults.small_disk import SmallDisk, database, full  # noqa: F401 (fixtures)
from tests.telegram.helpers import ALICE, press, say

pytestmark = pytest.mark.faults


@pytest.fixture
def storage(full: tuple[Storage, SmallDisk]) -> Storage:  # noqa: F811
    """Overrides the root fixture: the bot's storage is on the small disk."""
    return full[0]


async def tap(user: FakeUser, data: str) -> None:
    """Press `data` once a message offers it, whatever the words (they are Spanish here)."""
    await user.api.wait_until(
        lambda: any(data in [b.callback_data for b in m.buttons] for m in user.messages()), 5
    )
    await press(user, data, "")


async def test_a_full_disk_is_said_kindly_in_telegram(
    api: FakeBotAPI,
    full: tuple[Storage, SmallDisk],  # noqa: F811
    bot: TelegramApp,
    caplog: pytest.LogCaptureFixture,
) -> None:
    storage, disk = full
    # Her app is in English; she chose Spanish in the conversation, so Spanish it is.
    ana = api.user(ALICE, "Ana", language_code="en")
    await say(ana, "/start", "Which language")
    for data in ("language:es", "privacy:yes", "kind:complaint", "behalf:self"):
        await tap(ana, data)
    await tap(ana, "category:standard_of_service")
    await tap(ana, "about_staff:no")
    disk.fill()
    # Long enough to need new space on PostgreSQL too (stored out of line).
    boiler = "La caldera lleva tres semanas rota. " + secrets.token_urlsafe(2400)
    with caplog.at_level(logging.INFO):
        await say(ana, boiler, unsaved_words(translator("es")))
        await say(ana, boiler, unsaved_words(translator("es")))
    told = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert [r.name for r in told] == ["storage.health"], [r.getMessage() for r in told]
    assert not told[0].exc_info and "writes are failing" in told[0].getMessage()

    disk.free()
    await ana.send_text(boiler)
    await ana.wait_for_message(lambda m: unsaved_words(translator("es")) not in (m.text or ""))
    draft = await storage.drafts.load("telegram", str(ALICE))
    assert draft is not None and boiler in str(draft)
