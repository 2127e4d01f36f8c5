"""What every browser test shares: Debian's Chromium driven by Playwright's Python package.

Playwright's own browser download does not work on these machines, so the tests launch
/usr/bin/chromium (or $CHROMIUM) with the flags a closed network needs, and skip with a
clear reason when Chromium or the playwright package is missing. Import the fixtures into
a test module: `from tests.browser import BROWSER, browser, server, sqlite_db_url`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from server import create_app
from storage.runtime import Storage

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps dialling hosts it cannot reach.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"

BROWSER = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="needs the playwright package (pip install playwright; no browser download)",
    ),
]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()


@pytest.fixture
def sqlite_db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: the browser is the slow part, the databases are covered elsewhere."""
    target = tmp_path / "complaints.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def server(storage: Storage) -> AsyncIterator[TestServer]:
    """The real application on a local port."""
    running = TestServer(create_app(storage), host="127.0.0.1")
    await running.start_server()
    yield running
    await running.close()
