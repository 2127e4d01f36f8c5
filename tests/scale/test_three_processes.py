"""Three `complaints serve` processes on one PostgreSQL, behind a round-robin balancer.

They start at the same moment on an empty database; web chat visitors and Telegram webhook
updates are spread across them, one process is killed with SIGKILL in the middle, and then:

- every process came up (the migration lock let exactly one create the schema);
- every answer a 200 acknowledged is in the visitor's complaint, and no complaint is twice;
- every Telegram outbox row reached its chat once, and rows marked sent arrived;
- every scheduler alert reached staff once although every process runs a scheduler loop;
- one Telegram chat's answers were handled in order (its complaint reads as it was typed).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url

from storage.models import StaffUser
from storage.runtime import open_storage
from storage.settings import Settings
from storage.staff import StaffDirectory
from tests.conftest import PG_ENV, PG_URL, _pg_admin, _pg_dsn
from tests.fakes.botapi import FakeBotAPI, FakeUser
from tests.ports import free_port
from tests.processes import tail, wait_up
from tests.scripted import COMPLAINT_PLAN, Action, tap
from tests.telegram.helpers import begin, press, say
from tests.webchat.visitor import Visitor

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:SCALE-TOKEN"
PROCESSES = 3
# Under the web chat's five new complaints an hour per address (bot/limits.py): behind the
# proxy every visitor comes from one address.
VISITORS = 4
TELEGRAM_PEOPLE = 3
STAFF_CHAT = 9000
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")


class Nginx:
    """docs/deploy/nginx.conf, run as it is but for its ports and TLS, logging upstreams."""

    def __init__(self, folder: Path, ports: list[int]) -> None:
        self.folder = folder
        self.port = free_port()
        conf = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
        upstreams = "".join(
            f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in ports
        )
        conf = re.sub(r"(    server 127\.0\.0\.1:808\d[^\n]*\n)+", upstreams, conf)
        conf = conf.replace("listen 443 ssl;", f"listen 127.0.0.1:{self.port};")
        conf = conf.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
        conf = re.sub(r"\s*ssl_certificate[^\n]*", "", conf)
        assert f"127.0.0.1:{ports[-1]}" in conf and "ssl_" not in conf, "the example changed shape"
        (folder / "complaints.conf").write_text(conf)
        user = "user root;" if os.geteuid() == 0 else ""
        temp = " ".join(
            f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
        )
        (folder / "nginx.conf").write_text(
            f"{user} daemon off; worker_processes 1; pid {folder}/nginx.pid;\n"
            f"error_log {folder}/error.log;\nevents {{}}\n"
            f"http {{ log_format up '$upstream_addr'; access_log {folder}/upstreams.log up;\n"
            f"{temp} uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;\n"
            f"include {folder}/complaints.conf; }}\n"
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [NGINX, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def upstreams(self) -> Counter[str]:
        """Which process answered, per request (nginx lists every one it tried)."""
        lines = (self.folder / "upstreams.log").read_text().split()
        return Counter(line.strip(",") for line in lines if line.strip(",") != "-")


@dataclass
class Person:
    """A web chat visitor; through the balancer, each request may reach another process."""

    number: int
    base: str
    session: aiohttp.ClientSession
    queues: dict[str, list[Action]] = field(default_factory=dict)
    acked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        plan = {step: list(actions) for step, actions in COMPLAINT_PLAN.items()}
        plan["description"] = [
            ("send", f"Visitor {self.number} found the room locked."),
            tap("done"),
        ]
        plan["outcome"] = [("send", f"Visitor {self.number} would like an apology.")]
        plan["summary"] = [tap("send")]
        self.queues = plan

    async def complain(self) -> None:
        visitor = Visitor(self.session, self.base)
        await _retried(visitor.open)
        last: dict[str, Action] = {}
        for _ in range(80):
            if visitor.page.step == "menu":
                return
            step = visitor.page.step
            # A question asked again (its answer died with a process before it was saved)
            # gets the same answer again, as the person would give it.
            kind, value = self.queues[step][0] if self.queues[step] else last[step]
            last[step] = (kind, value)
            if kind == "tap":
                await _retried(lambda v=value: visitor.tap(v))
            else:
                await _retried(lambda v=value: visitor.send(v))
                self.acked.append(value)
            if self.queues[step]:
                self.queues[step].pop(0)
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"visitor {self.number} stuck at {visitor.page.step}: {visitor.page.last}"
        )


async def _retried(action: Callable[[], Awaitable[object]]) -> None:
    """What a browser's person does when a request dies with its process: send it again
    (the form carries the same nonce, so it counts once)."""
    for _ in range(5):
        try:
            await action()
            return
        except AssertionError as error:
            if "502 Bad Gateway" not in str(error):
                raise
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError("no process answered five times")


@pytest.fixture
async def empty_database() -> AsyncIterator[str]:
    if not PG_URL:
        pytest.skip(f"needs {PG_ENV} (set by .ci/run)")
    name = f"complaints_scale_{os.getpid()}"
    await asyncio.to_thread(asyncio.run, _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    await asyncio.to_thread(asyncio.run, _pg_admin(f"CREATE DATABASE {name}"))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(asyncio.run, _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def add_staff(url: str) -> None:
    """An admin who also handles stage 1, alerted on Telegram."""
    storage = await open_storage(
        Settings(database_url=url, secret_key="scale-secret"), run_migrations=False
    )
    try:
        directory = StaffDirectory(storage.sessions, storage.procedure)
        lead = await directory.add(
            "lead@example.org",
            "Lee Lead",
            "a long and unusual pass phrase",
            ["admin", "manager"],
            now=storage.clock(),
        )
        async with storage.sessions() as session, session.begin():
            await session.execute(
                update(StaffUser)
                .where(StaffUser.id == lead.id)
                .values(telegram_chat_id=str(STAFF_CHAT))
            )
    finally:
        await storage.close()


async def telegram_complaint(user: FakeUser, number: int) -> None:
    await begin(user)
    await say(user, f"Telegram person {number}, first line.", "You can send more")
    await press(user, "description:done", "When did it happen?")
    await say(user, "last Tuesday", "put it right")
    await say(user, f"Telegram person {number} wants a call.", "easier for you")
    await press(user, "adjustments:done", "How would you like us to reply")
    await press(user, "contact_method:chat", "What is your name?")
    await say(user, f"Tele {number}", "Is this right?")
    await press(user, "summary:send", "Your reference is")


async def test_three_processes_share_one_database(empty_database: str, tmp_path: Path) -> None:
    url = empty_database
    if not NGINX:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs it (apt-get install nginx-light)")
        pytest.skip("needs nginx (apt-get install nginx-light)")
    ports = [free_port() for _ in range(PROCESSES)]
    nginx = Nginx(tmp_path, ports)
    async with contextlib.AsyncExitStack() as stack:
        balancer = nginx.start()
        stack.callback(balancer.wait)
        stack.callback(balancer.terminate)
        api = await stack.enter_async_context(FakeBotAPI(token=TOKEN))
        api.user(STAFF_CHAT, "Lee Lead")

        env = {
            **os.environ,
            "COMPLAINTS_DATABASE_URL": url,
            "COMPLAINTS_SECRET_KEY": "scale-secret",  # the same in every process
            "COMPLAINTS_TELEGRAM_TOKEN": TOKEN,
            "COMPLAINTS_TELEGRAM_API_URL": api.root_url,
            "COMPLAINTS_TELEGRAM_WEBHOOK_URL": f"{nginx.base}/telegram/webhook",
            "COMPLAINTS_SCHEDULER_SECONDS": "1",
        }
        processes, logs = [], []
        for index, port in enumerate(ports):  # all at once, on the empty database
            log = tmp_path / f"serve{index}.log"
            logs.append(log)
            processes.append(
                subprocess.Popen(  # noqa: ASYNC220 - started together on purpose
                    [sys.executable, "-m", "bot.cli", "serve"],
                    env={
                        **env,
                        "COMPLAINTS_PORT": str(port),
                        "COMPLAINTS_DATA_DIR": str(tmp_path / f"data{index}"),
                    },
                    cwd=ROOT,
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        stack.callback(lambda: [p.kill() for p in processes if p.poll() is None])
        for port, process, log in zip(ports, processes, logs, strict=True):
            await wait_up(f"http://127.0.0.1:{port}", lambda p=process: p.poll() is None, log)
        await add_staff(url)

        people = [
            Person(n, nginx.base, await stack.enter_async_context(_cookie_session()))
            for n in range(VISITORS)
        ]
        users = [api.user(5000 + n, f"Tele {n}") for n in range(TELEGRAM_PEOPLE)]
        work = [asyncio.create_task(p.complain()) for p in people]
        work += [
            asyncio.create_task(telegram_complaint(u, n)) for n, u in enumerate(users, start=1)
        ]
        await asyncio.sleep(1.5)
        # Kill the leader (it delivers the outbox and runs the scheduler): another must take
        # over, and nothing it had claimed may be sent twice or lost.
        leaders = [n for n, log in enumerate(logs) if "now leads" in tail(log)]
        assert len(leaders) == 1, f"{len(leaders)} leaders"
        victim = processes[leaders[0]]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        await asyncio.wait_for(asyncio.gather(*work), timeout=120)

        complaints = await _complaints(url)
        assert len(complaints) == VISITORS + TELEGRAM_PEOPLE
        descriptions = Counter(d for d, _o in complaints)
        assert all(n == 1 for n in descriptions.values()), descriptions
        stored = "\n".join(f"{d}\n{o}" for d, o in complaints)
        for person in people:
            for text in person.acked:
                if text not in ("last Tuesday", "Sam Jones"):
                    assert text in stored, f"acknowledged answer lost: {text}"
        for n in range(1, TELEGRAM_PEOPLE + 1):  # in order: each answer in its own field
            assert (f"Telegram person {n}, first line.", f"Telegram person {n} wants a call.") in (
                complaints
            )

        # Alerts: one "new complaint" alert per complaint reached the lead, from whichever
        # process led the scheduler (the first leader may be the one that was killed).
        references = await _references(url)
        await _eventually(lambda: _alerted(api, references))
        alerted = Counter(
            ref for m in api.messages(STAFF_CHAT) for ref in references if ref in (m.text or "")
        )
        assert set(alerted) == set(references)
        assert all(n == 1 for n in alerted.values()), alerted

        for body, state, count in await _telegram_deliveries(url, api):
            assert count <= 1, f"an outbox row reached Telegram {count} times: {body[:40]}"
            if state == "sent":
                assert count == 1, f"marked sent, never arrived: {body[:40]}"
        assert [p.poll() is None for p in processes].count(True) == PROCESSES - 1
        assert sum("now leads" in tail(log) for log in logs) == 2  # the first, then one more
        assert set(nginx.upstreams()) == {f"127.0.0.1:{port}" for port in ports}


@contextlib.asynccontextmanager
async def _cookie_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def _query(url: str, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(_pg_dsn(url))
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


async def _complaints(url: str) -> list[tuple[str, str]]:
    rows = await _query(url, "SELECT description, desired_outcome FROM complaints")
    return [(r["description"], r["desired_outcome"]) for r in rows]


async def _references(url: str) -> list[str]:
    return [r["reference"] for r in await _query(url, "SELECT reference FROM complaints")]


async def _alerted(api: FakeBotAPI, references: list[str]) -> bool:
    texts = "\n".join(m.text or "" for m in api.messages(STAFF_CHAT))
    return all(ref in texts for ref in references)


async def _eventually(check: object, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():  # type: ignore[operator]
        assert loop.time() < deadline, "not true in time"
        await asyncio.sleep(0.1)


async def _telegram_deliveries(url: str, api: FakeBotAPI) -> list[tuple[str, str, int]]:
    rows = await _query(url, "SELECT address, body, state FROM outbox WHERE channel = 'telegram'")
    delivered: Counter[tuple[str, str]] = Counter(
        (str(chat), (m.text or "").strip())
        for chat in {r["address"] for r in rows}
        if str(chat).isdigit()
        for m in api.messages(int(chat))
    )
    return [(r["body"], r["state"], delivered[(r["address"], r["body"].strip())]) for r in rows]
