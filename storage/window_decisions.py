"""A complaint made outside the procedure's complaint window, decided at its discretion.

Creative Alliance: "Complaints should be made within one month ... Complaints generally will
not be accepted after four months. Exceptions may be made at the Director's discretion". The
chat keeps the late complaint and says staff will decide; the case page shows the decision to
make. Accepting or declining needs a reason, is audited, and the person is told the result in
their language; a declined complaint is closed (the lifecycle table's decline_late).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from locales import translator
from procedures import letters
from storage.errors import InvalidInput
from storage.outbox import enqueue

if TYPE_CHECKING:
    from storage.cases import CaseService


async def decide_window(
    cases: CaseService,
    complaint_id: int,
    *,
    accept: bool,
    reason: str,
    staff_id: int | None,
    expected_version: int | None = None,
) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Give the reason for the decision: the person is told it.")
    name = "accept_late" if accept else "decline_late"
    async with cases.unit_of_work() as session:
        complaint, person = await cases._load(
            session, complaint_id, expected_version, staff_id=staff_id
        )
        transition, facts = cases._allow(name, complaint)
        now = cases.clock()
        complaint.window_decision = "accepted" if accept else "declined"
        complaint.window_decision_reason = reason
        complaint.status = transition.target(facts)
        if not accept:
            complaint.closed_at = now
        wording = letters.late_accepted if accept else letters.late_declined
        text = wording(translator(complaint.language), reference=complaint.reference, reason=reason)
        await enqueue(session, person, text, now=now, complaint_id=complaint.id)
        cases._audit(session, name, complaint, staff_id, f"reason: {reason}")
