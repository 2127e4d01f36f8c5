"""The staff pages' queries use the indexes made for them (issue 19), by SQLite's own
EXPLAIN QUERY PLAN of the statements the dashboard and the case list really send: the
dashboard's date panels start from the stage records' date indexes (not a scan of every
complaint, as a LEFT JOIN made SQLite do), and a list by status reads (status, id) in
order, so a page stops after its 25 rows instead of sorting every match."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import event

from storage.queries import CaseFilters, Queries
from storage.runtime import Storage
from storage.staff import StaffDirectory


async def plans_of(storage: Storage, call: Any) -> list[str]:
    """EXPLAIN QUERY PLAN of each SELECT that `call` sends, one text per statement."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, params))

    event.listen(storage.engine.sync_engine, "before_cursor_execute", capture)
    try:
        await call()
    finally:
        event.remove(storage.engine.sync_engine, "before_cursor_execute", capture)
    with sqlite3.connect(storage.engine.url.database or "") as raw:
        return [
            "\n".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params))
            for sql, params in sent
        ]


async def test_dashboard_and_list_use_their_indexes(storage: Storage) -> None:
    if storage.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    me = await StaffDirectory(storage.sessions, storage.procedure).add(
        "cat@example.org", "Cat", "correct horse battery staple", ["manager"], now=storage.clock()
    )
    queries = Queries(storage.cases)
    dashboard = await plans_of(storage, lambda: queries.dashboard(me.id))
    panels = [p for p in dashboard if "stage_records" in p and "complaints" in p]
    assert any("ix_stage_records_received_on" in p for p in panels), panels  # escalated
    assert any("MULTI-INDEX OR" in p for p in panels), panels  # due today / this week
    assert sum("ix_stage_records_acknowledge_by" in p for p in panels) >= 2, panels
    listed = await plans_of(storage, lambda: queries.case_list(me.id, CaseFilters(status="open")))
    page = [p for p in listed if "ix_complaints_status_id" in p]
    assert page and not any("TEMP B-TREE FOR ORDER BY" in p for p in page), listed
