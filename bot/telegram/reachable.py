"""Start the bot once Telegram can be reached, without holding up the web chat or staff view.

At start the Bot API may refuse connections or not answer (network down, a proxy not up
yet). `complaints serve` keeps serving the web and tries again in the background, with a
growing pause; staff get one line when it fails and one when the bot is running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.telegram.app import TelegramApp, running
from storage.settings import Settings

log = logging.getLogger(__name__)

FIRST_RETRY = 1.0
LONGEST_RETRY = 60.0


async def run_when_reachable(
    telegram: TelegramApp,
    settings: Settings,
    stop: asyncio.Event,
    started: Callable[[], None],
) -> None:
    """Run the bot (no polling: see bot.telegram.app.polling) until `stop`; `started()` is
    called once it is running."""
    pause, told = FIRST_RETRY, False
    while not stop.is_set():
        try:
            async with running(telegram, settings, poll=False):
                if told:
                    log.warning("Telegram can be reached again: the bot is running")
                started()
                await stop.wait()
            return
        except InvalidToken:
            # Never the error's own words: they quote the token.
            log.error(
                "COMPLAINTS_TELEGRAM_TOKEN: Telegram refused the bot token; the web chat and "
                "staff view keep running without Telegram. Check the token with @BotFather."
            )
            return
        except NetworkError as error:  # refused, timed out, no route: try again later
            if not told:
                log.error(
                    "Telegram cannot be reached (COMPLAINTS_TELEGRAM_API_URL %s: %s); the web "
                    "chat and staff view keep running, and the bot starts once it can be reached",
                    settings.telegram_api_url,
                    type(error).__name__,
                )
                told = True
        except TelegramError as error:  # e.g. a webhook URL Telegram will not take
            log.error(
                "the Telegram bot could not start (%s: %s); the web chat and staff view keep "
                "running without it",
                type(error).__name__,
                error.message,
            )
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        pause = min(LONGEST_RETRY, pause * 2)
