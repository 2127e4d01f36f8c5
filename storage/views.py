"""Plain read-only views that storage hands to the layers above (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
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
