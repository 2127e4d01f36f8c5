"""The case lifecycle: every operation is one transaction that also queues its messages.

What may happen to a case, by whom and to which state is declared once, in
procedures/lifecycle.py; every operation here asks that table first (`_allow`) and sets the
state it names. Dates come from the procedure (procedures/deadlines.py); wording from
procedures/letters.py in the complainant's own language.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from locales import translator
from procedures import letters, lifecycle
from procedures.calendar import WorkingCalendar
from procedures.case import CASE_KINDS, Kind, NewComplaint
from procedures.deadlines import enquiry_deadlines, stage_deadlines
from procedures.lifecycle import Actor, Facts, Refused, Status, Transition
from procedures.model import Procedure, Stage, TimeLimit
from storage import people, promises, sign_offs, subjects, visibility
from storage.db import reading
from storage.errors import ChangedMeanwhile, IllegalTransition, InvalidInput, NotFound
from storage.models import (
    Attachment,
    AuditEvent,
    Complaint,
    Extension,
    Message,
    Person,
    StageRecord,
    utcnow,
)
from storage.outbox import CHAT_CHANNELS, enqueue, reply_channel
from storage.references import next_reference
from storage.supporters import set_supporter
from storage.views import CaseView, ReceiptFacts, StageView, Submitted

Wording = Callable[[ReceiptFacts], str]
# For staff (English): the complaint's words are in its attached files.
FILES_ONLY = "(No words: the complaint was sent as the attached files.)"
OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
ENDED = tuple(sorted(lifecycle.ENDED))  # for queries: status NOT IN ENDED
INFORMAL_STAGE = lifecycle.INFORMAL_STAGE


@dataclass
class CaseService:
    """Case operations for one organisation's procedure."""

    sessions: async_sessionmaker[AsyncSession]
    procedure: Procedure
    calendar: WorkingCalendar
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    clock: Callable[[], datetime] = utcnow

    # -- helpers -------------------------------------------------------------------------

    def today(self) -> date:
        """Today in the organisation's time zone: what "received on" means."""
        return self.clock().astimezone(self.zone).date()

    @asynccontextmanager
    async def unit_of_work(self, joined: AsyncSession | None = None) -> AsyncIterator[AsyncSession]:
        """One transaction: everything in it lands together or not at all.

        With `joined`, the operation runs inside the caller's transaction instead (a chat
        turn saves the draft and submits in one go; SQLite allows one writer at a time, so
        a second transaction there would wait for the first forever).
        """
        if joined is not None:
            yield joined
            return
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reader(self, joined: AsyncSession | None = None) -> AsyncIterator[AsyncSession]:
        """A session for reading: the caller's, or one that takes no write lock."""
        if joined is not None:
            yield joined
            return
        async with reading(self.sessions) as session:
            yield session

    async def _load(
        self,
        session: AsyncSession,
        complaint_id: int,
        expected_version: int | None = None,
        *,
        change: bool = True,
        staff_id: int | None = None,
        acting: bool = True,
    ) -> tuple[Complaint, Person]:
        """The case and its person; with `change`, claims the next version of the case.

        With `staff_id`, a case hidden from that person is NotFound, and with `acting` one
        they may not change is NotPermitted (storage/visibility.py).

        Every change bumps the version with a conditional UPDATE, so of two staff acting
        on the same version one wins and the other gets ChangedMeanwhile, on SQLite and on
        PostgreSQL alike (there the second UPDATE waits, then matches no row).
        """
        complaint = await session.scalar(
            select(Complaint)
            .where(Complaint.id == complaint_id)
            .options(selectinload(Complaint.stages))
        )
        if complaint is None:
            raise NotFound(f"no complaint {complaint_id}")
        if staff_id is not None:
            await visibility.check(session, self.procedure, complaint, staff_id, acting=acting)
        if expected_version is not None and complaint.version != expected_version:
            raise ChangedMeanwhile(f"{complaint.reference} was changed by someone else")
        if change:
            bumped = await session.execute(
                update(Complaint)
                .where(Complaint.id == complaint.id, Complaint.version == complaint.version)
                .values(version=Complaint.version + 1)
                .execution_options(synchronize_session=False)
            )
            if bumped.rowcount != 1:  # type: ignore[attr-defined]
                raise ChangedMeanwhile(f"{complaint.reference} was changed by someone else")
            set_committed_value(complaint, "version", complaint.version + 1)
        person = await session.get_one(Person, complaint.person_id)
        return complaint, person

    def _stage_rule(self, number: int) -> Stage:
        return self.procedure.stage(max(number, 1))

    @staticmethod
    def _current(complaint: Complaint) -> StageRecord:
        if not complaint.stages:
            raise IllegalTransition(f"{complaint.reference} is a {complaint.kind}, not a case")
        return complaint.stages[-1]

    def facts(self, complaint: Complaint, *, signed_off: int = 0) -> Facts:
        """The case as the lifecycle table sees it (`signed_off`: storage/sign_offs.py)."""
        record = complaint.stages[-1] if complaint.stages else None
        return Facts.of(
            self.procedure,
            status=complaint.status,
            kind=complaint.kind,
            stage=record.number if record else None,
            acknowledged=bool(record and record.acknowledged_at),
            responded=bool(record and record.responded_at),
            respond_by=record.respond_by if record else None,
            escalate_by=record.escalate_by if record else None,
            today=self.today(),
            name_shared=complaint.share_name,
            signed_off=signed_off,
            late_undecided=complaint.late and not complaint.window_decision,
        )

    async def current_facts(self, complaint_id: int) -> Facts:
        """The case as the lifecycle table sees it now, sign-offs counted (as storage checks)."""
        async with self.reader() as session:
            complaint, _ = await self._load(session, complaint_id, change=False)
            return self.facts(complaint, signed_off=await sign_offs.valid_count(session, complaint))

    def _allow(
        self, name: str, complaint: Complaint, actor: Actor = Actor.STAFF, *, signed_off: int = 0
    ) -> tuple[Transition, Facts]:
        """The table's transition `name`, or IllegalTransition saying why not."""
        facts = self.facts(complaint, signed_off=signed_off)
        try:
            return lifecycle.check(name, facts, actor), facts
        except Refused as refused:
            raise IllegalTransition(f"{complaint.reference}: {refused}") from None

    def _audit(
        self,
        session: AsyncSession,
        action: str,
        complaint: Complaint | None,
        staff_id: int | None,
        detail: str = "",
    ) -> None:
        session.add(
            AuditEvent(
                at=self.clock(),
                staff_id=staff_id,
                actor="staff" if staff_id else "complainant",
                action=action,
                complaint_id=complaint.id if complaint else None,
                detail=detail[:200],
            )
        )

    def _handler(self, stage: Stage, about_role: str | None) -> tuple[str, str]:
        """The stage's handler, or its alternative when the complaint is about that role."""
        handler = stage.handler
        if about_role and about_role == handler.role and handler.alternative_role:
            return handler.alternative_role, handler.alternative_label or handler.alternative_role
        return handler.role, handler.label

    def _new_stage(
        self, complaint: Complaint, number: int, received: date, *, late_request: bool = False
    ) -> StageRecord:
        if number == INFORMAL_STAGE:
            stage = self._stage_rule(1)
            role, label = self._handler(stage, complaint.about_role)
            return StageRecord(
                complaint_id=complaint.id,
                number=0,
                name="Informal resolution",
                handler_role=role,
                handler_label=label,
                received_on=received,
            )
        stage = self.procedure.stage(number)
        role, label = self._handler(stage, complaint.about_role)
        due = stage_deadlines(self.procedure, number, received, self.calendar)
        return StageRecord(
            complaint_id=complaint.id,
            number=number,
            name=stage.name,
            handler_role=role,
            handler_label=label,
            received_on=received,
            acknowledge_by=due.acknowledge_by,
            respond_by=due.respond_by,
            late_request=late_request,
        )

    def _form_name(self, complaint: Complaint) -> str:
        """The complaints form a formal complaint's answers fill in, if the procedure has one."""
        form = self.procedure.complaint_form
        if form and complaint.kind == Kind.COMPLAINT and complaint.formal:
            return form.name
        return ""

    def _enquiry_record(self, complaint: Complaint, received: date) -> StageRecord:
        """An enquiry's one "stage": stage 1's handler, the enquiry's own reply limit."""
        rule = self.procedure.enquiries
        assert rule is not None  # checked by submit
        handler = self.procedure.stage(1).handler
        return StageRecord(
            complaint_id=complaint.id,
            number=1,
            name=f"Enquiry from {rule.who}",
            handler_role=handler.role,
            handler_label=handler.label,
            received_on=received,
            respond_by=enquiry_deadlines(self.procedure, received, self.calendar).respond_by,
        )

    # -- submit ------------------------------------------------------------------------

    async def submit(
        self,
        new: NewComplaint,
        *,
        channel: str | None = None,
        external_id: str | None = None,
        staff_id: int | None = None,
        inline: bool = False,
        session: AsyncSession | None = None,
        wording: Wording | None = None,
    ) -> Submitted:
        """Create the complaint, its first stage and the receipt.

        `inline`: the channel shows the receipt itself as its reply (see outbox.enqueue).
        `wording`: the receipt's text from the facts, when the channel words it more fully
        (the chat knows the person's answers); by default procedures.letters.receipt.
        """
        async with self.unit_of_work(session) as joined:
            return await self._submit(joined, new, channel, external_id, staff_id, inline, wording)

    async def _submit(
        self,
        session: AsyncSession,
        new: NewComplaint,
        channel: str | None,
        external_id: str | None,
        staff_id: int | None,
        inline: bool,
        wording: Wording | None,
    ) -> Submitted:
        description = new.description.strip()
        if new.kind is Kind.ENQUIRY and self.procedure.enquiries is None:
            raise InvalidInput(f"{self.procedure.organisation} sets no rule for enquiries.")
        if not description and new.kind is Kind.COMPLAINT and not new.attachments:
            raise InvalidInput("A complaint needs a description or a file.")
        # Someone who cannot write may send only a voice note or a photo of a letter.
        description = description or FILES_ONLY
        now = self.clock()
        today = self.today()
        person = await people.find_or_create(session, channel, external_id, now=now)
        people.apply_preferences(person, new)
        await set_supporter(session, person, new, now=now)
        informal = new.kind is Kind.COMPLAINT and not new.formal
        complaint = Complaint(
            reference=await next_reference(session, today.year),
            person_id=person.id,
            procedure_key=self.procedure.key,
            kind=new.kind.value,
            formal=new.formal,
            category=new.category,
            about_staff=new.about_staff,
            about_role=new.about_role,
            description=description,
            desired_outcome=new.desired_outcome,
            incident_date=new.incident_date,
            incident_text=new.incident_text,
            representative_name=new.representative.name if new.representative else None,
            representative_relationship=(
                new.representative.relationship if new.representative else None
            ),
            consent_recorded=bool(new.representative and new.representative.consent),
            share_name=new.share_name,
            relationship_to_org=new.relationship_to_org,
            received_via=new.received_via.value,
            late=new.late,
            status=lifecycle.initial(is_case=new.kind.value in CASE_KINDS, informal=informal),
            current_stage=INFORMAL_STAGE if informal else 1,
            created_at=now,
        )
        session.add(complaint)
        await session.flush()
        await subjects.flag_at_submission(session, self.procedure, complaint, now)
        chat = (channel, external_id) if channel in CHAT_CHANNELS and external_id else None
        await promises.record(session, complaint, person, new, chat)
        session.add(
            Message(
                complaint_id=complaint.id,
                direction="inbound",
                channel=new.received_via.value,
                body=description,
                staff_id=staff_id,
                created_at=now,
            )
        )
        await self._link_attachments(session, complaint, person, new.attachments)
        record = None
        if new.kind is Kind.COMPLAINT:
            record = self._new_stage(complaint, complaint.current_stage, today)
            session.add(record)
        elif new.kind is Kind.ENQUIRY:
            record = self._enquiry_record(complaint, today)
            session.add(record)
        facts = ReceiptFacts(
            reference=complaint.reference,
            kind=new.kind.value,
            handler_label=record.handler_label if record else "",
            acknowledge_by=record.acknowledge_by if record else None,
            respond_by=record.respond_by if record else None,
        )
        if wording is not None:
            text = wording(facts)
        else:
            text = letters.receipt(
                translator(complaint.language),
                self.procedure,
                kind=facts.kind,
                reference=facts.reference,
                handler_label=facts.handler_label,
                acknowledge_by=facts.acknowledge_by,
                respond_by=facts.respond_by,
                form=self._form_name(complaint),
            )
        chat = (channel, external_id) if inline and channel and external_id else None
        row = await enqueue(
            session, person, text, now=now, complaint_id=complaint.id, shown_in=chat
        )
        self._audit(session, "submit", complaint, staff_id, detail=new.received_via.value)
        return Submitted(
            complaint_id=complaint.id,
            reference=facts.reference,
            person_id=person.id,
            kind=facts.kind,
            handler_label=facts.handler_label,
            acknowledge_by=facts.acknowledge_by,
            respond_by=facts.respond_by,
            receipt=text,
            receipt_outbox_id=row.id if chat else None,
        )

    async def _link_attachments(
        self, session: AsyncSession, complaint: Complaint, person: Person, hashes: Any
    ) -> None:
        for digest in hashes:
            rows = await session.scalars(
                select(Attachment).where(
                    Attachment.sha256 == digest, Attachment.complaint_id.is_(None)
                )
            )
            for row in rows:
                row.complaint_id = complaint.id
                row.person_id = person.id

    # -- staff actions -----------------------------------------------------------------

    async def acknowledge(
        self, complaint_id: int, *, staff_id: int | None, expected_version: int | None = None
    ) -> None:
        async with self.unit_of_work() as session:
            complaint, person = await self._load(
                session, complaint_id, expected_version, staff_id=staff_id
            )
            transition, facts = self._allow("acknowledge", complaint)
            record = self._current(complaint)
            now = self.clock()
            record.acknowledged_at = now
            complaint.status = transition.target(facts)
            text = letters.acknowledgement(
                translator(complaint.language),
                reference=complaint.reference,
                handler_label=record.handler_label,
                respond_by=record.respond_by,
                by_phone="phone_call" in (complaint.adjustments or []),
                procedure=self.procedure,
            )
            await enqueue(session, person, text, now=now, complaint_id=complaint.id)
            self._audit(session, "acknowledge", complaint, staff_id, f"stage {record.number}")

    async def reply(
        self,
        complaint_id: int,
        body: str,
        *,
        staff_id: int | None,
        ends_stage: bool = True,
        expected_version: int | None = None,
    ) -> None:
        """Send staff's words; with ends_stage, this is the stage's response."""
        if not body.strip():
            raise InvalidInput("The reply is empty.")
        async with self.unit_of_work() as session:
            complaint, person = await self._load(
                session, complaint_id, expected_version, staff_id=staff_id
            )
            # A panel's decision is sent only once enough distinct members signed it off.
            signed = await sign_offs.valid_count(session, complaint) if ends_stage else 0
            transition, facts = self._allow(
                "reply" if ends_stage else "message", complaint, signed_off=signed
            )
            now = self.clock()
            t = translator(complaint.language)
            if not ends_stage:
                text = letters.staff_message(t, reference=complaint.reference, body=body)
                await enqueue(session, person, text, now=now, complaint_id=complaint.id)
                self._audit(session, "message", complaint, staff_id)
                return
            record = self._current(complaint)
            if record.acknowledged_at is None:
                record.acknowledged_at = now  # an answer is also an acknowledgement
            record.responded_at = now
            rule = self._stage_rule(record.number)
            complaint.status = transition.target(facts)
            if complaint.kind == Kind.ENQUIRY:
                text = letters.enquiry_answer(t, reference=complaint.reference, body=body)
                await enqueue(session, person, text, now=now, complaint_id=complaint.id)
                self._audit(session, "respond", complaint, staff_id, "enquiry")
                return
            record.escalate_by = self._escalate_by(record, complaint, self.today())
            channel = await reply_channel(session, person, complaint)  # how to ask for more
            if record.number == INFORMAL_STAGE:
                text = "\n\n".join(
                    [
                        letters.staff_message(t, reference=complaint.reference, body=body),
                        letters.how_to_escalate(
                            t, self.procedure, rule, record.escalate_by, channel=channel
                        ),
                    ]
                )
            else:
                text = letters.response(
                    t,
                    self.procedure,
                    reference=complaint.reference,
                    body=body,
                    stage=rule,
                    escalate_by=record.escalate_by,
                    extra_time=self._extra_time(complaint),
                    outcome=self._outcome_lines(t, record),
                    channel=channel,
                )
            await enqueue(session, person, text, now=now, complaint_id=complaint.id)
            self._audit(session, "respond", complaint, staff_id, f"stage {record.number}")

    @staticmethod
    def _outcome_lines(t: Any, record: StageRecord) -> list[str]:
        detail = record.outcome_detail or {}
        return letters.outcome_lines(
            t,
            apology=bool(detail.get("apology")),
            policy_change=str(detail.get("policy_change") or ""),
        )

    def _extra_time(self, complaint: Complaint) -> TimeLimit | None:
        """The allowance added to this complaint's escalation windows, if they asked for it."""
        if "extra_time" in (complaint.adjustments or []):
            return self.procedure.extra_time_allowance
        return None

    def _escalate_by(
        self, record: StageRecord, complaint: Complaint, responded: date
    ) -> date | None:
        if record.number == INFORMAL_STAGE:
            return None  # moving from informal to formal has no published window
        due = stage_deadlines(
            self.procedure,
            record.number,
            record.received_on,
            self.calendar,
            responded=responded,
            extra_time="extra_time" in (complaint.adjustments or []),
        )
        return due.escalate_by

    async def add_note(self, complaint_id: int, body: str, *, staff_id: int | None) -> None:
        """An internal note: on the timeline for staff, never sent."""
        if not body.strip():
            raise InvalidInput("The note is empty.")
        async with self.unit_of_work() as session:
            complaint, _ = await self._load(session, complaint_id, staff_id=staff_id, acting=False)
            self._allow("note", complaint)
            session.add(
                Message(
                    complaint_id=complaint.id,
                    direction="note",
                    body=body,
                    staff_id=staff_id,
                    created_at=self.clock(),
                )
            )
            self._audit(session, "note", complaint, staff_id)

    async def request_information(
        self,
        complaint_id: int,
        question: str,
        *,
        staff_id: int | None,
        expected_version: int | None = None,
    ) -> None:
        if not question.strip():
            raise InvalidInput("The question is empty.")
        async with self.unit_of_work() as session:
            complaint, person = await self._load(
                session, complaint_id, expected_version, staff_id=staff_id
            )
            transition, facts = self._allow("request_information", complaint)
            text = letters.information_request(
                translator(complaint.language), reference=complaint.reference, question=question
            )
            await enqueue(session, person, text, now=self.clock(), complaint_id=complaint.id)
            complaint.status = transition.target(facts)
            self._audit(session, "request_information", complaint, staff_id)

    async def extend(
        self,
        complaint_id: int,
        *,
        which: str,
        new_date: date,
        reason: str,
        staff_id: int | None,
        expected_version: int | None = None,
    ) -> None:
        """Replace a due date with a later one; the old date stays in the history."""
        if which not in ("acknowledge", "respond"):
            raise InvalidInput("Choose which date to extend: acknowledge or respond.")
        if not reason.strip():
            raise InvalidInput("An extension needs a reason the complainant can read.")
        async with self.unit_of_work() as session:
            complaint, person = await self._load(
                session, complaint_id, expected_version, staff_id=staff_id
            )
            self._allow("extend", complaint)
            record = self._current(complaint)
            done = record.acknowledged_at if which == "acknowledge" else record.responded_at
            if done is not None:
                raise IllegalTransition(f"stage {record.number} is already {which}d")
            attribute = f"{which}_by"
            previous = getattr(record, attribute)
            if new_date <= max(filter(None, [previous, self.today()]), default=self.today()):
                raise InvalidInput(_not_later(which, new_date, previous, self.today()))
            setattr(record, attribute, new_date)
            session.add(
                Extension(
                    stage_record_id=record.id,
                    which=which,
                    previous_date=previous,
                    new_date=new_date,
                    reason=reason,
                    staff_id=staff_id,
                    created_at=self.clock(),
                )
            )
            text = letters.extension(
                translator(complaint.language),
                reference=complaint.reference,
                new_date=new_date,
                reason=reason,
                # A reply date that already passed gets the procedure's holding message.
                missed=(
                    previous
                    if which == "respond" and previous and previous < self.today()
                    else None
                ),
            )
            await enqueue(session, person, text, now=self.clock(), complaint_id=complaint.id)
            self._audit(session, "extend", complaint, staff_id, f"{which} to {new_date}")

    async def record_outcome(
        self,
        complaint_id: int,
        *,
        outcome: str,
        apology: bool = False,
        actions: str = "",
        policy_change: str = "",
        no_apology_reason: str = "",
        staff_id: int | None,
        expected_version: int | None = None,
    ) -> None:
        """Record a stage's outcome. An upheld complaint gets an apology, or a recorded
        reason why not (Cambridge Art Therapy's promise). The apology and any change to
        policy go in the stage's answer; recorded after the answer, they are sent now."""
        if outcome not in OUTCOMES:
            raise InvalidInput(f"Outcome must be one of {', '.join(OUTCOMES)}.")
        if outcome != "not_upheld" and not apology and not no_apology_reason.strip():
            raise InvalidInput(
                "An upheld complaint needs an apology, or a reason why there is none."
            )
        async with self.unit_of_work() as session:
            complaint, person = await self._load(
                session, complaint_id, expected_version, staff_id=staff_id
            )
            self._allow("outcome", complaint)
            record = self._current(complaint)
            told = record.outcome_detail or {}
            record.outcome = outcome
            record.outcome_detail = {
                "apology": apology,
                "actions": actions,
                "policy_change": policy_change,
                "no_apology_reason": "" if apology else no_apology_reason,
            }
            if record.responded_at is not None:
                # Only what the person has not been told yet: an apology or a new change.
                t = translator(complaint.language)
                lines = letters.outcome_lines(
                    t,
                    apology=apology and not told.get("apology"),
                    policy_change=(
                        policy_change if policy_change != told.get("policy_change") else ""
                    ),
                )
                if lines:
                    text = letters.staff_message(
                        t, reference=complaint.reference, body="\n".join(lines)
                    )
                    await enqueue(
                        session, person, text, now=self.clock(), complaint_id=complaint.id
                    )
            self._audit(session, "outcome", complaint, staff_id, outcome)

    async def escalate(
        self,
        complaint_id: int,
        *,
        reasons: str = "",
        staff_id: int | None = None,
        expected_version: int | None = None,
        session: AsyncSession | None = None,
        by: Actor = Actor.STAFF,
        attachments: tuple[str, ...] = (),
        letter: list[tuple[str, int]] | None = None,
        shown_in: tuple[str, str] | None = None,
        about_handler: bool = False,
        points: tuple[tuple[str, str], ...] = (),
    ) -> bool:
        """Move to the next stage. Returns True when the request came after the window.

        `by`: staff move a case on; a complainant asks (the table's request_next_stage).
        A late request is never dropped: the stage opens, flagged for staff to decide.
        `attachments`: files sent with the request, kept on the case. `letter`: the chat
        `shown_in` (channel, address) shows the confirmation as its reply, so its text and
        outbox row are added here; the row counts as sent when that chat confirms it.
        `about_handler`: the request is about the next stage's usual handler, so it goes to
        the alternative and is hidden from that role (CAST: the line manager -> the Board).
        `points`: the request's answers to the points the stage asks, (point, answer).
        """
        async with self.unit_of_work(session) as session:
            complaint, person = await self._load(
                session, complaint_id, expected_version, staff_id=staff_id
            )
            transition, facts = self._allow(
                "escalate" if by is Actor.STAFF else "request_next_stage", complaint, by
            )
            record = self._current(complaint)
            today = self.today()
            late = lifecycle.late_request(facts)
            complaint.formal = True
            complaint.current_stage = record.number + 1
            complaint.status = transition.target(facts)
            handler = self.procedure.stage(complaint.current_stage).handler
            if about_handler and handler.alternative_role and complaint.about_role is None:
                complaint.about_role = handler.role
            new = self._new_stage(complaint, complaint.current_stage, today, late_request=late)
            new.request_text = reasons
            new.request_points = [[point, answer] for point, answer in points]
            session.add(new)
            if reasons.strip():
                session.add(
                    Message(
                        complaint_id=complaint.id,
                        direction="inbound",
                        channel="",
                        body=reasons,
                        staff_id=staff_id,
                        created_at=self.clock(),
                    )
                )
            text = letters.escalation_received(
                translator(complaint.language),
                reference=complaint.reference,
                stage=self.procedure.stage(complaint.current_stage),
                acknowledge_by=new.acknowledge_by,
                respond_by=new.respond_by,
                late=late,
                procedure=self.procedure,
                handler_label=new.handler_label,
            )
            await self._link_attachments(session, complaint, person, attachments)
            row = await enqueue(
                session,
                person,
                text,
                now=self.clock(),
                complaint_id=complaint.id,
                shown_in=shown_in if letter is not None else None,
            )
            if letter is not None:
                await session.flush()
                letter.append((text, row.id))
            self._audit(
                session, "escalate", complaint, staff_id, f"to stage {complaint.current_stage}"
            )
            return late

    async def refer_external(
        self, complaint_id: int, *, staff_id: int | None, expected_version: int | None = None
    ) -> None:
        async with self.unit_of_work() as session:
            complaint, person = await self._load(
                session, complaint_id, expected_version, staff_id=staff_id
            )
            transition, facts = self._allow("refer", complaint)
            now = self.clock()
            complaint.status = transition.target(facts)
            complaint.closed_at = now
            text = letters.referred(
                translator(complaint.language), self.procedure, reference=complaint.reference
            )
            await enqueue(session, person, text, now=now, complaint_id=complaint.id)
            self._audit(session, "refer", complaint, staff_id)

    async def close(
        self,
        complaint_id: int,
        *,
        staff_id: int | None,
        notify: bool = True,
        expected_version: int | None = None,
    ) -> None:
        await self._end(complaint_id, "close", staff_id, notify, expected_version)

    async def withdraw(
        self, complaint_id: int, *, staff_id: int | None = None, expected_version: int | None = None
    ) -> None:
        await self._end(complaint_id, "withdraw", staff_id, True, expected_version)

    async def _end(
        self,
        complaint_id: int,
        name: str,
        staff_id: int | None,
        notify: bool,
        expected_version: int | None,
    ) -> None:
        async with self.unit_of_work() as session:
            complaint, person = await self._load(
                session, complaint_id, expected_version, staff_id=staff_id
            )
            actor = Actor.COMPLAINANT if name == "withdraw" else Actor.STAFF
            transition, facts = self._allow(name, complaint, actor)
            now = self.clock()
            status = transition.target(facts)
            complaint.status = status
            complaint.closed_at = now
            if notify:
                t = translator(complaint.language)
                word = letters.closed if status is Status.CLOSED else letters.withdrawn
                text = word(t, reference=complaint.reference)
                await enqueue(session, person, text, now=now, complaint_id=complaint.id)
            self._audit(session, str(status), complaint, staff_id)

    async def change_promise(
        self,
        complaint_id: int,
        wanted: promises.PromiseChange,
        *,
        staff_id: int | None,
        expected_version: int | None = None,
    ) -> list[str]:
        """Change what this one complaint promised (needs, reply channel, contacts,
        language); audited by field name. The person's other complaints keep theirs."""
        async with self.unit_of_work() as session:
            # Correcting how to reach someone is for anyone who may see the case.
            complaint, _ = await self._load(
                session, complaint_id, expected_version, staff_id=staff_id, acting=False
            )
            return await promises.change(
                session, complaint, wanted, staff_id=staff_id, now=self.clock()
            )

    # -- the complainant's side --------------------------------------------------------

    async def add_information(
        self,
        complaint_id: int,
        text: str,
        *,
        attachments: tuple[str, ...] = (),
        session: AsyncSession | None = None,
    ) -> None:
        """More words or files from the complainant, kept on the case timeline."""
        async with self.unit_of_work(session) as session:
            complaint, person = await self._load(session, complaint_id)
            transition, facts = self._allow("add_information", complaint, Actor.COMPLAINANT)
            if text.strip():
                session.add(
                    Message(
                        complaint_id=complaint.id,
                        direction="inbound",
                        channel=complaint.received_via,
                        body=text,
                        created_at=self.clock(),
                    )
                )
            await self._link_attachments(session, complaint, person, attachments)
            complaint.status = transition.target(facts)
            self._audit(session, "add_information", complaint, None)

    # -- reading -----------------------------------------------------------------------

    async def get(self, complaint_id: int, *, staff_id: int | None = None) -> CaseView:
        async with self.reader() as session:
            complaint, person = await self._load(
                session, complaint_id, change=False, staff_id=staff_id, acting=False
            )
            return case_view(complaint, person)

    async def by_reference(self, reference: str) -> CaseView:
        async with self.reader() as session:
            found = await session.scalar(
                select(Complaint.id).where(Complaint.reference == reference.strip().upper())
            )
            if found is None:
                raise NotFound(reference)
            complaint, person = await self._load(session, found, change=False)
            return case_view(complaint, person)

    async def cases_of(
        self, person_id: int, *, session: AsyncSession | None = None
    ) -> list[CaseView]:
        """A person's own cases, newest first (for "status of my complaints")."""
        async with self.reader(session) as session:
            complaints = await session.scalars(
                select(Complaint)
                .where(Complaint.person_id == person_id)
                .options(selectinload(Complaint.stages))
                .order_by(Complaint.id.desc())
            )
            person = await session.get_one(Person, person_id)
            return [case_view(c, person) for c in complaints]


def case_view(complaint: Complaint, person: Person) -> CaseView:
    return CaseView(
        id=complaint.id,
        reference=complaint.reference,
        kind=complaint.kind,
        formal=complaint.formal,
        status=complaint.status,
        current_stage=complaint.current_stage,
        category=complaint.category,
        about_staff=complaint.about_staff,
        description=complaint.description,
        language=complaint.language,
        person_id=person.id,
        version=complaint.version,
        created_at=complaint.created_at,
        late=complaint.late,
        stages=tuple(
            StageView(
                number=s.number,
                name=s.name,
                handler_role=s.handler_role,
                handler_label=s.handler_label,
                received_on=s.received_on,
                acknowledge_by=s.acknowledge_by,
                acknowledged_at=s.acknowledged_at,
                respond_by=s.respond_by,
                responded_at=s.responded_at,
                escalate_by=s.escalate_by,
                late_request=s.late_request,
                outcome=s.outcome,
                outcome_detail=dict(s.outcome_detail or {}),
                request_points=tuple((str(p), str(a)) for p, a in s.request_points or ()),
            )
            for s in complaint.stages
        ),
    )


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _not_later(which: str, new_date: date, previous: date | None, today: date) -> str:
    """The refusal of an extension, with the dates that decide it (staff read it)."""
    due = "acknowledge-by" if which == "acknowledge" else "reply-by"
    current = f"the current {due} date, {_day(previous)}, and " if previous else ""
    return (
        f"The new {due} date must be later than {current}today, {_day(today)}. "
        f"{_day(new_date)} is not."
    )
