"""`complaints serve`, pre-loaded: imports once, then forks a fresh server on request.

The kill -9 test needs a hundred restarts in a couple of minutes, and a cold
`complaints serve` spends ~1.7 s of its start importing (measured on the 2-core CI
machine); a child forked from here answers /health in 0.1-0.2 s. Each line on stdin (a
log file path) forks a child that runs exactly `complaints serve` (bot.cli.main) with the
environment given to this process; its pid is printed. The test kills children with
SIGKILL; the kernel reaps them (SIGCHLD ignored).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from aiohttp.test_utils import TestClient, TestServer

from bot.cli import main  # imports every command, serve with PTB, aiohttp and SQLAlchemy
from server import create_app
from storage.runtime import open_storage
from storage.settings import load_settings


async def warm() -> None:
    """What each start repeats but need not pay for again: imports, templates, catalogs.

    Runs (and ends) its own event loop and threads before any fork.
    """
    storage = await open_storage(load_settings(None).with_secret_key())
    async with TestClient(TestServer(create_app(storage))) as client:
        for path in ("/health", "/chat", "/staff/login"):
            await (await client.get(path)).read()  # compiles the templates, loads catalogs
    await storage.close()


def serve_child(log_path: str) -> None:
    """In the forked child: the real entry point, output to its own log."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    code = 1
    try:
        code = main(["--log-level", "INFO", "serve"])  # INFO: a clean stop shows in the log
    finally:
        os._exit(code)


def run() -> None:
    asyncio.run(warm())
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # dead children are reaped at once
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            serve_child(line.strip())
        print(pid, flush=True)


if __name__ == "__main__":
    run()
