"""Everything a running process needs from storage, opened from Settings in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from procedures.calendar import WorkingCalendar
from procedures.deadlines import calendar_for
from procedures.loader import ProcedureError, load_procedure
from procedures.model import Procedure
from storage.attachments import AttachmentStore
from storage.cases import CaseService
from storage.db import create_engine, current_revision, head_revision, migrate, session_factory
from storage.drafts import DraftStore
from storage.health import WriteHealth, watch
from storage.models import utcnow
from storage.settings import Settings, SettingsError, without_password


@dataclass
class Storage:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    procedure: Procedure
    calendar: WorkingCalendar
    cases: CaseService
    drafts: DraftStore
    attachments: AttachmentStore
    clock: Callable[[], datetime] = utcnow  # one clock for every part of the process
    health: WriteHealth = field(default_factory=WriteHealth)  # do writes work? (/health)

    async def close(self) -> None:
        await self.engine.dispose()


def load_configured_procedure(settings: Settings) -> Procedure:
    try:
        return load_procedure(settings.procedure)
    except ProcedureError as error:
        raise SettingsError(f"COMPLAINTS_PROCEDURE: {error}") from None
    except UnicodeDecodeError:
        raise SettingsError(
            f"COMPLAINTS_PROCEDURE: {settings.procedure} is not UTF-8 text; save it as UTF-8"
        ) from None


def cannot_open(settings: Settings, error: BaseException) -> str:
    """One line for a database that cannot be opened: which setting, why, what to do; the
    URL's password is never shown."""
    cause = getattr(error, "orig", None) or error
    reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0][:200]
    if isinstance(cause, OSError) and cause.strerror:
        reason = cause.strerror
    where = without_password(settings.database)
    return without_password(
        f"COMPLAINTS_DATABASE_URL: cannot open the database {where}: {reason}. Check that "
        "the server is running, the database and user exist, and the folder is writable."
    )


async def open_storage(
    settings: Settings,
    *,
    run_migrations: bool = True,
    clock: Callable[[], datetime] = utcnow,
) -> Storage:
    """Open the database (migrating it to the latest schema) and the services on it."""
    procedure = load_configured_procedure(settings)
    calendar = calendar_for(procedure, settings.nation)
    try:
        if run_migrations:
            await migrate(settings.database)
        engine = create_engine(settings.database)
    except (OSError, SQLAlchemyError) as error:
        raise SettingsError(cannot_open(settings, error)) from None
    sessions = session_factory(engine)
    health = WriteHealth()
    watch(engine, sessions, health)
    return Storage(
        settings=settings,
        engine=engine,
        sessions=sessions,
        procedure=procedure,
        calendar=calendar,
        cases=CaseService(sessions, procedure, calendar, zone=settings.zone, clock=clock),
        drafts=DraftStore(sessions),
        attachments=AttachmentStore(
            settings.attachments_dir, sessions, settings.max_upload_mb * 1024 * 1024
        ),
        clock=clock,
        health=health,
    )


async def require_current_schema(storage: Storage) -> None:
    """Refuse to run on a database that `complaints migrate` has not brought up to date."""
    current, head = await current_revision(storage.engine), head_revision()
    if current != head:
        await storage.close()
        raise SettingsError(
            f"COMPLAINTS_DATABASE_URL: the database schema is at {current or 'nothing'}, "
            f"this version needs {head}; run `complaints migrate` first"
        )
