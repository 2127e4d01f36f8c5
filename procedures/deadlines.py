"""The due dates of one stage of a complaint, from the procedure and the calendar.

The one place both the server and `complaints procedure deadlines` compute them, so
they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from procedures.calendar import WorkingCalendar
from procedures.model import Procedure, TimeLimit


@dataclass(frozen=True)
class StageDeadlines:
    acknowledge_by: date | None
    respond_by: date | None
    # The last day the complainant may ask for the next stage (or go to the external body).
    escalate_by: date | None


def calendar_for(
    procedure: Procedure, nation: str, extra_closures: Iterable[date] = ()
) -> WorkingCalendar:
    """The working calendar of the nation plus the procedure's (and settings') closure days."""
    closures = {date.fromisoformat(day) for day in procedure.closures} | set(extra_closures)
    return WorkingCalendar(nation, closures)


def escalation_window(procedure: Procedure, stage_number: int) -> TimeLimit | None:
    """How long after this stage's response the complainant has to move on, if limited."""
    if stage_number < procedure.last_stage:
        return procedure.stage(stage_number + 1).entry.within
    return procedure.external_body.within if procedure.external_body else None


def stage_deadlines(
    procedure: Procedure,
    stage_number: int,
    received: date,
    calendar: WorkingCalendar,
    responded: date | None = None,
    extra_time: bool = False,
) -> StageDeadlines:
    """Due dates for a stage received on `received` (KeyError if there is no such stage).

    acknowledge_by and respond_by count from `received`; escalate_by counts from
    `responded`, the day the complainant received the stage's response. extra_time adds
    the procedure's extra_time_allowance after the end of the escalation window: it is
    the complainant's own window, not the organisation's limits.
    """
    stage = procedure.stage(stage_number)

    def due(start: date, limit: TimeLimit | None) -> date | None:
        return None if limit is None else calendar.due(start, limit)

    escalate_by = None
    window = escalation_window(procedure, stage_number)
    if responded is not None and window is not None:
        escalate_by = calendar.due(responded, window)
        if extra_time and procedure.extra_time_allowance is not None:
            escalate_by = calendar.due(escalate_by, procedure.extra_time_allowance)
    return StageDeadlines(
        acknowledge_by=due(received, stage.acknowledge_within),
        respond_by=due(received, stage.respond_within),
        escalate_by=escalate_by,
    )


def enquiry_deadlines(
    procedure: Procedure, received: date, calendar: WorkingCalendar
) -> StageDeadlines:
    """Due date of an elected member's enquiry (CALAT: 10 working days of receipt).

    ValueError when the procedure takes no enquiries."""
    if procedure.enquiries is None:
        raise ValueError(f"{procedure.key} has no enquiries rule")
    return StageDeadlines(None, calendar.due(received, procedure.enquiries.respond_within), None)
