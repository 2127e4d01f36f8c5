"""What every handler receives: a typed context exposing our services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from telegram.ext import CallbackContext, ExtBot

from services.dialogue import ChatRunner
from storage.runtime import Storage

CHANNEL = "telegram"
TELEGRAM_FILE_LIMIT = 20 * 1024 * 1024  # the cloud Bot API serves no bigger file to bots


@dataclass
class Services:
    """bot_data's type: what handlers use, filled by build_application and post_init."""

    storage: Storage | None = None
    runner: ChatRunner | None = None
    downloads: httpx.AsyncClient | None = None
    outbox: ExtBot[None] | None = None  # the outbox's bot, with the overall rate limit


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], Services]):
    """The handlers' context, with our services as typed properties."""

    @property
    def storage(self) -> Storage:
        assert self.bot_data.storage is not None, "built by build_application"
        return self.bot_data.storage

    @property
    def runner(self) -> ChatRunner:
        assert self.bot_data.runner is not None, "built by build_application"
        return self.bot_data.runner

    @property
    def downloads(self) -> httpx.AsyncClient:
        assert self.bot_data.downloads is not None, "opened in post_init"
        return self.bot_data.downloads

    @property
    def max_file_bytes(self) -> int:
        """The largest file we take: Telegram's limit for bots, or ours if lower."""
        return min(TELEGRAM_FILE_LIMIT, self.storage.attachments.max_bytes)
