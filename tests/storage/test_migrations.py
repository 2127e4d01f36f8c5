"""Every migration goes up, down and up again, on SQLite and PostgreSQL (stairway test)."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage.db import alembic_config, create_engine, downgrade, migrate
from storage.models import Base


def revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_stairway(db_url: str) -> None:
    # db_url comes migrated to head; start the stairway from nothing.
    await downgrade(db_url, "base")
    assert await tables(db_url) <= {"alembic_version"}
    previous = "base"
    for revision in revisions(db_url):
        await migrate(db_url, revision)
        await downgrade(db_url, previous)
        await migrate(db_url, revision)
        previous = revision
    assert set(Base.metadata.tables) <= await tables(db_url)


async def test_models_match_migrations(db_url: str) -> None:
    """A model change without a migration fails here, not in production."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []
