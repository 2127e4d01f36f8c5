"""The web chat's limits (issue 15, points 10-13): complaints per visitor and address, files
only where asked and not too many, long messages kept as a file, server-issued sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot import limits
from server import create_app
from services.export import export_person, to_html, to_json
from storage.models import Attachment, Complaint, Draft, Identity
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.conftest import FakeClock
from tests.scripted import COMPLAINT_PLAN
from tests.webchat.visitor import Visitor

PDF = b"%PDF-1.4 a letter"
NewVisitor = Callable[[], Awaitable[Visitor]]


@pytest.fixture
async def chat(
    db_url: str, settings: Settings, clock: FakeClock
) -> AsyncIterator[tuple[Storage, NewVisitor]]:
    """One server; each call gives a new visitor (a new browser) from the same address."""
    storage = await open_storage(
        replace(settings, database_url=db_url, max_upload_mb=1), run_migrations=False, clock=clock
    )
    server = TestServer(create_app(storage))
    await server.start_server()
    sessions: list[aiohttp.ClientSession] = []

    async def new() -> Visitor:
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(session)
        visitor = Visitor(session, str(server.make_url("")).rstrip("/"))
        await visitor.open()
        return visitor

    yield storage, new
    for session in sessions:
        await session.close()
    await server.close()
    await storage.close()


async def count(storage: Storage, model: type) -> int:
    async with storage.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def send_complaint(visitor: Visitor) -> str:
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    page = await visitor.tap("send")
    return page.last


async def test_complaints_per_address_are_limited_with_another_way_in(
    chat: tuple[Storage, NewVisitor], monkeypatch: pytest.MonkeyPatch
) -> None:
    storage, new = chat
    monkeypatch.setattr(limits, "COMPLAINTS_PER_HOUR", 2)
    for _ in range(2):
        await send_complaint(await new())
    assert await count(storage, Complaint) == 2
    late = await new()
    await late.follow(COMPLAINT_PLAN, until="summary")
    page = await late.tap("send")
    assert any("several complaints in a short time" in said for said in page.said)
    assert await count(storage, Complaint) == 2
    assert page.step == "summary"  # nothing lost: sending works again later


async def test_files_only_where_asked_and_not_too_many(
    chat: tuple[Storage, NewVisitor], monkeypatch: pytest.MonkeyPatch
) -> None:
    storage, new = chat
    monkeypatch.setattr(limits, "FILES_PER_COMPLAINT", 2)
    visitor = await new()
    early = await visitor.post({}, files=[("letter.pdf", PDF, "application/pdf")])
    assert any("when I ask for them" in said for said in early.said)
    assert await count(storage, Attachment) == 0  # not stored before the question
    await visitor.follow(COMPLAINT_PLAN, until="description")
    await visitor.post({}, files=[("one.pdf", PDF + b"1", "application/pdf")])
    await visitor.post({}, files=[("two.pdf", PDF + b"2", "application/pdf")])
    third = await visitor.post({}, files=[("three.pdf", PDF + b"3", "application/pdf")])
    assert any("a lot of files" in said for said in third.said)
    assert await count(storage, Attachment) == 2


async def test_bytes_per_address_in_an_hour_are_limited(
    chat: tuple[Storage, NewVisitor],
) -> None:
    storage, new = chat
    big = PDF + b"0" * (storage.attachments.max_bytes - len(PDF) - 10)
    answers = []
    for n in range(5):  # five fresh sessions from one address
        visitor = await new()
        await visitor.follow(COMPLAINT_PLAN, until="description")
        page = await visitor.post({}, files=[(f"f{n}.pdf", big + bytes([n]), "application/pdf")])
        answers.append(any("a lot of files" in said for said in page.said))
    assert await count(storage, Attachment) == 3
    assert answers == [False, False, False, True, True]


async def test_a_very_long_message_is_kept_whole_as_a_file(
    chat: tuple[Storage, NewVisitor],
) -> None:
    storage, new = chat
    visitor = await new()
    await visitor.follow(COMPLAINT_PLAN, until="description")
    story = "It went wrong. " * 2000  # 30,000 characters
    page = await visitor.send(story)
    assert any("kept all of it as a file" in said for said in page.said)
    async with storage.sessions() as session:
        [attachment] = await session.scalars(select(Attachment))
    assert storage.attachments.read(attachment.sha256).decode() == story
    await visitor.tap("done")
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    await visitor.tap("send")
    async with storage.sessions() as session:
        [complaint] = await session.scalars(select(Complaint))
        linked = await session.scalar(select(Attachment.complaint_id))
    assert len(complaint.description) < limits.MESSAGE_CHARS
    assert linked == complaint.id


async def test_the_chat_session_is_issued_by_the_server_and_stored_hashed(
    chat: tuple[Storage, NewVisitor],
) -> None:
    storage, new = chat
    fixed = "A" * 43  # a value an attacker plants in the victim's browser
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        visitor = Visitor(session, (await new()).base)
        session.cookie_jar.update_cookies({"chat_session": fixed})
        await visitor.open()
        issued = {c.key: c.value for c in session.cookie_jar}["chat_session"]
        assert issued != fixed
        await send_complaint(visitor)
    finally:
        await session.close()
    async with storage.sessions() as db:
        ids = list(await db.scalars(select(Identity.external_id)))
        ids += list(await db.scalars(select(Draft.external_id)))
    assert ids and all(issued not in value and fixed not in value for value in ids)


async def test_the_subject_access_export_holds_no_chat_token(
    chat: tuple[Storage, NewVisitor],
) -> None:
    storage, new = chat
    visitor = await new()
    await send_complaint(visitor)
    cookie = {c.key: c.value for c in visitor.session.cookie_jar}["chat_session"]
    async with storage.sessions() as db:
        person_id = await db.scalar(select(Complaint.person_id))
        conversation = await db.scalar(select(Identity.external_id))
    assert person_id is not None and conversation
    export = await export_person(
        storage.sessions, person_id, organisation="Org", now=storage.clock()
    )
    text = to_json(export) + to_html(export)
    assert cookie.partition(".")[0] not in text
    assert conversation not in text
