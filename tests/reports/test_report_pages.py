"""The report and people's-data pages of the staff view: admin only, and they work."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from server import create_app
from storage.models import AuditEvent, Person
from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, token
from tests.conftest import FakeClock
from tests.reports.seed import at, seed

PERIOD = "from=2026-11-01&to=2026-12-31"


@pytest.fixture
async def client(storage: Storage) -> AsyncIterator[TestClient]:
    made = TestClient(TestServer(create_app(storage)))
    await made.start_server()
    yield made
    await made.close()


async def test_reports_need_the_admin_role(
    storage: Storage, clock: FakeClock, client: TestClient
) -> None:
    response = await client.get("/staff/reports", allow_redirects=False)
    assert response.status == 303 and "/staff/login" in response.headers["Location"]
    await add_staff(storage, "mia@example.org", ["manager"])
    assert await login(client, "mia@example.org") == 303
    for path in (
        "/staff/reports",
        "/staff/reports/board",
        "/staff/reports/report.csv",
        "/staff/people/1",
    ):
        assert (await client.get(path)).status == 403, path


async def test_the_report_page_board_report_and_downloads(
    storage: Storage, clock: FakeClock, client: TestClient
) -> None:
    await seed(storage, clock)
    await add_staff(storage, "ada@example.org", ["admin"])
    assert await login(client, "ada@example.org") == 303

    page = await client.get(f"/staff/reports?{PERIOD}")
    html = await page.text()
    assert page.status == 200
    assert "<svg" in html and 'role="img"' in html and "<desc" in html
    assert "Sam Jones" not in html

    board = await client.get(f"/staff/reports/board?{PERIOD}")
    text = await board.text()
    assert board.status == 200 and text.startswith("<!doctype html>")
    assert '<link rel="stylesheet" href="/staff/static/report.css">' in text
    assert "<style>" not in text  # the staff view's CSP allows no inline styles
    assert (await client.get("/staff/static/report.css")).status == 200

    download = await client.get(f"/staff/reports/report.csv?{PERIOD}")
    assert download.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in download.headers["Content-Disposition"]
    assert "received,all,9," in await download.text()
    data = await (await client.get(f"/staff/reports/report.json?{PERIOD}")).text()
    assert json.loads(data)["received"] == 9

    bad = await client.get("/staff/reports?from=nonsense")
    assert bad.status == 400


async def test_someones_data_export_and_erasure(
    storage: Storage, clock: FakeClock, client: TestClient
) -> None:
    ids = await seed(storage, clock)
    clock.set(at(clock().date()))
    await add_staff(storage, "ada@example.org", ["admin"])
    assert await login(client, "ada@example.org") == 303
    reference = (await storage.cases.get(ids["G"])).reference

    found = await client.get(f"/staff/people?q={reference}", allow_redirects=False)
    assert found.status == 303
    person_page = found.headers["Location"]
    assert (await client.get("/staff/people?q=g@example.org", allow_redirects=False)).headers[
        "Location"
    ] == person_page

    exported = await client.get(person_page + "/export.json")
    data = json.loads(await exported.text())
    assert data["records"]["complaints"][0]["reference"] == reference
    readable = await client.get(person_page + "/export.html")
    assert "Everything Our organisation holds about you" in await readable.text()

    csrf = await token(client, person_page)
    refused = await client.post(
        person_page + "/erase", data={"csrf": csrf, "reason": "asked", "confirm": "no"}
    )
    assert refused.status == 400
    erased = await client.post(
        person_page + "/erase",
        data={"csrf": csrf, "reason": "Asked by phone, approved by Ada", "confirm": "ERASE"},
        allow_redirects=False,
    )
    assert erased.status == 303
    async with storage.sessions() as session:
        person = await session.get_one(Person, data["person"]["id"])
        assert person.erased_at is not None and person.email == ""
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert "export_person" in actions and "erase_person" in actions
