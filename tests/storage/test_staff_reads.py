"""Staff page reads never take SQLite's write lock (issue 19): while another connection
holds it, the signed-in lookup, the case list and the case page still answer; the case
page's "view" audit event is written in its own short transaction, after the reads."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from procedures.case import Kind, NewComplaint, Received
from storage.models import AuditEvent
from storage.queries import CaseFilters, Queries
from storage.runtime import Storage
from storage.staff import StaffDirectory
from storage.web_sessions import WebSessions

NEW = NewComplaint(
    kind=Kind.COMPLAINT,
    description="The session on Tuesday was cancelled without notice.",
    complainant_name="Alex Example",
    received_via=Received.WEBCHAT,
)


@contextmanager
def write_lock(storage: Storage) -> Iterator[None]:
    """Another process's writer holding SQLite's one write lock."""
    other = sqlite3.connect(storage.engine.url.database or "", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_staff_reads_answer_while_a_writer_holds_the_lock(
    storage: Storage,
) -> None:
    if storage.engine.dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's")
    directory = StaffDirectory(storage.sessions, storage.procedure)
    now = storage.cases.clock()
    me = await directory.add(
        "cat@example.org", "Cat", "correct horse battery staple", ["manager"], now=now
    )
    done = await storage.cases.submit(NEW, channel="webchat", external_id="v1", inline=True)
    cookie, _ = await WebSessions(storage.sessions).create(me.id, now=now)
    queries = Queries(storage.cases)
    with write_lock(storage):
        # A read that queued for the lock would fail with "database is locked".
        signed_in = await WebSessions(storage.sessions).lookup(cookie, now=now)
        assert signed_in is not None and signed_in.staff.id == me.id
        page = await queries.case_list(me.id, CaseFilters())
        assert [row.id for row in page.rows] == [done.complaint_id]
        detail = await queries.case_detail(done.complaint_id, me.id, audit=False)
        assert detail.case.id == done.complaint_id
    await queries.case_detail(done.complaint_id, me.id)
    async with storage.sessions() as session:
        views = list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "view")))
    assert [(v.staff_id, v.complaint_id) for v in views] == [(me.id, done.complaint_id)]
