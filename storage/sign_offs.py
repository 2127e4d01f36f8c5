"""A panel's sign-offs: Creative Alliance stage 2 ("the SMT will assign two members who were
not involved in the initial investigation"), West Wilts stage 3 ("a panel of 3 Committee
members ... not including the person who investigated at Stage 2").

The procedure file states the number (Stage.panel_size); the lifecycle table refuses the
stage's decision (reply) until that many distinct people have signed it off. Each signer must
be allowed to act on the stage (its handler role, and not involved before where the stage says
so: storage/visibility.act_refusal). A sign-off stops counting if its signer can no longer see
the case (named as its subject since) or their account is disabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import InvalidInput
from storage.models import Complaint, SignOff, StaffUser
from storage.visibility import can_see, viewer_for

if TYPE_CHECKING:
    from storage.cases import CaseService


async def valid_signers(session: AsyncSession, complaint: Complaint) -> list[tuple[int, str]]:
    """(account id, name) of each distinct valid signer of the current stage, in order."""
    if not complaint.stages:
        return []
    rows = await session.execute(
        select(StaffUser.id, StaffUser.name)
        .join(SignOff, SignOff.staff_id == StaffUser.id)
        .where(SignOff.stage_record_id == complaint.stages[-1].id, StaffUser.active.is_(True))
        .order_by(SignOff.id)
    )
    signers = []
    for staff_id, name in rows:
        viewer = await viewer_for(session, staff_id)
        if await can_see(session, viewer, complaint.id):
            signers.append((staff_id, name))
    return signers


async def valid_count(session: AsyncSession, complaint: Complaint) -> int:
    return len(await valid_signers(session, complaint))


async def sign_off(
    cases: CaseService, complaint_id: int, *, staff_id: int, expected_version: int
) -> None:
    """The member of staff signs off the current stage's decision."""
    async with cases.unit_of_work() as session:
        # acting=True: only someone who may decide this stage may sign it off.
        complaint, _ = await cases._load(session, complaint_id, expected_version, staff_id=staff_id)
        signers = await valid_signers(session, complaint)
        cases._allow("sign_off", complaint, signed_off=len(signers))
        if staff_id in {signer for signer, _ in signers}:
            raise InvalidInput("You have already signed this off: another member must sign.")
        record = complaint.stages[-1]
        session.add(SignOff(stage_record_id=record.id, staff_id=staff_id, signed_at=cases.clock()))
        cases._audit(session, "sign_off", complaint, staff_id, f"stage {record.number}")
