"""Accounts and sessions to ASVS 5.0 level 2 (issue 15, points 5-9): throttling that holds
under parallel guesses, one use per TOTP code, no common passwords, no lockout by strangers,
limited password changes."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from storage import staff as staff_module
from storage.errors import InvalidInput
from storage.models import StaffSession, StaffUser
from storage.runtime import Storage
from storage.staff import LoginRefused, StaffDirectory, Throttled, totp_code
from tests.admin.helpers import PASSWORD, add_staff, login, token
from tests.conftest import FakeClock

SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def directory_of(storage: Storage) -> StaffDirectory:
    return StaffDirectory(storage.sessions, storage.procedure)


async def test_thirty_parallel_guesses_check_at_most_five_passwords(
    storage: Storage, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator"])
    checked = 0
    real = staff_module.verify_password

    async def counting(stored: str, password: str) -> bool:
        nonlocal checked
        checked += 1
        return await real(stored, password)

    monkeypatch.setattr(staff_module, "verify_password", counting)
    answers = await asyncio.gather(
        *(login(client, "coord@example.org", f"guess number {n} here") for n in range(30))
    )
    assert checked <= staff_module.MAX_FAILURES
    assert answers.count(429) >= 30 - staff_module.MAX_FAILURES
    assert await login(client, "coord@example.org") == 429  # the right password, too late


async def test_a_totp_code_works_once_and_turning_it_off_needs_password_and_code(
    storage: Storage, client: TestClient, clock: FakeClock
) -> None:
    me = await add_staff(storage, "coord@example.org", ["coordinator"])
    directory = directory_of(storage)
    await directory.set_totp(me.id, SECRET, totp_code(SECRET, clock()), now=clock(), by=me.id)
    clock.advance(seconds=90)
    code = totp_code(SECRET, clock())
    assert await login(client, "coord@example.org", code=code) == 303
    assert await login(client, "coord@example.org", code=code) == 401  # replayed
    # A session alone cannot turn it off.
    form = {"csrf": await token(client, "/staff/account")}
    assert (await client.post("/staff/account/totp/off", data=form)).status == 400
    assert (await directory.get(me.id)).totp
    clock.advance(seconds=30)
    wrong = {**form, "password": "not my password at all", "code": totp_code(SECRET, clock())}
    assert (await client.post("/staff/account/totp/off", data=wrong)).status == 400
    right = {**form, "password": PASSWORD, "code": totp_code(SECRET, clock())}
    off = await client.post("/staff/account/totp/off", data=right, allow_redirects=False)
    assert off.status == 303
    assert not (await directory.get(me.id)).totp


@pytest.mark.parametrize(
    "password", ["passwordpassword", "123456789012", "qwertyuiopasdf", "coord@example.org1"]
)
async def test_common_and_guessable_passwords_are_refused(
    storage: Storage, client: TestClient, password: str
) -> None:
    await add_staff(storage, "admin@example.org", ["admin"])
    with pytest.raises(InvalidInput, match="harder to guess"):
        await directory_of(storage).add(
            "coord@example.org", "Coord", password, ["coordinator"], now=storage.clock()
        )
    assert await login(client, "admin@example.org") == 303
    form = {
        "csrf": await token(client, "/staff/accounts"),
        "email": "coord@example.org",
        "name": "Coord",
        "password": password,
        "role": "coordinator",
    }
    refused = await client.post("/staff/accounts", data=form)
    assert refused.status == 400
    assert "harder to guess" in await refused.text()


async def test_a_stranger_cannot_lock_the_owner_out(storage: Storage, clock: FakeClock) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator"])
    directory = directory_of(storage)

    async def attempt(password: str, address: str, device: str | None = None) -> str:
        try:
            await directory.authenticate(
                "coord@example.org", password, "", address=address, now=clock(), device=device
            )
        except Throttled:
            return "throttled"
        except LoginRefused:
            return "refused"
        return "in"

    for _ in range(5):
        assert await attempt("a wrong guess", "203.0.113.66") == "refused"
    assert await attempt(PASSWORD, "203.0.113.66") == "throttled"
    # The owner, at another address, is not locked out by that.
    assert await attempt(PASSWORD, "198.51.100.7") == "in"
    # Guesses spread over many addresses reach the account-wide limit...
    for n in range(staff_module.MAX_PER_ACCOUNT):
        await attempt("a wrong guess", f"192.0.2.{n}")
    assert await attempt(PASSWORD, "198.51.100.8") == "throttled"
    # ...and the owner's own browser (its device token) is still a way in.
    assert await attempt(PASSWORD, "198.51.100.8", device="owner-browser") == "in"
    clock.advance(minutes=16)
    assert await attempt(PASSWORD, "198.51.100.9") == "in"


async def test_one_proxy_does_not_block_everyone_behind_it(
    storage: Storage, clock: FakeClock
) -> None:
    directory = directory_of(storage)
    for n in range(8):
        await add_staff(storage, f"person{n}@example.org", ["coordinator"])
    office = "192.0.2.1"
    for n in range(7):  # seven people mistype once each, all behind the office proxy
        with pytest.raises(LoginRefused):
            await directory.authenticate(
                f"person{n}@example.org", "a mistyped one", "", address=office, now=clock()
            )
    signed = await directory.authenticate(
        "person7@example.org", PASSWORD, "", address=office, now=clock()
    )
    assert signed.email == "person7@example.org"


async def test_the_sign_in_sets_a_device_cookie_that_lifts_the_account_limit(
    storage: Storage, client: TestClient, clock: FakeClock
) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator"])
    assert await login(client, "coord@example.org") == 303
    assert any(c.key == "staff_device" for c in client.session.cookie_jar)
    directory = directory_of(storage)
    for n in range(staff_module.MAX_PER_ACCOUNT):
        with contextlib.suppress(LoginRefused, Throttled):
            await directory.authenticate(
                "coord@example.org", "a wrong guess", "", address=f"192.0.2.{n}", now=clock()
            )
    assert await login(client, "coord@example.org") == 303


async def test_password_changes_are_limited(
    storage: Storage, client: TestClient, clock: FakeClock
) -> None:
    await add_staff(storage, "coord@example.org", ["coordinator"])
    assert await login(client, "coord@example.org") == 303
    new = "a brand new long password"
    for _ in range(staff_module.MAX_PASSWORD_CHANGES):
        form = {"csrf": await token(client, "/staff/account"), "new": new, "new_again": new}
        wrong = await client.post("/staff/account/password", data={**form, "current": "nope"})
        assert wrong.status == 400
    form = {"csrf": await token(client, "/staff/account"), "new": new, "new_again": new}
    late = await client.post("/staff/account/password", data={**form, "current": PASSWORD})
    assert late.status == 429
    clock.advance(minutes=16)
    form = {"csrf": await token(client, "/staff/account"), "new": new, "new_again": new}
    ok = await client.post(
        "/staff/account/password", data={**form, "current": PASSWORD}, allow_redirects=False
    )
    assert ok.status == 303


async def test_passwords_and_sessions_are_stored_only_as_hashes(
    storage: Storage, client: TestClient
) -> None:
    """V11: argon2id for passwords, SHA-256 of the cookie for sessions; neither kept plain."""
    await add_staff(storage, "coord@example.org", ["coordinator"])
    assert await login(client, "coord@example.org") == 303
    cookie = next(c.value for c in client.session.cookie_jar if c.key == "staff_session")
    async with storage.sessions() as session:
        stored = await session.scalar(select(StaffUser.password_hash))
        [session_id] = list(await session.scalars(select(StaffSession.id)))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    assert session_id == hashlib.sha256(cookie.encode()).hexdigest() and cookie != session_id
