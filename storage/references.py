"""Human-friendly complaint references, C-2026-0042, unique and gap-free per year."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import ReferenceCounter


async def next_reference(session: AsyncSession, year: int) -> str:
    """Take the next number for `year` inside the caller's transaction.

    One upsert statement, so two concurrent submissions can never get the same number:
    the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) orders them.
    """
    statement = (
        dialect_insert(session)(ReferenceCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.year], set_={"last": ReferenceCounter.last + 1}
        )
        .returning(ReferenceCounter.last)
    )
    number = (await session.execute(statement)).scalar_one()
    return f"C-{year}-{number:04d}"
