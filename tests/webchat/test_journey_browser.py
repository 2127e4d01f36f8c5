"""The web chat in Chromium on a phone, as the person sees it (issue 20): selected options
said in words and shown by style, and a reload in the middle keeps the conversation in view.

Screenshots go to the test's temporary folder, to look at when a test fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from tests.browser import BROWSER

pytestmark = BROWSER
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    return sqlite_db_url


async def tap(page: Any, label: str, then: str) -> None:
    await page.click(f".choices button:has-text({label!r})")
    await page.wait_for_selector(f'form#answer[data-step="{then}"]')


async def type_in(page: Any, text: str) -> None:
    await page.fill("#text", text)
    await page.click("button.send")


async def to_adjustments(page: Any) -> None:
    await page.wait_for_selector('form#answer[data-step="language"]')
    await tap(page, "English", "privacy")
    await tap(page, "Yes, let's start", "kind")
    await tap(page, "Make a complaint", "behalf")
    await tap(page, "For myself", "category")
    await page.click(".choices button >> nth=0")
    await page.wait_for_selector('form#answer[data-step="about_staff"]')
    await tap(page, "No", "description")
    await type_in(page, "The room was locked when we arrived.")
    await page.wait_for_selector("text=You can send more")
    await tap(page, "That's everything", "when")
    await type_in(page, "last Tuesday")
    await page.wait_for_selector('form#answer[data-step="outcome"]')
    await type_in(page, "An apology.")
    await page.wait_for_selector('form#answer[data-step="adjustments"]')


async def switch_state(page: Any, label: str) -> dict[str, Any]:
    button = page.locator(f".choices button:has-text({label!r})")
    return await button.evaluate(
        """b => ({
            pressed: b.getAttribute("aria-pressed"),
            text: b.textContent,
            background: getComputedStyle(b).backgroundColor,
            color: getComputedStyle(b).color,
        })"""
    )


async def assert_selected(page: Any) -> None:
    chosen = await switch_state(page, "Large print")
    other = await switch_state(page, "Braille")
    assert chosen["pressed"] == "true" and other["pressed"] == "false"
    assert "(selected)" in chosen["text"] and "selected" not in other["text"]
    # Shown by style too, not only by the tick.
    assert chosen["background"] != other["background"]
    assert chosen["color"] != other["color"]
    # What a screen reader announces: the button's name says "selected".
    name = await page.get_by_role("button", pressed=True).all_inner_texts()
    assert any("Large print" in n for n in name)


async def test_a_selected_option_says_so_in_words_and_style(
    server: TestServer, browser: Any, tmp_path: Path
) -> None:
    base = str(server.make_url("")).rstrip("/")
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(base + "/chat")
    await to_adjustments(page)
    assert (await switch_state(page, "Large print"))["pressed"] == "false"
    await page.click(".choices button:has-text('Large print')")
    await page.wait_for_selector("text=Noted:")
    await assert_selected(page)  # drawn by chat.js after the answer
    await page.screenshot(path=str(tmp_path / "selected-js.png"), full_page=True)
    await page.reload()
    await assert_selected(page)  # drawn by the server
    await context.close()


async def test_reloading_keeps_the_conversation_in_view(
    server: TestServer, browser: Any, tmp_path: Path
) -> None:
    base = str(server.make_url("")).rstrip("/")
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(base + "/chat")
    await to_adjustments(page)
    await page.reload()
    await page.wait_for_selector('form#answer[data-step="adjustments"]')
    await page.screenshot(path=str(tmp_path / "reloaded.png"), full_page=True)
    mine = await page.locator(".bubble.mine").all_inner_texts()
    assert mine == [
        "Make a complaint",
        "For myself",
        mine[2],  # the procedure's first category
        "No",
        "The room was locked when we arrived.",
        "last Tuesday",
        "An apology.",
    ]
    theirs = await page.locator(".bubble.theirs").all_inner_texts()
    assert "Is it about a particular member of staff?" in theirs
    assert "Is there anything that would make this easier for you?" in theirs[-1]
    await context.close()
