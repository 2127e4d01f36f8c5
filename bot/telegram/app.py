"""The python-telegram-bot Application: built in one function, run in the caller's loop.

`complaints serve` builds it with `build_application` and runs it with `running`, beside
the aiohttp server in the same event loop: polling by default, or updates arriving at our
own webhook route (bot/telegram/webhook.py) when COMPLAINTS_TELEGRAM_WEBHOOK_URL is set.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    ExtBot,
)

from bot.telegram.commands import register_commands
from bot.telegram.context import CHANNEL, Context, Services
from bot.telegram.handlers import register
from bot.telegram.updates import PerChat
from services.dialogue import ChatRunner
from storage.runtime import Storage
from storage.settings import Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
POLL_TIMEOUT = 10.0  # seconds a getUpdates long poll waits for news
# PTB loggers that write the bot token (in base URLs) or the webhook secret at DEBUG.
TELEGRAM_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater")


TelegramApp = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], Services, Any]


class Redact(logging.Filter):
    """Replaces secrets in log records with "<hidden>" before any handler sees them.

    The message is also formatted here, once: PTB logs live objects (getFile's result) that
    it later changes to hold a URL with the token, which a later formatting would show.
    """

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "<hidden>")
        record.msg, record.args = message, None
        return True


def quiet_secrets(*secrets: str) -> None:
    """Keep the token out of logs at any level; safe to call more than once."""
    # At INFO httpx logs request URLs, and Telegram's carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for name in TELEGRAM_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, Redact)]:
            logger.removeFilter(old)
        logger.addFilter(Redact(*secrets))


def webhook_secret(settings: Settings) -> str:
    """The configured webhook secret, or one derived from the secret key (never empty)."""
    if settings.telegram_webhook_secret:
        return settings.telegram_webhook_secret
    key = settings.secret_key.encode()
    return hmac.new(key, b"telegram-webhook", hashlib.sha256).hexdigest()


def build_application(storage: Storage, settings: Settings) -> TelegramApp:
    """The Application with every handler; nothing is opened until `running` starts it."""
    quiet_secrets(
        settings.telegram_token,
        webhook_secret(settings) if settings.telegram_webhook_url else "",
    )
    api = settings.telegram_api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(f"{api}/bot")  # PTB appends the token
        .base_file_url(f"{api}/file/bot")
        .context_types(ContextTypes(context=Context, bot_data=Services))
        # Chats side by side, each chat's updates in order (bot/telegram/updates.py).
        .concurrent_updates(PerChat())
        # Answers in a conversation retry on 429 but wait for no overall quota: Telegram's
        # ~30 messages/s is for bulk sends, which the outbox's own bot keeps (outbox_bot).
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=2))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_webhook_url:
        builder = builder.updater(None)  # updates come in through our aiohttp route
    application: TelegramApp = builder.build()  # type: ignore[assignment]
    application.bot_data.storage = storage
    application.bot_data.runner = ChatRunner(storage, CHANNEL)
    application.bot_data.outbox = outbox_bot(settings)
    register(application)
    return application


def outbox_bot(settings: Settings) -> ExtBot[None]:
    """The bot the outbox sends with: PTB's limiter keeps bulk sends under ~30/s overall and
    retries on 429 (the worker itself spaces each chat's messages)."""
    api = settings.telegram_api_url.rstrip("/")
    return ExtBot(
        settings.telegram_token,
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        rate_limiter=AIORateLimiter(max_retries=2),
    )


async def _post_init(application: TelegramApp) -> None:
    application.bot_data.downloads = httpx.AsyncClient(timeout=httpx.Timeout(30.0))
    if application.bot_data.outbox is not None:
        await application.bot_data.outbox.initialize()
    await register_commands(application.bot)


async def _post_shutdown(application: TelegramApp) -> None:
    downloads, application.bot_data.downloads = application.bot_data.downloads, None
    if downloads is not None:
        await downloads.aclose()
    # Kept (shut down): a start retried after Telegram was unreachable initializes it again.
    outbox = application.bot_data.outbox
    if outbox is not None:
        await outbox.shutdown()


async def _start_polling(application: TelegramApp) -> None:
    if application.updater is not None:  # None in webhook mode
        await application.updater.start_polling(
            timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
        )


async def polling(application: TelegramApp, stop: asyncio.Event) -> None:
    """Fetch updates with getUpdates until `stop`. `complaints serve` runs this in the leading
    process only: Telegram refuses two getUpdates callers at once. Webhook mode needs none."""
    await _start_polling(application)
    try:
        await stop.wait()
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()


@asynccontextmanager
async def running(
    application: TelegramApp, settings: Settings, *, poll: bool = True
) -> AsyncIterator[TelegramApp]:
    """Run the Application in this event loop, in the order Application.run_polling uses.

    With `poll` it also fetches updates; `complaints serve` leaves that to `polling`."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if settings.telegram_webhook_url:
            await application.bot.set_webhook(
                settings.telegram_webhook_url,
                secret_token=webhook_secret(settings),
                allowed_updates=ALLOWED_UPDATES,
            )
        await application.start()
        if poll:
            await _start_polling(application)
        log.info(
            "Telegram bot running (%s)", "webhook" if settings.telegram_webhook_url else "polling"
        )
        yield application
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
