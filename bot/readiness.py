"""GET /ready: may a load balancer send this process traffic? (/health says it is alive.)

Ready means the database answers, will take writes, and is at this version's schema. Each
check is a read: on SQLite it takes no write lock, so a busy writer never makes us unready.
"""

from __future__ import annotations

import os
import shutil
from functools import cache

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.keys import STORAGE
from storage.db import current_revision, head_revision, reading
from storage.runtime import Storage

MIN_FREE_BYTES = 20 * 1024 * 1024  # below this, SQLite writes are about to fail
READ_ONLY = "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'"


@cache
def _head() -> str | None:
    return head_revision()


async def ready(request: web.Request) -> web.Response:
    storage = request.app[STORAGE]
    try:
        reason = await _not_ready(storage)
    except Exception as error:  # unreachable, refused, timed out: not ready, say why
        reason = f"database not reachable: {type(error).__name__}"
    if reason:
        return web.json_response({"ready": False, "reason": reason}, status=503)
    return web.json_response({"ready": True})


async def _not_ready(storage: Storage) -> str:
    engine = storage.engine
    if engine.dialect.name == "postgresql":
        async with reading(storage.sessions) as session:
            read_only = await session.scalar(text(READ_ONLY))
        if read_only:
            return "database is read-only"
    elif problem := _sqlite_problem(make_url(str(engine.url)).database or ""):
        return problem
    current = await current_revision(engine)
    if current != _head():
        return f"database schema is at {current or 'nothing'}, this version needs {_head()}"
    return ""


def _sqlite_problem(path: str) -> str:
    """Two stat calls and a statvfs: quick enough to make on the loop."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        return "database file is not writable"
    if shutil.disk_usage(folder).free < MIN_FREE_BYTES:
        return "disk almost full"
    return ""
