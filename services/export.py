"""Everything held about one person (a subject access request), as JSON and readable HTML.

Every row that belongs to the person is included: the person, their channel identities,
each complaint with its stages, extensions, messages (internal notes too: they are data
about the person), outbox letters, attachments (described; the files are kept by staff),
audit events, conversations in progress, call-back requests and contact restrictions.

Other people's names are not removed but *flagged* for a member of staff to redact before
sending, with where they are and why: staff names, the member of staff complained about,
the person a representative acts for, and those names wherever they appear in free text.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from html import escape
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import reading
from storage.errors import NotFound
from storage.models import (
    Attachment,
    AuditEvent,
    Base,
    CallbackRequest,
    Complaint,
    ContactRestriction,
    Draft,
    Extension,
    Identity,
    Message,
    Outbox,
    Person,
    PhoneCall,
    StaffUser,
    StageRecord,
    Supporter,
)

# Columns that are another person's name, and why they are flagged.
NAME_FIELDS = {
    "about_staff": "the member of staff complained about",
    "representative_name": "the person a representative acts for",
    "staff_name": "a member of staff",
    "contact_staff_name": "a member of staff",
}
# Internal columns of no meaning to the person.
SKIPPED = frozenset({"version", "claimed_until", "external_id", "password_hash"})
# Staff account ids are replaced by the member of staff's name (flagged).
STAFF_COLUMNS = {
    "staff_id": "staff_name",
    "handler_staff_id": "staff_name",
    "subject_staff_id": "about_staff",
    "contact_staff_id": "contact_staff_name",
}
SECTIONS = (
    ("identities", "How we reach you"),
    ("complaints", "Your complaints, compliments and feedback"),
    ("stage_records", "Stages of your complaints"),
    ("extensions", "Due dates we moved"),
    ("messages", "Messages and notes"),
    ("outbox", "Messages we sent or will send you"),
    ("attachments", "Files you sent"),
    ("audit_events", "What staff did on your cases"),
    ("drafts", "Conversations in progress"),
    ("callback_requests", "Requests for a call back"),
    ("contact_restrictions", "Arrangements for contacting us"),
    ("supporters", "The person you named to help you"),
    ("phone_calls", "Phone calls we made to you"),
)


@dataclass(frozen=True)
class Flag:
    where: str  # e.g. "messages[2].body"
    text: str
    why: str


@dataclass(frozen=True)
class PersonExport:
    organisation: str
    generated_at: datetime
    person: dict[str, Any]
    records: dict[str, list[dict[str, Any]]]
    flags: list[Flag] = field(default_factory=list)


async def find_person(
    sessions: async_sessionmaker[AsyncSession], *, reference: str = "", email: str = ""
) -> int:
    """The person behind a case reference or an email address (NotFound when none)."""
    async with reading(sessions) as session:
        found: int | None = None
        if reference:
            found = await session.scalar(
                select(Complaint.person_id).where(Complaint.reference == reference.strip().upper())
            )
        elif email:
            found = await session.scalar(
                select(Person.id)
                .where(func.lower(Person.email) == email.strip().lower())
                .order_by(Person.id.desc())
                .limit(1)
            )
        if found is None:
            raise NotFound(reference or email or "nobody asked for")
        return found


def _row(row: Base, staff: dict[int, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column in row.__table__.columns:
        name = column.key
        if name in SKIPPED:
            continue
        value = getattr(row, name)
        if name in STAFF_COLUMNS:
            if value is not None and staff.get(value):
                target = STAFF_COLUMNS[name]
                data[target] = data.get(target) or staff[value]
            continue
        data[name] = value
    return data


async def export_person(
    sessions: async_sessionmaker[AsyncSession],
    person_id: int,
    *,
    organisation: str,
    now: datetime,
) -> PersonExport:
    async with reading(sessions) as session:
        person = await session.get(Person, person_id)
        if person is None:
            raise NotFound(f"no person {person_id}")
        staff = {s.id: s.name for s in await session.scalars(select(StaffUser))}
        complaints = list(
            await session.scalars(
                select(Complaint).where(Complaint.person_id == person_id).order_by(Complaint.id)
            )
        )
        ids = [c.id for c in complaints]
        identities = list(
            await session.scalars(select(Identity).where(Identity.person_id == person_id))
        )
        chats = [(i.channel, i.external_id) for i in identities]
        stages = list(
            await session.scalars(
                select(StageRecord)
                .where(StageRecord.complaint_id.in_(ids))
                .order_by(StageRecord.complaint_id, StageRecord.number)
            )
        )

        async def rows(model: type[Base], *where: Any) -> list[Base]:
            return list(await session.scalars(select(model).where(*where).order_by(model.id)))  # type: ignore[attr-defined]

        by_chat = tuple_(Draft.channel, Draft.external_id).in_(chats) if chats else None
        by_chat_cb = (
            tuple_(CallbackRequest.channel, CallbackRequest.external_id).in_(chats)
            if chats
            else None
        )
        records: dict[str, list[Base]] = {
            "identities": list(identities),
            "complaints": list(complaints),
            "stage_records": list(stages),
            "extensions": await rows(
                Extension, Extension.stage_record_id.in_([s.id for s in stages])
            ),
            "messages": await rows(Message, Message.complaint_id.in_(ids)),
            "outbox": await rows(
                Outbox, or_(Outbox.person_id == person_id, Outbox.complaint_id.in_(ids))
            ),
            "attachments": await rows(
                Attachment,
                or_(Attachment.person_id == person_id, Attachment.complaint_id.in_(ids)),
            ),
            "audit_events": await rows(AuditEvent, AuditEvent.complaint_id.in_(ids)),
            "drafts": await rows(
                Draft,
                or_(Draft.person_id == person_id, *([by_chat] if by_chat is not None else [])),
            ),
            "callback_requests": await rows(
                CallbackRequest,
                or_(
                    CallbackRequest.person_id == person_id,
                    *([by_chat_cb] if by_chat_cb is not None else []),
                ),
            ),
            "contact_restrictions": await rows(
                ContactRestriction, ContactRestriction.person_id == person_id
            ),
            "supporters": await rows(Supporter, Supporter.person_id == person_id),
            "phone_calls": await rows(PhoneCall, PhoneCall.complaint_id.in_(ids)),
        }
    data = {name: [_row(r, staff) for r in found] for name, found in records.items()}
    # Staff emails never go out; their names are flagged below.
    for line in data["drafts"]:
        line.pop("external_id", None)
    person_data = _row(person, staff)
    flags = _flags(person_data, data, set(staff.values()))
    return PersonExport(organisation, now, person_data, data, flags)


def _flags(
    person: dict[str, Any], data: dict[str, list[dict[str, Any]]], staff_names: set[str]
) -> list[Flag]:
    others: dict[str, str] = {n: "a member of staff" for n in staff_names if len(n) >= 3}
    for section in data.values():
        for line in section:
            for name, why in NAME_FIELDS.items():
                value = line.get(name)
                if isinstance(value, str) and len(value) >= 3 and value != "[erased]":
                    others.setdefault(value, why)
    own = str(person.get("name") or "")
    others.pop(own, None)
    flags: list[Flag] = []
    for section, lines in data.items():
        for index, line in enumerate(lines):
            for key, value in line.items():
                for text in _strings(value):
                    lowered = text.lower()
                    for name, why in others.items():
                        if name.lower() in lowered:
                            flags.append(Flag(f"{section}[{index}].{key}", name, why))
    return flags


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def to_json(export: PersonExport) -> str:
    return json.dumps(asdict(export), default=_plain, indent=2, ensure_ascii=False)


# -- readable HTML -------------------------------------------------------------------------

STYLE = """body{font-family:system-ui,Arial,sans-serif;max-width:60rem;margin:auto;padding:1rem;
line-height:1.45;color:#1b1b1b}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.25rem}
th,td{text-align:left;vertical-align:top;border-bottom:1px solid #b1b4b6;padding:.3rem .5rem}
th{width:14rem}td{white-space:pre-wrap;overflow-wrap:anywhere}
mark.redact{background:#fff4cc;outline:2px dashed #6b4e00}"""


def _marked(text: str, names: dict[str, str]) -> str:
    """The text escaped, with other people's names wrapped in <mark> for redaction."""
    if not names:
        return escape(text)
    ordered = sorted(names, key=len, reverse=True)  # "Sam Jones" before "Sam"
    pattern = re.compile("|".join(re.escape(n) for n in ordered), re.IGNORECASE)
    lowered = {n.lower(): why for n, why in names.items()}
    out, last = [], 0
    for match in pattern.finditer(text):
        why = lowered.get(match.group(0).lower(), "another person")
        out.append(escape(text[last : match.start()]))
        out.append(
            f'<mark class="redact" title="Redact: {escape(why)}">{escape(match.group(0))}</mark>'
        )
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _cell(value: Any, names: dict[str, str]) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, datetime):
        return escape(value.strftime("%d %b %Y, %H:%M UTC"))
    if isinstance(value, date):
        return escape(value.strftime("%d %b %Y"))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return _marked(json.dumps(value, ensure_ascii=False, default=_plain, indent=1), names)
    return _marked(str(value), names)


def _table(line: dict[str, Any], names: dict[str, str], caption: str) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{escape(key.replace('_', ' '))}</th>"
        f"<td>{_cell(value, names)}</td></tr>"
        for key, value in line.items()
    )
    return f"<table><caption>{escape(caption)}</caption>{rows}</table>"


def to_html(export: PersonExport) -> str:
    names = {f.text: f.why for f in export.flags}
    for name, why in NAME_FIELDS.items():
        for section in export.records.values():
            for line in section:
                value = line.get(name)
                if isinstance(value, str) and len(value) >= 3 and value != "[erased]":
                    names.setdefault(value, why)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Data held by {escape(export.organisation)}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>Everything {escape(export.organisation)} holds about you</h1>",
        f"<p>Made on {escape(export.generated_at.strftime('%d %B %Y'))}.</p>",
    ]
    if names:
        parts.append(
            f"<p><strong>For staff before sending:</strong> {len(export.flags)} place(s) show "
            "another person's name, marked like <mark class='redact'>this</mark>. Decide "
            "whether to redact each one.</p>"
        )
    parts.append("<h2>About you</h2>")
    parts.append(_table(export.person, {}, "About you"))
    for key, title in SECTIONS:
        lines = export.records.get(key, [])
        parts.append(f"<h2>{escape(title)} ({len(lines)})</h2>")
        if not lines:
            parts.append("<p>None.</p>")
        for index, line in enumerate(lines, start=1):
            parts.append(_table(line, names, f"{title}: {index}"))
    parts.append("</main></body></html>")
    return "".join(parts)
