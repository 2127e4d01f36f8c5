"""CAST: "If that member of staff is a Director we will ask a suitable person from an
external organisation to investigate the complaint with the other Directors."

A stage's `external_investigator_for` names the role (director). A complaint about someone
holding it (the role it is about, or the staff member named as its subject) is flagged on the
case page until an external investigator is recorded: their name and organisation. They need
no account: the other Directors work with them and record what they find.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from procedures.model import Procedure
from storage.cases import CaseService
from storage.errors import InvalidInput
from storage.models import Complaint, StaffUser


async def needs_external_investigator(
    session: AsyncSession, procedure: Procedure, complaint: Complaint
) -> bool:
    """True when the complaint is about a role investigated from outside and no external
    investigator is recorded yet. `complaint.stages` must be loaded."""
    if complaint.external_investigator or not complaint.stages:
        return False
    # The seed says it at stage 2, of a complaint "about a specific member of staff": it
    # holds for the whole complaint, from the moment it is known to be about a Director.
    roles = {s.external_investigator_for for s in procedure.stages} - {None}
    if not roles:
        return False
    if complaint.about_role in roles:
        return True
    if complaint.subject_staff_id is None:
        return False
    subject = await session.get(StaffUser, complaint.subject_staff_id)
    return subject is not None and bool(roles & set(subject.roles or []))


async def record_external_investigator(
    cases: CaseService,
    complaint_id: int,
    *,
    name: str,
    organisation: str,
    staff_id: int,
    expected_version: int,
) -> None:
    if not name.strip() or not organisation.strip():
        raise InvalidInput("give the investigator's name and their organisation")
    async with cases.unit_of_work() as session:
        complaint, _ = await cases._load(
            session, complaint_id, expected_version, staff_id=staff_id, acting=False
        )
        complaint.external_investigator = name.strip()[:200]
        complaint.external_investigator_org = organisation.strip()[:200]
        cases._audit(session, "external_investigator", complaint, staff_id)
