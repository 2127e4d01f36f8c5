"""Sign-in throttling as ASVS asks (issue 15, point 8), over HTTP: failures add growing
delays per account and per address (never a lockout), the owner always has a way in, and one
office proxy does not block everyone behind it. Time only moves on the injected clock; the
answers are checked by their words and their Retry-After header."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from server import create_app
from storage import staff as staff_module
from storage.models import AuditEvent
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.admin.helpers import PASSWORD, add_staff, csrf_of
from tests.conftest import FakeClock

OWNER = "coord@example.org"


@dataclass
class Answer:
    status: int
    text: str
    retry_after: int | None


@dataclass
class Browser:
    """One browser (its own cookies) at one address, behind the trusted proxy."""

    session: aiohttp.ClientSession
    base: str
    address: str

    async def sign_in(self, email: str = OWNER, password: str = PASSWORD) -> Answer:
        page = await self.session.get(f"{self.base}/staff/login")
        data = {
            "email": email,
            "password": password,
            "code": "",
            "csrf": csrf_of(await page.text()),
        }
        async with self.session.post(
            f"{self.base}/staff/login",
            data=data,
            headers={"X-Forwarded-For": self.address},
            allow_redirects=False,
        ) as response:
            header = response.headers.get("Retry-After")
            return Answer(response.status, await response.text(), int(header) if header else None)

    def sign_out_here(self) -> None:
        """Forget the session, keep the device cookie (as closing the browser does)."""
        self.session.cookie_jar.clear(lambda cookie: cookie.key == "staff_session")


NewBrowser = Callable[[str], Awaitable[Browser]]


@pytest.fixture
async def browsers(
    db_url: str, settings: Settings, clock: FakeClock
) -> AsyncIterator[tuple[Storage, NewBrowser]]:
    storage = await open_storage(
        replace(settings, database_url=db_url, trusted_proxies=("127.0.0.1/32",)),
        run_migrations=False,
        clock=clock,
    )
    server = TestServer(create_app(storage))
    await server.start_server()
    sessions: list[aiohttp.ClientSession] = []

    async def new(address: str) -> Browser:
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(session)
        return Browser(session, str(server.make_url("")).rstrip("/"), address)

    yield storage, new
    for session in sessions:
        await session.close()
    await server.close()
    await storage.close()


def throttled(answer: Answer) -> int:
    """The wait a refused attempt names, after checking it is said in words too."""
    assert answer.status == 429, answer.status
    assert "Wait" in answer.text and answer.retry_after is not None
    return answer.retry_after


async def test_each_failure_makes_the_next_attempt_wait_longer(
    browsers: tuple[Storage, NewBrowser], clock: FakeClock
) -> None:
    storage, new = browsers
    await add_staff(storage, OWNER, ["manager"])
    guesser = await new("203.0.113.66")
    for _ in range(staff_module.MAX_FAILURES):
        assert (await guesser.sign_in(password="a wrong guess")).status == 401
    waits = []
    for _ in range(4):
        wait = throttled(await guesser.sign_in(password="a wrong guess"))
        waits.append(wait)
        clock.advance(seconds=wait)
        assert (await guesser.sign_in(password="a wrong guess")).status == 401
    assert waits == sorted(waits) and waits[0] < waits[-1]  # growing, not fixed
    # Told to wait, even the right password is not checked; after the wait it works.
    wait = throttled(await guesser.sign_in())
    clock.advance(seconds=wait)
    assert (await guesser.sign_in()).status == 303


async def test_a_stranger_elsewhere_never_locks_the_owner_out(
    browsers: tuple[Storage, NewBrowser], clock: FakeClock
) -> None:
    storage, new = browsers
    owner = await add_staff(storage, OWNER, ["manager"])
    await add_staff(storage, "admin@example.org", ["admin"])
    usual = await new("198.51.100.7")  # the owner's own browser, signed in before
    assert (await usual.sign_in()).status == 303
    usual.sign_out_here()
    # Guesses from many addresses, each waiting out every delay it is told.
    waits = []
    for n in range(staff_module.MAX_PER_ACCOUNT + 12):
        stranger = await new(f"192.0.2.{n}")
        answer = await stranger.sign_in(password="a wrong guess")
        if answer.status == 429:
            waits.append(throttled(answer))
            clock.advance(seconds=waits[-1])
            answer = await stranger.sign_in(password="a wrong guess")
        assert answer.status == 401
    # The account-wide delay grew with each guess let through, up to its cap and no more.
    assert waits == sorted(waits) and waits[0] < waits[-1]
    assert waits[-1] == staff_module.LONGEST_WAIT.total_seconds()
    # The owner on a new phone is asked to wait a bounded time, not locked out...
    phone = await new("198.51.100.8")
    throttled(await phone.sign_in())
    # ...their usual browser gets in at once...
    assert (await usual.sign_in()).status == 303
    # ...and an admin can let them in from anywhere now.
    admin = await new("198.51.100.9")
    assert (await admin.sign_in("admin@example.org")).status == 303
    page = await admin.session.get(f"{admin.base}/staff/accounts")
    html = await page.text()
    assert "sign in now" in html
    cleared = await admin.session.post(
        f"{admin.base}/staff/accounts/{owner.id}/delays",
        data={"csrf": csrf_of(html)},
        allow_redirects=False,
    )
    assert cleared.status == 303
    assert (await phone.sign_in()).status == 303
    async with storage.sessions() as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert "sign_in_delays_cleared" in actions


async def test_one_proxy_does_not_block_everyone_behind_it(
    browsers: tuple[Storage, NewBrowser], clock: FakeClock
) -> None:
    storage, new = browsers
    office = "192.0.2.1"  # every browser in the office comes through this one address
    await add_staff(storage, OWNER, ["manager"])
    await add_staff(storage, "new.starter@example.org", ["manager"])
    colleague = await new(office)
    assert (await colleague.sign_in()).status == 303
    colleague.sign_out_here()
    sprayer = await new(office)
    # With the colleague's first sign-in, the address's free attempts are used up.
    for n in range(staff_module.MAX_PER_ADDRESS - 1):  # one guess at each of many accounts
        answer = await sprayer.sign_in(f"person{n}@example.org", "a wrong guess")
        assert answer.status == 401
    throttled(await sprayer.sign_in("person-next@example.org", "a wrong guess"))
    # The colleague's browser, known to their account, is not held up by the address...
    assert (await colleague.sign_in()).status == 303
    # ...and someone new in the office waits a moment, then gets in: a delay, not a block.
    starter = await new(office)
    wait = throttled(await starter.sign_in("new.starter@example.org"))
    clock.advance(seconds=wait)
    assert (await starter.sign_in("new.starter@example.org")).status == 303
