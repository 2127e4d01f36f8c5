"""The staff pages in a real browser: axe-core finds no serious or critical WCAG problems on
any of them (desktop and phone widths), and a case's main action works with the keyboard alone.

Same tools as tests/i18n/test_webchat_a11y.py: Debian's Chromium, the playwright package and
axe-core from npm (the `axe_source` fixture of tests/browser.py). Skips with the reason when
one is missing (fails under CI=true). Staff pages are English only; the web chat is checked
here at phone width too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from procedures.case import ContactMethod, Supporter
from services.setup import setup_token
from storage.runtime import Storage
from tests.admin.helpers import COMPLAINT, PASSWORD, add_staff
from tests.browser import BROWSER, axe_page, axe_violations, sign_in
from tests.conftest import FakeClock

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = BROWSER


@pytest.fixture
def procedure() -> str:
    return "model"


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    return sqlite_db_url


class Checker:
    """Runs axe on the open page at both widths and collects what it finds, by page name."""

    def __init__(self, page: Any, axe: str) -> None:
        self.page, self.axe = page, axe
        self.found: dict[str, list[str]] = {}

    async def check(self, name: str, heading: str = "") -> None:
        """Axe on the open page; `heading`, when given, proves it is the page we meant."""
        if heading:
            assert heading in await self.page.inner_text("h1"), name
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            await self.page.set_viewport_size(viewport)
            problems = await axe_violations(self.page, self.axe)
            if problems:
                self.found[f"{name} ({width})"] = problems
        await self.page.set_viewport_size(DESKTOP)


async def _seed(storage: Storage, clock: FakeClock) -> int:
    """A working week of cases: overdue, a phone caller, a call-back, a supporter."""
    first = await storage.cases.submit(
        replace(
            COMPLAINT,
            adjustments=("large_print", "phone_call", "helper"),
            adjustments_note="Please call after 2pm.",
            category="standard_of_service",
            contact_method=ContactMethod.PHONE,
            phone="07700 900123",
            supporter=Supporter(name="Robin Carer", phone="07700 900456", consent=True),
        ),
        channel="webchat",
        external_id="visitor-a11y",
    )
    for n in range(3):
        await storage.cases.submit(
            replace(COMPLAINT, complainant_name=f"Person {n + 2}"),
            channel="webchat",
            external_id=f"other-{n}",
        )
        clock.advance(days=2)
    clock.advance(days=4)
    return first.complaint_id


async def test_first_run_setup_page(server: TestServer, browser: Any, axe_source: str) -> None:
    base = str(server.make_url("")).rstrip("/")
    page = await axe_page(browser, viewport=DESKTOP)
    checker = Checker(page, axe_source)
    await page.goto(f"{base}/staff/setup?token={setup_token('test-secret-key')}")
    await page.wait_for_selector("h1:has-text('first staff account')")
    await checker.check("first-run setup")
    await page.click("main button[type=submit]")  # empty: the browser's own checks stop it
    await page.fill("#name", "Sam Carter")
    await page.fill("#email", "sam@example.org")
    await page.fill("#password", PASSWORD)
    await page.fill("#password_again", "not the same password")
    await page.click("main button[type=submit]")
    await page.wait_for_selector(".notice.error")
    await checker.check("first-run setup with an error")
    assert not checker.found, checker.found


async def test_staff_pages_have_no_serious_problems(
    storage: Storage, server: TestServer, browser: Any, axe_source: str, clock: FakeClock
) -> None:
    base = str(server.make_url("")).rstrip("/")
    await add_staff(storage, "sam@example.org", ["manager", "director", "admin"], "Sam Carter")
    case_id = await _seed(storage, clock)
    page = await axe_page(browser, viewport=DESKTOP)
    checker = Checker(page, axe_source)

    await page.goto(base + "/staff/login")
    await checker.check("login")
    await page.fill("#email", "sam@example.org")
    await page.fill("#password", "wrong password")
    await page.click("main button[type=submit]")
    await page.wait_for_selector(".notice.error")
    await checker.check("login with an error")
    await sign_in(page, base, "sam@example.org", PASSWORD)
    await checker.check("dashboard", "Dashboard")

    await page.goto(base + "/staff/cases")
    await checker.check("case list", "Cases")
    await page.goto(base + "/staff/cases?overdue=yes&q=Alex")
    await checker.check("case list, filtered")

    await page.goto(f"{base}/staff/cases/{case_id}")
    await page.click("#act-note summary")
    await page.fill("#note-body", "Rang them; they will send the dates.")
    await page.click("#act-note button[type=submit]")
    await page.wait_for_selector(".notice.success")
    for details in await page.query_selector_all("details.action"):
        await details.evaluate("(d) => { d.open = true; }")  # check every action's form
    await checker.check("case page")
    await page.fill("#ext-date", "2020-01-06")  # in the past: the page shows the error
    await page.fill("#ext-reason", "We are waiting for a report.")
    await page.click("#act-extend button[type=submit]")
    await page.wait_for_selector("#extend-error")
    await checker.check("case page with an error")
    await page.click("#act-message summary")
    await page.fill("#message-body", "Could you tell us the date?")
    await page.click("#act-message button[type=submit]")
    await page.wait_for_selector("h1:has-text('check before sending')")
    await checker.check("preview")
    await page.click("main form button[type=submit]")
    await page.wait_for_selector(".notice.success")
    await checker.check("case page after sending")

    await page.goto(base + "/staff/intake")
    await checker.check("assisted intake start", "Record a complaint")
    await page.click("main form button[type=submit]")
    await page.wait_for_selector("#question")
    await checker.check("assisted intake question", "Record a complaint")

    await page.goto(base + "/staff/accounts")
    await checker.check("accounts", "Staff accounts")
    await page.goto(base + "/staff/audit")
    await checker.check("audit log", "Audit log")
    await page.goto(base + "/staff/account")
    await checker.check("own account", "Your account")
    await page.goto(base + "/staff/reports?from=2026-11-01&to=2026-12-31")
    await checker.check("reports", "Reports")
    await page.goto(base + "/staff/reports/board?from=2026-11-01&to=2026-12-31")
    await checker.check("report for the board", "Complaints and compliments")
    await page.goto(base + "/staff/people?q=Alex")
    await checker.check("find a person")
    await page.goto(base + "/staff/people/1")
    await checker.check("a person's data", "Someone's data")
    await page.goto(base + "/staff/cases/999999")
    await checker.check("not found")
    assert not checker.found, checker.found


async def test_the_case_page_works_with_the_keyboard_alone(
    storage: Storage, server: TestServer, browser: Any, clock: FakeClock
) -> None:
    base = str(server.make_url("")).rstrip("/")
    await add_staff(storage, "sam@example.org", ["manager"], "Sam Carter")
    case_id = await _seed(storage, clock)
    page = await axe_page(browser, viewport=DESKTOP)
    await sign_in(page, base, "sam@example.org", PASSWORD)
    await page.goto(f"{base}/staff/cases/{case_id}")

    async def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            await page.keyboard.press("Tab")
            if await page.evaluate(f"() => document.activeElement.matches({selector!r})"):
                outline = await page.evaluate(
                    "() => getComputedStyle(document.activeElement).outlineStyle"
                )
                assert outline != "none", f"{selector} shows no focus outline"
                return
        pytest.fail(f"Tab never reached {selector}")

    # The main action of a new case is to acknowledge it: open, preview, send.
    await tab_to("#act-acknowledge summary")
    await page.keyboard.press("Enter")
    assert await page.evaluate("() => document.getElementById('act-acknowledge').open")
    await tab_to("#act-acknowledge button[type=submit]")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("h1:has-text('check before sending')")
    await tab_to("main form button[type=submit]")
    await page.keyboard.press("Enter")
    await page.wait_for_selector(".notice.success")
    assert "acknowledgement sent" in (await page.inner_text(".notice.success")).lower()


async def test_the_web_chat_at_phone_width(
    server: TestServer, browser: Any, axe_source: str
) -> None:
    base = str(server.make_url("")).rstrip("/")
    for locale in ("en-GB", "ar"):
        context = await browser.new_context(viewport=PHONE, locale=locale, bypass_csp=True)
        page = await context.new_page()
        checker = Checker(page, axe_source)
        await page.goto(base + "/chat")
        await checker.check(f"web chat {locale}")
        await page.click("#answer .choices button >> nth=0")
        await page.wait_for_function(
            "document.getElementById('answer').dataset.step !== 'language'"
        )
        await checker.check(f"web chat {locale} after a choice")
        overflow = await page.evaluate(
            "() => document.documentElement.scrollWidth > window.innerWidth"
        )
        assert not overflow, f"the web chat scrolls sideways on a phone ({locale})"
        await context.close()
        assert not checker.found, checker.found
