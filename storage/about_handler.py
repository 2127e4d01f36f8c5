"""A complaint about the handler a stage would go to: it goes to the alternative instead.

CAST stage 2: "contact the relevant Line Manager ... If that person is the subject of the
complaint you should submit your concerns in writing to the Board of Directors." The chat asks
at the stage-2 request (storage/cases.escalate's about_handler); staff who learn it otherwise
say so on the case page. Either way complaints.about_role is set to the handler's role, so the
case is hidden from everyone holding it (storage/visibility.py), and a stage already with that
role moves to the alternative handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procedures.model import Handler, Procedure
from storage.errors import InvalidInput
from storage.models import Complaint

if TYPE_CHECKING:
    from storage.cases import CaseService


def routable_handler(procedure: Procedure, complaint: Complaint) -> Handler | None:
    """The current or a later stage's handler that has an alternative, if the complaint is
    not already about a role. `complaint.stages` must be loaded."""
    if complaint.about_role is not None or not complaint.stages:
        return None
    current = max(complaint.stages[-1].number, 1)
    for stage in procedure.stages:
        if stage.number >= current and stage.handler.alternative_role:
            return stage.handler
    return None


async def mark_about_handler(
    cases: CaseService, complaint_id: int, *, staff_id: int, expected_version: int, reason: str
) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Give the reason (kept in the audit log).")
    async with cases.unit_of_work() as session:
        complaint, _ = await cases._load(
            session, complaint_id, expected_version, staff_id=staff_id, acting=False
        )
        handler = routable_handler(cases.procedure, complaint)
        if handler is None or handler.alternative_role is None:
            raise InvalidInput("This complaint cannot be routed to another handler.")
        complaint.about_role = handler.role
        record = complaint.stages[-1]
        if record.handler_role == handler.role:
            record.handler_role = handler.alternative_role
            record.handler_label = handler.alternative_label or handler.alternative_role
            record.handler_staff_id = None
        cases._audit(
            session, "about_handler", complaint, staff_id, f"{handler.role}; reason: {reason}"
        )
