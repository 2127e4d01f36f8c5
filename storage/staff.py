"""Staff accounts: roles, argon2id passwords, optional TOTP, login throttling.

Hashing is deliberately slow, so it runs in a worker thread and never blocks the event loop.
Roles are the procedure's handler roles plus "admin" (accounts and the audit log).

Passwords (ASVS 5.0 V6.2): at least 12 characters, up to 128, and not common or guessable:
zxcvbn (offline, with its bundled lists of common passwords, names and words, plus the
person's own email and name) must rate them 3 or more out of 4.

Sign-in throttling (ASVS V6.3.1, V6.1.1; OWASP's device cookies): progressive delays, not
a lockout. Every attempt is counted before the password is checked, with its keys' rows
locked in one transaction (storage/throttle.py), so parallel guesses queue and cannot slip
through. Each key lets its first attempts go at once, then each next one waits twice as
long as the one before (1 s, 2 s, 4 s ... up to 15 minutes), and a day without attempts
forgets them. Attempts told to wait are not counted, and no password is checked for them.
  - 5 at once per account from one address (the pair); a sign-in clears it;
  - 20 at once per account from all addresses together, and 100 per address over all
    accounts, so a shared office proxy slows a sprayer down without blocking the office;
  - a browser showing a device token this account signed in with before counts only
    against that token (10 at once), so neither a stranger's guesses at the account nor
    another's from the same proxy keep its owner out; nor, with the delay capped, is a
    person on a new device ever locked out for good; an admin can also clear the delays.
Password changes are limited to 5 tries of the current password in 15 minutes.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import re
import secrets
import struct
from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from procedures.model import Procedure
from storage import throttle
from storage.db import reading
from storage.errors import InvalidInput, NotFound
from storage.models import AuditEvent, StaffSession, StaffUser, Throttle
from storage.views import StaffView

ADMIN = "admin"
MIN_PASSWORD = 12
MAX_PASSWORD = 128
MIN_STRENGTH = 3  # zxcvbn's "safely unguessable" (0-4)
# Sign-in attempts let through at once, before the delays start (see the docstring).
MAX_FAILURES = 5  # per account and address: the limit most people meet
MAX_PER_ACCOUNT = 20  # per account, from addresses without this account's device token
MAX_PER_DEVICE = 10
MAX_PER_ADDRESS = 100
LONGEST_WAIT = timedelta(minutes=15)
FORGET_ATTEMPTS = timedelta(days=1)
MAX_PASSWORD_CHANGES = 5
THROTTLE_WINDOW = timedelta(minutes=15)
TOTP_STEP = 30
TOTP_DIGITS = 6

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so both cases take the same time.

    Made on first use, not at import: an argon2 hash costs start-up time and memory.
    """
    return _hasher.hash(secrets.token_urlsafe(16))


class LoginRefused(Exception):
    """Wrong email, password or code, or a disabled account (one answer for all, on purpose)."""


class Throttled(Exception):
    """Too many attempts for this account or from this address: wait `retry_after` seconds."""

    def __init__(self, email: str, retry_after: float = THROTTLE_WINDOW.total_seconds()) -> None:
        super().__init__(email)
        self.retry_after = retry_after


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


def role_labels(procedure: Procedure) -> dict[str, str]:
    """A name to read for every role id ("line_manager" -> "Line manager (stage 2)"): pages
    show these, forms still send the ids."""
    stages: dict[str, list[str]] = {}
    for stage in procedure.stages:
        for role in (stage.handler.role, stage.handler.alternative_role):
            if role:
                stages.setdefault(role, []).append(str(stage.number))
    labels = {
        role: f"{_words(role)} ({'stages' if len(numbers) > 1 else 'stage'} {', '.join(numbers)})"
        for role, numbers in stages.items()
    }
    labels[ADMIN] = "Administrator (accounts and audit log)"
    return labels


def _words(role: str) -> str:
    # Short parts without vowels are initials: "smt" is the SMT.
    parts = [p.upper() if len(p) <= 3 and not set(p) & set("aeiou") else p for p in role.split("_")]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_roles(procedure: Procedure, roles: Iterable[str]) -> list[str]:
    allowed = procedure_roles(procedure)
    chosen = list(dict.fromkeys(r.strip() for r in roles if r.strip()))
    unknown = [r for r in chosen if r not in allowed]
    if unknown:
        raise InvalidInput(f"Unknown role {unknown[0]!r}: choose from {', '.join(allowed)}.")
    if not chosen:
        raise InvalidInput("Give at least one role.")
    return chosen


def check_password(password: str, *personal: str) -> None:
    """Long enough and not common or guessable (zxcvbn, offline); `personal`: the account's
    email and name, which a password must not be built from."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"The password must have at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"The password must have at most {MAX_PASSWORD} characters.")
    words = [*personal, *(w for p in personal for w in re.split(r"[\s@._-]+", p) if w)]
    from zxcvbn import zxcvbn  # its word lists load on the first password, not at start

    result = zxcvbn(password, user_inputs=words)
    if result["score"] < MIN_STRENGTH:
        hint = result["feedback"].get("warning") or "it is too easy to guess"
        raise InvalidInput(
            f"choose a password that is harder to guess ({hint.rstrip('.').lower()}): "
            "a few unrelated words work well"
        )


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
    return totp_step(secret, code, at) is not None


def totp_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step the code belongs to (one either side of now), or None."""
    code = code.strip().replace(" ", "")
    now_step = int(at.timestamp()) // TOTP_STEP
    for offset in (-1, 0, 1):
        if hmac.compare_digest(totp_code(secret, at, offset=offset), code):
            return now_step + offset
    return None


async def use_totp_step(session: AsyncSession, staff_id: int, step: int) -> bool:
    """Claim a code's time step for the account, once: a code seen before (or an older one)
    is refused, even by two requests at the same moment (one conditional UPDATE)."""
    claimed = await session.execute(
        update(StaffUser)
        .where(
            StaffUser.id == staff_id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


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
        aliases=tuple(row.aliases or ()),
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
        aliases: Iterable[str] = (),
    ) -> StaffView:
        """A new active account. `only_if_none`: first-run setup, refused once any exists."""
        email = normalise_email(email)
        if "@" not in email or len(email) > 320:
            raise InvalidInput("Give a valid email address.")
        if not name.strip():
            raise InvalidInput("Give the person's name.")
        chosen = check_roles(self.procedure, roles)
        check_password(password, email, name)
        hashed = await hash_password(password)
        async with self.sessions() as session, session.begin():
            if only_if_none and await session.scalar(select(func.count(StaffUser.id))):
                raise InvalidInput("The first account has already been created.")
            if await session.scalar(select(StaffUser.id).where(StaffUser.email == email)):
                raise InvalidInput(f"There is already an account for {email}.")
            row = StaffUser(
                email=email,
                name=name.strip(),
                password_hash=hashed,
                roles=chosen,
                aliases=clean_aliases(aliases),
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

    async def set_aliases(
        self, staff_id: int, aliases: Iterable[str], *, now: datetime, by: int | None
    ) -> None:
        """Other names the person goes by: complaints naming them are hidden from them."""
        async with self.sessions() as session, session.begin():
            row = await self._row(session, staff_id)
            row.aliases = clean_aliases(aliases)
            audit(session, "staff_aliases", by, now, f"account {staff_id}")

    async def clear_sign_in_delays(self, staff_id: int, *, now: datetime, by: int | None) -> None:
        """An admin's way in for a person whose account guesses have slowed down: the
        account's own delays go (an address's stay: they slow a sprayer, not one account)."""
        async with self.sessions() as session, session.begin():
            email = (await self._row(session, staff_id)).email
            await session.execute(
                delete(Throttle).where(
                    or_(
                        Throttle.key == f"login:account:{email}",
                        Throttle.key.startswith(f"login:pair:{email}|", autoescape=True),
                    )
                )
            )
            audit(session, "sign_in_delays_cleared", by, now, f"account {staff_id}")

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

        `current` is checked when given (a person changing their own password), at most
        MAX_PASSWORD_CHANGES times in 15 minutes, counted before checking."""
        async with self.sessions() as session:
            row = await self._row(session, staff_id)
            stored, email, name = row.password_hash, row.email, row.name
        if current is not None:
            key = f"password:{staff_id}"
            tries = await throttle.hit(self.sessions, key, window=THROTTLE_WINDOW, now=now)
            if tries > MAX_PASSWORD_CHANGES:
                raise Throttled(email)
            if not await verify_password(stored, current):
                raise InvalidInput("The current password is not right.")
        check_password(new, email, name)
        hashed = await hash_password(new)
        async with self.sessions() as session, session.begin():
            row = await self._row(session, staff_id)
            row.password_hash = hashed
            await session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))
            audit(session, "password_change", by, now, f"account {staff_id}")

    async def set_totp(
        self, staff_id: int, secret: str, code: str, *, now: datetime, by: int | None
    ) -> None:
        """Turn TOTP on with a new secret, proved by a current code from it."""
        step = totp_step(secret, code, now) if len(secret) == 32 else None
        if step is None:
            raise InvalidInput("That code is not right. Try again.")
        async with self.sessions() as session, session.begin():
            row = await self._row(session, staff_id)
            row.totp_secret = secret
            row.totp_last_step = step
            audit(session, "totp_on", by, now, f"account {staff_id}")

    async def totp_off(
        self, staff_id: int, password: str, code: str, *, now: datetime, by: int | None
    ) -> None:
        """Turning TOTP off needs the password and a current code, not only a session;
        wrong tries count against the password-change limit."""
        async with self.sessions() as session:
            row = await self._row(session, staff_id)
            stored, secret, email = row.password_hash, row.totp_secret, row.email
        if not secret:
            return
        key = f"password:{staff_id}"
        if await throttle.hit(self.sessions, key, window=THROTTLE_WINDOW, now=now) > (
            MAX_PASSWORD_CHANGES
        ):
            raise Throttled(email)
        step = totp_step(secret, code, now)
        if not await verify_password(stored, password) or step is None:
            raise InvalidInput("The password or the code is not right.")
        async with self.sessions() as session, session.begin():
            if not await use_totp_step(session, staff_id, step):
                raise InvalidInput("That code was used already: wait for the next one.")
            row = await self._row(session, staff_id)
            row.totp_secret = None
            row.totp_last_step = None
            audit(session, "totp_off", by, now, f"account {staff_id}")

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
            raise InvalidInput("Keep at least one active admin account.")

    # -- signing in ------------------------------------------------------------------------

    async def authenticate(
        self,
        email: str,
        password: str,
        code: str,
        *,
        address: str,
        now: datetime,
        device: str | None = None,
    ) -> StaffView:
        """The account, if email, password (and code, when TOTP is on) are right.

        `device`: the token of a browser this account signed in with before (checked by the
        caller), which lifts the account-wide limit for it. Every attempt is counted first,
        atomically; see the module's docstring for the limits.
        """
        email = normalise_email(email)[:320]
        address = address[:64]
        pair = f"login:pair:{email}|{address}"
        if device:  # the owner's own browser: only its own count (OWASP's device cookies)
            free = {f"login:device:{email}|{device[:64]}": MAX_PER_DEVICE}
        else:
            free = {
                pair: MAX_FAILURES,
                f"login:account:{email}": MAX_PER_ACCOUNT,
                f"login:addr:{address}": MAX_PER_ADDRESS,
            }
        async with self.sessions() as session, session.begin():
            waits = [
                await throttle.wait_in(
                    session, key, free=n, cap=LONGEST_WAIT, forget=FORGET_ATTEMPTS, now=now
                )
                for key, n in free.items()
            ]
            if max(waits) == 0:
                for key in free:
                    await throttle.take_in(session, key, now=now)
        if max(waits) > 0:
            raise Throttled(email, max(waits))
        async with self.sessions() as session:
            row = await session.scalar(select(StaffUser).where(StaffUser.email == email))
        good = await verify_password(row.password_hash if row else _dummy_hash(), password)
        step = None
        if good and row is not None and row.totp_secret:
            step = totp_step(row.totp_secret, code, now)
            good = step is not None
        async with self.sessions() as session, session.begin():
            if good and row is not None and step is not None:
                good = await use_totp_step(session, row.id, step)  # a code works once
            if not good or row is None or not row.active:
                audit(session, "login_failed", row.id if row else None, now)
                refused = True
            else:
                audit(session, "login", row.id, now)
                refused = False
        if refused or row is None:
            raise LoginRefused(email)
        # Attempts that ended in success do not count against this person's own browser.
        await throttle.clear(self.sessions, pair, *(k for k in free if ":device:" in k))
        return staff_view(row)


def clean_aliases(aliases: Iterable[str]) -> list[str]:
    """Distinct non-empty names, each at most 200 characters, at most 20."""
    seen = list(dict.fromkeys(" ".join(a.split())[:200] for a in aliases if a.strip()))
    return seen[:20]
