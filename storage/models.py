"""The database schema: SQLAlchemy 2 typed declarative models.

Times are stored in UTC (timezone-aware in Python on both databases); due dates are plain
dates in the organisation's time zone, because that is what a procedure promises.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Person(Base):
    """A complainant (or the person a representative speaks for)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(16), default="en")
    adjustments: Mapped[list[Any]] = mapped_column(default=list)
    adjustments_note: Mapped[str] = mapped_column(Text, default="")
    contact_method: Mapped[str] = mapped_column(String(16), default="chat")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]

    identities: Mapped[list[Identity]] = relationship(
        back_populates="person", lazy="raise_on_sql", cascade="all, delete-orphan"
    )


class Identity(Base):
    """How we reach a person on one channel: Telegram user id, web chat session, email..."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="identities", lazy="raise_on_sql")


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Roles follow the procedure's handler roles ("coordinator", "chair"...) plus "admin".
    roles: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last TOTP time step accepted: a code is never accepted twice (storage/staff.py).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Other names the person goes by ("Mary", "the centre manager"): a complaint naming any
    # of them is hidden from this account from submission (storage/subjects.py).
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    telegram_chat_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Complaint(Base):
    __tablename__ = "complaints"
    # (status, id): a list filtered by status, newest first, reads the index in order and
    # stops at the page; created_at: reports select the complaints received in a period.
    __table_args__ = (
        Index(None, "status", "current_stage"),
        Index("ix_complaints_status_id", "status", "id"),
        Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    procedure_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # complaint / compliment / feedback
    formal: Mapped[bool] = mapped_column(Boolean, default=True)
    category: Mapped[str | None] = mapped_column(String(80))
    about_staff: Mapped[str | None] = mapped_column(String(200))
    about_role: Mapped[str | None] = mapped_column(String(80))
    # The staff member complained about, once staff identify them: hides the case from them.
    subject_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    # Waiting for a lead to confirm who about_staff means: "named" (hidden from every account
    # it could mean, in subject_candidates) or "unmatched" (matches nobody: leads only).
    triage: Mapped[str | None] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text)
    desired_outcome: Mapped[str] = mapped_column(Text, default="")
    incident_date: Mapped[date | None] = mapped_column(Date)
    incident_text: Mapped[str] = mapped_column(String(200), default="")
    representative_name: Mapped[str | None] = mapped_column(String(200))
    representative_relationship: Mapped[str | None] = mapped_column(String(200))
    consent_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    share_name: Mapped[bool] = mapped_column(Boolean, default=True)
    received_via: Mapped[str] = mapped_column(String(16))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # open -> (acknowledged ... per stage) -> responded -> escalated... -> referred / closed
    status: Mapped[str] = mapped_column(String(24), default="open")
    current_stage: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # Personal content replaced at the end of retention (services/retention.py); figures stay.
    erased_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    # What this complaint's receipt promised, copied from the answers when it was made
    # (storage/promises.py): the person's answers are only defaults for their next one.
    # Staff may change one complaint's copy (audited); the others keep theirs.
    language: Mapped[str] = mapped_column(String(16), default="en")
    adjustments: Mapped[list[Any]] = mapped_column(default=list)
    adjustments_note: Mapped[str] = mapped_column(Text, default="")
    contact_method: Mapped[str] = mapped_column(String(16), default="chat")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    # Where replies go, resolved when it was made: (telegram, user id), (email, address)...
    reply_channel: Mapped[str] = mapped_column(String(16), default="")
    reply_address: Mapped[str] = mapped_column(String(320), default="")
    # {"name", "channel", "address", "consent"} of the supporter named for this complaint.
    supporter: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Their connection to the organisation, for its complaints form (Creative Alliance).
    relationship_to_org: Mapped[str] = mapped_column(String(80), default="")
    # Someone from an external organisation investigating it (CAST: about a Director).
    external_investigator: Mapped[str] = mapped_column(String(200), default="")
    external_investigator_org: Mapped[str] = mapped_column(String(200), default="")
    # The management committee meeting that noted it (West Wilts), once noted.
    committee_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("committee_meetings.id"), index=True
    )
    # Made outside the complaint window: "accepted" or "declined" at the discretion the
    # procedure names (Creative Alliance: the Director), with the reason; "" while undecided.
    window_decision: Mapped[str] = mapped_column(String(16), default="")
    window_decision_reason: Mapped[str] = mapped_column(Text, default="")

    stages: Mapped[list[StageRecord]] = relationship(
        back_populates="complaint", lazy="raise_on_sql", order_by="StageRecord.number"
    )


class StageRecord(Base):
    __tablename__ = "stage_records"
    __table_args__ = (UniqueConstraint("complaint_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    handler_role: Mapped[str] = mapped_column(String(80))
    handler_label: Mapped[str] = mapped_column(String(200))
    handler_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    received_on: Mapped[date] = mapped_column(Date, index=True)  # recently escalated
    acknowledge_by: Mapped[date | None] = mapped_column(Date, index=True)
    acknowledged_at: Mapped[datetime | None]
    respond_by: Mapped[date | None] = mapped_column(Date, index=True)
    responded_at: Mapped[datetime | None]
    escalate_by: Mapped[date | None] = mapped_column(Date)
    # Escalation asked for after the window: recorded and flagged for staff discretion.
    late_request: Mapped[bool] = mapped_column(Boolean, default=False)
    request_text: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(24))
    outcome_detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The request's answers to the points the stage asks (CAST's five): [[point, answer]...].
    request_points: Mapped[list[Any]] = mapped_column(default=list)

    complaint: Mapped[Complaint] = relationship(back_populates="stages", lazy="raise_on_sql")


class SignOff(Base):
    """One panel member's sign-off of a stage's decision (Stage.panel_size of them needed)."""

    __tablename__ = "sign_offs"
    __table_args__ = (UniqueConstraint("stage_record_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_record_id: Mapped[int] = mapped_column(
        ForeignKey("stage_records.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Extension(Base):
    """A due date replaced by a later one, with the reason; the history is kept."""

    __tablename__ = "extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_record_id: Mapped[int] = mapped_column(
        ForeignKey("stage_records.id", ondelete="CASCADE"), index=True
    )
    which: Mapped[str] = mapped_column(String(16))  # acknowledge / respond
    previous_date: Mapped[date | None] = mapped_column(Date)
    new_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Outbox(Base):
    """Every message to a complainant, delivered by the worker once (see bot/delivery.py)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(None, "state", "next_attempt_at"),
        Index(None, "channel", "address", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A complainant's message has person_id; a staff alert (bot/scheduler.py) has staff_id.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))  # telegram / webchat / email / phone / post
    address: Mapped[str] = mapped_column(String(320))  # chat id, session, email...
    language: Mapped[str] = mapped_column(String(16), default="en")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    # storage/delivery.py State: "sent" only once the channel confirmed it (sent_at).
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str | None] = mapped_column(String(80))  # the channel's message id
    # How far a long message got ("parts:2"), so a retry resumes after the parts delivered.
    progress: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A chat showed it (web chat page, Telegram reply) but the channel has not confirmed it.
    shown_at: Mapped[datetime | None]
    # When the channel confirmed delivery: Telegram's message id, the SMTP server's
    # acceptance, the web chat page's acknowledgement. Only then is the state "sent".
    sent_at: Mapped[datetime | None]
    # A copy for the person's supporter (Supporter, with their consent), not for them.
    to_supporter: Mapped[bool] = mapped_column(Boolean, default=False)


class Message(Base):
    """The case timeline: inbound words, outbound letters, internal notes."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(10))  # inbound / outbound / note / event
    channel: Mapped[str] = mapped_column(String(16), default="")
    body: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A file stored once by content hash under data/attachments/."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(16), default="document")  # photo/document/voice
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Append-only: who did what to which case, when. Never the content."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    actor: Mapped[str] = mapped_column(String(40), default="staff")  # staff/complainant/system
    action: Mapped[str] = mapped_column(String(40))
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="SET NULL"), index=True
    )
    detail: Mapped[str] = mapped_column(String(200), default="")


class Draft(Base):
    """A conversation in progress, saved after every answer (the dialogue's plain data)."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Bumped by every save: a turn computed from an older version is redone (drafts.py).
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ProcessedUpdate(Base):
    """Update ids already handled, so a repeated delivery changes nothing."""

    __tablename__ = "processed_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CallbackRequest(Base):
    """A complainant asked to talk to a person."""

    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class PhoneCall(Base):
    """A call made to someone who asked for phone calls instead of writing: one per stage
    and purpose (acknowledge / respond); the dashboard's call tasks are the ones not made."""

    __tablename__ = "phone_calls"
    __table_args__ = (UniqueConstraint("complaint_id", "stage_number", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    stage_number: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    done_at: Mapped[datetime] = mapped_column(default=utcnow)


class Supporter(Base):
    """Someone a complainant named to help them ("someone to help me"). With `consent`, they
    get a copy of every message to the complainant; without it, staff see a contact only."""

    __tablename__ = "supporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))  # email / phone
    address: Mapped[str] = mapped_column(String(320))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferenceCounter(Base):
    """The last reference number issued per year: C-2026-0042."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class StaffSession(Base):
    """A server-side staff login session, revocable."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie value
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    csrf_token: Mapped[str] = mapped_column(String(64))


class SubjectCandidate(Base):
    """A staff account a complaint's "which member of staff" answer could mean: the case is
    hidden from it until a lead confirms or corrects the match (storage/subjects.py)."""

    __tablename__ = "subject_candidates"

    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Throttle(Base):
    """A counter per key ("login:pair:EMAIL|ADDRESS", "submit:addr:ADDRESS"...) in a fixed
    window, counted with one atomic upsert before the work it limits (storage/throttle.py)."""

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SchedulerMark(Base):
    """What the scheduler has done, keyed so no process does it twice (digest:2026-11-09,
    alert:submit:42...); `value` holds a cursor for the keys that are one."""

    __tablename__ = "scheduler_marks"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactRestriction(Base):
    """A persistent or vexatious complainant's agreed way of contact (CAST's policy).

    Never a silent block: the person is sent a written notice with the reason and the
    review date, and complaints from them are still received and recorded.
    """

    __tablename__ = "contact_restrictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    contact_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    restriction: Mapped[str] = mapped_column(Text)  # e.g. "one email a week to the contact"
    reason: Mapped[str] = mapped_column(Text)
    review_on: Mapped[date] = mapped_column(Date, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class CommitteeMeeting(Base):
    """A meeting of the management committee that noted the complaints and compliments
    received since the one before (West Wilts' "noted at the next meeting")."""

    __tablename__ = "committee_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportSchedule(Base):
    """A statistical report sent by email to named recipients on a schedule (CALAT: termly to
    the Senior Management Team and the governance board). `every`: term / year / meeting; a
    meeting schedule waits for staff to give the next meeting's date after each one."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    every: Mapped[str] = mapped_column(String(16))
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    next_on: Mapped[date | None] = mapped_column(Date, index=True)
    last_sent_on: Mapped[date | None] = mapped_column(Date)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
