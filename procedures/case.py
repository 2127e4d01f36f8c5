"""The facts of a new complaint, as plain data handed from the dialogue (or the staff view)
to storage. Defined here, in the lowest layer, so both sides share one definition."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    COMPLAINT = "complaint"
    COMPLIMENT = "compliment"
    FEEDBACK = "feedback"
    # An elected member's enquiry (CALAT): answered on its own time limit, counted apart.
    ENQUIRY = "enquiry"


# Kinds that are cases with a stage, a handler and due dates.
CASE_KINDS = (Kind.COMPLAINT.value, Kind.ENQUIRY.value)


class ContactMethod(StrEnum):
    CHAT = "chat"  # the channel they wrote in
    EMAIL = "email"
    PHONE = "phone"
    POST = "post"


class Received(StrEnum):
    """How the complaint reached the organisation."""

    TELEGRAM = "telegram"
    WEBCHAT = "webchat"
    CONSOLE = "console"
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    EMAIL = "email"


# Reasonable adjustments a person can ask for; ids are stored, labels are translated.
ADJUSTMENTS = (
    "large_print",
    "easy_read",
    "phone_call",
    "bsl",
    "interpreter",
    "helper",
    "extra_time",
    "braille",
    "audio",
)


@dataclass(frozen=True)
class Representative:
    """Someone making the complaint on behalf of another person."""

    name: str  # the person the complaint is for
    relationship: str
    consent: bool


@dataclass(frozen=True)
class Supporter:
    """Someone the person named to help them ("someone to help me"), reached by email or
    phone. With `consent`, they get a copy of every message we send the person."""

    name: str
    email: str = ""
    phone: str = ""
    consent: bool = False


@dataclass(frozen=True)
class NewComplaint:
    kind: Kind
    description: str
    language: str = "en"
    formal: bool = True
    category: str | None = None
    about_staff: str | None = None  # name or role of a member of staff, if any
    about_role: str | None = None  # the procedure role it is about, when known (routing)
    incident_date: date | None = None
    incident_text: str = ""  # as the person wrote it ("last Tuesday")
    desired_outcome: str = ""
    representative: Representative | None = None
    adjustments: tuple[str, ...] = ()
    adjustments_note: str = ""
    contact_method: ContactMethod = ContactMethod.CHAT
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    share_name: bool = True
    complainant_name: str = ""
    received_via: Received = Received.WEBCHAT
    late: bool = False  # outside the procedure's time limit; staff decide
    attachments: tuple[str, ...] = field(default=())  # attachment content hashes
    supporter: Supporter | None = None
    # How they are connected to the organisation, where its complaints form asks (an id of
    # the procedure's complaint_form.relationships).
    relationship_to_org: str = ""
