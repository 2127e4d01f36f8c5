"""Admins can reach the reports and a person's data from the pages they already use."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, submit


async def test_admin_sees_reports_in_the_menu_and_the_person_link_on_a_case(
    storage: Storage, client: TestClient
) -> None:
    done = await submit(storage)
    await add_staff(storage, "admin@example.org", ["admin", "coordinator"])
    await login(client, "admin@example.org")
    dashboard = await (await client.get("/staff/")).text()
    assert 'href="/staff/reports"' in dashboard
    case = await (await client.get(f"/staff/cases/{done.complaint_id}")).text()
    assert f'href="/staff/people/{done.person_id}"' in case
    person = await client.get(f"/staff/people/{done.person_id}")
    assert person.status == 200


async def test_caseworker_sees_neither_link(storage: Storage, client: TestClient) -> None:
    done = await submit(storage)
    await add_staff(storage, "worker@example.org", ["coordinator"])
    await login(client, "worker@example.org")
    assert 'href="/staff/reports"' not in await (await client.get("/staff/")).text()
    case = await (await client.get(f"/staff/cases/{done.complaint_id}")).text()
    assert "/staff/people/" not in case
