"""Servers that tests start as processes of their own: waiting until one is up, its log."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import aiohttp


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


async def wait_up(base: str, running: Callable[[], bool], log: Path, seconds: float = 60) -> None:
    """Until GET /health answers 200; fails with the log's end if the server exits first or
    is not up within `seconds` (a loaded CI machine can take a while to start one)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            if not running():
                raise AssertionError(f"serve exited:\n{tail(log)}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{base}/health") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.01)
    raise AssertionError(f"serve did not start within {seconds} s:\n{tail(log)}")
