"""`complaints migrate`: bring the database to this version's schema, then exit."""

from __future__ import annotations

import argparse
import asyncio

from storage.db import create_engine, current_revision, head_revision, migrate
from storage.settings import load_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "migrate",
        help="Migrate the database to this version's schema (for `serve --no-migrate`).",
        description="Brings the configured database to the newest schema and exits. Safe to "
        "run from several machines at once: on PostgreSQL they take turns under a lock.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    before, after = asyncio.run(_migrate(settings.database))
    if before == after:
        print(f"The database schema is current ({after}).")
    else:
        print(f"Migrated the database schema from {before or 'nothing'} to {after}.")
    return 0


async def _migrate(url: str) -> tuple[str | None, str | None]:
    engine = create_engine(url)
    try:
        before = await current_revision(engine)
        await migrate(url)
        return before, head_revision()
    finally:
        await engine.dispose()
