"""Cambridge Art Therapy's confidentiality: "if an investigation cannot proceed or be fairly
conducted without the complainant being identified, the complainant will be given the option
whether or not to proceed".

A person who chose not to share their name is not identified to the people investigating
(storage/queries.py: name_hidden). When the investigation needs it, staff ask them (a letter
through the outbox) and record their answer: sharing it shows their name from then on;
declining keeps it withheld, recorded on the case for staff to decide how to go on.
"""

from __future__ import annotations

from locales import translator
from procedures import letters
from storage.cases import CaseService
from storage.errors import IllegalTransition
from storage.models import Message
from storage.outbox import enqueue


async def ask_to_share_name(
    cases: CaseService, complaint_id: int, *, staff_id: int | None, expected_version: int | None
) -> None:
    async with cases.unit_of_work() as session:
        complaint, person = await cases._load(
            session, complaint_id, expected_version, staff_id=staff_id
        )
        cases._open(complaint)
        if complaint.share_name:
            raise IllegalTransition(f"{complaint.reference}: their name is already shared")
        text = letters.name_needed(translator(person.language), reference=complaint.reference)
        await enqueue(session, person, text, now=cases.clock(), complaint_id=complaint.id)
        complaint.status = "awaiting_complainant"
        cases._audit(session, "ask_to_share_name", complaint, staff_id)


async def record_name_choice(
    cases: CaseService,
    complaint_id: int,
    *,
    share: bool,
    staff_id: int | None,
    expected_version: int | None,
) -> None:
    """The person's answer, as they gave it (in the chat, by phone, in writing)."""
    async with cases.unit_of_work() as session:
        complaint, _ = await cases._load(session, complaint_id, expected_version, staff_id=staff_id)
        cases._open(complaint)
        complaint.share_name = share
        if complaint.status == "awaiting_complainant":
            record = complaint.stages[-1] if complaint.stages else None
            complaint.status = "acknowledged" if record and record.acknowledged_at else "open"
        session.add(
            Message(
                complaint_id=complaint.id,
                direction="note",
                body=(
                    "They agreed that their name is shared with the people investigating."
                    if share
                    else "They chose not to share their name: decide whether the "
                    "investigation can go on without it."
                ),
                staff_id=staff_id,
                created_at=cases.clock(),
            )
        )
        cases._audit(session, "name_choice", complaint, staff_id, "share" if share else "withhold")
