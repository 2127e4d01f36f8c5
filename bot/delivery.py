"""The outbox worker: delivers every queued message once, within each channel's limits.

Telegram allows about 30 messages a second overall and about one a second per chat; the
worker keeps under both itself (PTB's AIORateLimiter does not limit per private chat).
Temporary failures (network, 5xx, 429) are retried with backoff, honouring retry_after;
permanent ones (the person blocked the bot) and exhausted retries mark the row failed,
which the staff dashboard shows.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from storage.delivery import DeliveryStore, Item
from storage.health import write_failure
from storage.models import utcnow

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Try again later; `retry_after` (seconds) when the server said how long to wait."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """Sending again cannot help (blocked, chat not found, bad address)."""


class MayHaveArrived(PermanentFailure):
    """The send may have reached the person (timed out, connection lost after sending):
    never sent again; staff are asked to check with the person before sending another."""


class Sender(Protocol):
    async def send(self, item: Item, progress: Callable[[str], object]) -> str | None:
        """Deliver the item; return the channel's message id, if any.

        `progress(marker)` may be awaited after each part of a long message, so a retry
        resumes after the parts already delivered.
        """
        ...


@dataclass
class Limits:
    per_second: float = 29.5  # overall, a little under Telegram's ~30/s (and PTB's 30/s)
    per_chat_interval: float = 1.0  # seconds between two messages to one chat
    concurrency: int = 8  # sends in flight at once
    max_attempts: int = 8
    lease: timedelta = timedelta(minutes=2)
    idle_poll: float = 0.5  # seconds between looks at an empty outbox


RECOVERY_INTERVAL = 30.0  # seconds between looks for rows left by a dead sender


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds to wait: the server's retry_after if given, else exponential with jitter."""
    if retry_after is not None:
        return retry_after + 0.1
    return min(300.0, 2.0 ** min(attempts, 8)) * random.uniform(0.8, 1.2)


@dataclass
class DeliveryWorker:
    store: DeliveryStore
    senders: Mapping[str, Sender]
    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], datetime] = utcnow
    # Channels nothing here can send, with why (no mail server): rows become staff tasks.
    unsendable: Mapping[str, str] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    _last_sent: dict[str, float] = field(default_factory=dict)
    _next_slot: float = 0.0

    def notify(self) -> None:
        """Something was queued: look now instead of at the next poll."""
        self.wake.set()

    async def recover(self) -> None:
        """Rows whose sender died mid-send (claim expired): uncertain, for staff to check."""
        recovered = await self.store.recover(now=self.clock(), lease=self.limits.lease)
        if recovered:
            log.warning("%d message(s) were interrupted mid-send; marked for staff", recovered)
        for channel, reason in self.unsendable.items():
            handed = await self.store.hand_over(channel, reason=reason)
            if handed:
                log.warning("%d %s message(s) listed for staff: %s", handed, channel, reason)

    async def run(self, stop: asyncio.Event) -> None:
        """Keep up to `concurrency` sends in flight, claiming again as soon as one ends
        (not batch-then-wait, which lost the commits and the claim between batches)."""
        flying: dict[asyncio.Task[None], str] = {}  # send in flight -> its chat
        next_recovery = 0.0
        while not stop.is_set():
            claimed = 0
            try:
                # Not only at start: a process restarted within the lease, or another
                # worker that died, leaves rows whose claim runs out later. Only with
                # nothing of ours in flight, so none of our own sends is taken for dead.
                if time.monotonic() >= next_recovery and not flying:
                    await self.recover()
                    next_recovery = time.monotonic() + RECOVERY_INTERVAL
                free = self.limits.concurrency - len(flying)
                if free > 0 and time.monotonic() < next_recovery:
                    claimed = await self._start(free, flying)
            except Exception as error:  # a database hiccup must not end delivery for good
                if not write_failure(error):  # a full disk is logged once, by storage
                    log.exception("outbox delivery round failed; trying again shortly")
            if claimed and len(flying) < self.limits.concurrency:
                continue  # more may be due now: claim until the slots are full or none is
            await self._wait(stop, flying)
        if flying:
            await asyncio.gather(*list(flying), return_exceptions=True)

    async def _start(self, free: int, flying: dict[asyncio.Task[None], str]) -> int:
        """Claim up to `free` rows and start their sends; returns how many were claimed.

        A chat with a send in flight counts as busy here too, not only through its row's
        `sending` state: that send may end and commit while this claim waits for the
        database, and its chat's next message must still wait its interval."""
        items = await self.store.claim(
            frozenset(self.senders),
            now=self.clock(),
            lease=self.limits.lease,
            limit=free,
            busy=self._busy() | frozenset(flying.values()),
        )
        for item in items:
            task = asyncio.create_task(self._deliver(item))
            flying[task] = f"{item.channel}:{item.address}"
            task.add_done_callback(lambda done: flying.pop(done, None))
        return len(items)

    async def _wait(self, stop: asyncio.Event, flying: dict[asyncio.Task[None], str]) -> None:
        """Until a send ends (a slot frees), something is queued, a busy chat frees up, or
        the idle poll; returns at once when stopping."""
        self.wake.clear()
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
        await asyncio.wait(
            [*waiters, *flying], timeout=self._idle(), return_when=asyncio.FIRST_COMPLETED
        )
        for waiter in waiters:
            waiter.cancel()

    def _idle(self) -> float:
        """Wake when the next busy chat frees up, or at the idle poll."""
        now = time.monotonic()
        soonest = min(
            (last + self.limits.per_chat_interval - now for last in self._last_sent.values()),
            default=self.limits.idle_poll,
        )
        return max(0.02, min(self.limits.idle_poll, soonest))

    def _busy(self) -> frozenset[str]:
        now = time.monotonic()
        interval = self.limits.per_chat_interval
        for chat in [c for c, last in self._last_sent.items() if now - last >= interval]:
            del self._last_sent[chat]
        return frozenset(self._last_sent)

    async def drain_once(self) -> int:
        """Claim one batch and send it all (tests step the worker with this); returns how
        many were claimed."""
        items = await self.store.claim(
            frozenset(self.senders),
            now=self.clock(),
            lease=self.limits.lease,
            limit=self.limits.concurrency,
            busy=self._busy(),
        )
        if items:
            await asyncio.gather(*(self._deliver(item) for item in items))
        return len(items)

    async def _pace(self, chat: str) -> None:
        """Keep the overall rate; reserve the chat's slot before the send starts."""
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1.0 / self.limits.per_second
        self._last_sent[chat] = slot
        if slot > now:
            await asyncio.sleep(slot - now)

    async def _deliver(self, item: Item) -> None:
        chat = f"{item.channel}:{item.address}"
        await self._pace(chat)
        sender = self.senders[item.channel]

        async def progress(marker: str) -> None:
            await self.store.progress(item.id, marker)

        try:
            external_id = await sender.send(item, progress)
        except TemporaryFailure as failure:
            self._sent_now(chat)
            if item.attempts >= self.limits.max_attempts:
                log.warning(
                    "outbox %s failed after %d attempts: %s", item.id, item.attempts, failure
                )
                await self.store.failed(item.id, error=f"gave up: {failure}")
                return
            wait = backoff(item.attempts, failure.retry_after)
            log.info("outbox %s: %s; retrying in %.1fs", item.id, failure, wait)
            if failure.retry_after:
                self._last_sent[chat] = time.monotonic() + failure.retry_after
            await self.store.retry(
                item.id, at=self.clock() + timedelta(seconds=wait), error=str(failure)
            )
        except MayHaveArrived as doubt:
            self._sent_now(chat)
            log.warning("outbox %s may have arrived: %s", item.id, doubt)
            await self.store.uncertain(item.id, error=str(doubt))
        except PermanentFailure as failure:
            self._sent_now(chat)
            log.warning("outbox %s cannot be delivered: %s", item.id, failure)
            await self.store.failed(item.id, error=str(failure))
        except Exception as error:  # an unexpected bug in a sender: keep it visible, not lost
            log.exception("outbox %s: unexpected error", item.id)
            await self.store.failed(item.id, error=f"unexpected error: {type(error).__name__}")
        else:
            self._sent_now(chat)
            await self.store.sent(item.id, now=self.clock(), external_id=external_id)

    def _sent_now(self, chat: str) -> None:
        """Space a chat's next message from when this send ended, not when it was reserved:
        a send held up (by a 429 pause, a slow network) must not bunch up with the next."""
        self._last_sent[chat] = max(self._last_sent.get(chat, 0.0), time.monotonic())
