"""Hypothesis state machine over the case lifecycle and staff permissions, on real SQLite.

Whatever staff and complainants do, in any order and on any day:
- every stage's acknowledge_by / respond_by is what procedures.deadlines.stage_deadlines
  says for its received date, or the date of the latest extension of that deadline;
- no member of staff ever lists, opens or sees on the dashboard a complaint about them.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from sqlalchemy import select

from procedures.case import Kind, NewComplaint, Received
from procedures.deadlines import stage_deadlines
from storage.errors import CaseError
from storage.models import Complaint, Extension, StaffUser, StageRecord
from storage.queries import CaseFilters, Queries
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from storage.staff import procedure_roles
from storage.visibility import name_subject
from tests.conftest import FakeClock
from tests.faults.template import template

pytestmark = pytest.mark.faults


class Lifecycle(RuleBasedStateMachine):
    cases = Bundle("cases")
    staff = Bundle("staff")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.folder = Path(tempfile.mkdtemp())
        shutil.copyfile(template(), self.folder / "complaints.db")
        self.clock = FakeClock()
        settings_ = Settings(
            data_dir=self.folder,
            secret_key="stateful",
            database_url=f"sqlite+aiosqlite:///{self.folder / 'complaints.db'}",
            procedure="west-wilts-ccc",
        )
        self.storage: Storage = self.run(
            open_storage(settings_, run_migrations=False, clock=self.clock)
        )
        self.queries = Queries(self.storage.cases)
        self.staff_ids: list[int] = []

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.storage.close())
        self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize(target=staff)
    def add_staff(self) -> Any:
        # Rows, not StaffDirectory.add: nobody signs in here, and argon2 costs per example.
        roles = list(procedure_roles(self.storage.procedure))
        self.staff_ids = self.run(self._add_staff(roles * 2))
        return multiple(*self.staff_ids)

    async def _add_staff(self, roles: list[str]) -> list[int]:
        async with self.storage.sessions() as session, session.begin():
            rows = [
                StaffUser(email=f"s{n}@example.org", name=f"S {n}", password_hash="-", roles=[r])
                for n, r in enumerate(roles)
            ]
            session.add_all(rows)
            await session.flush()
            return [row.id for row in rows]

    @rule(target=cases, formal=st.booleans())
    def submit(self, formal: bool) -> int:
        new = NewComplaint(
            kind=Kind.COMPLAINT,
            description="The meeting was cancelled.",
            complainant_name="Ali",
            received_via=Received.WEBCHAT,
            formal=formal,
        )
        done = self.run(self.storage.cases.submit(new, channel="webchat", external_id="x"))
        return int(done.complaint_id)

    def attempt(self, coroutine: Any) -> None:
        # Refused (already done, not allowed, hidden): the invariants must hold all the same.
        with contextlib.suppress(CaseError):
            self.run(coroutine)

    @rule(case=cases, by=staff)
    def acknowledge(self, case: int, by: int) -> None:
        self.attempt(self.storage.cases.acknowledge(case, staff_id=by))

    @rule(case=cases, by=staff, ends=st.booleans())
    def reply(self, case: int, by: int, ends: bool) -> None:
        self.attempt(self.storage.cases.reply(case, "Our answer.", staff_id=by, ends_stage=ends))

    @rule(
        case=cases,
        by=staff,
        which=st.sampled_from(["acknowledge", "respond"]),
        days=st.integers(1, 40),
    )
    def extend(self, case: int, by: int, which: str, days: int) -> None:
        new_date = self.storage.cases.today() + timedelta(days=days)
        self.attempt(
            self.storage.cases.extend(
                case, which=which, new_date=new_date, reason="Waiting for a report.", staff_id=by
            )
        )

    @rule(case=cases)
    def complainant_escalates(self, case: int) -> None:
        self.attempt(self.storage.cases.escalate(case, reasons="Not satisfied."))

    @rule(case=cases, by=staff)
    def close(self, case: int, by: int) -> None:
        self.attempt(self.storage.cases.close(case, staff_id=by))

    @rule(case=cases, by=staff, outcome=st.sampled_from(["upheld", "partly_upheld", "not_upheld"]))
    def outcome(self, case: int, by: int, outcome: str) -> None:
        apology = outcome != "not_upheld"  # an upheld outcome needs an apology or a reason
        self.attempt(
            self.storage.cases.record_outcome(case, outcome=outcome, apology=apology, staff_id=by)
        )

    @rule(case=cases, by=staff, subject=staff)
    def name_subject(self, case: int, by: int, subject: int) -> None:
        version = self.run(self._version(case))
        self.attempt(
            name_subject(
                self.storage.cases,
                case,
                subject,
                staff_id=by,
                expected_version=version,
                reason="Named on the phone.",
            )
        )

    @rule(days=st.integers(1, 30))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)

    async def _version(self, case: int) -> int:
        async with self.storage.sessions() as session:
            return int(await session.scalar(select(Complaint.version).where(Complaint.id == case)))

    @invariant()
    def deadlines_follow_the_procedure(self) -> None:
        self.run(self._check_deadlines())

    async def _check_deadlines(self) -> None:
        procedure, calendar = self.storage.procedure, self.storage.calendar
        async with self.storage.sessions() as session:
            records = (await session.scalars(select(StageRecord))).all()
            extensions = (await session.scalars(select(Extension).order_by(Extension.id))).all()
        latest = {(e.stage_record_id, e.which): e.new_date for e in extensions}
        for record in records:
            if record.number == 0:
                continue
            due = stage_deadlines(procedure, record.number, record.received_on, calendar)
            ack = latest.get((record.id, "acknowledge"), due.acknowledge_by)
            respond = latest.get((record.id, "respond"), due.respond_by)
            assert record.acknowledge_by == ack, (record.number, record.acknowledge_by, ack)
            assert record.respond_by == respond, (record.number, record.respond_by, respond)

    @invariant()
    def nobody_sees_a_complaint_about_them(self) -> None:
        self.run(self._check_visibility())

    async def _check_visibility(self) -> None:
        async with self.storage.sessions() as session:
            about = dict(
                (await session.execute(select(Complaint.id, Complaint.subject_staff_id))).all()
            )
        for staff_id in self.staff_ids:
            mine = {c for c, subject in about.items() if subject == staff_id}
            if not mine:
                continue
            listed = await self.queries.case_list(staff_id, CaseFilters())
            assert not mine & {row.id for row in listed.rows}
            board = await self.queries.dashboard(staff_id)
            shown = {
                getattr(row, "id", None)
                for value in vars(board).values()
                if isinstance(value, tuple)
                for row in value
            }
            assert not mine & shown
            for case in mine:
                with pytest.raises(CaseError):
                    await self.queries.case_detail(case, staff_id, audit=False)


Lifecycle.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_case_lifecycle_and_permissions = Lifecycle.TestCase
