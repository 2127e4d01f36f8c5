"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured) and a clock.

Storage tests take `db_url`, which runs them once per database. Each test gets its own
fresh, migrated database, copied from a template migrated once per session: a file copy on
SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from storage import staff
from storage.db import migrate
from storage.runtime import Storage, open_storage
from storage.settings import Settings

# Browser fixtures (Debian's Chromium through Playwright), for every test folder.
from tests.browser import axe_source, browser, server, shots, sqlite_db_url  # noqa: F401

# httpx logs request URLs at INFO, and Bot API URLs carry the bot token: never in test logs.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

PG_ENV = "COMPLAINTS_TEST_DATABASE_URL"
PG_URL = os.environ.get(PG_ENV, "")
# One per test run: parallel runs on one server (developers, CI) must not share it.
TEMPLATE_DB = f"complaints_template_{os.getpid()}"


def _pg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(_pg_dsn(PG_URL))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (set by .ci/run)")
    asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)"))
    asyncio.run(_pg_admin(f"CREATE DATABASE {TEMPLATE_DB}"))
    template_url = make_url(PG_URL).set(database=TEMPLATE_DB).render_as_string(False)
    asyncio.run(migrate(template_url))
    yield TEMPLATE_DB
    asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path / "complaints.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@dataclass
class FakeClock:
    """A clock tests move by hand; starts on Monday 2 November 2026, 10:00 London."""

    now: datetime = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, value: datetime) -> None:
        self.now = value


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id still, with the smallest cost: the tests sign in hundreds of times."""
    monkeypatch.setattr(staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret-key")


@pytest.fixture
async def storage(db_url: str, settings: Settings, clock: FakeClock) -> AsyncIterator[Storage]:
    """Storage on a fresh database with the `model` procedure and the fake clock."""
    opened = await open_storage(
        replace(settings, database_url=db_url), run_migrations=False, clock=clock
    )
    yield opened
    await opened.close()
