"""Letters by post: the outbox rows for people who asked for post, as staff see them.

A letter is an outbox row on the "post" channel in state `manual` until a member of staff
marks it posted (then `sent`, with who and when: for post, "sent" means exactly that). Its
formats (large print, Easy Read, Braille) are those marked on the row when it was queued.
Every download and every "posted" is audited; a letter is found only through a case the
member of staff may see (storage/visibility.py), or for a person none of whose cases is
hidden from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import reading
from storage.errors import NotFound
from storage.models import AuditEvent, Complaint, Outbox, Person
from storage.outbox import postal_formats
from storage.visibility import Viewer, hidden_people, viewer_for, visible

TO_POST = "manual"
LIMIT = 200


@dataclass(frozen=True)
class PostalLetterView:
    """One letter by post, for the dashboard and the case page (no text)."""

    id: int
    complaint_id: int | None
    reference: str | None
    person_name: str
    address: str
    language: str
    formats: frozenset[str]
    created_at: datetime
    posted_at: datetime | None  # None: still to post

    @property
    def posted(self) -> bool:
        return self.posted_at is not None


@dataclass(frozen=True)
class LetterContent:
    """What a printed letter needs from storage: the view plus the text."""

    letter: PostalLetterView
    body: str


def _query(viewer: Viewer) -> Select[tuple[Outbox, str, str | None]]:
    return (
        select(Outbox, Person.name, Complaint.reference)
        .join(Person, Person.id == Outbox.person_id)
        .outerjoin(Complaint, Complaint.id == Outbox.complaint_id)
        .where(
            Outbox.channel == "post",
            Outbox.to_supporter.is_(False),
            Person.erased_at.is_(None),
            or_(
                and_(Outbox.complaint_id.is_not(None), visible(viewer)),
                and_(
                    Outbox.complaint_id.is_(None),
                    Outbox.person_id.not_in(hidden_people(viewer)),
                ),
            ),
        )
    )


def _view(row: Outbox, name: str, reference: str | None) -> PostalLetterView:
    return PostalLetterView(
        id=row.id,
        complaint_id=row.complaint_id,
        reference=reference,
        person_name=name,
        address=row.address,
        language=row.language,
        formats=postal_formats(row.subject),
        created_at=row.created_at,
        posted_at=row.sent_at if row.state == "sent" else None,
    )


class PostalLetters:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
    ) -> None:
        self.sessions = sessions
        self.clock = clock

    async def to_post(self, staff_id: int) -> tuple[PostalLetterView, ...]:
        """Letters waiting to be printed and posted, oldest first (the dashboard's list)."""
        async with reading(self.sessions) as session:
            viewer = await viewer_for(session, staff_id)
            rows = await session.execute(
                _query(viewer)
                .where(Outbox.state == TO_POST)
                .order_by(Outbox.created_at, Outbox.id)
                .limit(LIMIT)
            )
            return tuple(_view(*row) for row in rows)

    async def of_case(self, complaint_id: int, staff_id: int) -> tuple[PostalLetterView, ...]:
        """Every letter by post of one case, posted or not, in the order they were written."""
        async with reading(self.sessions) as session:
            viewer = await viewer_for(session, staff_id)
            rows = await session.execute(
                _query(viewer).where(Outbox.complaint_id == complaint_id).order_by(Outbox.id)
            )
            return tuple(_view(*row) for row in rows)

    async def _find(
        self, session: AsyncSession, outbox_id: int, staff_id: int
    ) -> tuple[Outbox, str, str | None]:
        viewer = await viewer_for(session, staff_id)
        found = (await session.execute(_query(viewer).where(Outbox.id == outbox_id))).first()
        if found is None:
            raise NotFound(f"no letter {outbox_id}")
        row, name, reference = found
        return row, name, reference

    async def content(self, outbox_id: int, staff_id: int, *, kind: str) -> LetterContent:
        """The letter's text for printing it as `kind` (pdf / brf); the download is audited."""
        async with self.sessions() as session, session.begin():
            row, name, reference = await self._find(session, outbox_id, staff_id)
            session.add(
                AuditEvent(
                    at=self.clock(),
                    staff_id=staff_id,
                    action="letter_downloaded",
                    complaint_id=row.complaint_id,
                    detail=f"letter {row.id} as {kind}",
                )
            )
            return LetterContent(_view(row, name, reference), row.body)

    async def mark_posted(self, outbox_id: int, staff_id: int) -> PostalLetterView:
        """Staff printed and posted it: the row becomes sent, by them, now (audited)."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            row, name, reference = await self._find(session, outbox_id, staff_id)
            # Conditional, so two members of staff pressing at once post it once.
            result = await session.execute(
                update(Outbox)
                .where(Outbox.id == row.id, Outbox.state == TO_POST)
                .values(state="sent", sent_at=now, external_id=f"staff:{staff_id}")
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise NotFound(f"letter {outbox_id} is not waiting to be posted")
            await session.refresh(row)
            formats = ", ".join(sorted(postal_formats(row.subject))) or "standard print"
            session.add(
                AuditEvent(
                    at=now,
                    staff_id=staff_id,
                    action="letter_posted",
                    complaint_id=row.complaint_id,
                    detail=f"letter {row.id} ({formats})",
                )
            )
            return _view(row, name, reference)
