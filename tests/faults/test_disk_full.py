"""A full disk: every write fails, and the person is told so kindly (issue 14, point 6).

The database and the data folder sit on a real, small file system that the test fills to
the last byte (tests/faults/small_disk.py): SQLite's file, or a PostgreSQL tablespace, and
the attachment store. While it is full, an answer, an upload and a chat.js post each get
"we could not save that just now" in the person's language with the text kept in the box,
/health says 503 with the reason, and staff get one log line. Once space is freed, the
same answer goes through without a restart.
"""

from __future__ import annotations

import html
import json
import logging
import re
import secrets
from collections.abc import Sequence

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.unsaved import unsaved_words
from locales import translator
from server import create_app
from storage.runtime import Storage
from tests.faults.small_disk import SmallDisk, database, full  # noqa: F401 (fixtures)
from tests.scripted import COMPLAINT_PLAN, tap
from tests.webchat.visitor import Visitor, read_page

pytestmark = pytest.mark.faults

SPANISH = {**COMPLAINT_PLAN, "language": [tap("es")]}
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 500


async def attempt(
    visitor: Visitor,
    data: dict[str, str],
    files: Sequence[tuple[str, bytes, str]] = (),
    *,
    accept: str = "text/html",
) -> tuple[int, str]:
    """Post an answer as Visitor.post does, without asserting that it worked."""
    form = aiohttp.FormData({k: visitor.page.hidden.get(k, "") for k in ("csrf", "nonce")})
    for key, value in data.items():
        form.add_field(key, value)
    for name, content, mime in files:
        form.add_field("file", content, filename=name, content_type=mime)
    headers = {"Accept": accept}
    async with visitor.session.post(f"{visitor.base}/chat", data=form, headers=headers) as r:
        return r.status, await r.text()


def in_the_box(page: str) -> str:
    box = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert box is not None
    return html.unescape(box.group(1))


async def health(visitor: Visitor) -> tuple[int, dict[str, object]]:
    async with visitor.session.get(f"{visitor.base}/health") as response:
        return response.status, await response.json()


async def test_a_full_disk_is_said_kindly_and_nothing_typed_is_lost(
    full: tuple[Storage, SmallDisk],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    storage, disk = full
    server = TestServer(create_app(storage))
    await server.start_server()
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        visitor = Visitor(session, str(server.make_url("")).rstrip("/"))
        await visitor.open()
        await visitor.follow(SPANISH, until="description")
        await visitor.send("El ascensor estaba roto.")  # saved before the disk filled
        disk.fill()
        t = translator("es")
        # Long enough to need new space on PostgreSQL too (stored out of line).
        typed = "Y la puerta tampoco abría. " + secrets.token_urlsafe(2400)
        with caplog.at_level(logging.INFO):
            status, page = await attempt(visitor, {"text": typed})
            assert status == 503
            visitor.page = read_page(page)
            assert visitor.page.said[0] == unsaved_words(t) != unsaved_words(translator("en"))
            assert (visitor.page.step, visitor.page.lang) == ("description", "es")
            assert in_the_box(page) == typed

            files = [("puerta.png", PNG, "image/png")]
            status, page = await attempt(visitor, {"text": typed}, files)
            assert status == 503 and in_the_box(page) == typed
            assert read_page(page).said[0] == unsaved_words(t, files=True)

            status, body = await attempt(visitor, {"text": typed}, accept="application/json")
            assert status == 503 and json.loads(body)["message"] == unsaved_words(t)

            status, said = await health(visitor)
            assert status == 503 and "full" in str(said["reason"]), said
        told = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
        assert len(told) == 1 and not told[0].exc_info, [r.getMessage() for r in told]
        assert "writes are failing" in told[0].getMessage()

        disk.free()
        page_after = await visitor.post({"text": typed}, files)  # no restart
        assert not any(unsaved_words(t) in said for said in page_after.said)
        assert await health(visitor) == (200, {"ok": True})
    draft = await storage.drafts.load("webchat", next(iter(await drafts(storage))))
    assert draft is not None
    assert "El ascensor estaba roto." in str(draft) and typed in str(draft)
    assert "puerta.png" in str(draft)
    await server.close()


async def drafts(storage: Storage) -> list[str]:
    from sqlalchemy import select

    from storage.models import Draft

    async with storage.sessions() as session:
        return list(await session.scalars(select(Draft.external_id)))
