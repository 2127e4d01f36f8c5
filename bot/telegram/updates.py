"""Updates of different chats side by side; one chat's updates one at a time, in order.

PTB's `concurrent_updates(False)` serialises every chat behind every other; with it one
slow turn (three Bot API round trips and a database write) held up everybody. A person's
answers must still reach the dialogue in the order they were sent, so each chat has a lock:
asyncio locks wake their waiters first come, first served, and updates start in the order
Telegram delivered them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 256  # chats in progress at once; more wait their turn


class ChatLocks:
    """One FIFO lock per chat, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[object, asyncio.Lock] = {}

    @asynccontextmanager
    async def hold(self, update: object) -> AsyncIterator[None]:
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


def chat_key(update: object) -> object:
    """The chat an update belongs to (updates without one share a single queue)."""
    chat = update.effective_chat if isinstance(update, Update) else None
    return chat.id if chat is not None else None


class PerChat(BaseUpdateProcessor):
    """The Application's update processor: concurrent across chats, serial within one."""

    def __init__(self, locks: ChatLocks | None = None) -> None:
        super().__init__(max_concurrent_updates=MAX_CONCURRENT_UPDATES)
        self.locks = locks or ChatLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self.locks.hold(update):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""
