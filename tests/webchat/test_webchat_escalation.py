"""Escalation in the web chat over real HTTP: the words the answer tells people to type."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from server import create_app
from storage.models import Complaint
from storage.runtime import open_storage
from storage.settings import Settings
from tests.conftest import FakeClock
from tests.scripted import COMPLAINT_PLAN
from tests.webchat.visitor import Visitor


async def test_typing_i_am_not_satisfied_after_the_answer_opens_the_request(
    db_url: str, settings: Settings, clock: FakeClock
) -> None:
    storage = await open_storage(
        replace(settings, database_url=db_url), run_migrations=False, clock=clock
    )
    server = TestServer(create_app(storage))
    await server.start_server()
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            visitor = Visitor(session, str(server.make_url("")).rstrip("/"))
            await visitor.open()
            await visitor.follow(COMPLAINT_PLAN, until="summary")
            page = await visitor.tap("send")
            assert page.step == "menu"
            assert "menu:escalate" not in [value for value, _ in page.buttons]

            async with storage.sessions() as db:
                case_id = await db.scalar(select(Complaint.id))
            await storage.cases.reply(case_id, "Our answer.", staff_id=None)
            page = await visitor.send("I am not satisfied")
            assert page.step == "escalate", page.last
            await visitor.send("Nothing was fixed.")
            page = await visitor.tap("send")
            assert page.step == "menu"
            assert "We have your request to take complaint" in " ".join(page.said)
            assert page.buttons  # the next choices are there at once
            view = await storage.cases.get(case_id)
            assert len(view.stages) == 2
    finally:
        await server.close()
        await storage.close()
