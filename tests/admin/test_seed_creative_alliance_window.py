"""Creative Alliance: "Complaints should be made within one month of the incident occurring or
becoming known. Complaints generally will not be accepted after four months. Exceptions may be
made at the Director's discretion in cases of serious concerns or vulnerable individuals."
"""

from __future__ import annotations

import html

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from services.dialogue import ChatRunner
from storage.models import AuditEvent, Outbox
from storage.runtime import Storage
from tests.admin.helpers import add_staff, login
from tests.admin.seed_helpers import act
from tests.scripted import COMPLAINT_PLAN, complain, send, tap

REASON = "A vulnerable learner, and a serious concern."


@pytest.fixture
def procedure() -> str:
    return "creative-alliance"


async def late_complaint(runner: ChatRunner, person: str, lang: str = "en") -> int:
    """A complaint about something six months ago (the fake clock's today is 2 Nov 2026)."""
    plan = {**COMPLAINT_PLAN, "language": [tap(lang)], "when": [send("2026-05-01")]}
    await complain(runner, person, plan)
    assert runner.submitted is not None
    return runner.submitted.complaint_id


async def case_page(client: TestClient, case_id: int) -> str:
    return html.unescape(await (await client.get(f"/staff/cases/{case_id}")).text())


async def told(storage: Storage, case_id: int) -> Outbox:
    async with storage.sessions() as session:
        rows = await session.scalars(
            select(Outbox).where(Outbox.complaint_id == case_id).order_by(Outbox.id.desc())
        )
        return next(iter(rows))


async def audited(storage: Storage, case_id: int, action: str) -> str:
    async with storage.sessions() as session:
        found = await session.scalar(
            select(AuditEvent.detail).where(
                AuditEvent.complaint_id == case_id, AuditEvent.action == action
            )
        )
    assert found is not None, action
    return found


async def test_creative_alliance_after_four_months_the_directors_discretion_decides(
    storage: Storage, client: TestClient
) -> None:
    runner = ChatRunner(storage, "webchat")
    case_id = await late_complaint(runner, "late-visitor")
    await add_staff(storage, "staff@example.org", ["staff"])
    assert await login(client, "staff@example.org") == 303
    page = await case_page(client, case_id)
    assert "a decision to make" in page and "at the Director's discretion" in page
    assert 'id="act-accept_late"' in page and 'id="act-decline_late"' in page

    refused = await act(client, case_id, "accept_late", {"reason": " "}, status=400)
    assert "Give the reason" in refused
    await act(client, case_id, "accept_late", {"reason": REASON})
    message = await told(storage, case_id)
    assert "We have decided to look into it." in message.body and REASON in message.body
    assert REASON in await audited(storage, case_id, "accept_late")
    page = await case_page(client, case_id)
    assert "accepted (" + REASON in page
    assert 'id="act-accept_late"' not in page and 'id="act-reply"' in page


async def test_creative_alliance_late_complaint_declined_is_told_in_their_language(
    storage: Storage, client: TestClient
) -> None:
    runner = ChatRunner(storage, "webchat")
    case_id = await late_complaint(runner, "late-visitor-cy", lang="cy")
    await add_staff(storage, "staff@example.org", ["staff"])
    assert await login(client, "staff@example.org") == 303
    await act(client, case_id, "decline_late", {"reason": "Eight months later."})
    message = await told(storage, case_id)
    assert message.language == "cy"
    assert "Eight months later." in message.body
    assert "We have decided that we cannot look into it" not in message.body  # Welsh words
    assert "Eight months later." in await audited(storage, case_id, "decline_late")
    assert (await storage.cases.get(case_id)).status == "closed"
