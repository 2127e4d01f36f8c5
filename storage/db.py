"""Engines, sessions and migrations.

SQLite runs in WAL mode with foreign keys on and a busy timeout, and every transaction
starts with BEGIN IMMEDIATE: writers queue for the lock at the start instead of failing
with "database is locked" when a read transaction tries to become a write one. SQLite's
queue is not fair (a waiting writer polls, a writer that just committed can take the lock
straight back), so bulk work (the scheduler's alerts) writes in short batches and lets the
process's waiting writers go first between them (`give_way`).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.private import private_file

BUSY_TIMEOUT_MS = 10_000
# How long bulk work waits for others' writes at most before taking its turn anyway.
GIVE_WAY_MAX_S = 5.0
MIGRATIONS = Path(__file__).parent / "migrations"
# PostgreSQL advisory lock keys (64-bit), one per purpose, the same in every process.
MIGRATION_LOCK = zlib.crc32(b"complaints-assistant:migrate")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for a sqlite+aiosqlite:// or postgresql+asyncpg:// URL."""
    if not is_sqlite(url):
        return create_async_engine(url, pool_pre_ping=True, **kwargs)
    database = make_url(url).database
    if database and database != ":memory:":
        private_file(Path(database))  # 600: its WAL and -shm files take the same mode
    engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so we can emit BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Erased personal data is overwritten, not left in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        # Readers (see reading()) take no write lock: in WAL mode they see a snapshot and
        # never block, or wait for, a writer.
        if connection.get_execution_options().get("read_only", False):
            connection.exec_driver_sql("BEGIN DEFERRED")
            return
        waiting = _WAITING.setdefault(engine.sync_engine, _Waiting())
        waiting.start()  # on the event loop's thread, like every other use of it
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # waits for the lock here
        finally:
            waiting.end()


class _Waiting:
    """How many of this process's transactions are waiting for SQLite's write lock."""

    def __init__(self) -> None:
        self.count = 0
        self.none = asyncio.Event()
        self.none.set()

    def start(self) -> None:
        self.count += 1
        self.none.clear()

    def end(self) -> None:
        self.count -= 1
        if not self.count:
            self.none.set()


_WAITING: weakref.WeakKeyDictionary[Engine, _Waiting] = weakref.WeakKeyDictionary()


async def give_way(engine: AsyncEngine) -> None:
    """Between batches of bulk writes: let the writers waiting for SQLite's lock (a person's
    answer) have it before the next batch takes it. Bounded, so bulk work still advances
    under a steady stream of writes. PostgreSQL locks rows, not the database: nothing waits."""
    await asyncio.sleep(0)
    waiting = _WAITING.get(engine.sync_engine)
    if waiting is not None and waiting.count:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiting.none.wait(), GIVE_WAY_MAX_S)


def dialect_insert(session: AsyncSession) -> Any:
    """INSERT with ON CONFLICT support for the session's database (SQLite or PostgreSQL).

    The one place that knows the two dialects' upsert constructs apart.
    """
    name = session.bind.dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


def iso_date(session: AsyncSession, column: Any) -> Any:
    """A DATE column as YYYY-MM-DD text in SQL, as Python's str(date) writes it (for keys)."""
    if session.bind.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)


@asynccontextmanager
async def reading(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for reads only: on SQLite it does not queue behind writers."""
    async with sessions() as session:
        await session.connection(execution_options={"read_only": True})
        yield session


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrate(url: str, revision: str = "head") -> None:
    """Bring the database to `revision`; Alembic's async env runs its own loop, so a thread."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest migration this code ships (read from the files, no database needed)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None before the first migration). A plain read."""
    async with engine.connect() as connection:
        await connection.execution_options(read_only=True)
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def downgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)
