"""The real PTB Application against the fake Bot API over HTTP, on a real database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.delivery import DeliveryWorker
from bot.telegram.app import TelegramApp, build_application, running
from bot.telegram.sender import TelegramSender
from storage.delivery import DeliveryStore
from storage.runtime import Storage
from storage.settings import Settings
from tests.conftest import FakeClock
from tests.fakes.botapi import FakeBotAPI
from tests.telegram.helpers import TOKEN, fast_limits, moving


@pytest.fixture(autouse=True)
def _ptb_settings(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # PTB logs each long poll's timeout at DEBUG; keep failing tests' output readable.
    caplog.set_level(logging.INFO, logger="telegram.ext.Updater")  # restored after the test
    # Opt in to timedelta retry_after, as PTB will default to; silences its deprecation.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, api: FakeBotAPI) -> Settings:
    """Overrides the root fixture: the storage fixture runs with the bot configured."""
    return Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-key",
        telegram_token=TOKEN,
        telegram_api_url=api.root_url,
    )


@pytest.fixture
async def bot(storage: Storage, settings: Settings) -> AsyncIterator[TelegramApp]:
    """The Application, polling the fake."""
    application = build_application(storage, settings)
    async with running(application, settings):
        yield application


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry at once after a 500 (a 429 still waits its retry_after)."""
    monkeypatch.setattr(
        "bot.delivery.backoff", lambda attempts, retry_after: (retry_after or 0.0) + 0.01
    )


@pytest.fixture
async def outbox_worker(
    storage: Storage, bot: TelegramApp, clock: FakeClock
) -> AsyncIterator[DeliveryWorker]:
    """The outbox worker delivering through the Application's bot, as in `serve`."""
    stop = asyncio.Event()
    worker = DeliveryWorker(
        DeliveryStore(storage.sessions),
        {"telegram": TelegramSender(bot.bot)},
        limits=fast_limits(),
        clock=moving(clock),
    )
    task = asyncio.create_task(worker.run(stop))
    yield worker
    stop.set()
    await task
