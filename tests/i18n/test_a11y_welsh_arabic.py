"""The web chat and the staff pages in Welsh and Arabic, in a real browser: axe-core finds no
serious or critical problems; inserted values are isolated (<bdi>) in right-to-left text; and
after switching language the page's own words (Send, the file label) follow without a reload.

Same tools as tests/i18n/test_webchat_a11y.py (Chromium, playwright, axe-core); skips when
one is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from locales import translator
from server import create_app
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.admin.helpers import COMPLAINT, PASSWORD, add_staff
from tests.browser import BROWSER, axe_page, axe_violations, sign_in
from tests.conftest import FakeClock

pytestmark = BROWSER
PROCEDURE = "west-wilts-ccc"  # translated, with a handler who hands over


@pytest.fixture
async def app(
    sqlite_db_url: str, settings: Settings, clock: FakeClock
) -> AsyncIterator[tuple[Storage, str]]:
    storage = await open_storage(
        replace(settings, database_url=sqlite_db_url, procedure=PROCEDURE),
        run_migrations=False,
        clock=clock,
    )
    server = TestServer(create_app(storage), host="127.0.0.1")
    await server.start_server()
    yield storage, str(server.make_url("")).rstrip("/")
    await server.close()
    await storage.close()


async def _tap(page: Any, choice: str) -> None:
    step = await page.get_attribute("#answer", "data-step")
    await page.click(f"#answer .choices button[value='{choice}']")
    await page.wait_for_function(
        f"document.getElementById('answer').dataset.step !== '{step}'", timeout=10000
    )


@pytest.mark.parametrize(("lang", "direction"), [("cy", "ltr"), ("ar", "rtl")])
async def test_chat_in_welsh_and_arabic(
    app: tuple[Storage, str], browser: Any, axe_source: str, lang: str, direction: str
) -> None:
    _, base = app
    t = translator(lang)
    page = await axe_page(browser, locale="en-GB")
    await page.goto(base + "/chat")
    assert await page.inner_text("button.send") == "Send"
    found: dict[str, list[str]] = {}
    await _tap(page, f"language:{lang}")
    # Switched by a fetch post, not a reload: the page's own words follow.
    assert await page.get_attribute("html", "dir") == direction
    assert await page.inner_text("button.send") == t.gettext("Send")
    file_words = t.gettext("Add a photo, document or voice recording (optional)")
    assert await page.inner_text(".file .file-words") == file_words
    found["privacy"] = await axe_violations(page, axe_source)
    for choice in ("privacy:yes", "kind:complaint", "route:formal", "behalf:self"):
        await _tap(page, choice)
    # The procedure's own words on the buttons, in their language.
    about = await page.inner_text("#answer .choices")
    assert "Coordinator" not in about, about
    found["about staff"] = await axe_violations(page, axe_source)
    await page.reload()
    assert await page.inner_text("button.send") == t.gettext("Send")
    found["reloaded"] = await axe_violations(page, axe_source)
    assert not {k: v for k, v in found.items() if v}, found


@pytest.mark.parametrize("lang", ["cy", "ar"])
async def test_staff_pages_for_a_welsh_or_arabic_speaker(
    app: tuple[Storage, str], browser: Any, axe_source: str, lang: str
) -> None:
    storage, base = app
    await add_staff(storage, "coord@example.org", ["coordinator"], "Sam Carter")
    done = await storage.cases.submit(
        replace(COMPLAINT, language=lang), channel="webchat", external_id="visitor-1"
    )
    page = await axe_page(browser, locale="en-GB")
    await sign_in(page, base, "coord@example.org", PASSWORD)
    found: dict[str, list[str]] = {}
    await page.goto(f"{base}/staff/cases/{done.complaint_id}")
    found["case page"] = await axe_violations(page, axe_source)
    await page.click("#act-acknowledge summary")
    await page.click("#act-acknowledge button[type=submit]")
    await page.wait_for_selector("h1:has-text('check before sending')")
    found["preview"] = await axe_violations(page, axe_source)
    letter = page.locator("div.letter")
    expected = "rtl" if lang == "ar" else "ltr"
    assert await letter.evaluate("(d) => d.parentElement.dir") == expected
    assert await letter.evaluate("(d) => d.parentElement.lang") == lang
    text = await letter.inner_text()
    assert done.reference in text
    assert "Coordinator" not in text, text  # the handler, in their language
    if lang == "ar":  # the reference is isolated from the Arabic around it
        assert await page.locator("div.letter bdi", has_text=done.reference).count() == 1
    assert not {k: v for k, v in found.items() if v}, found
