"""Assisted intake drives the chat's own questions on the "staff" channel."""

from __future__ import annotations

import html as htmllib
import re

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from storage.models import AuditEvent, Complaint, Outbox, Person
from storage.runtime import Storage
from tests.admin.helpers import add_staff, csrf_of, login

CHOICE = re.compile(r'name="choice" value="([^"]+)"')
PREFERRED = (
    "language:en",
    "received:letter",
    "kind:complaint",
    "behalf:self",
    "category:standard_of_service",
    "about_staff:no",
    "when:unknown",
    "contact_method:email",
    "contact:email",
)
FINISH = ("done", "send", "confirm", "submit", "yes", "skip", "no")


def next_answer(page: str, typed: set[str]) -> dict[str, str]:
    question = htmllib.unescape(
        page.split('id="question" class="letter pre">')[1].split("</div>")[0]
    )
    choices = CHOICE.findall(page)
    for wanted in PREFERRED:
        if wanted in choices:
            return {"choice": wanted}
    lowered = question.lower()
    if 'id="answer"' in page and question not in typed:
        typed.add(question)
        if "email" in lowered:
            return {"text": "pat@example.org"}
        if "name" in lowered:
            return {"text": "Pat Example"}
        if "phone" in lowered:
            return {"text": "01234 567890"}
        return {"text": "My appointment was cancelled <b>twice</b> without notice."}
    for word in FINISH:
        found = next((c for c in choices if c.split(":")[-1].startswith(word)), None)
        if found:
            return {"choice": found}
    if choices:
        return {"choice": choices[0]}
    return {"text": "Pat Example"}


async def record(client: TestClient) -> str:
    start = await client.get("/staff/intake")
    made = await client.post("/staff/intake", data={"csrf": csrf_of(await start.text())})
    path = made.url.path
    page = await made.text()
    typed: set[str] = set()
    for _ in range(60):
        if "Recorded as" in page:
            return page
        nonce = page.split('name="nonce" value="')[1].split('"')[0]
        data = {"csrf": csrf_of(page), "nonce": nonce, **next_answer(page, typed)}
        page = await (await client.post(path, data=data)).text()
    raise AssertionError("the intake did not finish:\n" + page[-2000:])


async def test_staff_record_a_complaint_by_letter(storage: Storage, client: TestClient) -> None:
    me = await add_staff(storage, "coord@example.org", ["coordinator"])
    assert await login(client, "coord@example.org") == 303
    page = await record(client)
    assert "Recorded as" in page
    async with storage.sessions() as session:
        complaint = await session.scalar(select(Complaint))
        assert complaint is not None
        person = await session.get_one(Person, complaint.person_id)
        outbox = list(await session.scalars(select(Outbox)))
        audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "submit"))
    assert complaint.received_via == "letter"
    assert "cancelled <b>twice</b>" in complaint.description
    assert person.email == "pat@example.org"
    assert audit is not None and audit.staff_id == me.id
    # The receipt goes to the person by the channel they chose, not shown as sent here.
    [receipt] = outbox
    assert (receipt.channel, receipt.address, receipt.state) == (
        "email",
        "pat@example.org",
        "pending",
    )
    assert complaint.reference in receipt.body
    assert "<b>twice</b>" not in page  # escaped on the page
