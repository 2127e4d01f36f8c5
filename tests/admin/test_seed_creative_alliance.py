"""Creative Alliance: "All formal complaints must be submitted using the Creative Alliance
Complaints Form" - the chat's answers are that form."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from procedures.case import Kind, NewComplaint, Received
from services.dialogue import ChatRunner
from storage.runtime import Storage
from tests.admin.helpers import add_staff, login
from tests.scripted import complain


@pytest.fixture
def procedure() -> str:
    return "creative-alliance"


async def test_creative_alliance_formal_complaint_completes_the_complaints_form(
    storage: Storage, client: TestClient
) -> None:
    runner = ChatRunner(storage, "webchat")
    await complain(runner, "visitor-form")
    submitted = runner.submitted
    assert submitted is not None
    assert "Creative Alliance Complaints Form" in submitted.receipt
    assert "do not need to send the form as well" in submitted.receipt

    await add_staff(storage, "staff@example.org", ["staff"])
    assert await login(client, "staff@example.org") == 303
    page = await (await client.get(f"/staff/cases/{submitted.complaint_id}")).text()
    assert "Creative Alliance Complaints Form, completed from their answers" in page
    assert 'id="unreachable"' not in page  # they can be answered in the chat
    form = await (await client.get(f"/staff/cases/{submitted.complaint_id}/form")).text()
    assert "Relationship to Creative Alliance" in form and "Learner" in form
    assert "Sam Jones" in form and "The room was locked" in form
    assert "Not given: Address, Telephone." in form


async def test_creative_alliance_form_with_no_way_to_reach_them_is_kept_and_flagged(
    storage: Storage, client: TestClient
) -> None:
    # Recorded by staff from a note left at reception: no contact details at all.
    new = NewComplaint(
        kind=Kind.COMPLAINT, description="The room was locked.", received_via=Received.LETTER
    )
    submitted = await storage.cases.submit(new, staff_id=None)
    await add_staff(storage, "staff@example.org", ["staff"])
    assert await login(client, "staff@example.org") == 303
    page = await (await client.get(f"/staff/cases/{submitted.complaint_id}")).text()
    assert 'id="unreachable"' in page and "The room was locked." in page
