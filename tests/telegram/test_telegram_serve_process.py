"""The real `complaints serve` process against the fake Bot API, killed mid-send."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from storage.delivery import UNCERTAIN
from storage.models import Outbox, Person
from storage.runtime import open_storage
from storage.settings import Settings
from tests.fakes.botapi import FakeBotAPI
from tests.telegram.helpers import ALICE, TOKEN

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BODIES = ["First message.", "Second message.", "Third message."]


async def start_serve(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "--log-level",
        "DEBUG",
        "serve",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def test_kill_mid_send_then_restart_sends_nothing_twice(
    api: FakeBotAPI, tmp_path: Path, unused_tcp_port: int
) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="test-secret-key")
    settings.data_dir.mkdir()
    storage = await open_storage(settings)  # migrates the database serve will use
    now = datetime.now(UTC)
    async with storage.sessions() as session, session.begin():
        person = Person(created_at=now)
        session.add(person)
        await session.flush()
        for body in BODIES:
            session.add(
                Outbox(
                    person_id=person.id,
                    channel="telegram",
                    address=str(ALICE),
                    body=body,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    alice = api.user(ALICE)
    env = {
        **os.environ,
        "COMPLAINTS_DATA_DIR": str(settings.data_dir),
        "COMPLAINTS_SECRET_KEY": "test-secret-key",
        "COMPLAINTS_PORT": str(unused_tcp_port),
        "COMPLAINTS_TELEGRAM_TOKEN": TOKEN,
        "COMPLAINTS_TELEGRAM_API_URL": api.root_url,
    }
    outputs: list[bytes] = []
    try:
        # Hold the first send at the server, then kill the process while it waits.
        api.faults.delay(1.0, method="sendMessage", count=1)
        first = await start_serve(env)
        try:
            await api.wait_until(lambda: api.calls_of("sendMessage"), timeout=20)
        finally:
            first.kill()
            outputs.append((await first.communicate())[0])
        # As on the real server, the request the process gave up on still arrives.
        await alice.wait_for_message(lambda m: m.text == BODIES[0], timeout=5)

        # The dead process held the row for the lease (2 minutes): let that time pass.
        async with storage.sessions() as session, session.begin():
            await session.execute(
                update(Outbox)
                .where(Outbox.state == "sending")
                .values(claimed_until=now - timedelta(seconds=1))
            )

        second = await start_serve(env)
        try:
            await alice.wait_for_message(lambda m: m.text == BODIES[2], timeout=20)
        finally:
            second.send_signal(signal.SIGTERM)
            outputs.append((await asyncio.wait_for(second.communicate(), 20))[0])
        assert second.returncode == 0
    finally:
        async with storage.sessions() as session:
            rows = (
                await session.execute(select(Outbox.body, Outbox.state, Outbox.last_error))
            ).all()
        await storage.close()

    assert [m.text for m in alice.messages()] == BODIES  # each exactly once, in order
    states = {body: (state, error) for body, state, error in rows}
    assert states[BODIES[0]] == ("uncertain", UNCERTAIN)  # interrupted: for staff to check
    assert states[BODIES[1]][0] == states[BODIES[2]][0] == "sent"
    printed = b"".join(outputs).decode()
    assert "Telegram bot running (polling)" in printed
    assert " DEBUG telegram." in printed  # the whole DEBUG output was checked
    assert TOKEN.split(":", 1)[1] not in printed
