"""Server-side staff sessions: the cookie holds a random value, the table only its sha256.

A stolen database copy therefore holds no usable cookie. Sessions end after 30 idle minutes
or 12 hours in all, on logout, and when the password changes or the account is disabled
(those delete every row of the account: see storage/staff.py).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import reading
from storage.models import StaffSession, StaffUser
from storage.staff import staff_view
from storage.views import SignedIn

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
# last_seen_at is written at most once a minute, not on every page.
TOUCH_EVERY = timedelta(minutes=1)


def digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


class WebSessions:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def create(
        self, staff_id: int, *, now: datetime, replacing: str | None = None
    ) -> tuple[str, str]:
        """A new session (cookie value, form token); the one it replaces ends (rotation)."""
        cookie = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        async with self.sessions() as session, session.begin():
            expired = or_(
                StaffSession.last_seen_at < now - IDLE, StaffSession.created_at < now - ABSOLUTE
            )
            await session.execute(delete(StaffSession).where(expired))
            if replacing:
                await session.execute(
                    delete(StaffSession).where(StaffSession.id == digest(replacing))
                )
            session.add(
                StaffSession(
                    id=digest(cookie),
                    staff_id=staff_id,
                    created_at=now,
                    last_seen_at=now,
                    csrf_token=csrf,
                )
            )
        return cookie, csrf

    async def lookup(self, cookie: str, *, now: datetime) -> SignedIn | None:
        """The live session for this cookie, or None (and an expired one is deleted)."""
        if not cookie or len(cookie) > 100:
            return None
        key = digest(cookie)
        # Read without the write lock (every page asks); write only when there is
        # something to write, in its own short transaction.
        async with reading(self.sessions) as session:
            row = await session.get(StaffSession, key)
            if row is None:
                return None
            staff = await session.get(StaffUser, row.staff_id)
        stale = now - row.last_seen_at > IDLE or now - row.created_at > ABSOLUTE
        if stale or staff is None or not staff.active:
            await self.end(cookie)
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            async with self.sessions() as session, session.begin():
                await session.execute(
                    update(StaffSession)
                    .where(StaffSession.id == key, StaffSession.last_seen_at < now)
                    .values(last_seen_at=now)
                )
        return SignedIn(staff_view(staff), row.csrf_token, row.created_at)

    async def end(self, cookie: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(delete(StaffSession).where(StaffSession.id == digest(cookie)))

    async def end_all(self, staff_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))
