"""Whether writes work: a full disk (or database) is noticed once, told once, and forgotten
as soon as a write succeeds again, without a restart.

Every database error passes the engine's `handle_error` hook, so a write that fails for
lack of space is noticed wherever it happened (web, Telegram, outbox, scheduler); the
adapters also report files they could not write. Staff get one log line when writes start
failing and one when they work again, not a traceback per request. `/health` reports the
problem while it lasts: until a write commits, or for HOLD seconds after the last failure
(so that a monitor that takes the process out of service cannot keep it out for ever).

A busy database ("database is locked": SQLite's write lock not had within the busy
timeout; a PostgreSQL lock timeout or deadlock) fails that one write only: the person is
asked to try again the same way, staff get one log line until a write commits, and
/health is not told (the next write may well work).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session

log = logging.getLogger(__name__)

HOLD = 60.0
DISK_FULL = "the disk or the database is full"
READ_ONLY = "the database or data folder is read-only"
# SQLite result codes, PostgreSQL SQLSTATEs and errno values that mean "no write can work".
_SQLITE = {sqlite3.SQLITE_FULL: DISK_FULL, sqlite3.SQLITE_READONLY: READ_ONLY}
_SQLSTATE = {"53100": DISK_FULL, "25006": READ_ONLY}
_ERRNO = {errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EROFS: READ_ONLY}
_BUSY_SQLITE = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_BUSY_SQLSTATE = {"55P03", "40P01"}  # lock_not_available, deadlock_detected


def _causes(error: BaseException | None) -> list[BaseException]:
    """`error` and what caused it: the driver's error behind SQLAlchemy's, and so on."""
    seen: list[BaseException] = []
    while error is not None and all(error is not s for s in seen):
        seen.append(error)
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
    return seen


def write_failure(error: BaseException | None) -> str:
    """Why no write can work, if `error` (or what caused it) says so; else ""."""
    for cause in _causes(error):
        code = getattr(cause, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _SQLITE:
            return _SQLITE[code & 0xFF]
        if (state := getattr(cause, "sqlstate", None)) in _SQLSTATE:
            return _SQLSTATE[str(state)]
        if isinstance(cause, OSError) and cause.errno in _ERRNO:
            return _ERRNO[cause.errno]
    return ""


def busy(error: BaseException | None) -> bool:
    """Whether `error` is a write that waited too long for a lock: worth trying again."""
    for cause in _causes(error):
        code = getattr(cause, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _BUSY_SQLITE:
            return True
        if getattr(cause, "sqlstate", None) in _BUSY_SQLSTATE:
            return True
    return False


class WriteHealth:
    """The process's view of whether writes work."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.reason = ""
        self.failures = 0
        self.busy = 0  # writes that found the database busy since the last commit
        self._last = 0.0

    def noticed(self, error: BaseException | None) -> bool:
        """Record `error` if it means writes fail, or the database was busy; True if so."""
        reason = write_failure(error)
        if not reason:
            return self._busy(error)
        if not self.reason:
            log.error(
                "writes are failing: %s. People are asked to try again in a few minutes and "
                "keep what they typed; free some space (or make it writable) and it recovers "
                "by itself, no restart needed",
                reason,
            )
        self.reason, self._last = reason, self.clock()
        self.failures += 1
        return True

    def _busy(self, error: BaseException | None) -> bool:
        if not busy(error):
            return False
        if not self.busy:
            log.warning(
                "a write waited too long for the database's lock and was not saved (a "
                "person sending it is asked to try again): something holds the lock long, "
                "bulk work or another process"
            )
        self.busy += 1
        return True

    def wrote(self) -> None:
        """A write committed: writes work (again)."""
        self.busy = 0
        if self.reason:
            log.warning("writes work again, after %d failed", self.failures)
        self.reason, self.failures = "", 0

    def problem(self) -> str:
        """The reason writes fail, for /health; "" when they work (or no news for HOLD s)."""
        if self.reason and self.clock() - self._last < HOLD:
            return f"writes are failing: {self.reason}"
        return ""


_WROTE = "health:wrote"


def watch(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], health: WriteHealth
) -> None:
    """Tell `health` about every failed database call and every committed write."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def failed(context: ExceptionContext) -> None:
        health.noticed(context.original_exception)

    session_class: type[Session] = type("WatchedSession", (Session,), {})
    sessions.configure(sync_session_class=session_class)

    @event.listens_for(session_class, "after_flush")
    def flushed(session: Session, _context: Any) -> None:
        session.info[_WROTE] = True

    @event.listens_for(session_class, "do_orm_execute")
    def executed(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            state.session.info[_WROTE] = True

    @event.listens_for(session_class, "after_commit")
    def committed(session: Session) -> None:
        if session.info.pop(_WROTE, False):
            health.wrote()

    @event.listens_for(session_class, "after_rollback")
    def rolled_back(session: Session) -> None:
        session.info.pop(_WROTE, None)
