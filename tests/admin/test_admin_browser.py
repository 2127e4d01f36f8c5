"""In headless Chromium against the real server: a member of staff works an overdue complaint
and the complainant's web chat receives every message; then records a complaint by letter.

Also takes the screenshots of docs/screenshots/ (desktop and phone widths), into the `shots`
folder: scripts/screenshots.sh regenerates the committed ones."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.webchat import session_cookie
from storage.models import Complaint
from storage.runtime import Storage
from tests.admin.helpers import COMPLAINT, PASSWORD, add_staff
from tests.admin.test_admin_intake import next_answer
from tests.browser import BROWSER, sign_in
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


async def chat_says(browser: Any, base: str, visitor: str, expected: str) -> None:
    """The complainant opens their web chat (their cookie) and sees the new message."""
    context = await browser.new_context()
    await context.add_cookies([{"name": "chat_session", "value": visitor, "url": base}])
    page = await context.new_page()
    await page.goto(base + "/chat")
    text = await page.inner_text("body")
    await context.close()
    assert expected in text, text[-1500:]


async def act(page: Any, action: str, fill: dict[str, str], expect_preview: str) -> None:
    """Open an action on the case page, preview it, check the preview, send it."""
    await page.click(f"#act-{action} summary")
    for selector, value in fill.items():
        await page.fill(selector, value)
    await page.click(f"#act-{action} button[type=submit]")
    assert "check before sending" in await page.inner_text("h1")
    assert expect_preview in await page.inner_text(".letter")
    await page.click("main form button[type=submit]")
    await page.wait_for_selector(".notice.success")


async def test_staff_work_an_overdue_complaint(
    storage: Storage, server: TestServer, browser: Any, clock: FakeClock, shots: Path
) -> None:
    base = str(server.make_url("")).rstrip("/")
    await add_staff(storage, "sam@example.org", ["manager", "director", "admin"], "Sam Carter")
    await add_staff(storage, "jo@example.org", ["manager"], "Jo Patel")
    visitor, conversation = session_cookie(storage.settings.secret_key, secrets.token_urlsafe(32))
    done = await storage.cases.submit(
        replace(
            COMPLAINT,
            adjustments=("large_print", "extra_time"),
            adjustments_note="Please call after 2pm.",
            category="standard_of_service",
        ),
        channel="webchat",
        external_id=conversation,
    )
    for n in range(3):  # a few more cases, so the pages look like a working week
        await storage.cases.submit(
            replace(COMPLAINT, complainant_name=f"Person {n + 2}"),
            channel="webchat",
            external_id=f"other-{n}",
        )
        clock.advance(days=2)
    clock.advance(days=4)  # the first one is now overdue for acknowledgement

    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    await page.goto(base + "/staff/")
    assert page.url.startswith(base + "/staff/login")
    await sign_in(page, base, "sam@example.org", PASSWORD)
    overdue = page.locator("#late-ack")
    assert done.reference in await overdue.inner_text()
    await page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(shots / "dashboard-phone.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)

    await overdue.get_by_role("link", name=done.reference).click()
    await page.wait_for_selector("h1")
    assert "Large print" in await page.inner_text(".person")
    await page.screenshot(path=str(shots / "case.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(shots / "case-phone.png"))
    await page.set_viewport_size(DESKTOP)
    for name in ("dashboard", "dashboard-phone", "case", "case-phone"):
        assert (shots / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name

    await act(page, "acknowledge", {}, "We have started looking at your complaint")
    await chat_says(browser, base, visitor, "We have started looking at your complaint")

    await act(page, "message", {"#message-body": "Could you tell us the date?"}, "the date?")
    await chat_says(browser, base, visitor, "Could you tell us the date?")

    view = await storage.cases.get(done.complaint_id)
    assert view.stage is not None and view.stage.respond_by is not None
    later = (view.stage.respond_by + timedelta(days=10)).isoformat()
    await act(
        page,
        "extend",
        {"#ext-date": later, "#ext-reason": "We are waiting for a report from the venue."},
        "waiting for a report",
    )
    await chat_says(browser, base, visitor, "We are waiting for a report from the venue.")

    await act(
        page,
        "reply",
        {"#reply-body": "We are sorry. The session was cancelled by mistake."},
        "cancelled by mistake",
    )
    await chat_says(browser, base, visitor, "The session was cancelled by mistake.")

    await act(page, "escalate", {"#esc-reasons": "No new date was offered."}, "to Review")
    await chat_says(browser, base, visitor, "We have your request to take complaint")

    # Review needs someone not involved at stage 1: Sam now only reads it and adds notes.
    await page.goto(base + f"/staff/cases/{done.complaint_id}")
    assert "not involved at an earlier stage" in await page.inner_text("#actions")

    # Assisted intake: a complaint that came by letter.
    await page.goto(base + "/staff/intake")
    await page.click("main form button[type=submit]")
    typed: set[str] = set()
    for _ in range(60):
        content = await page.content()
        if "Recorded as" in content:
            break
        answer = next_answer(content, typed)
        if "choice" in answer:
            await page.click(f"button[name=choice][value='{answer['choice']}']")
        else:
            await page.fill("#answer", answer["text"])
            await page.click("button:has-text('Next')")
    assert "Recorded as" in await page.content()
    async with storage.sessions() as session:
        letters = await session.scalars(select(Complaint).where(Complaint.received_via == "letter"))
        assert len(list(letters)) == 1
    await context.close()
