"""Creative Alliance: "All formal complaints must be submitted using the Creative Alliance
Complaints Form" - the chat's answers are that form."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from conversations.model import Reply
from procedures.case import Kind, NewComplaint, Received
from services.dialogue import ChatRunner
from storage.models import Outbox
from storage.runtime import Storage
from tests.admin.helpers import add_staff, case_form, login
from tests.scripted import COMPLAINT_PLAN, Action, complain, send, tap

FORM_PLAN: dict[str, list[Action]] = {
    **COMPLAINT_PLAN,
    # A number that cannot be one first: kindly asked again, nothing lost.
    "form_phone": [send("12 34"), send("07700 900123")],
    "form_address": [send("1 Gibb Street, Birmingham B9 4AT")],
}


@pytest.fixture
def procedure() -> str:
    return "creative-alliance"


class Recorder(ChatRunner):
    """The web chat's runner, keeping every reply the person was shown."""

    def __init__(self, storage: Storage) -> None:
        super().__init__(storage, "webchat")
        self.shown: list[Reply] = []

    async def handle(self, *args: Any, **kwargs: Any) -> list[Reply] | None:
        replies = await super().handle(*args, **kwargs)
        self.shown.extend(replies or ())
        return replies

    def asked(self, step: str) -> list[Reply]:
        return [r for r in self.shown if r.step == step]


async def staff_client(storage: Storage, client: TestClient) -> TestClient:
    await add_staff(storage, "staff@example.org", ["staff"])
    assert await login(client, "staff@example.org") == 303
    return client


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


async def test_creative_alliance_form_asks_address_and_telephone(
    storage: Storage, client: TestClient
) -> None:
    runner = Recorder(storage)
    await complain(runner, "visitor-details", FORM_PLAN)  # replies by chat
    phone_asked = runner.asked("form_phone")
    assert "Creative Alliance Complaints Form asks for a telephone number" in phone_asked[0].text
    assert "we will still reply the way you chose" in phone_asked[0].text
    assert [c.label for c in phone_asked[0].choices] == ["Skip this question"]
    assert "couldn't use that as a phone number" in phone_asked[1].text
    assert "You can also skip this question." in phone_asked[1].text
    assert runner.asked("form_address")
    submitted = runner.submitted
    assert submitted is not None

    await staff_client(storage, client)
    form = await (await client.get(f"/staff/cases/{submitted.complaint_id}/form")).text()
    assert "+447700900123" in form and "1 Gibb Street, Birmingham B9 4AT" in form
    assert "Not given" not in form
    page = await (await client.get(f"/staff/cases/{submitted.complaint_id}")).text()
    assert 'id="other-contacts"' in page and "+447700900123" in page
    assert "Replies go by</dt><dd>chat" in page
    # Given for the form only: the receipt and what follows still go to the chat.
    async with storage.sessions() as session:
        channels = set(
            await session.scalars(
                select(Outbox.channel).where(Outbox.complaint_id == submitted.complaint_id)
            )
        )
    assert channels == {"webchat"}


async def test_creative_alliance_form_does_not_ask_again_what_they_gave(
    storage: Storage,
) -> None:
    by_phone = Recorder(storage)
    plan = {
        **FORM_PLAN,
        "contact_method": [tap("phone")],
        "contact_detail": [send("07700 900456")],
    }
    await complain(by_phone, "visitor-phone", plan)
    assert not by_phone.asked("form_phone") and by_phone.asked("form_address")

    by_post = Recorder(storage)
    plan = {
        **FORM_PLAN,
        "contact_method": [tap("post")],
        "contact_detail": [send("2 Gibb Street, Birmingham B9 4AT")],
    }
    await complain(by_post, "visitor-post", plan)
    assert by_post.asked("form_phone") and not by_post.asked("form_address")


async def test_creative_alliance_form_is_downloadable(storage: Storage, client: TestClient) -> None:
    runner = ChatRunner(storage, "webchat")
    await complain(runner, "visitor-download", FORM_PLAN)
    submitted = runner.submitted
    assert submitted is not None
    case = f"/staff/cases/{submitted.complaint_id}"
    await staff_client(storage, client)
    for page in (case, case + "/form"):
        html = await (await client.get(page)).text()
        assert f'href="{case}/form/download" download>Download the form</a>' in html

    response = await client.get(case + "/form/download")
    assert response.status == 200
    reference = submitted.reference.replace("/", "_")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{reference}-complaints-form.html"'
    )
    document = await response.text()
    assert "<h1>Creative Alliance Complaints Form</h1>" in document
    assert "Sam Jones" in document and "+447700900123" in document
    assert "Relationship to Creative Alliance" in document and "The room was locked" in document
    assert "/staff/" not in document  # a document to keep, not a page of the staff view

    # Built from what the case holds when downloaded: a number staff corrected shows.
    fields = await case_form(
        client,
        case,
        language="en",
        contact_method="chat",
        phone="07700 900999",
        postal_address="1 Gibb Street, Birmingham B9 4AT",
    )
    changed = await client.post(case + "/promise", data=fields, allow_redirects=False)
    assert changed.status == 303
    document = await (await client.get(case + "/form/download")).text()
    assert "07700 900999" in document and "+447700900123" not in document
