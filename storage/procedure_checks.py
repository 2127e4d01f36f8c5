"""What the case page shows of the procedure's own rules for one case: the panel's sign-offs,
the discretion decision on a late complaint, and whom the complaint could be about."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from procedures.model import Procedure
from storage.about_handler import routable_handler
from storage.models import Complaint
from storage.sign_offs import valid_signers


async def procedure_checks(
    session: AsyncSession, procedure: Procedure, complaint: Complaint
) -> dict[str, Any]:
    """CaseDetail's fields for these rules. `complaint.stages` must be loaded."""
    found: dict[str, Any] = {}
    record = complaint.stages[-1] if complaint.stages else None
    if record is not None and record.number >= 1:
        panel = procedure.stage(record.number).panel_size
        if panel:
            names = tuple(name for _, name in await valid_signers(session, complaint))
            found.update(
                panel_size=panel, sign_offs=names, sign_offs_needed=max(panel - len(names), 0)
            )
    if complaint.late and complaint.kind == "complaint":
        window = procedure.complaint_window
        found.update(
            window_decision_due=not complaint.window_decision,
            window_discretion=window.discretion if window else "",
            window_decision=complaint.window_decision,
            window_decision_reason=complaint.window_decision_reason,
        )
    handler = routable_handler(procedure, complaint)
    if handler is not None:
        found.update(
            about_handler=handler.label, about_handler_alternative=handler.alternative_label or ""
        )
    return found
