"""One migrated SQLite database per test run, for fault tests that copy it per example
(hypothesis examples cannot take pytest's per-test fixtures)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import tempfile
from functools import cache
from pathlib import Path

from storage.db import migrate


@cache
def template() -> Path:
    path = Path(tempfile.mkdtemp()) / "template.db"
    asyncio.run(migrate(f"sqlite+aiosqlite:///{path}"))
    # Fold the WAL into the file: copies take the .db file alone.
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=DELETE")
    return path
