"""The web chat in a real browser: axe-core finds no serious or critical WCAG problems in
English or Arabic (right to left), and the chat works with the keyboard alone.

Needs Chromium (Debian: `apt-get install chromium`; path in $CHROMIUM, default
/usr/bin/chromium), the `playwright` Python package (its own browser download is not used) and
axe-core from npm (`npm install --prefix <dir> axe-core`; the file in $AXE_CORE_JS, or found in
one of AXE_PLACES). Skips with the reason when one is missing.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from server import create_app
from storage.runtime import open_storage
from storage.settings import Settings
from tests.browser import ARGS, CHROMIUM
from tests.conftest import FakeClock

ROOT = Path(__file__).resolve().parents[2]
AXE_PLACES = (
    ROOT / "node_modules/axe-core/axe.min.js",
    Path.home() / ".cache/complaints-assistant/axe/node_modules/axe-core/axe.min.js",
    Path("/tmp/axe/node_modules/axe-core/axe.min.js"),
)
BLOCKING = ("serious", "critical")

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="pip install playwright (the Python package only)"
)


def _axe() -> Path:
    env = os.environ.get("AXE_CORE_JS")
    for place in (Path(env),) if env else AXE_PLACES:
        if place.is_file():
            return place
    pytest.skip(
        "axe-core not installed: npm install --prefix ~/.cache/complaints-assistant/axe axe-core"
    )


def _chromium() -> str:
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set $CHROMIUM)")
    return str(CHROMIUM)


@pytest.fixture
async def base_url(db_url: str, settings: Settings, clock: FakeClock) -> AsyncIterator[str]:
    """The real app (web chat, landing page, staff view) on a local port."""
    storage = await open_storage(
        replace(settings, database_url=db_url, procedure="model"), run_migrations=False, clock=clock
    )
    server = TestServer(create_app(storage))
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()
    await storage.close()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    axe, executable = _axe(), _chromium()
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=executable, args=ARGS)
        launched.axe_source = axe.read_text()  # type: ignore[attr-defined]
        yield launched
        await launched.close()


async def _page(browser: Any, locale: str) -> Any:
    # bypass_csp: the page's Content-Security-Policy (rightly) refuses injected scripts.
    context = await browser.new_context(locale=locale, bypass_csp=True)
    return await context.new_page()


async def _violations(page: Any, axe_source: str) -> list[str]:
    await page.add_script_tag(content=axe_source)
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in BLOCKING
    ]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("locale", "lang", "direction"), [("en-GB", "en", "ltr"), ("ar", "ar", "rtl")]
)
async def test_no_serious_accessibility_problems(
    browser: Any, base_url: str, locale: str, lang: str, direction: str
) -> None:
    page = await _page(browser, locale)
    problems: dict[str, list[str]] = {}
    await page.goto(base_url + "/")
    problems["landing"] = await _violations(page, browser.axe_source)
    await page.goto(base_url + "/chat")
    assert await page.get_attribute("html", "lang") == lang
    assert await page.get_attribute("html", "dir") == direction
    problems["language question"] = await _violations(page, browser.axe_source)
    # Answer with the first button (their own language), then the privacy question's "yes".
    await page.click("#answer .choices button >> nth=0")
    await page.wait_for_function("document.getElementById('answer').dataset.step !== 'language'")
    problems["after a choice"] = await _violations(page, browser.axe_source)
    await page.reload()  # the server-rendered page of the same question
    problems["reloaded"] = await _violations(page, browser.axe_source)
    found = {where: found for where, found in problems.items() if found}
    assert not found, found


@pytest.mark.e2e
async def test_keyboard_alone_moves_the_conversation_on(browser: Any, base_url: str) -> None:
    page = await _page(browser, "en-GB")
    await page.goto(base_url + "/chat")
    assert await page.get_attribute("#answer", "data-step") == "language"
    for _ in range(30):  # Tab from the top of the page to the first choice button
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => [document.activeElement.tagName, document.activeElement.name]"
        )
        if focused == ["BUTTON", "choice"]:
            break
    else:
        pytest.fail("Tab never reached a choice button")
    visible = await page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle !== 'none'"
    )
    assert visible, "the focused button shows no focus outline"
    await page.keyboard.press("Enter")
    await page.wait_for_function("document.getElementById('answer').dataset.step !== 'language'")
    assert await page.get_attribute("#answer", "data-step") == "privacy"
    transcript = await page.inner_text("#transcript")
    assert "English" in transcript  # what they chose is shown as their answer
