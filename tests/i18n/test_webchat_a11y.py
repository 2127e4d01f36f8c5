"""The web chat in a real browser: axe-core finds no serious or critical WCAG problems in
English or Arabic (right to left), and the chat works with the keyboard alone.

Needs Chromium (Debian: `apt-get install chromium`; path in $CHROMIUM, default
/usr/bin/chromium), the `playwright` Python package (its own browser download is not used) and
axe-core from npm (`npm install --prefix <dir> axe-core`; the file in $AXE_CORE_JS, or found in
one of tests/browser.py's AXE_PLACES). Skips with the reason when one is missing (fails under
CI=true).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from server import create_app
from storage.runtime import open_storage
from storage.settings import Settings
from tests.browser import axe_page, axe_violations
from tests.conftest import FakeClock


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


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("locale", "lang", "direction"), [("en-GB", "en", "ltr"), ("ar", "ar", "rtl")]
)
async def test_no_serious_accessibility_problems(
    browser: Any, axe_source: str, base_url: str, locale: str, lang: str, direction: str
) -> None:
    page = await axe_page(browser, locale=locale)
    problems: dict[str, list[str]] = {}
    await page.goto(base_url + "/")
    problems["landing"] = await axe_violations(page, axe_source)
    await page.goto(base_url + "/chat")
    assert await page.get_attribute("html", "lang") == lang
    assert await page.get_attribute("html", "dir") == direction
    problems["language question"] = await axe_violations(page, axe_source)
    # Answer with the first button (their own language), then the privacy question's "yes".
    await page.click("#answer .choices button >> nth=0")
    await page.wait_for_function("document.getElementById('answer').dataset.step !== 'language'")
    problems["after a choice"] = await axe_violations(page, axe_source)
    await page.reload()  # the server-rendered page of the same question
    problems["reloaded"] = await axe_violations(page, axe_source)
    found = {where: found for where, found in problems.items() if found}
    assert not found, found


@pytest.mark.e2e
async def test_keyboard_alone_moves_the_conversation_on(browser: Any, base_url: str) -> None:
    page = await axe_page(browser, locale="en-GB")
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
