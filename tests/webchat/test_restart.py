"""The real `complaints serve` process, killed between two answers, resumes where it was."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.ports import free_port
from tests.scripted import COMPLAINT_PLAN
from tests.webchat.visitor import Visitor

pytestmark = pytest.mark.e2e


class Server:
    """`complaints serve` in its own process, on its own data folder."""

    def __init__(self, data_dir: Path, port: int, database_url: str) -> None:
        self.port = port
        self.env = {
            **os.environ,
            "COMPLAINTS_DATA_DIR": str(data_dir),
            "COMPLAINTS_PORT": str(port),
            "COMPLAINTS_DATABASE_URL": database_url,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    async def start(self) -> None:
        """Start the process and wait until it answers its health check."""
        self.spawn()
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/health") as r:
                        if r.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
        raise AssertionError(self.output())

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def output(self) -> str:
        if self.process is None or self.process.stdout is None:
            return ""
        if self.process.poll() is None:
            self.process.kill()
        return self.process.stdout.read().decode(errors="replace")


@pytest.fixture
def server(tmp_path: Path, db_url: str) -> Iterator[Server]:
    running = Server(tmp_path / "data", free_port(), db_url)
    yield running
    running.stop()


async def test_killed_between_two_answers_resumes_at_the_same_question(server: Server) -> None:
    await server.start()
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        visitor = Visitor(session, f"http://127.0.0.1:{server.port}")
        await visitor.open()
        await visitor.follow(COMPLAINT_PLAN, until="when")
        before = visitor.page.last

    server.kill()  # no goodbye: SIGKILL between two answers
    await server.start()

    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        visitor = Visitor(session, f"http://127.0.0.1:{server.port}")
        page = await visitor.open()
        assert page.step == "when"
        assert page.last.endswith(before)  # "Welcome back" first, then the same question
        await visitor.follow(COMPLAINT_PLAN, until="summary")
        summary = visitor.page.last
    # Every answer given before the kill is still there.
    for answer in ("The room was locked when we arrived, twice.", "Sam Jones", "last Tuesday"):
        assert answer in summary
