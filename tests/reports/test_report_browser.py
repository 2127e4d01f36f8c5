"""The board report in headless Chromium: it renders within the staff view's CSP, its charts
are there with their text alternatives, it prints to PDF, and it is screenshotted into the
`shots` folder (scripts/screenshots.sh regenerates docs/screenshots/)."""

from __future__ import annotations

from pathlib import Path
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


async def test_board_report_renders_prints_and_is_screenshotted(
    storage: Storage, server: TestServer, browser: Any, clock: FakeClock, shots: Path
) -> None:
    from datetime import date

    await seed(storage, clock)
    clock.set(at(date(2027, 1, 15)))
    await add_staff(storage, "ada@example.org", ["admin"], "Ada Admin")
    base = str(server.make_url("")).rstrip("/")

    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    await sign_in(page, base, "ada@example.org", PASSWORD)

    await page.goto(base + "/staff/reports/board?from=2026-11-01&to=2026-12-31")
    assert "Complaints and compliments report" in await page.inner_text("h1")
    charts = page.locator("svg.chart")
    assert await charts.count() == 2
    box = await charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    title = await page.locator("svg.chart > title").first.text_content()
    assert title == "Complaints and compliments received, month by month"
    assert (
        "Nov 2026: 3 complaints, 1 compliments"
        in await page.locator("svg.chart > desc").first.text_content()
    )
    # The stylesheet applied (tables laid out, numbers right-aligned): not blocked by the CSP.
    align = await page.eval_on_selector("td.num", "e => getComputedStyle(e).textAlign")
    assert align == "right"
    assert refused == []

    first = await page.locator("section.chart-section").first.bounding_box()
    last = await page.locator("section.chart-section").last.bounding_box()
    assert first is not None and last is not None
    charts_area = {
        "x": 0,
        "y": first["y"] - 8,
        "width": 1100,
        "height": last["y"] + last["height"] - first["y"] + 16,
    }
    await page.screenshot(
        path=str(shots / "board-report-charts.png"), clip=charts_area, full_page=True
    )
    await page.screenshot(path=str(shots / "board-report.png"), full_page=True)
    for name in ("board-report-charts", "board-report"):
        assert (shots / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    await page.emulate_media(media="print")
    pdf = await page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    await context.close()
