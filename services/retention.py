"""Keeping personal data no longer than needed, and erasing it on request.

Periods: a case is kept for the procedure's `retention_years` (six by default) after it
closes (compliments and feedback: after they arrive); a conversation never submitted, and
files never attached to a complaint, for 30 days.

What erasure keeps, so reports (storage/reports.py) stay right: the complaint's reference,
kind, category, channel, status, dates, stages with their due and done dates and outcomes,
the count of extensions, the person's language and adjustment ids, and the audit log (which
never holds content). What a member of staff wrote about the organisation's changes
(outcome "actions" and "policy_change") is kept for "you said, we did".
What it removes: every word the person wrote or was sent (description, messages, outbox,
drafts, call-back notes), names, contact details, channel identities, the name of a member
of staff complained about (the fact stays, as "[erased]"), extension reasons, contact
restrictions, and attachment files. On SQLite, deleted content is overwritten
(secure_delete) and the write-ahead log is emptied afterwards, so no copy stays on disk.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from procedures.model import Procedure
from storage.cases import ENDED
from storage.models import (
    Attachment,
    AuditEvent,
    CallbackRequest,
    Complaint,
    ContactRestriction,
    Draft,
    Extension,
    Identity,
    Message,
    Outbox,
    Person,
    ProcessedUpdate,
    StageRecord,
    SubjectCandidate,
    Supporter,
)

log = logging.getLogger(__name__)

DRAFT_DAYS = 30
ERASED = "[erased]"
KEPT_DETAIL = ("apology", "actions", "policy_change")


@dataclass(frozen=True)
class Erased:
    """What one run removed."""

    complaints: int = 0
    people: int = 0
    drafts: int = 0
    files: int = 0


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February in a year without one
        return moment.replace(year=moment.year - years, day=28)


class Retention:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        procedure: Procedure,
        attachments_dir: Path,
    ) -> None:
        self.sessions = sessions
        self.procedure = procedure
        self.attachments_dir = attachments_dir

    # -- the daily run -------------------------------------------------------------------

    async def run(self, *, now: datetime) -> Erased:
        """Apply the retention periods; safe to run any number of times."""
        kept_until = years_before(now, self.procedure.retention_years)
        draft_cutoff = now - timedelta(days=DRAFT_DAYS)
        files: set[str] = set()
        async with self.sessions() as session, session.begin():
            drafts = (
                await session.execute(delete(Draft).where(Draft.updated_at < draft_cutoff))
            ).rowcount or 0  # type: ignore[attr-defined]
            await session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < draft_cutoff)
            )
            # Files uploaded in a conversation that was never submitted.
            files |= await self._delete_attachments(
                session,
                Attachment.complaint_id.is_(None),
                Attachment.created_at < draft_cutoff,
            )
            due = await session.scalars(
                select(Complaint).where(
                    Complaint.erased_at.is_(None),
                    or_(
                        (Complaint.status.in_(ENDED)) & (Complaint.closed_at < kept_until),
                        (Complaint.kind != "complaint") & (Complaint.created_at < kept_until),
                    ),
                )
            )
            complaints = list(due)
            for complaint in complaints:
                files |= await self._erase_complaint(session, complaint, now, staff_id=None)
            people = 0
            for person in await self._people_with_nothing_kept(session, draft_cutoff):
                files |= await self._erase_person(session, person, now)
                people += 1
            await session.execute(
                delete(CallbackRequest).where(CallbackRequest.created_at < kept_until)
            )
        removed = await self._remove_files(files)
        await self.flush_disk()
        if complaints or people or drafts or removed:
            log.info(
                "retention: erased %d case(s), %d person(s), %d draft(s), %d file(s)",
                len(complaints),
                people,
                drafts,
                removed,
            )
        return Erased(len(complaints), people, int(drafts), removed)

    async def _people_with_nothing_kept(
        self, session: AsyncSession, cutoff: datetime
    ) -> list[Person]:
        """People not yet erased whose every case is erased (or who never had one), seen
        last before the draft cutoff, with no conversation in progress."""
        kept = select(Complaint.person_id).where(Complaint.erased_at.is_(None))
        drafting = select(Draft.person_id).where(Draft.person_id.is_not(None))
        identities_drafting = select(Identity.person_id).where(
            tuple_(Identity.channel, Identity.external_id).in_(
                select(Draft.channel, Draft.external_id)
            )
        )
        rows = await session.scalars(
            select(Person).where(
                Person.erased_at.is_(None),
                Person.created_at < cutoff,
                Person.id.not_in(kept),
                Person.id.not_in(drafting),
                Person.id.not_in(identities_drafting),
            )
        )
        return list(rows)

    # -- erasure on request --------------------------------------------------------------

    async def erase_person(
        self, person_id: int, *, staff_id: int | None, reason: str, now: datetime
    ) -> Erased:
        """Erase everything about one person now (a request approved by staff; audited)."""
        if not reason.strip():
            raise ValueError("an erasure needs a reason for the audit log")
        files: set[str] = set()
        async with self.sessions() as session, session.begin():
            person = await session.get_one(Person, person_id)
            complaints = list(
                await session.scalars(
                    select(Complaint).where(
                        Complaint.person_id == person_id, Complaint.erased_at.is_(None)
                    )
                )
            )
            for complaint in complaints:
                files |= await self._erase_complaint(session, complaint, now, staff_id=staff_id)
            files |= await self._erase_person(session, person, now)
            session.add(
                AuditEvent(
                    at=now,
                    staff_id=staff_id,
                    actor="staff" if staff_id else "system",
                    action="erase_person",
                    detail=f"person {person_id}: {reason}"[:200],
                )
            )
        removed = await self._remove_files(files)
        await self.flush_disk()
        return Erased(len(complaints), 1, 0, removed)

    # -- the pieces ----------------------------------------------------------------------

    async def _erase_complaint(
        self, session: AsyncSession, complaint: Complaint, now: datetime, *, staff_id: int | None
    ) -> set[str]:
        complaint.description = ""
        complaint.desired_outcome = ""
        complaint.incident_text = ""
        complaint.incident_date = None
        if complaint.about_staff or complaint.subject_staff_id:
            complaint.about_staff = ERASED  # the fact is a statistic; the name is not
        complaint.subject_staff_id = None
        complaint.triage = None
        await session.execute(
            delete(SubjectCandidate).where(SubjectCandidate.complaint_id == complaint.id)
        )
        if complaint.representative_name:
            complaint.representative_name = ERASED
        if complaint.representative_relationship:
            complaint.representative_relationship = ERASED
        # The complaint's own copy of how to reach the person (storage/promises.py); the
        # language and the needs stay, as figures for the reports.
        complaint.email = complaint.phone = complaint.postal_address = ""
        complaint.reply_address = ""
        complaint.adjustments_note = ""
        complaint.supporter = None
        complaint.window_decision_reason = ""
        complaint.erased_at = now
        records = list(
            await session.scalars(
                select(StageRecord).where(StageRecord.complaint_id == complaint.id)
            )
        )
        for record in records:
            record.request_text = ""
            record.request_points = []
            detail = record.outcome_detail or {}
            record.outcome_detail = {k: detail[k] for k in KEPT_DETAIL if k in detail}
        if records:
            await session.execute(
                update(Extension)
                .where(Extension.stage_record_id.in_([r.id for r in records]))
                .values(reason=ERASED)
            )
        await session.execute(delete(Message).where(Message.complaint_id == complaint.id))
        await session.execute(delete(Outbox).where(Outbox.complaint_id == complaint.id))
        files = await self._delete_attachments(session, Attachment.complaint_id == complaint.id)
        session.add(
            AuditEvent(
                at=now,
                staff_id=staff_id,
                actor="staff" if staff_id else "system",
                action="erase",
                complaint_id=complaint.id,
                detail="personal data erased" if staff_id else "retention period ended",
            )
        )
        return files

    async def _erase_person(self, session: AsyncSession, person: Person, now: datetime) -> set[str]:
        identities = list(
            await session.execute(
                select(Identity.channel, Identity.external_id).where(
                    Identity.person_id == person.id
                )
            )
        )
        for channel, external_id in identities:
            await session.execute(
                delete(Draft).where(Draft.channel == channel, Draft.external_id == external_id)
            )
            await session.execute(
                delete(CallbackRequest).where(
                    CallbackRequest.channel == channel, CallbackRequest.external_id == external_id
                )
            )
        await session.execute(delete(Draft).where(Draft.person_id == person.id))
        await session.execute(delete(CallbackRequest).where(CallbackRequest.person_id == person.id))
        await session.execute(delete(Identity).where(Identity.person_id == person.id))
        await session.execute(delete(Outbox).where(Outbox.person_id == person.id))
        await session.execute(delete(Supporter).where(Supporter.person_id == person.id))
        await session.execute(
            delete(ContactRestriction).where(ContactRestriction.person_id == person.id)
        )
        files = await self._delete_attachments(session, Attachment.person_id == person.id)
        person.name = ""
        person.email = ""
        person.phone = ""
        person.postal_address = ""
        person.adjustments_note = ""
        person.contact_method = "chat"
        person.erased_at = now
        return files

    async def _delete_attachments(self, session: AsyncSession, *where: object) -> set[str]:
        """Delete the rows; return the hashes whose file no other row still needs."""
        rows = list(await session.execute(select(Attachment.id, Attachment.sha256).where(*where)))
        if not rows:
            return set()
        await session.execute(delete(Attachment).where(Attachment.id.in_([r[0] for r in rows])))
        hashes = {r[1] for r in rows}
        still_used = set(
            await session.scalars(
                select(Attachment.sha256).where(Attachment.sha256.in_(hashes)).distinct()
            )
        )
        return hashes - still_used

    async def _remove_files(self, hashes: set[str]) -> int:
        def remove() -> int:
            count = 0
            for digest in hashes:
                path = self.attachments_dir / digest[:2] / digest
                if path.exists():
                    path.unlink()
                    count += 1
            return count

        return await asyncio.to_thread(remove) if hashes else 0

    async def flush_disk(self) -> None:
        """SQLite: copy the log into the database and empty it, so the erased pages (zeroed
        by secure_delete) are the only copy left. PostgreSQL reclaims with autovacuum."""
        engine = self.sessions.kw.get("bind")
        if not isinstance(engine, AsyncEngine) or engine.dialect.name != "sqlite":
            return
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
