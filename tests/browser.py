"""What every browser test shares: Debian's Chromium driven by Playwright's Python package.

Playwright's own browser download does not work on these machines, so the tests launch
/usr/bin/chromium (or $CHROMIUM) with the flags a closed network needs. When Chromium, the
playwright package or axe-core is missing they skip with how to install it, except under
CI=true, where they fail: CI must never go green without its browser. tests/conftest.py
imports the fixtures for every folder (`browser`, `server`, `sqlite_db_url`, `axe_source`,
`shots`); a test module takes `pytestmark = BROWSER`.

Screenshots go to a temporary folder, or to $COMPLAINTS_SCREENSHOTS_DIR when set:
scripts/screenshots.sh sets it to regenerate docs/screenshots/ on purpose.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NoReturn

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
ROOT = Path(__file__).resolve().parents[1]
AXE_PLACES = (
    ROOT / "node_modules/axe-core/axe.min.js",
    Path.home() / ".cache/complaints-assistant/axe/node_modules/axe-core/axe.min.js",
)
CI = os.environ.get("CI") == "true"
INSTALL = "sudo bash .ci/run --system-packages (README, System packages)"
NO_CHROMIUM = f"needs Chromium at {CHROMIUM} (or $CHROMIUM): {INSTALL}"
NO_PLAYWRIGHT = "needs the playwright package: pip install -e '.[test]' (no browser download)"
NO_AXE = f"needs axe-core (npm) in $AXE_CORE_JS or {AXE_PLACES[1]}: {INSTALL}"

# Locally the test is skipped with the reason; under CI the fixtures below fail it instead.
BROWSER = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CI and not CHROMIUM.exists(), reason=NO_CHROMIUM),
    pytest.mark.skipif(
        not CI and importlib.util.find_spec("playwright") is None, reason=NO_PLAYWRIGHT
    ),
]


def unavailable(reason: str) -> NoReturn:
    """Skip with `reason`, or fail under CI=true, where nothing may be skipped for a tool."""
    if CI:
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium() -> str:
    """The Chromium executable, or skip (fail under CI) saying how to install it."""
    if not CHROMIUM.is_file():
        unavailable(NO_CHROMIUM)
    if importlib.util.find_spec("playwright") is None:
        unavailable(NO_PLAYWRIGHT)
    return str(CHROMIUM)


def axe_path() -> Path:
    """axe.min.js from $AXE_CORE_JS or AXE_PLACES, or skip (fail under CI)."""
    env = os.environ.get("AXE_CORE_JS")
    for place in (Path(env),) if env else AXE_PLACES:
        if place.is_file():
            return place
    unavailable(NO_AXE)


@pytest.fixture
def axe_source() -> str:
    return axe_path().read_text()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test writes its screenshots: never into the work tree unless asked to."""
    folder = Path(os.environ.get("COMPLAINTS_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    executable = chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=executable, args=ARGS)
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


async def sign_in(page: Any, base: str, email: str, password: str) -> None:
    """Sign in to the staff view through its form, as a person would; on the dashboard."""
    await page.goto(base + "/staff/login")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("main button[type=submit]")
    await page.wait_for_selector("h1:has-text('Dashboard')")


BLOCKING = ("serious", "critical")  # axe impacts that fail a test


async def axe_page(browser: Any, **options: Any) -> Any:
    """A new page axe can be injected into (bypass_csp: the pages' Content-Security-Policy
    rightly refuses injected scripts); `options` go to the browser context."""
    context = await browser.new_context(bypass_csp=True, **options)
    return await context.new_page()


async def axe_violations(page: Any, axe_source: str) -> list[str]:
    """axe-core's serious and critical findings on the open page, one line each."""
    if not await page.evaluate("() => typeof axe !== 'undefined'"):
        await page.add_script_tag(content=axe_source)
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in BLOCKING
    ]
