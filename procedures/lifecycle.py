"""The case lifecycle as one declared table: states, and the transitions between them.

Each transition says who may do it, from which states, the guards that must hold, the state
it leads to, what it writes and which letter (procedures/letters.py) it sends. Storage
enforces the table (storage/cases.py asks `check` before every change); the staff view's
buttons and the chat's follow-up menu are `allowed(...)` of it. No other code decides what
may happen to a case.

To add a transition: add a row to TABLE (and, if it needs a new fact about the case, a field
to Facts, filled in storage/cases.py `facts`). Guards are small named functions of Facts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from procedures.model import Procedure


class Status(StrEnum):
    OPEN = "open"  # waiting to be acknowledged
    INFORMAL = "informal"  # being sorted out informally (stage 0)
    ACKNOWLEDGED = "acknowledged"
    AWAITING = "awaiting_complainant"  # we asked the complainant for information
    RESPONDED = "responded"  # the current stage has been answered
    REFERRED = "referred"  # sent on to the external body
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    RECORDED = "recorded"  # a compliment or feedback: nothing to do


ENDED = frozenset({Status.CLOSED, Status.WITHDRAWN, Status.REFERRED})
LIVE = frozenset({Status.OPEN, Status.INFORMAL, Status.ACKNOWLEDGED, Status.AWAITING})
WORKING = LIVE | {Status.RESPONDED}  # a case still in hand
EVERY = frozenset(Status)
INFORMAL_STAGE = 0


class Actor(StrEnum):
    STAFF = "staff"
    COMPLAINANT = "complainant"


@dataclass(frozen=True)
class Facts:
    """What the table needs to know about one case, as plain data (storage fills it in)."""

    status: Status
    is_complaint: bool  # not a compliment, feedback or an enquiry
    stage: int | None  # the current stage's number (0: informal), None without stages
    acknowledged: bool = False
    responded: bool = False
    respond_by: date | None = None
    escalate_by: date | None = None
    last_stage: int = 1
    stage_final: bool = False  # the procedure marks the current stage final
    external_body: bool = False
    today: date | None = None
    is_enquiry: bool = False  # an elected member's enquiry: one answer, no stages after it
    name_shared: bool = True  # False: they chose not to be named to the investigators

    @classmethod
    def of(
        cls,
        procedure: Procedure,
        *,
        status: str,
        kind: str,
        stage: int | None,
        acknowledged: bool = False,
        responded: bool = False,
        respond_by: date | None = None,
        escalate_by: date | None = None,
        today: date | None = None,
        name_shared: bool = True,
    ) -> Facts:
        final = False
        if stage:
            try:
                final = procedure.stage(stage).final
            except KeyError:
                final = True  # a stage the procedure no longer has leads nowhere
        return cls(
            status=Status(status),
            is_complaint=kind == "complaint",
            stage=stage,
            acknowledged=acknowledged,
            responded=responded,
            respond_by=respond_by,
            escalate_by=escalate_by,
            last_stage=procedure.last_stage,
            stage_final=final,
            external_body=procedure.external_body is not None,
            today=today,
            is_enquiry=kind == "enquiry",
            name_shared=name_shared,
        )


@dataclass(frozen=True)
class Guard:
    name: str
    says: str  # the refusal, in words for staff and the log
    holds: Callable[[Facts], bool]


def _complaint(f: Facts) -> bool:
    return f.is_complaint and f.stage is not None


def _has_stage(f: Facts) -> bool:
    return (f.is_complaint or f.is_enquiry) and f.stage is not None


def _name_withheld(f: Facts) -> bool:
    return not f.name_shared


def _not_acknowledged(f: Facts) -> bool:
    return not f.acknowledged and not f.responded


def _not_answered(f: Facts) -> bool:
    return not f.responded


def _next_stage(f: Facts) -> bool:
    if f.stage is None:
        return False
    if f.stage == INFORMAL_STAGE:
        return True
    return f.stage < f.last_stage and not f.stage_final


def overdue(f: Facts) -> bool:
    """The stage's answer is late: its response date has passed with no answer."""
    return (
        not f.responded
        and f.respond_by is not None
        and f.today is not None
        and (f.today > f.respond_by)
    )


def _answered_or_overdue(f: Facts) -> bool:
    return f.responded or overdue(f)


def _answered(f: Facts) -> bool:
    return f.responded


def _last_answered(f: Facts) -> bool:
    return f.responded and not _next_stage(f)


def _has_external_body(f: Facts) -> bool:
    return f.external_body


COMPLAINT = Guard("complaint", "it is not a complaint with stages", _complaint)
HAS_STAGE = Guard("has a stage", "it has no stage to answer", _has_stage)
NAME_WITHHELD = Guard("name withheld", "their name is already shared", _name_withheld)
NOT_ACKNOWLEDGED = Guard(
    "not acknowledged", "it is already acknowledged or answered", _not_acknowledged
)
NOT_ANSWERED = Guard("not answered", "this stage was already answered", _not_answered)
NEXT_STAGE = Guard("next stage", "this is the final stage", _next_stage)
ANSWERED_OR_OVERDUE = Guard(
    "answered or overdue", "this stage has not been answered yet", _answered_or_overdue
)
ANSWERED = Guard("answered", "this stage has not been answered yet", _answered)
LAST_ANSWERED = Guard(
    "final stage answered", "refer only after the final stage has been answered", _last_answered
)
EXTERNAL_BODY = Guard("external body", "the procedure names no external body", _has_external_body)


def _resume(f: Facts) -> Status:
    """Information from the complainant puts a case we were waiting on back in hand."""
    if f.status is Status.AWAITING:
        return Status.ACKNOWLEDGED if f.acknowledged else Status.OPEN
    return f.status


def _same(f: Facts) -> Status:
    return f.status


@dataclass(frozen=True)
class Transition:
    name: str
    by: frozenset[Actor]
    source: frozenset[Status]
    leads_to: Status | Callable[[Facts], Status]
    writes: str  # what it records, in words
    letter: str | None = None  # the procedures/letters.py function it sends
    guards: tuple[Guard, ...] = ()

    def target(self, facts: Facts) -> Status:
        return self.leads_to if isinstance(self.leads_to, Status) else self.leads_to(facts)

    def refusal(self, facts: Facts, actor: Actor) -> str | None:
        """Why this may not happen now, or None when it may."""
        if actor not in self.by:
            return f"{self.name} is not for the {actor}"
        if facts.status not in self.source:
            return f"{self.name} is not possible when the case is {facts.status}"
        for guard in self.guards:
            if not guard.holds(facts):
                return f"{self.name}: {guard.says}"
        return None


STAFF = frozenset({Actor.STAFF})
COMPLAINANT = frozenset({Actor.COMPLAINANT})

# In the order the staff view shows them.
TABLE: tuple[Transition, ...] = (
    Transition(
        "acknowledge",
        STAFF,
        LIVE,
        Status.ACKNOWLEDGED,
        "the stage's acknowledged date",
        "acknowledgement",
        (COMPLAINT, NOT_ACKNOWLEDGED),
    ),
    Transition(
        "reply",
        STAFF,
        LIVE,
        Status.RESPONDED,
        "the stage's response date and its escalation deadline",
        "response",
        (HAS_STAGE, NOT_ANSWERED),
    ),
    Transition(
        "message", STAFF, WORKING, _same, "a message on the timeline", "staff_message", (HAS_STAGE,)
    ),
    Transition(
        "request_information",
        STAFF,
        WORKING,
        Status.AWAITING,
        "the question on the timeline",
        "information_request",
        (COMPLAINT,),
    ),
    Transition(
        "extend",
        STAFF,
        LIVE,
        _same,
        "a later due date, keeping the old one in the history",
        "extension",
        (HAS_STAGE, NOT_ANSWERED),
    ),
    Transition(
        "escalate",
        STAFF,
        WORKING,
        Status.OPEN,
        "a new stage record with due dates from the procedure",
        "escalation_received",
        (COMPLAINT, NEXT_STAGE),
    ),
    # The complainant's own request: only once the stage has been answered (or its answer is
    # late); after a close too, within the window or flagged late for staff to decide.
    Transition(
        "request_next_stage",
        COMPLAINANT,
        WORKING | {Status.CLOSED},
        Status.OPEN,
        "a new stage record (late requests flagged for staff), the reasons and any files",
        "escalation_received",
        (COMPLAINT, NEXT_STAGE, ANSWERED_OR_OVERDUE),
    ),
    Transition(
        "refer",
        STAFF,
        frozenset({Status.RESPONDED}),
        Status.REFERRED,
        "the case closed as referred",
        "referred",
        (COMPLAINT, LAST_ANSWERED, EXTERNAL_BODY),
    ),
    Transition(
        "outcome",
        STAFF,
        WORKING,
        _same,
        "the stage's outcome, apology and actions",
        None,
        (COMPLAINT,),
    ),
    # Cambridge Art Therapy: ask whether a withheld name may be shared, and record the answer.
    Transition(
        "ask_name",
        STAFF,
        WORKING,
        Status.AWAITING,
        "the question on the timeline",
        "name_needed",
        (COMPLAINT, NAME_WITHHELD),
    ),
    Transition(
        "name_choice",
        STAFF,
        WORKING,
        _resume,
        "their answer, and a note for staff",
        None,
        (COMPLAINT, NAME_WITHHELD),
    ),
    Transition(
        "close",
        STAFF,
        WORKING | {Status.RECORDED},
        Status.CLOSED,
        "the closed date",
        "closed",
    ),
    Transition("withdraw", COMPLAINANT, WORKING, Status.WITHDRAWN, "the closed date", "withdrawn"),
    # Never refused, a comment or compliment included: what the person sends is always kept.
    Transition(
        "add_information",
        COMPLAINANT,
        EVERY,
        _resume,
        "the words and files on the timeline",
        None,
    ),
    Transition("note", STAFF, EVERY, _same, "an internal note (never sent)", None),
)
BY_NAME = {transition.name: transition for transition in TABLE}


def initial(*, is_case: bool, informal: bool) -> Status:
    """The state a new case starts in (`is_case`: a complaint or an enquiry)."""
    if not is_case:
        return Status.RECORDED
    return Status.INFORMAL if informal else Status.OPEN


class Refused(Exception):
    """A transition the table does not allow; the message says why."""


def check(name: str, facts: Facts, actor: Actor) -> Transition:
    """The transition, if it may happen now; raises Refused with the reason otherwise."""
    transition = BY_NAME[name]
    reason = transition.refusal(facts, actor)
    if reason is not None:
        raise Refused(reason)
    return transition


def allowed(facts: Facts, actor: Actor) -> list[str]:
    """What `actor` may do to the case now, in the table's order."""
    return [t.name for t in TABLE if t.refusal(facts, actor) is None]


def late_request(facts: Facts) -> bool:
    """A request for the next stage after its window: it opens, flagged for staff discretion."""
    return (
        facts.escalate_by is not None
        and facts.today is not None
        and (facts.today > facts.escalate_by)
    )
