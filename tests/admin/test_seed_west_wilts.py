"""West Wilts' seed rules in behaviour: the management committee's list."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from procedures.case import Kind
from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, submit, token


async def test_west_wilts_compliments_noted_at_next_management_committee_meeting(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "chair@example.org", ["chair", "admin"])
    assert await login(client, "chair@example.org") == 303
    complaint = await submit(storage, "v1")
    compliment = await submit(storage, "v2", kind=Kind.COMPLIMENT, description="Lovely staff.")
    page = await (await client.get("/staff/committee")).text()
    assert complaint.reference in page and compliment.reference in page
    assert "Compliment" in page

    form = {"csrf": await token(client, "/staff/committee"), "held_on": "2026-11-10"}
    data = [
        *form.items(),
        ("case", str(complaint.complaint_id)),
        ("case", str(compliment.complaint_id)),
    ]
    response = await client.post("/staff/committee", data=data, allow_redirects=False)
    assert response.status == 303
    later = await submit(storage, "v3", kind=Kind.COMPLIMENT, description="Thank you.")
    page = await (await client.get("/staff/committee")).text()
    assert complaint.reference not in page and compliment.reference not in page
    assert later.reference in page
    assert "Tue 10 Nov 2026" in page  # the last meeting

    empty = {"csrf": await token(client, "/staff/committee"), "held_on": "2026-12-01"}
    refused = await client.post("/staff/committee", data=empty, allow_redirects=False)
    assert refused.status == 400  # nothing ticked: nothing is noted unseen
