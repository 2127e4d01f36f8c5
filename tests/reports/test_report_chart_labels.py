"""The report's month labels in Chromium, on a desk and on a phone (issue 20): twelve months
side by side, none touching the next, none running into the legend."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from storage.runtime import Storage
from tests.admin.helpers import PASSWORD, add_staff
from tests.browser import BROWSER, sign_in
from tests.conftest import FakeClock
from tests.reports.seed import at, seed

pytestmark = BROWSER


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    return sqlite_db_url


BOXES = """svg => {
    const box = e => { const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    return {
        labels: [...svg.querySelectorAll("text.axis")].map(e => ({...box(e), text: e.textContent})),
        legend: [...svg.querySelectorAll("rect[width='14']")].map(box),
    };
}"""


@pytest.mark.parametrize("width", [1100, 390])
async def test_month_labels_do_not_run_together(
    storage: Storage, server: TestServer, browser: Any, clock: FakeClock, width: int
) -> None:
    await seed(storage, clock)
    clock.set(at(date(2027, 1, 15)))
    await add_staff(storage, "ada@example.org", ["admin"], "Ada Admin")
    base = str(server.make_url("")).rstrip("/")
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    await sign_in(page, base, "ada@example.org", PASSWORD)
    await page.goto(base + "/staff/reports/board?from=2026-02-01&to=2027-01-31")
    found = await page.locator("svg.chart").first.evaluate(BOXES)
    labels = found["labels"]
    assert [label["text"] for label in labels][:2] == ["Feb2026", "Mar"]
    assert len(labels) == 12 and "Jan2027" in labels[-1]["text"]
    for left, right in itertools.pairwise(labels):
        assert left["right"] < right["left"], (left, right)
    lowest = max(label["bottom"] for label in labels)
    assert all(lowest <= key["top"] for key in found["legend"]), (lowest, found["legend"])
    # The page itself does not scroll sideways on a phone.
    scroll = await page.evaluate("document.documentElement.scrollWidth")
    wide = await page.evaluate(
        """w => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1)
            .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8)""",
        width,
    )
    assert scroll <= width, wide
    await context.close()
