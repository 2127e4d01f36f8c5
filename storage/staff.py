"""Staff accounts: roles, argon2id passwords, optional TOTP, login throttling.

Hashing is deliberately slow, so it runs in a worker thread and never blocks the event loop.
Roles are the procedure's handler roles plus "admin" (accounts and the audit log).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import struct
from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from procedures.model import Procedure
from storage.db import reading
from storage.errors import InvalidInput, NotFound
from storage.models import AuditEvent, LoginAttempt, StaffSession, StaffUser
from storage.views import StaffView

ADMIN = "admin"
MIN_PASSWORD = 12
MAX_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)
TOTP_STEP = 30
TOTP_DIGITS = 6

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the account does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginRefused(Exception):
    """Wrong email, password or code, or a disabled account (one answer for all, on purpose)."""


class Throttled(Exception):
    """Too many failed attempts for this account or from this address in the last 15 minutes."""


def procedure_roles(procedure: Procedure) -> tuple[str, ...]:
    """Every handler role of the procedure (and alternatives, and the roles investigated
    from outside, such as CAST's director), then "admin"."""
    roles: list[str] = []
    for stage in procedure.stages:
        for role in (
            stage.handler.role,
            stage.handler.alternative_role,
            stage.external_investigator_for,
        ):
            if role and role not in roles:
                roles.append(role)
    return (*roles, ADMIN)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_roles(procedure: Procedure, roles: Iterable[str]) -> list[str]:
    allowed = procedure_roles(procedure)
    chosen = list(dict.fromkeys(r.strip() for r in roles if r.strip()))
    unknown = [r for r in chosen if r not in allowed]
    if unknown:
        raise InvalidInput(f"unknown role {unknown[0]!r}: choose from {', '.join(allowed)}")
    if not chosen:
        raise InvalidInput("give at least one role")
    return chosen


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password must have at least {MIN_PASSWORD} characters")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(stored: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


# -- TOTP (RFC 6238 with HMAC-SHA1, as every authenticator app expects) --------------------


def new_totp_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def totp_code(secret: str, at: datetime, *, offset: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = int(at.timestamp()) // TOTP_STEP + offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return str(number % 10**TOTP_DIGITS).zfill(TOTP_DIGITS)


def verify_totp(secret: str, code: str, at: datetime) -> bool:
    """One step either side is accepted, for clocks that drift a little."""
    code = code.strip().replace(" ", "")
    return any(hmac.compare_digest(totp_code(secret, at, offset=o), code) for o in (-1, 0, 1))


def totp_uri(secret: str, email: str, issuer: str) -> str:
    from urllib.parse import quote

    label = quote(f"{issuer}:{email}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}"


# -- accounts --------------------------------------------------------------------------------


def staff_view(row: StaffUser) -> StaffView:
    return StaffView(
        id=row.id,
        email=row.email,
        name=row.name,
        roles=tuple(row.roles or ()),
        active=row.active,
        totp=bool(row.totp_secret),
        created_at=row.created_at,
    )


def audit(
    session: AsyncSession, action: str, staff_id: int | None, now: datetime, detail: str = ""
) -> None:
    session.add(
        AuditEvent(at=now, staff_id=staff_id, actor="staff", action=action, detail=detail[:200])
    )


class StaffDirectory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], procedure: Procedure) -> None:
        self.sessions = sessions
        self.procedure = procedure

    async def count(self) -> int:
        async with reading(self.sessions) as session:
            return int(await session.scalar(select(func.count(StaffUser.id))) or 0)

    async def add(
        self,
        email: str,
        name: str,
        password: str,
        roles: Iterable[str],
        *,
        now: datetime,
        by: int | None = None,
        only_if_none: bool = False,
    ) -> StaffView:
        """A new active account. `only_if_none`: first-run setup, refused once any exists."""
        email = normalise_email(email)
        if "@" not in email or len(email) > 320:
            raise InvalidInput("give a valid email address")
        if not name.strip():
            raise InvalidInput("give the person's name")
        chosen = check_roles(self.procedure, roles)
        check_password(password)
        hashed = await hash_password(password)
        async with self.sessions() as session, session.begin():
            if only_if_none and await session.scalar(select(func.count(StaffUser.id))):
                raise InvalidInput("the first account has already been created")
            if await session.scalar(select(StaffUser.id).where(StaffUser.email == email)):
                raise InvalidInput(f"there is already an account for {email}")
            row = StaffUser(
                email=email,
                name=name.strip(),
                password_hash=hashed,
                roles=chosen,
                active=True,
                created_at=now,
            )
            session.add(row)
            await session.flush()
            audit(session, "staff_add", by, now, f"account {row.id} roles {','.join(chosen)}")
            return staff_view(row)

    async def all(self) -> list[StaffView]:
        async with reading(self.sessions) as session:
            rows = await session.scalars(select(StaffUser).order_by(StaffUser.name))
            return [staff_view(r) for r in rows]

    async def get(self, staff_id: int) -> StaffView:
        async with reading(self.sessions) as session:
            row = await session.get(StaffUser, staff_id)
            if row is None:
                raise NotFound(f"no staff account {staff_id}")
            return staff_view(row)

    async def by_email(self, email: str) -> StaffView:
        async with reading(self.sessions) as session:
            row = await session.scalar(
                select(StaffUser).where(StaffUser.email == normalise_email(email))
            )
            if row is None:
                raise NotFound(f"no staff account for {email}")
            return staff_view(row)

    async def set_roles(
        self, staff_id: int, roles: Iterable[str], *, now: datetime, by: int | None
    ) -> None:
        chosen = check_roles(self.procedure, roles)
        async with self.sessions() as session, session.begin():
            row = await self._row(session, staff_id)
            if ADMIN in (row.roles or []) and ADMIN not in chosen:
                await self._keep_one_admin(session, staff_id)
            row.roles = chosen
            audit(session, "staff_roles", by, now, f"account {staff_id} roles {','.join(chosen)}")

    async def set_active(
        self, staff_id: int, active: bool, *, now: datetime, by: int | None
    ) -> None:
        """Disabling an account also ends every session it has."""
        async with self.sessions() as session, session.begin():
            row = await self._row(session, staff_id)
            if not active and ADMIN in (row.roles or []):
                await self._keep_one_admin(session, staff_id)
            row.active = active
            if not active:
                await session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))
            action = "staff_enable" if active else "staff_disable"
            audit(session, action, by, now, f"account {staff_id}")

    async def change_password(
        self, staff_id: int, current: str | None, new: str, *, now: datetime, by: int | None
    ) -> None:
        """Sets a new password and ends every session of the account (the caller logs in again).

        `current` is checked when given (a person changing their own password)."""
        check_password(new)
        hashed = await hash_password(new)
        async with self.sessions() as session:
            row = await self._row(session, staff_id)
            stored = row.password_hash
        if current is not None and not await verify_password(stored, current):
            raise InvalidInput("the current password is not right")
        async with self.sessions() as session, session.begin():
            row = await self._row(session, staff_id)
            row.password_hash = hashed
            await session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))
            audit(session, "password_change", by, now, f"account {staff_id}")

    async def set_totp(
        self, staff_id: int, secret: str | None, *, now: datetime, by: int | None
    ) -> None:
        async with self.sessions() as session, session.begin():
            row = await self._row(session, staff_id)
            row.totp_secret = secret
            audit(session, "totp_on" if secret else "totp_off", by, now, f"account {staff_id}")

    async def _row(self, session: AsyncSession, staff_id: int) -> StaffUser:
        row = await session.get(StaffUser, staff_id)
        if row is None:
            raise NotFound(f"no staff account {staff_id}")
        return row

    async def _keep_one_admin(self, session: AsyncSession, leaving: int) -> None:
        others = await session.scalars(
            select(StaffUser).where(StaffUser.id != leaving, StaffUser.active.is_(True))
        )
        if not any(ADMIN in (o.roles or []) for o in others):
            raise InvalidInput("keep at least one active admin account")

    # -- signing in ------------------------------------------------------------------------

    async def authenticate(
        self, email: str, password: str, code: str, *, address: str, now: datetime
    ) -> StaffView:
        """The account, if email, password (and code, when TOTP is on) are right.

        Failures are recorded; five in 15 minutes for the account or the address refuse
        further tries until the window has passed, whatever is typed.
        """
        email = normalise_email(email)[:320]
        address = address[:64]
        since = now - THROTTLE_WINDOW
        async with self.sessions() as session:
            by_email = await session.scalar(
                select(func.count(LoginAttempt.id)).where(
                    LoginAttempt.at > since, LoginAttempt.email == email
                )
            )
            by_address = await session.scalar(
                select(func.count(LoginAttempt.id)).where(
                    LoginAttempt.at > since, LoginAttempt.address == address
                )
            )
            row = await session.scalar(select(StaffUser).where(StaffUser.email == email))
        if max(by_email or 0, by_address or 0) >= MAX_FAILURES:
            raise Throttled(email)
        good = await verify_password(row.password_hash if row else _DUMMY_HASH, password)
        if good and row is not None and row.totp_secret:
            good = verify_totp(row.totp_secret, code, now)
        if not good or row is None or not row.active:
            async with self.sessions() as session, session.begin():
                session.add(LoginAttempt(email=email, address=address, at=now))
                audit(session, "login_failed", row.id if row else None, now)
            raise LoginRefused(email)
        async with self.sessions() as session, session.begin():
            await session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
            audit(session, "login", row.id, now)
        return staff_view(row)
