"""Telegram unreachable when `complaints serve` starts (issue 14, point 7): the Bot API
refuses connections, or takes them and never answers. The web chat and staff view serve
at once, staff get one line, and the bot starts by itself once the Bot API (the fake,
started late on the same address) can be reached."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.botapi import FakeBotAPI
from tests.telegram.helpers import ALICE, TOKEN

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CANNOT = "Telegram cannot be reached"


@contextlib.asynccontextmanager
async def silent(port: int) -> AsyncIterator[None]:
    """Takes connections on `port` and never answers: a Bot API that times out."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()
        for writer in held:
            writer.close()
        await server.wait_closed()


async def lines_of(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode(errors="replace"))


async def until(check: Callable[[], bool], timeout: float) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "not within the time allowed"
        await asyncio.sleep(0.05)


async def answered(base: str, path: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(base + path) as response:
        return response.status


@pytest.mark.parametrize("absent", ["refused", "silent"])
async def test_the_web_serves_while_telegram_cannot_be_reached(
    tmp_path: Path, unused_tcp_port_factory: Callable[[], int], absent: str
) -> None:
    api_port, web_port = unused_tcp_port_factory(), unused_tcp_port_factory()
    env = {
        **os.environ,
        "COMPLAINTS_DATA_DIR": str(tmp_path / "data"),
        "COMPLAINTS_SECRET_KEY": "test-secret-key",
        "COMPLAINTS_PORT": str(web_port),
        "COMPLAINTS_TELEGRAM_TOKEN": TOKEN,
        "COMPLAINTS_TELEGRAM_API_URL": f"http://127.0.0.1:{api_port}",
        "PTB_TIMEDELTA": "1",
    }
    base = f"http://127.0.0.1:{web_port}"
    printed: list[str] = []
    absence = silent(api_port) if absent == "silent" else contextlib.nullcontext()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot.cli", "serve"),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    reading = asyncio.create_task(lines_of(process.stdout, printed))
    try:
        async with absence:
            await until(lambda: any("Press Ctrl+C" in line for line in printed), 30)
            assert await answered(base, "/chat") == 200
            assert await answered(base, "/staff/login") == 200
            await until(lambda: any(CANNOT in line for line in printed), 30)
            assert await answered(base, "/health") == 200
        async with FakeBotAPI(token=TOKEN, port=api_port) as api:  # Telegram is back
            alice = api.user(ALICE, "Alice", language_code="en")
            await alice.send_text("/start")
            await alice.wait_for_message(lambda m: "Which language" in (m.text or ""), timeout=60)
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await reading
    output = "".join(printed)
    assert len([line for line in printed if CANNOT in line]) == 1, output
    assert "COMPLAINTS_TELEGRAM_API_URL" in output and "Traceback" not in output, output
    assert "Telegram can be reached again" in output
    assert TOKEN.split(":", 1)[1] not in output
