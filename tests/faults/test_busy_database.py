"""A busy database ("database is locked"): the answer that could not get the write lock in
time is not saved, and the person is told so kindly in their language, with what they
typed kept in the box, never a bare 500 (issue 19: web chat visitors got 500s while the
scheduler queued thousands of alerts). Staff get one log line, not a traceback per
request; /health stays up (the next write may well work); once the lock is free the same
answer goes through.

SQLite: another connection holds the write lock (BEGIN IMMEDIATE) and the busy timeout is
made short, so the wait ends in SQLITE_BUSY as it did under the scheduler.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select
from sqlalchemy.engine import make_url

import storage.db
from bot.unsaved import unsaved_words
from locales import translator
from server import create_app
from storage.models import Draft
from storage.runtime import open_storage
from storage.settings import Settings
from tests.conftest import FakeClock
from tests.faults.test_disk_full import SPANISH, attempt, health, in_the_box
from tests.webchat.visitor import Visitor, read_page

pytestmark = pytest.mark.faults


@contextmanager
def write_lock_held(db_url: str) -> Iterator[None]:
    other = sqlite3.connect(make_url(db_url).database or "", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_locked_database_is_said_kindly_and_logged_once(
    db_url: str,
    settings: Settings,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's one write lock; PostgreSQL locks rows")
    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT_MS", 200)  # read when a connection opens
    opened = await open_storage(
        replace(settings, database_url=db_url), run_migrations=False, clock=clock
    )
    server = TestServer(create_app(opened))
    await server.start_server()
    t = translator("es")
    try:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            visitor = Visitor(session, str(server.make_url("")).rstrip("/"))
            await visitor.open()
            await visitor.follow(SPANISH, until="description")
            typed = "El ascensor estaba roto."
            with caplog.at_level(logging.INFO), write_lock_held(db_url):
                status, page = await attempt(visitor, {"text": typed})
                assert status == 503, page
                shown = read_page(page)
                assert shown.said[0] == unsaved_words(t) != unsaved_words(translator("en"))
                assert (shown.step, shown.lang) == ("description", "es")
                assert in_the_box(page) == typed

                status, body = await attempt(visitor, {"text": typed}, accept="application/json")
                assert status == 503 and json.loads(body)["message"] == unsaved_words(t)

                assert await health(visitor) == (200, {"ok": True})
            told = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
            assert len(told) == 1 and not told[0].exc_info, [r.getMessage() for r in told]
            assert "lock" in told[0].getMessage()

            page_after = await visitor.send(typed)  # the lock is free again
            assert not any(unsaved_words(t) in said for said in page_after.said)
        async with opened.sessions() as db:
            [data] = await db.scalars(select(Draft.data))
        assert typed in str(data)  # the answer was saved once it could be
    finally:
        await server.close()
        await opened.close()
