"""kill -9 of `complaints serve` at random moments while complainants and staff work.

Each cycle starts the server (web chat + staff view + Telegram against the fake Bot API +
outbox worker + scheduler), lets scripted web chat visitors answer and staff act for a
random moment, then SIGKILLs it mid-flight. Then, before the next start:

- every answer acknowledged by a 200 is in the visitor's draft or in their complaint;
- no complaint exists twice (a form re-posted after the kill carries the same nonce);
- no outbox row reached Telegram twice, and every row marked sent reached it once;
- every submitted complaint's receipt was confirmed delivered (the page said it showed it),
  or is shown on the person's next visit (checked after the next start);
- PRAGMA integrity_check is ok.

Restarts use tests/faults/serve_zygote.py (the real entry point, forked from a process
that has already imported it), so a hundred kills fit in CI time; see its docstring.
COMPLAINTS_FAULT_KILLS sets the number of kills (default 100).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from bot.webchat import session_cookie
from procedures.case import Kind, NewComplaint, Received
from storage.errors import CaseError
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.fakes.botapi import FakeBotAPI
from tests.ports import free_port
from tests.processes import wait_up
from tests.scripted import Action, choice_id, complaint_plan
from tests.webchat.visitor import Visitor, read_page

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("COMPLAINTS_FAULT_KILLS", "100"))
TOKEN = "123456:FAULTS-TOKEN"
VISITORS = 4
TELEGRAM_CASES = 6
# Conversation id (what the database keeps) -> the visitor's cookie, for the next visit.
COOKIES: dict[str, str] = {}
Failure = (aiohttp.ClientError, ConnectionError, AssertionError, asyncio.TimeoutError)


@dataclass
class Complainant:
    """A web chat visitor who keeps answering across restarts, round after round."""

    number: int
    base: str
    round: int = 0
    session: aiohttp.ClientSession | None = None
    visitor: Visitor | None = None
    queues: dict[str, list[Action]] = field(default_factory=dict)
    acked: dict[str, list[str]] = field(default_factory=dict)  # cookie -> texts kept
    in_flight: tuple[str, dict[str, str]] | None = None  # (step, form) when the server died
    submitted: int = 0

    @property
    def cookie(self) -> str:
        assert self.session is not None
        return next(c.value for c in self.session.cookie_jar if c.key == "chat_session")

    @property
    def conversation(self) -> str:
        """The id the database keeps for this cookie (bot/webchat.py session_cookie)."""
        cookie = self.cookie
        conversation = session_cookie("faults-secret", cookie.partition(".")[0])[1]
        COOKIES[conversation] = cookie
        return conversation

    async def new_round(self) -> None:
        if self.session is not None:
            await self.session.close()
        self.round += 1
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.visitor = Visitor(self.session, self.base)
        self.queues = complaint_plan(f"visitor {self.number} round {self.round}")
        await self.visitor.open()

    async def work(self) -> None:
        """Answer question after question until the server dies under us."""
        if self.visitor is None:
            await self.new_round()
        assert self.visitor is not None
        if self.in_flight is not None:
            # What a browser does after an error: post the same form again (same nonce).
            await self._post(*self.in_flight)
        else:
            await self.visitor.open()
        while True:
            step = self.visitor.page.step
            if step == "menu":
                self.submitted += 1
                await self._confirm()
                await self.new_round()
                continue
            assert self.queues.get(step), f"no plan for {step}"
            kind, value = self.queues[step][0]
            offered = [v for v, _ in self.visitor.page.buttons]
            form = {"choice": choice_id(step, value, offered)} if kind == "tap" else {"text": value}
            full = {**form, "csrf": self.visitor.page.hidden.get("csrf", "")}
            full["nonce"] = self.visitor.page.hidden.get("nonce", "")
            full["seen"] = self.visitor.page.hidden.get("seen", "")
            await self._post(step, full)

    async def _confirm(self) -> None:
        """What chat.js does after showing the receipt: tell the server it was shown."""
        assert self.visitor is not None
        await self.visitor.poll()

    async def _post(self, step: str, form: dict[str, str]) -> None:
        """Post one answer; once a 200 acknowledges it, it counts as kept."""
        assert self.visitor is not None
        self.in_flight = (step, form)
        payload = aiohttp.FormData(form)
        async with self.visitor.session.post(f"{self.base}/chat", data=payload) as response:
            assert response.status == 200, response.status
            html = await response.text()
        self.in_flight = None
        self.visitor.page = read_page(html)
        self.queues[step].pop(0)
        if form.get("text", "").strip():
            self.acked.setdefault(self.conversation, []).append(form["text"])


class Zygote:
    """The pre-loaded server process; `spawn()` forks one `complaints serve`."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.serve_zygote"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def spawn(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{self.log}\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=10)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    while not gone(pid):  # noqa: ASYNC110 - a pid has no event to wait on
        await asyncio.sleep(0.005)


@dataclass
class Staff:
    """Staff working on Telegram complainants' cases through CaseService."""

    storage: Storage
    cases: list[int]
    counter: Iterator[int] = field(default_factory=itertools.count)

    async def work(self, rng: random.Random, stop: asyncio.Event) -> None:
        while not stop.is_set():
            case = rng.choice(self.cases)
            action = rng.choice(("reply", "reply", "note", "acknowledge"))
            with contextlib.suppress(CaseError):
                if action == "reply":
                    text = f"Staff reply number {next(self.counter)}."
                    await self.storage.cases.reply(case, text, staff_id=None, ends_stage=False)
                elif action == "note":
                    await self.storage.cases.add_note(case, "a note", staff_id=None)
                else:
                    await self.storage.cases.acknowledge(case, staff_id=None)
            await asyncio.sleep(rng.uniform(0.01, 0.05))


def check(
    database: Path, api: FakeBotAPI, people: list[Complainant], chats: list[int]
) -> list[tuple[str, str]]:
    """The invariants, on the database as the next start will find it. Returns the web chat
    receipts not confirmed yet, as (reference, conversation id), for the next visit to show."""
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        drafts = {
            external: data
            for external, data in db.execute(
                "SELECT external_id, data FROM drafts WHERE channel = 'webchat'"
            )
        }
        kept = "\n".join(
            f"{d}\n{o}\n{n}"
            for d, o, n in db.execute(
                "SELECT c.description, c.desired_outcome, p.name FROM complaints c "
                "JOIN people p ON p.id = c.person_id"
            )
        )
        duplicated = db.execute(
            "SELECT description, count(*) FROM complaints GROUP BY description HAVING count(*) > 1"
        ).fetchall()
        outbox = db.execute(
            "SELECT id, body, state FROM outbox WHERE channel = 'telegram'"
        ).fetchall()
        receipts = db.execute(
            "SELECT c.reference, o.state, o.address FROM complaints c "
            "LEFT JOIN outbox o ON o.id = (SELECT min(id) FROM outbox WHERE complaint_id = c.id) "
            "WHERE c.received_via = 'webchat'"
        ).fetchall()
    assert duplicated == [], "a complaint was stored twice"
    for person in people:
        for conversation, texts in person.acked.items():
            draft = drafts.get(conversation, "")
            for text in texts:
                if text == "last Tuesday":
                    continue
                assert text in draft or text in kept, f"acknowledged answer lost: {text}"
    delivered = Counter(m.text for chat in chats for m in api.messages(chat))
    for row_id, body, state in outbox:
        count = delivered[body.strip()]
        assert count <= 1, f"outbox row {row_id} reached Telegram {count} times"
        if state == "sent":
            assert count == 1, f"outbox row {row_id} is marked sent but never arrived"
        if state == "pending":
            assert count == 0, f"outbox row {row_id} arrived but will be sent again"
    unconfirmed = []
    for reference, state, address in receipts:
        assert state in ("sent", "shown"), f"receipt of {reference} is {state}"
        if state == "shown":
            unconfirmed.append((reference, address))
    return unconfirmed


async def shown_on_next_visit(base: str, unconfirmed: list[tuple[str, str]]) -> None:
    """Each receipt the page never confirmed is on the person's next page, which then
    confirms it as chat.js does."""
    for reference, conversation in unconfirmed:
        cookie = COOKIES[conversation]
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar, cookies={"chat_session": cookie}) as s:
            visitor = Visitor(s, base)
            page = await visitor.open()
            assert any(reference in said for said in page.said), f"{reference} not shown"
            await visitor.poll()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server


async def test_kill_9_at_random_moments_loses_nothing(tmp_path: Path, api: FakeBotAPI) -> None:
    rng = random.Random(int(os.environ.get("COMPLAINTS_FAULT_SEED", "9")))
    data = tmp_path / "data"
    settings = Settings(data_dir=data, secret_key="faults-secret")
    storage = await open_storage(settings)  # migrated here, as serve will find it
    chats = list(range(3001, 3001 + TELEGRAM_CASES))
    cases = []
    for chat in chats:
        api.user(chat, "Telegram complainant")
        new = NewComplaint(
            kind=Kind.COMPLAINT,
            description=f"Telegram complaint from {chat}.",
            complainant_name="Tam",
            received_via=Received.TELEGRAM,
        )
        done = await storage.cases.submit(new, channel="telegram", external_id=str(chat))
        cases.append(done.complaint_id)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "COMPLAINTS_DATA_DIR": str(data),
        "COMPLAINTS_SECRET_KEY": "faults-secret",
        "COMPLAINTS_PORT": str(port),
        "COMPLAINTS_TELEGRAM_TOKEN": TOKEN,
        "COMPLAINTS_TELEGRAM_API_URL": api.root_url,
        "PTB_TIMEDELTA": "1",
    }
    log = tmp_path / "serve.log"
    zygote = Zygote(env, log)
    people = [Complainant(n, base) for n in range(VISITORS)]
    staff = Staff(storage, cases)
    started = time.monotonic()
    unconfirmed: list[tuple[str, str]] = []
    made_up = 0
    try:
        for _ in range(KILLS + 1):
            pid = zygote.spawn()
            await wait_up(base, lambda pid=pid: not gone(pid), log)
            await shown_on_next_visit(base, unconfirmed)
            made_up += len(unconfirmed)
            if _ == KILLS:  # the last start only shows what the last kill left
                await kill(pid)
                break
            stop = asyncio.Event()
            staffing = asyncio.create_task(staff.work(rng, stop))
            tasks = [asyncio.create_task(p.work()) for p in people]
            await asyncio.sleep(rng.uniform(0.05, 1.0))
            await kill(pid)
            stop.set()
            await staffing
            await asyncio.sleep(0.02)  # let the visitors see the broken connections
            for task in tasks:
                task.cancel()
            for outcome in await asyncio.gather(*tasks, return_exceptions=True):
                if not isinstance(outcome, (*Failure, asyncio.CancelledError)):
                    raise outcome  # type: ignore[misc]
            unconfirmed = check(data / "complaints.db", api, people, chats)
    finally:
        for person in people:
            if person.session is not None:
                await person.session.close()
        zygote.close()
        await storage.close()
    elapsed = time.monotonic() - started
    submitted = sum(p.submitted for p in people)
    sent = sum(len(api.messages(chat)) for chat in chats)
    print(f"{KILLS} kills in {elapsed:.0f}s; {submitted} complaints made; {sent} Telegram sends")
    print(f"{made_up} receipts whose page was lost were shown on the next visit")
    print([(p.round, {k: len(v) for k, v in p.queues.items()}) for p in people])
    assert submitted > 0 and sent > 0, "the work must get somewhere between kills"
