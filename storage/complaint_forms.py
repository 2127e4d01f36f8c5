"""The organisation's complaints form, completed from the chat's answers (Creative Alliance:
"All formal complaints must be submitted using the Creative Alliance Complaints Form").

The form is a document on the case, built from what the case holds whenever it is opened
or downloaded, so it always matches the case (and erasure empties it with the case). Its
contact details are this complaint's own copy (storage/promises.py): those given for the
form or for replies, with any correction staff made; a later complaint never rewrites them.
Fields the form needs but the person did not give are listed, and a formal complaint with no
way at all to reach the person is flagged on the case page: kept, never lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.model import Procedure
from storage.cases import CaseService
from storage.errors import NotFound
from storage.models import Complaint, Identity, Person
from storage.visibility import viewer_for
from storage.withheld_names import name_hidden


@dataclass(frozen=True)
class FormView:
    form: str
    reference: str
    fields: tuple[tuple[str, str], ...]  # (label, value); "" when not given
    missing: tuple[str, ...]  # labels of the fields the person did not give
    unreachable: bool  # no email, phone, address or chat to reply by


def applies(procedure: Procedure, complaint: Complaint) -> bool:
    return (
        procedure.complaint_form is not None and complaint.kind == "complaint" and complaint.formal
    )


async def build_form(
    session: AsyncSession,
    procedure: Procedure,
    complaint: Complaint,
    person: Person,
    *,
    name_hidden: bool = False,
) -> FormView:
    form = procedure.complaint_form
    assert form is not None  # callers check applies()
    relationships = {r.id: r.label for r in form.relationships}
    chat = await session.scalar(select(Identity.id).where(Identity.person_id == person.id))
    needed = (
        ("Name", "(withheld from you at their request)" if name_hidden else person.name),
        ("Address", "" if name_hidden else complaint.postal_address),
        ("Telephone", "" if name_hidden else complaint.phone),
        ("Email", "" if name_hidden else complaint.email),
        (
            f"Relationship to {procedure.organisation}",
            relationships.get(complaint.relationship_to_org, complaint.relationship_to_org),
        ),
    )
    told = (
        ("Making the complaint for", complaint.representative_name or ""),
        ("When it happened", complaint.incident_text),
        ("What happened", complaint.description),
        ("What would put it right", complaint.desired_outcome),
        ("Received", complaint.created_at.date().isoformat()),
    )
    missing = tuple(label for label, value in needed if not value and label != "Email")
    unreachable = not (complaint.email or complaint.phone or complaint.postal_address or chat)
    return FormView(
        form.name, complaint.reference, (*needed, *told), missing, unreachable and not name_hidden
    )


async def completed_form(cases: CaseService, complaint_id: int, staff_id: int) -> FormView:
    """The form of a case the member of staff may see; NotFound when there is none."""
    async with cases.reader() as session:
        complaint, person = await cases._load(
            session, complaint_id, change=False, staff_id=staff_id, acting=False
        )
        if not applies(cases.procedure, complaint):
            raise NotFound(f"{complaint.reference} has no complaints form")
        viewer = await viewer_for(session, staff_id)
        return await build_form(
            session, cases.procedure, complaint, person, name_hidden=name_hidden(complaint, viewer)
        )
