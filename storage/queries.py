"""What the staff view reads: dashboard, case list, case page, audit log.

Every query takes the asking member of staff and filters with storage/visibility.py, so a
hidden case is absent from counts, lists and searches alike. Results are plain dataclasses.
Opening a case page or an attachment is itself written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, cast, func, literal, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from procedures.case import CASE_KINDS
from storage.calls import call_tasks, mark_call_done
from storage.cases import ENDED, CaseService, case_view
from storage.complaint_forms import applies, build_form
from storage.db import reading
from storage.delivery import FOR_STAFF, State
from storage.errors import NotFound
from storage.investigators import needs_external_investigator
from storage.models import (
    Attachment,
    AuditEvent,
    CallbackRequest,
    Complaint,
    Draft,
    Extension,
    Message,
    Outbox,
    Person,
    StaffUser,
    StageRecord,
)
from storage.procedure_checks import procedure_checks
from storage.promises import promise_of
from storage.staff import ADMIN
from storage.views import (
    AttachmentView,
    AuditRow,
    CallbackView,
    CaseDetail,
    CasePage,
    CaseRow,
    Dashboard,
    DraftInProgress,
    OutboxTask,
    PersonView,
    StaffOption,
    TimelineEntry,
)
from storage.visibility import (
    Viewer,
    act_refusal,
    hidden_people,
    is_lead,
    viewer_for,
    visible,
)
from storage.withheld_names import WITHHELD, name_hidden

PAGE_SIZE = 25
DASHBOARD_LIMIT = 50
RECENT_ESCALATION = timedelta(days=14)
# Audit actions shown on the timeline as events (the others have their own entries).
TIMELINE_EVENTS = {
    "closed": "Closed",
    "withdrawn": "Withdrawn",
    "refer": "Referred to the external body",
    "set_subject": "Member of staff complained about named",
    "assign_handler": "Handler assigned",
    "outcome": "Outcome recorded",
}


@dataclass(frozen=True)
class CaseFilters:
    stage: int | None = None
    status: str | None = None
    category: str | None = None
    handler_role: str | None = None
    overdue: bool = False
    language: str | None = None
    adjustments: bool = False
    search: str = ""
    page: int = 1


def _current_stage() -> Any:
    return and_(
        StageRecord.complaint_id == Complaint.id, StageRecord.number == Complaint.current_stage
    )


def _rows_query(viewer: Viewer, *, staged: bool = False) -> Select[Any]:
    """Cases with their person and current stage record. `staged`: only cases that have
    one (an inner join), so SQLite can start from the stage records' date indexes instead
    of scanning every complaint, as a LEFT JOIN makes it do."""
    query = select(Complaint, Person, StageRecord).join(Person, Person.id == Complaint.person_id)
    if staged:
        query = query.join(StageRecord, _current_stage())
    else:
        query = query.outerjoin(StageRecord, _current_stage())
    return query.where(visible(viewer))


def _name_matches(words: str, viewer: Viewer) -> Any:
    """Search by name, never finding a name withheld from this viewer."""
    matches = or_(
        func.lower(Person.name).contains(words.lower(), autoescape=True),
        func.lower(func.coalesce(Complaint.representative_name, "")).contains(
            words.lower(), autoescape=True
        ),
    )
    if ADMIN in viewer.roles:
        return matches
    return and_(Complaint.share_name.is_(True), matches)


def _row(
    complaint: Complaint, person: Person, record: StageRecord | None, viewer: Viewer
) -> CaseRow:
    return CaseRow(
        id=complaint.id,
        reference=complaint.reference,
        kind=complaint.kind,
        status=complaint.status,
        created_at=complaint.created_at,
        person_name=WITHHELD if name_hidden(complaint, viewer) else person.name,
        language=complaint.language,
        adjustments=tuple(complaint.adjustments or ()),
        category=complaint.category,
        stage_number=record.number if record else None,
        stage_name=record.name if record else "",
        handler_label=record.handler_label if record else "",
        acknowledge_by=record.acknowledge_by if record else None,
        acknowledged=bool(record and record.acknowledged_at),
        respond_by=record.respond_by if record else None,
        responded=bool(record and record.responded_at),
        late_request=bool(record and record.late_request),
    )


def _open() -> Any:
    return and_(Complaint.status.not_in(ENDED), Complaint.kind.in_(CASE_KINDS))


def _ack_pending() -> Any:
    return and_(StageRecord.acknowledged_at.is_(None), StageRecord.responded_at.is_(None))


def _overdue(today: date) -> Any:
    return or_(
        and_(_ack_pending(), StageRecord.acknowledge_by < today),
        and_(StageRecord.responded_at.is_(None), StageRecord.respond_by < today),
    )


def _due_between(first: date, last: date) -> Any:
    return or_(
        and_(_ack_pending(), StageRecord.acknowledge_by.between(first, last)),
        and_(StageRecord.responded_at.is_(None), StageRecord.respond_by.between(first, last)),
    )


def _has_adjustments() -> Any:
    listed = func.coalesce(cast(Complaint.adjustments, String), "[]")
    return or_(listed.not_in(["[]", "null"]), Complaint.adjustments_note != "")


class Queries:
    def __init__(self, cases: CaseService) -> None:
        self.cases = cases
        self.sessions = cases.sessions

    async def _list(
        self, viewer: Viewer, session: AsyncSession, query: Select[Any]
    ) -> tuple[CaseRow, ...]:
        result = await session.execute(query.limit(DASHBOARD_LIMIT))
        return tuple(_row(c, p, r, viewer) for c, p, r in result)

    # -- dashboard -----------------------------------------------------------------------

    async def dashboard(self, staff_id: int) -> Dashboard:
        today = self.cases.today()
        async with reading(self.sessions) as session:
            viewer = await viewer_for(session, staff_id)
            base = _rows_query(viewer, staged=True).where(_open())
            by_due = (StageRecord.respond_by, Complaint.id)
            due_today = await self._list(
                viewer, session, base.where(_due_between(today, today)).order_by(*by_due)
            )
            week = await self._list(
                viewer,
                session,
                base.where(
                    _due_between(today + timedelta(days=1), today + timedelta(days=7))
                ).order_by(*by_due),
            )
            late_ack = await self._list(
                viewer,
                session,
                base.where(_ack_pending(), StageRecord.acknowledge_by < today).order_by(
                    StageRecord.acknowledge_by, Complaint.id
                ),
            )
            late_reply = await self._list(
                viewer,
                session,
                base.where(
                    StageRecord.responded_at.is_(None), StageRecord.respond_by < today
                ).order_by(*by_due),
            )
            awaiting = await self._list(
                viewer,
                session,
                _rows_query(viewer)
                .where(_open(), Complaint.status == "awaiting_complainant")
                .order_by(Complaint.id),
            )
            escalated = await self._list(
                viewer,
                session,
                base.where(
                    StageRecord.number >= 2,
                    StageRecord.received_on >= today - RECENT_ESCALATION,
                ).order_by(StageRecord.received_on.desc(), Complaint.id),
            )
            return Dashboard(
                today=today,
                due_today=due_today,
                due_this_week=week,
                overdue_acknowledgement=late_ack,
                overdue_response=late_reply,
                awaiting_complainant=awaiting,
                recently_escalated=escalated,
                callbacks=await self._callbacks(session, viewer),
                outbox_tasks=await self._outbox_tasks(session, viewer),
                calls=await call_tasks(session, viewer, limit=DASHBOARD_LIMIT),
            )

    async def _callbacks(self, session: AsyncSession, viewer: Viewer) -> tuple[CallbackView, ...]:
        theirs = aliased(Complaint)
        latest = (
            select(func.max(theirs.id))
            .where(theirs.person_id == CallbackRequest.person_id)
            .scalar_subquery()
        )
        rows = await session.execute(
            select(CallbackRequest, Person.name, Complaint.reference, Complaint.id)
            .outerjoin(Person, Person.id == CallbackRequest.person_id)
            .outerjoin(Complaint, Complaint.id == latest)
            .where(
                CallbackRequest.done_at.is_(None),
                or_(
                    CallbackRequest.person_id.is_(None),
                    CallbackRequest.person_id.not_in(hidden_people(viewer)),
                ),
            )
            .order_by(CallbackRequest.created_at)
            .limit(DASHBOARD_LIMIT)
        )
        return tuple(
            CallbackView(
                id=row.id,
                person_name=name or "",
                channel=row.channel,
                note=row.note,
                created_at=row.created_at,
                reference=reference,
                complaint_id=complaint_id,
            )
            for row, name, reference, complaint_id in rows
        )

    async def _outbox_tasks(self, session: AsyncSession, viewer: Viewer) -> tuple[OutboxTask, ...]:
        rows = await session.execute(
            select(Outbox, Person.name, Complaint.reference)
            .join(Person, Person.id == Outbox.person_id)
            .outerjoin(Complaint, Complaint.id == Outbox.complaint_id)
            .where(
                Outbox.state.in_(FOR_STAFF),
                # Letters by post have their own list (storage/letters.py), with downloads.
                or_(Outbox.channel != "post", Outbox.to_supporter.is_(True)),
                or_(
                    and_(Outbox.complaint_id.is_not(None), visible(viewer)),
                    and_(
                        Outbox.complaint_id.is_(None),
                        Outbox.person_id.not_in(hidden_people(viewer)),
                    ),
                ),
            )
            .order_by(Outbox.created_at)
            .limit(DASHBOARD_LIMIT)
        )
        return tuple(
            OutboxTask(
                id=row.id,
                complaint_id=row.complaint_id,
                reference=reference,
                person_name=name,
                channel=row.channel,
                address=row.address,
                state=row.state,
                last_error=row.last_error,
                created_at=row.created_at,
                to_supporter=row.to_supporter,
            )
            for row, name, reference in rows
        ) + await self._staff_alert_tasks(session, viewer)

    async def _staff_alert_tasks(
        self, session: AsyncSession, viewer: Viewer
    ) -> tuple[OutboxTask, ...]:
        """Alerts to staff that failed or may not have arrived: shown to admins, and to the
        member of staff they were for, so a missed alert is never silent."""
        query = (
            select(Outbox, StaffUser.name)
            .join(StaffUser, StaffUser.id == Outbox.staff_id)
            .where(Outbox.state.in_((State.FAILED, State.UNCERTAIN)))
            .order_by(Outbox.created_at)
            .limit(DASHBOARD_LIMIT)
        )
        if "admin" not in viewer.roles:
            query = query.where(Outbox.staff_id == viewer.id)
        rows = await session.execute(query)
        return tuple(
            OutboxTask(
                id=row.id,
                complaint_id=None,
                reference=None,
                person_name=name,
                channel=row.channel,
                address=row.address,
                state=row.state,
                last_error=row.last_error,
                created_at=row.created_at,
                to_staff=True,
            )
            for row, name in rows
        )

    async def mark_delivered(self, outbox_id: int, staff_id: int) -> None:
        """Staff made the call or posted the letter of a manual (or failed) message."""
        now = self.cases.clock()
        async with self.sessions() as session, session.begin():
            viewer = await viewer_for(session, staff_id)
            row = await session.scalar(
                select(Outbox)
                .outerjoin(Complaint, Complaint.id == Outbox.complaint_id)
                .where(
                    Outbox.id == outbox_id,
                    Outbox.state.in_(FOR_STAFF),
                    or_(
                        Outbox.staff_id.is_not(None),  # a staff alert (dashboard lists admins')
                        and_(Outbox.complaint_id.is_not(None), visible(viewer)),
                        and_(
                            Outbox.complaint_id.is_(None),
                            Outbox.person_id.not_in(hidden_people(viewer)),
                        ),
                    ),
                )
            )
            if row is None:
                raise NotFound(f"no message {outbox_id} waiting")
            row.state = "sent"
            row.sent_at = now
            row.external_id = f"staff:{staff_id}"
            session.add(
                AuditEvent(
                    at=now,
                    staff_id=staff_id,
                    action="delivered_by_hand",
                    complaint_id=row.complaint_id,
                    detail=f"message {row.id} by {row.channel}",
                )
            )

    async def callback_done(self, callback_id: int, staff_id: int) -> None:
        now = self.cases.clock()
        async with self.sessions() as session, session.begin():
            viewer = await viewer_for(session, staff_id)
            row = await session.scalar(
                select(CallbackRequest).where(
                    CallbackRequest.id == callback_id,
                    CallbackRequest.done_at.is_(None),
                    or_(
                        CallbackRequest.person_id.is_(None),
                        CallbackRequest.person_id.not_in(hidden_people(viewer)),
                    ),
                )
            )
            if row is None:
                raise NotFound(f"no call-back request {callback_id} waiting")
            row.done_at = now
            session.add(
                AuditEvent(
                    at=now, staff_id=staff_id, action="callback_done", detail=f"request {row.id}"
                )
            )

    async def call_done(
        self, complaint_id: int, stage_number: int, purpose: str, staff_id: int
    ) -> None:
        """Staff made a call asked for instead of writing (storage/calls.py)."""
        async with self.sessions() as session, session.begin():
            viewer = await viewer_for(session, staff_id)
            await mark_call_done(
                session, viewer, complaint_id, stage_number, purpose, now=self.cases.clock()
            )

    # -- case list -----------------------------------------------------------------------

    async def case_list(self, staff_id: int, filters: CaseFilters) -> CasePage:
        today = self.cases.today()
        async with reading(self.sessions) as session:
            viewer = await viewer_for(session, staff_id)
            query = _rows_query(viewer)
            if filters.stage is not None:
                query = query.where(Complaint.current_stage == filters.stage)
            if filters.status:
                query = query.where(Complaint.status == filters.status)
            if filters.category:
                query = query.where(Complaint.category == filters.category)
            if filters.handler_role:
                query = query.where(StageRecord.handler_role == filters.handler_role)
            if filters.overdue:
                query = query.where(_open(), _overdue(today))
            if filters.language:
                query = query.where(Complaint.language == filters.language)
            if filters.adjustments:
                query = query.where(_has_adjustments())
            words = filters.search.strip()
            if words:
                query = query.where(
                    or_(
                        func.upper(Complaint.reference).contains(words.upper(), autoescape=True),
                        _name_matches(words, viewer),
                    )
                )
            total = int(
                await session.scalar(select(func.count()).select_from(query.subquery())) or 0
            )
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(1, filters.page), pages)
            result = await session.execute(
                query.order_by(Complaint.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
            )
            rows = tuple(_row(c, p, r, viewer) for c, p, r in result)
            return CasePage(rows=rows, total=total, page=page, pages=pages)

    # -- one case ------------------------------------------------------------------------

    async def case_detail(
        self, complaint_id: int, staff_id: int, *, audit: bool = True
    ) -> CaseDetail:
        """The case page's content; NotFound when hidden. Writes a "view" audit event."""
        now = self.cases.clock()
        detail = await self._read_case(complaint_id, staff_id)
        if audit:
            # The view is audited in its own short write after the reads, so readers never
            # queue for SQLite's write lock behind each other; the page is shown only after
            # the event is committed.
            await self._audit(
                AuditEvent(at=now, staff_id=staff_id, action="view", complaint_id=complaint_id)
            )
        return detail

    async def _audit(self, event: AuditEvent) -> None:
        async with self.sessions() as session, session.begin():
            session.add(event)

    async def _read_case(self, complaint_id: int, staff_id: int) -> CaseDetail:
        async with reading(self.sessions) as session:
            viewer = await viewer_for(session, staff_id)
            complaint = await session.scalar(
                select(Complaint)
                .where(Complaint.id == complaint_id, visible(viewer))
                .options(selectinload(Complaint.stages))
            )
            if complaint is None:
                raise NotFound(f"no complaint {complaint_id}")
            person = await session.get_one(Person, complaint.person_id)
            staff = {
                s.id: s for s in await session.scalars(select(StaffUser).order_by(StaffUser.name))
            }
            refusal = await act_refusal(session, self.cases.procedure, complaint, viewer)
            attachments = await session.scalars(
                select(Attachment)
                .where(Attachment.complaint_id == complaint.id)
                .order_by(Attachment.id)
            )
            timeline = await self._timeline(session, complaint, staff)
            record = complaint.stages[-1] if complaint.stages else None
            calls = await call_tasks(session, viewer, complaint_id=complaint.id)
            promise = promise_of(complaint)
            hide = name_hidden(complaint, viewer)
            form = None
            if applies(self.cases.procedure, complaint):
                form = await build_form(
                    session, self.cases.procedure, complaint, person, name_hidden=hide
                )
            return CaseDetail(
                case=case_view(complaint, person),
                # What this complaint promised (storage/promises.py), not the person's
                # latest answers: another complaint of theirs never changes this page.
                person=PersonView(
                    id=person.id,
                    name=WITHHELD if hide else person.name,
                    language=promise.language,
                    adjustments=promise.adjustments,
                    adjustments_note=promise.adjustments_note,
                    contact_method=promise.contact_method,
                    email="" if hide else promise.email,
                    phone="" if hide else promise.phone,
                    postal_address="" if hide else promise.postal_address,
                ),
                share_name=complaint.share_name,
                complaint_form=form.form if form else "",
                form_missing=form.missing if form else (),
                unreachable=bool(form and form.unreachable),
                needs_external_investigator=await needs_external_investigator(
                    session, self.cases.procedure, complaint
                ),
                external_investigator=(
                    f"{complaint.external_investigator}, {complaint.external_investigator_org}"
                    if complaint.external_investigator
                    else ""
                ),
                received_via=complaint.received_via,
                about_role=complaint.about_role,
                subject_staff=_option(staff.get(complaint.subject_staff_id or 0)),
                handler_staff=_option(staff.get(record.handler_staff_id or 0) if record else None),
                desired_outcome=complaint.desired_outcome,
                incident_text=complaint.incident_text,
                incident_date=complaint.incident_date,
                representative_name=None if hide else complaint.representative_name,
                representative_relationship=complaint.representative_relationship,
                consent_recorded=complaint.consent_recorded,
                attachments=tuple(
                    AttachmentView(
                        id=a.id,
                        name=a.original_name or f"file-{a.id}",
                        mime_type=a.mime_type,
                        size=a.size,
                        kind=a.kind,
                        created_at=a.created_at,
                        sha256=a.sha256,
                    )
                    for a in attachments
                ),
                timeline=timeline,
                act_refusal=refusal,
                staff=tuple(
                    o for s in staff.values() if s.active and (o := _option(s)) is not None
                ),
                call=calls[0] if calls else None,
                supporter=promise.supporter,
                triage=complaint.triage,
                can_settle=is_lead(viewer),
                **await procedure_checks(session, self.cases.procedure, complaint),
            )

    async def _timeline(
        self, session: AsyncSession, complaint: Complaint, staff: dict[int, StaffUser]
    ) -> tuple[TimelineEntry, ...]:
        def who(staff_id: int | None) -> str:
            row = staff.get(staff_id or 0)
            return row.name if row else ""

        entries: list[TimelineEntry] = []
        messages = await session.execute(
            select(Message, Outbox)
            .outerjoin(Outbox, Outbox.id == Message.outbox_id)
            .where(Message.complaint_id == complaint.id)
            .order_by(Message.id)
        )
        titles = {
            "inbound": "From the complainant",
            "outbound": "To the complainant",
            "note": "Internal note",
        }
        for message, out in messages:
            inbound_by_staff = message.direction == "inbound" and message.staff_id
            entries.append(
                TimelineEntry(
                    at=message.created_at,
                    kind=message.direction,
                    title=titles.get(message.direction, message.direction)
                    + (" (recorded by staff)" if inbound_by_staff else ""),
                    body=message.body,
                    staff_name=who(message.staff_id),
                    channel=out.channel if out else message.channel,
                    delivery=out.state if out else "",
                    error=out.last_error if out and out.state in FOR_STAFF else "",
                )
            )
        zone = self.cases.zone
        # When each stage opened: the first with the complaint, the others when asked for
        # (their received_on is only a date, which would sort before the complaint itself).
        moved = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.complaint_id == complaint.id, AuditEvent.action == "escalate")
            .order_by(AuditEvent.id)
        )
        opened_at = {event.detail: event.at for event in moved}
        for position, record in enumerate(complaint.stages):
            label = f"Stage {record.number}: {record.name}" if record.number else record.name
            due = []
            if record.acknowledge_by:
                due.append(f"acknowledge by {record.acknowledge_by:%d %b %Y}")
            if record.respond_by:
                due.append(f"respond by {record.respond_by:%d %b %Y}")
            opened = (
                complaint.created_at
                if position == 0
                else opened_at.get(f"to stage {record.number}")
            ) or datetime.combine(record.received_on, datetime.min.time(), zone)
            entries.append(
                TimelineEntry(
                    at=opened,
                    kind="stage",
                    title=f"{label} opened, handled by {record.handler_label}",
                    body=_first_upper("; ".join(due))
                    + (" (asked for after the time limit)" if record.late_request else ""),
                )
            )
            if record.acknowledged_at:
                entries.append(
                    TimelineEntry(record.acknowledged_at, "deadline", f"{label} acknowledged")
                )
            if record.responded_at:
                body = (
                    f"Escalation possible until {record.escalate_by:%d %b %Y}"
                    if (record.escalate_by)
                    else ""
                )
                entries.append(
                    TimelineEntry(record.responded_at, "deadline", f"{label} answered", body)
                )
        extensions = await session.scalars(
            select(Extension)
            .join(StageRecord, StageRecord.id == Extension.stage_record_id)
            .where(StageRecord.complaint_id == complaint.id)
            .order_by(Extension.id)
        )
        for ext in extensions:
            previous = f"{ext.previous_date:%d %b %Y}" if ext.previous_date else "none"
            entries.append(
                TimelineEntry(
                    at=ext.created_at,
                    kind="extension",
                    title=f"Time to {ext.which} extended: {previous} to {ext.new_date:%d %b %Y}",
                    body=ext.reason,
                    staff_name=who(ext.staff_id),
                )
            )
        events = await session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.complaint_id == complaint.id,
                AuditEvent.action.in_(tuple(TIMELINE_EVENTS)),
            )
            .order_by(AuditEvent.id)
        )
        for event in events:
            entries.append(
                TimelineEntry(
                    at=event.at,
                    kind="event",
                    title=TIMELINE_EVENTS[event.action],
                    body=event.detail if event.action == "outcome" else "",
                    staff_name=who(event.staff_id),
                )
            )
        entries.sort(key=lambda e: e.at)
        return tuple(entries)

    async def attachment(
        self, complaint_id: int, attachment_id: int, staff_id: int
    ) -> AttachmentView:
        """An attachment of a case the staff member may see (NotFound otherwise); audited."""
        now = self.cases.clock()
        async with reading(self.sessions) as session:
            viewer = await viewer_for(session, staff_id)
            row = await session.scalar(
                select(Attachment)
                .join(Complaint, Complaint.id == Attachment.complaint_id)
                .where(
                    Attachment.id == attachment_id,
                    Attachment.complaint_id == complaint_id,
                    visible(viewer),
                )
            )
            if row is None:
                raise NotFound(f"no attachment {attachment_id}")
        await self._audit(
            AuditEvent(
                at=now,
                staff_id=staff_id,
                action="view_attachment",
                complaint_id=complaint_id,
                detail=f"attachment {row.id}",
            )
        )
        return AttachmentView(
            id=row.id,
            name=row.original_name or f"file-{row.id}",
            mime_type=row.mime_type,
            size=row.size,
            kind=row.kind,
            created_at=row.created_at,
            sha256=row.sha256,
        )

    # -- audit log -----------------------------------------------------------------------

    async def audit_log(self, staff_id: int, page: int = 1) -> tuple[tuple[AuditRow, ...], int]:
        """Newest first, PAGE_SIZE * 4 a page; for admins (the caller checks the role).

        Events of cases hidden from the viewer are left out in the query (their reference,
        who flagged them, who viewed them), like every other listing."""
        size = PAGE_SIZE * 4
        async with reading(self.sessions) as session:
            viewer = await viewer_for(session, staff_id)
            people = hidden_people(viewer).subquery()
            about_hidden_person = AuditEvent.detail.in_(
                select(literal("person ", String) + cast(people.c.person_id, String))
            )
            shown = or_(
                and_(AuditEvent.complaint_id.is_(None), not_(about_hidden_person)),
                and_(AuditEvent.complaint_id.is_not(None), visible(viewer)),
            )
            counted = (
                select(func.count(AuditEvent.id))
                .outerjoin(Complaint, Complaint.id == AuditEvent.complaint_id)
                .where(shown)
            )
            total = int(await session.scalar(counted) or 0)
            pages = max(1, -(-total // size))
            page = min(max(1, page), pages)
            rows = await session.execute(
                select(AuditEvent, StaffUser.name, Complaint.reference)
                .outerjoin(StaffUser, StaffUser.id == AuditEvent.staff_id)
                .outerjoin(Complaint, Complaint.id == AuditEvent.complaint_id)
                .where(shown)
                .order_by(AuditEvent.id.desc())
                .offset((page - 1) * size)
                .limit(size)
            )
            return (
                tuple(
                    AuditRow(
                        id=e.id,
                        at=e.at,
                        staff_name=name or "",
                        actor=e.actor,
                        action=e.action,
                        reference=reference,
                        detail=e.detail,
                    )
                    for e, name, reference in rows
                ),
                pages,
            )

    # -- who is it about? ----------------------------------------------------------------

    async def triage_queue(self, staff_id: int) -> tuple[CaseRow, ...]:
        """Cases naming a member of staff that a lead has not settled: for leads only, and
        never a case that could be about the lead asking (visible() leaves those out)."""
        async with reading(self.sessions) as session:
            viewer = await viewer_for(session, staff_id)
            if not is_lead(viewer):
                return ()
            query = _rows_query(viewer).where(Complaint.triage.is_not(None))
            return await self._list(viewer, session, query.order_by(Complaint.id))

    # -- assisted intakes in progress ----------------------------------------------------

    async def staff_drafts(self, staff_id: int) -> list[DraftInProgress]:
        """Assisted intakes this member of staff started and has not sent (newest first)."""
        prefix = f"{staff_id}:"
        async with reading(self.sessions) as session:
            rows = await session.scalars(
                select(Draft)
                .where(
                    Draft.channel == "staff",
                    Draft.external_id.startswith(prefix, autoescape=True),
                )
                .order_by(Draft.updated_at.desc())
                .limit(20)
            )
            return [
                DraftInProgress(
                    token=row.external_id[len(prefix) :],
                    updated_at=row.updated_at,
                    step=str(row.data.get("step", "")),
                )
                for row in rows
                if not row.data.get("submitted_refs")
            ]


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _option(row: StaffUser | None) -> StaffOption | None:
    if row is None:
        return None
    return StaffOption(id=row.id, name=row.name, roles=tuple(row.roles or ()))
