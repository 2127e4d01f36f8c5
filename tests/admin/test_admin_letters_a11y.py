"""The letters to post, on the dashboard and the case page, in a real browser: axe-core finds
no serious or critical problem at desktop or phone width (tools as in test_admin_a11y.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestServer

from procedures.case import ContactMethod
from storage.runtime import Storage
from tests.admin.helpers import COMPLAINT, PASSWORD, add_staff
from tests.admin.test_admin_a11y import (  # the same fixtures and checker
    DESKTOP,
    Checker,
    db_url,
    procedure,
)
from tests.browser import BROWSER, axe_page, sign_in

pytestmark = BROWSER
__all__ = ["db_url", "procedure"]


async def test_letters_to_post_have_no_serious_problems(
    storage: Storage, server: TestServer, browser: Any, axe_source: str
) -> None:
    base = str(server.make_url("")).rstrip("/")
    await add_staff(storage, "sam@example.org", ["manager", "director", "admin"], "Sam Carter")
    done = await storage.cases.submit(
        replace(
            COMPLAINT,
            language="ar",
            adjustments=("large_print", "braille"),
            contact_method=ContactMethod.POST,
            postal_address="1 High Street\nTrowbridge\nBA14 8AA",
        ),
        channel="webchat",
        external_id="visitor-letters",
    )
    page = await axe_page(browser, viewport=DESKTOP)
    checker = Checker(page, axe_source)
    await sign_in(page, base, "sam@example.org", PASSWORD)
    assert done.reference in await page.inner_text("#letters")
    await checker.check("dashboard with letters to post", "Dashboard")
    await page.goto(f"{base}/staff/cases/{done.complaint_id}")
    assert "Download the letter" in await page.inner_text("#letters")
    await checker.check("case page with letters by post")
    await page.click("#letters button[type=submit]")
    await page.wait_for_selector("#letters .tag.ok")  # posted, back on the case page
    await checker.check("case page after posting")
    assert not checker.found, checker.found
