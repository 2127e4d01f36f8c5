"""Whole conversations through the web chat over real HTTP, ending in stored records."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from server import create_app
from storage.models import Attachment, Complaint, Draft, Outbox, StageRecord
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.conftest import FakeClock
from tests.scripted import COMPLAINT_PLAN, send, tap
from tests.webchat.visitor import Visitor

Open = Callable[..., Awaitable[Visitor]]


@pytest.fixture
async def open_chat(db_url: str, settings: Settings, clock: FakeClock) -> AsyncIterator[Open]:
    """Serve the real app for a procedure preset and hand out visitors with their own cookies."""
    opened: list[object] = []

    async def factory(procedure: str = "model") -> Visitor:
        storage = await open_storage(
            replace(settings, database_url=db_url, procedure=procedure),
            run_migrations=False,
            clock=clock,
        )
        server = TestServer(create_app(storage))
        await server.start_server()
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        opened.extend([session, server, storage])
        visitor = Visitor(session, str(server.make_url("")).rstrip("/"))
        visitor.storage = storage  # type: ignore[attr-defined]
        await visitor.open()
        return visitor

    yield factory
    for thing in opened:
        await thing.close()  # type: ignore[attr-defined]


async def stored(storage: Storage) -> list[Complaint]:
    async with storage.sessions() as session:
        return list(await session.scalars(select(Complaint).order_by(Complaint.id)))


REFERENCE = re.compile(r"C-2026-\d{4}")


async def test_complaint_from_first_question_to_receipt(open_chat: Open) -> None:
    visitor = await open_chat()
    storage: Storage = visitor.storage  # type: ignore[attr-defined]
    assert visitor.page.step == "language"
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    for shown in ("The room was locked", "last Tuesday", "An apology", "Sam Jones"):
        assert shown in visitor.page.last
    page = await visitor.tap("send")
    receipt = "\n".join(page.said)
    reference = REFERENCE.search(receipt)
    assert reference is not None
    # Received Monday 2 Nov 2026: acknowledge in 5 working days, respond in 10 (model).
    assert "Monday 9 November 2026" in receipt
    assert "Monday 16 November 2026" in receipt
    assert page.step == "menu"

    [complaint] = await stored(storage)
    assert complaint.reference == reference.group()
    assert complaint.description.startswith("The room was locked")
    assert complaint.incident_date == date(2026, 10, 27)
    assert complaint.received_via == "webchat"
    async with storage.sessions() as session:
        [record] = await session.scalars(select(StageRecord))
        [receipt_row] = await session.scalars(select(Outbox))
    assert (record.acknowledge_by, record.respond_by) == (date(2026, 11, 9), date(2026, 11, 16))
    # The receipt is in the outbox as shown: delivered once the page confirms it.
    assert receipt_row.state == "shown" and reference.group() in receipt_row.body

    page = await visitor.tap("status")  # the form says the receipt was shown
    status, question = page.said[-2:]  # the status first, then what else they can do
    assert reference.group() in status and "waiting to be looked at" in status
    assert page.step == "menu" and "anything else" in question
    async with storage.sessions() as session:
        receipt_row = await session.get_one(Outbox, receipt_row.id)
    assert receipt_row.state == "sent" and receipt_row.sent_at is not None


async def test_compliment(open_chat: Open) -> None:
    visitor = await open_chat()
    plan = {
        **COMPLAINT_PLAN,
        "kind": [tap("compliment")],
        "about_staff": [tap("yes")],
        "staff_name": [send("Priya")],
        "description": [send("Priya was so kind to my son."), tap("done")],
        "adjustments": [tap("none")],
        "name": [tap("skip")],
    }
    await visitor.follow(plan, until="summary")
    page = await visitor.tap("send")
    assert any("Thank you for your kind words" in said for said in page.said)
    [complaint] = await stored(visitor.storage)  # type: ignore[attr-defined]
    assert (complaint.kind, complaint.about_staff) == ("compliment", "Priya")


async def test_complaint_on_behalf_of_someone(open_chat: Open) -> None:
    visitor = await open_chat()
    plan = {
        **COMPLAINT_PLAN,
        "behalf": [tap("other")],
        "behalf_name": [send("Maria Nowak")],
        "behalf_relationship": [send("Her daughter")],
        "behalf_consent": [tap("yes")],
    }
    await visitor.follow(plan, until="summary")
    await visitor.tap("send")
    [complaint] = await stored(visitor.storage)  # type: ignore[attr-defined]
    assert complaint.representative_name == "Maria Nowak"
    assert complaint.representative_relationship == "Her daughter"
    assert complaint.consent_recorded is True


async def test_late_complaint_is_warned_stored_and_flagged(open_chat: Open) -> None:
    visitor = await open_chat("creative-alliance")
    plan = {**COMPLAINT_PLAN, "when": [send("12/07/2026")], "route": [tap("formal")]}
    await visitor.follow(plan, until="late_reason")  # asked what made it hard to be sooner
    assert "1 month" in "\n".join(visitor.page.said)  # kindly told, and goes on
    await visitor.follow(plan, until="summary")
    page = await visitor.tap("send")
    assert any("time limit" in said for said in page.said)
    [complaint] = await stored(visitor.storage)  # type: ignore[attr-defined]
    assert complaint.late is True


async def test_edit_from_the_summary(open_chat: Open) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    await visitor.tap("change")
    await visitor.tap("outcome")
    assert visitor.page.step == "outcome"
    page = await visitor.send("A refund of the session fee.")
    assert page.step == "summary" and "A refund of the session fee." in page.last
    await visitor.tap("send")
    [complaint] = await stored(visitor.storage)  # type: ignore[attr-defined]
    assert complaint.desired_outcome == "A refund of the session fee."


async def test_cancel_then_come_back_and_resume(open_chat: Open) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="description")
    await visitor.send("The room was locked.")
    await visitor.tap("cmd:cancel")
    page = await visitor.tap("cancel:yes")
    assert page.step != "description"
    # The visitor closes the tab and comes back later with the same browser.
    page = await visitor.open()
    assert page.step == "resume"
    page = await visitor.tap("resume:continue")
    assert page.step == "description"
    await visitor.tap("done")
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    assert "The room was locked." in visitor.page.last


async def test_photo_is_stored_and_linked_to_the_complaint(open_chat: Open) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="description")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 500
    page = await visitor.post(
        {"text": "Here is the locked door."}, files=[("door.png", png, "image/png")]
    )
    assert any("door.png" in text for cls, text in page.bubbles if "mine" in cls)
    await visitor.tap("done")
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    await visitor.tap("send")
    storage: Storage = visitor.storage  # type: ignore[attr-defined]
    async with storage.sessions() as session:
        [attachment] = await session.scalars(select(Attachment))
        [complaint] = await session.scalars(select(Complaint))
    assert (attachment.complaint_id, attachment.original_name) == (complaint.id, "door.png")
    assert storage.attachments.read(attachment.sha256) == png


async def test_unsupported_or_huge_file_gets_a_kind_word_and_nothing_is_lost(
    open_chat: Open,
) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="description")
    await visitor.send("First part of my story.")
    page = await visitor.post({}, files=[("run.exe", b"MZ" * 100, "application/x-msdownload")])
    assert any("cannot open that kind of file" in said for said in page.said)
    assert page.step == "description"
    await visitor.tap("done")
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    assert "First part of my story." in visitor.page.last


async def test_reloading_a_posted_form_does_not_answer_twice(open_chat: Open) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="description")
    nonce = visitor.page.hidden["nonce"]
    await visitor.send("Once.")
    visitor.page.hidden["nonce"] = nonce  # the browser re-posts the same form
    await visitor.send("Once.")
    await visitor.tap("done")
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    assert visitor.page.last.count("Once.") == 1


async def test_post_without_the_form_token_changes_nothing(open_chat: Open) -> None:
    visitor = await open_chat()
    visitor.page.hidden["csrf"] = "forged"
    page = await visitor.tap("en")
    assert page.step == "language"  # shown the same question again
    async with visitor.storage.sessions() as session:  # type: ignore[attr-defined]
        assert list(await session.scalars(select(Draft))) == []


async def test_staff_reply_reaches_the_web_chat(open_chat: Open) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    await visitor.tap("send")
    storage: Storage = visitor.storage  # type: ignore[attr-defined]
    [complaint] = await stored(storage)
    await storage.cases.acknowledge(complaint.id, staff_id=None)
    messages = await visitor.poll()  # confirms the receipt the page showed
    assert len(messages) == 1 and "We have started looking at your complaint" in messages[0]
    assert await visitor.poll() == []  # shown once, and now confirmed
    async with storage.sessions() as session:
        states = [row.state for row in await session.scalars(select(Outbox))]
    assert states == ["sent", "sent"]


async def test_right_to_left_language_sets_dir(open_chat: Open) -> None:
    visitor = await open_chat()
    page = await visitor.tap("ar")
    assert (page.lang, page.dir) == ("ar", "rtl")


async def test_javascript_posts_get_json(open_chat: Open) -> None:
    visitor = await open_chat()
    form = aiohttp.FormData()
    form.add_field("csrf", visitor.page.hidden["csrf"])
    form.add_field("nonce", visitor.page.hidden["nonce"])
    form.add_field("choice", "language:en")
    async with visitor.session.post(
        f"{visitor.base}/chat", data=form, headers={"Accept": "application/json"}
    ) as response:
        body = await response.json()
    assert body["step"] == "privacy"
    assert body["messages"][0] == {"text": "English", "mine": True}
    assert [c["id"] for c in body["choices"]][:1] == ["privacy:yes"]


@pytest.mark.parametrize("path", ["/", "/health", "/chat", "/static/chat.css", "/nowhere"])
async def test_public_responses_carry_security_headers(open_chat: Open, path: str) -> None:
    visitor = await open_chat()
    async with visitor.session.get(f"{visitor.base}{path}") as response:
        headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
