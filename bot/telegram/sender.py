"""Outbox delivery to Telegram chats: one outbox row, one or more messages, sent once."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.delivery import MayHaveArrived, PermanentFailure, TemporaryFailure
from bot.telegram.render import split_text
from storage.delivery import Item

PARTS = "parts:"
# Transport errors raised before any byte of the request left: the message cannot have arrived.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
UNCERTAIN = "uncertain: {what}; may have arrived"


def parts_sent(progress: str) -> int:
    """How many parts of a long message a previous attempt delivered ("parts:2" -> 2)."""
    if progress.startswith(PARTS) and progress[len(PARTS) :].isdigit():
        return int(progress[len(PARTS) :])
    return 0


def retry_after_seconds(error: RetryAfter) -> float:
    # PTB 22 warns on reading retry_after unless PTB_TIMEDELTA is set; either type is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """The worker's Sender for channel "telegram"; the outbox address is the user id."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, item: Item, progress: Callable[[str], Awaitable[object]]) -> str | None:
        try:
            chat_id = int(item.address)
        except ValueError:
            raise PermanentFailure("not a Telegram chat id") from None
        parts = split_text(item.body)
        message_id: str | None = None
        for number in range(parts_sent(item.progress), len(parts)):
            message_id = await self._send_one(chat_id, parts[number])
            if number + 1 < len(parts):
                # A retry after a later failure starts after this part, never repeating it.
                await progress(f"{PARTS}{number + 1}")
        return message_id

    async def _send_one(self, chat_id: int, text: str) -> str:
        try:
            message = await self.bot.send_message(chat_id=chat_id, text=text)
        except RetryAfter as error:
            raise TemporaryFailure("rate limited (429)", retry_after_seconds(error)) from None
        except TimedOut as error:
            if isinstance(error.__cause__, NEVER_SENT):
                raise TemporaryFailure("could not connect in time") from None
            # The request reached Telegram or was on its way when we stopped waiting, so the
            # message may well have arrived. Sending it again could show it twice; staff see
            # the failure and can check with the person instead.
            raise MayHaveArrived(UNCERTAIN.format(what="timed out")) from None
        except Forbidden as error:
            raise PermanentFailure(f"forbidden: {error.message}") from None
        except (BadRequest, ChatMigrated) as error:
            # Chat not found, message refused: sending the same again cannot succeed.
            raise PermanentFailure(f"refused: {error.message}") from None
        except NetworkError as error:
            cause = error.__cause__
            if isinstance(cause, httpx.TransportError) and not isinstance(cause, NEVER_SENT):
                # Sent, then the connection broke before the answer: same doubt as a timeout.
                name = type(cause).__name__
                raise MayHaveArrived(UNCERTAIN.format(what=f"connection lost ({name})")) from None
            # Could not connect, or Telegram answered 5xx: the message was not shown.
            raise TemporaryFailure(f"network or server error: {error.message}") from None
        except TelegramError as error:  # InvalidToken, Conflict, ...: configuration, not the row
            raise TemporaryFailure(f"Telegram error: {type(error).__name__}") from None
        return str(message.message_id)
