"""Plain read-only views that storage hands to the layers above (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class StageView:
    number: int
    name: str
    handler_role: str
    handler_label: str
    received_on: date
    acknowledge_by: date | None
    acknowledged_at: datetime | None
    respond_by: date | None
    responded_at: datetime | None
    escalate_by: date | None
    late_request: bool
    outcome: str | None
    # Apology (or why none), actions and any change to policy, as recorded with the outcome.
    outcome_detail: dict[str, object] = field(default_factory=dict)
    # The request's answers to the points the stage asks, (point, answer); "" when skipped.
    request_points: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CaseView:
    id: int
    reference: str
    kind: str
    formal: bool
    status: str
    current_stage: int
    category: str | None
    about_staff: str | None
    description: str
    language: str
    person_id: int
    version: int
    created_at: datetime
    late: bool
    stages: tuple[StageView, ...]

    @property
    def stage(self) -> StageView | None:
        """The stage the case is at now (None for compliments and feedback)."""
        return self.stages[-1] if self.stages else None


@dataclass(frozen=True)
class ReceiptFacts:
    """What a receipt must say, known only once the complaint exists."""

    reference: str
    kind: str
    handler_label: str
    acknowledge_by: date | None
    respond_by: date | None


@dataclass(frozen=True)
class Submitted:
    """What the complainant needs to hear right after submitting."""

    complaint_id: int
    reference: str
    person_id: int
    kind: str
    handler_label: str
    acknowledge_by: date | None
    respond_by: date | None
    receipt: str
    # The outbox row the chat shows the receipt by, to confirm once the chat has shown it.
    receipt_outbox_id: int | None = None


@dataclass(frozen=True)
class StaffView:
    """A staff account as the staff view shows it (never the password hash or TOTP secret)."""

    id: int
    email: str
    name: str
    roles: tuple[str, ...]
    active: bool
    totp: bool
    created_at: datetime
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignedIn:
    """A live staff session: who it is and the form token tied to it."""

    staff: StaffView
    csrf_token: str
    created_at: datetime


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list or dashboard panel."""

    id: int
    reference: str
    kind: str
    status: str
    created_at: datetime
    person_name: str
    language: str
    adjustments: tuple[str, ...]
    category: str | None
    stage_number: int | None
    stage_name: str
    handler_label: str
    acknowledge_by: date | None
    acknowledged: bool
    respond_by: date | None
    responded: bool
    late_request: bool

    def overdue(self, today: date) -> bool:
        ack = not self.acknowledged and not self.responded and self.acknowledge_by
        late_ack = bool(ack and self.acknowledge_by and self.acknowledge_by < today)
        late_reply = bool(not self.responded and self.respond_by and self.respond_by < today)
        return late_ack or late_reply


@dataclass(frozen=True)
class CasePage:
    rows: tuple[CaseRow, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class CallbackView:
    id: int
    person_name: str
    channel: str
    note: str
    created_at: datetime
    reference: str | None
    complaint_id: int | None


@dataclass(frozen=True)
class OutboxTask:
    """A message that failed, or one staff must deliver by hand (phone call, letter)."""

    id: int
    complaint_id: int | None
    reference: str | None
    person_name: str
    channel: str
    address: str
    state: str
    last_error: str
    created_at: datetime
    to_supporter: bool = False  # a copy for the person's supporter, at `address`
    to_staff: bool = False  # an alert to the member of staff `person_name`


@dataclass(frozen=True)
class CallTask:
    """A phone call due to someone who asked for calls instead of writing (storage/calls.py)."""

    complaint_id: int
    reference: str
    person_name: str
    phone: str
    language: str
    stage_number: int
    purpose: str  # acknowledge / respond
    due: date | None


@dataclass(frozen=True)
class SupporterView:
    """The person's named supporter; `consent`: they get copies of our messages."""

    name: str
    channel: str  # email / phone
    address: str
    consent: bool


@dataclass(frozen=True)
class Dashboard:
    today: date
    due_today: tuple[CaseRow, ...]
    due_this_week: tuple[CaseRow, ...]
    overdue_acknowledgement: tuple[CaseRow, ...]
    overdue_response: tuple[CaseRow, ...]
    awaiting_complainant: tuple[CaseRow, ...]
    recently_escalated: tuple[CaseRow, ...]
    callbacks: tuple[CallbackView, ...]
    outbox_tasks: tuple[OutboxTask, ...]
    calls: tuple[CallTask, ...] = ()


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    language: str
    adjustments: tuple[str, ...]
    adjustments_note: str
    contact_method: str
    email: str
    phone: str
    postal_address: str


@dataclass(frozen=True)
class AttachmentView:
    id: int
    name: str
    mime_type: str
    size: int
    kind: str
    created_at: datetime
    sha256: str


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened on a case, in time order."""

    at: datetime
    kind: str  # inbound / outbound / note / stage / deadline / extension / event
    title: str
    body: str = ""
    staff_name: str = ""
    channel: str = ""
    delivery: str = ""  # pending / sending / sent / failed / manual (outbound only)
    error: str = ""


@dataclass(frozen=True)
class StaffOption:
    id: int
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class CaseDetail:
    case: CaseView
    person: PersonView
    received_via: str
    about_role: str | None
    subject_staff: StaffOption | None
    handler_staff: StaffOption | None
    desired_outcome: str
    incident_text: str
    incident_date: date | None
    representative_name: str | None
    representative_relationship: str | None
    consent_recorded: bool
    attachments: tuple[AttachmentView, ...]
    timeline: tuple[TimelineEntry, ...]
    act_refusal: str | None  # why the viewer may not change the case; None when they may
    staff: tuple[StaffOption, ...]  # active accounts, for naming the subject or the handler
    call: CallTask | None = None  # the phone call due now, for "a phone call instead of writing"
    supporter: SupporterView | None = None
    # "named" / "unmatched" while a lead has not settled who it is about (storage/subjects.py)
    triage: str | None = None
    can_settle: bool = False  # the viewer is a lead (storage/visibility.LEAD_ROLES)
    # False: the person chose not to be identified to the people investigating (CAT).
    share_name: bool = True
    # CAST: about a Director, so someone from outside investigates; who, once recorded.
    needs_external_investigator: bool = False
    external_investigator: str = ""
    # The organisation's complaints form, completed from the answers (Creative Alliance).
    complaint_form: str = ""
    form_missing: tuple[str, ...] = ()
    unreachable: bool = False  # a formal complaint with no way to reach the person
    # A panel stage (Stage.panel_size): who signed its decision off, and how many more must.
    panel_size: int | None = None
    sign_offs: tuple[str, ...] = ()
    sign_offs_needed: int = 0
    # Made outside the complaint window: the discretion decision to make, or the one made.
    window_decision_due: bool = False
    window_discretion: str = ""
    window_decision: str = ""  # accepted / declined
    window_decision_reason: str = ""
    # The handler this complaint could be about (CAST: the line manager), and who takes over.
    about_handler: str = ""
    about_handler_alternative: str = ""


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    staff_name: str
    actor: str
    action: str
    reference: str | None
    detail: str


@dataclass(frozen=True)
class DraftInProgress:
    """An assisted intake a member of staff started and has not sent yet."""

    token: str
    updated_at: datetime
    step: str
