"""What each complaint's receipt promised: needs, reply channel, contacts, language, supporter.

The answers given with a complaint are copied onto it when it is made, and every later
message about it follows that copy. The person's own record (Person, Supporter) only holds
defaults for their next complaint, so a second complaint never rewrites the first. Staff
may change one complaint's copy (audited) without touching the person's other complaints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from locales import language_for
from procedures.case import ADJUSTMENTS, ContactMethod, NewComplaint
from storage.errors import InvalidInput
from storage.models import AuditEvent, Complaint, Identity, Person
from storage.views import SupporterView

CHAT_CHANNELS = ("telegram", "webchat", "console")


@dataclass(frozen=True)
class Promise:
    """One complaint's copy, as plain data for the layers above."""

    language: str
    adjustments: tuple[str, ...]
    adjustments_note: str
    contact_method: str
    email: str
    phone: str
    postal_address: str
    reply_channel: str
    reply_address: str
    supporter: SupporterView | None


@dataclass(frozen=True)
class PromiseChange:
    """What staff set for one complaint (every field, as on the form)."""

    language: str
    adjustments: tuple[str, ...]
    adjustments_note: str
    contact_method: str
    email: str
    phone: str
    postal_address: str
    supporter_consent: bool | None = None  # None: keep the supporter as it is


async def chat_of(session: AsyncSession, person_id: int) -> tuple[str, str] | None:
    """The chat the person last wrote from, if any."""
    identity = await session.scalar(
        select(Identity)
        .where(Identity.person_id == person_id, Identity.channel.in_(CHAT_CHANNELS))
        .order_by(Identity.id.desc())
        .limit(1)
    )
    return (identity.channel, identity.external_id) if identity is not None else None


def resolve(
    method: str, email: str, phone: str, postal: str, chat: tuple[str, str] | None
) -> tuple[str, str]:
    """(channel, address) for the way asked for; the chat when its details are missing."""
    if method == "email" and email:
        return "email", email
    if method == "phone" and phone:
        return "phone", phone
    if method == "post" and postal:
        return "post", postal
    if chat is not None:
        return chat
    if email:
        return "email", email
    if phone:
        return "phone", phone
    return "post", postal


def _supporter(new: NewComplaint) -> dict[str, Any] | None:
    named = new.supporter
    if named is None or not named.name.strip() or not (named.email or named.phone):
        return None
    channel, address = ("email", named.email) if named.email else ("phone", named.phone)
    return {
        "name": named.name.strip(),
        "channel": channel,
        "address": address,
        "consent": bool(named.consent),
    }


async def record(
    session: AsyncSession,
    complaint: Complaint,
    person: Person,
    new: NewComplaint,
    chat: tuple[str, str] | None,
) -> None:
    """Copy what this complaint's answers asked for onto it (the person's known contacts
    fill in details not given this time). `chat`: where it was made, if in a chat."""
    complaint.language = language_for(new.language, new.adjustments)
    complaint.adjustments = list(new.adjustments)
    complaint.adjustments_note = new.adjustments_note
    complaint.contact_method = new.contact_method.value
    complaint.email = new.email or person.email
    complaint.phone = new.phone or person.phone
    complaint.postal_address = new.postal_address or person.postal_address
    complaint.supporter = _supporter(new)
    chat = chat or await chat_of(session, person.id)
    complaint.reply_channel, complaint.reply_address = resolve(
        complaint.contact_method,
        complaint.email,
        complaint.phone,
        complaint.postal_address,
        chat,
    )


def promise_of(complaint: Complaint) -> Promise:
    s = complaint.supporter
    return Promise(
        language=complaint.language,
        adjustments=tuple(str(a) for a in complaint.adjustments or ()),
        adjustments_note=complaint.adjustments_note,
        contact_method=complaint.contact_method,
        email=complaint.email,
        phone=complaint.phone,
        postal_address=complaint.postal_address,
        reply_channel=complaint.reply_channel,
        reply_address=complaint.reply_address,
        supporter=(
            SupporterView(
                name=str(s["name"]),
                channel=str(s["channel"]),
                address=str(s["address"]),
                consent=bool(s.get("consent")),
            )
            if s
            else None
        ),
    )


async def change(
    session: AsyncSession,
    complaint: Complaint,
    wanted: PromiseChange,
    *,
    staff_id: int | None,
    now: datetime,
) -> list[str]:
    """Staff change this complaint's copy; returns the names of what changed (audited).

    The chat it was made in stays where "chat" replies go; nothing of the person's other
    complaints or defaults changes.
    """
    methods = {m.value for m in ContactMethod}
    if wanted.contact_method not in methods:
        raise InvalidInput(f"reply channel must be one of {', '.join(sorted(methods))}")
    unknown = [a for a in wanted.adjustments if a not in ADJUSTMENTS]
    if unknown:
        raise InvalidInput(f"unknown needs: {', '.join(unknown)}")
    chat = (
        (complaint.reply_channel, complaint.reply_address)
        if complaint.reply_channel in CHAT_CHANNELS
        else await chat_of(session, complaint.person_id)
    )
    before = promise_of(complaint)
    complaint.language = wanted.language.strip() or complaint.language
    complaint.adjustments = list(wanted.adjustments)
    complaint.adjustments_note = wanted.adjustments_note.strip()
    complaint.contact_method = wanted.contact_method
    complaint.email = wanted.email.strip()
    complaint.phone = wanted.phone.strip()
    complaint.postal_address = wanted.postal_address.strip()
    if wanted.supporter_consent is not None and complaint.supporter:
        complaint.supporter = {**complaint.supporter, "consent": wanted.supporter_consent}
    complaint.reply_channel, complaint.reply_address = resolve(
        complaint.contact_method, complaint.email, complaint.phone, complaint.postal_address, chat
    )
    after = promise_of(complaint)
    changed = [
        name
        for name in (
            "language",
            "adjustments",
            "adjustments_note",
            "contact_method",
            "email",
            "phone",
            "postal_address",
            "reply_channel",
            "supporter",
        )
        if getattr(before, name) != getattr(after, name)
    ]
    if changed:
        # Which fields, never their content: the audit log holds no personal data.
        session.add(
            AuditEvent(
                at=now,
                staff_id=staff_id,
                actor="staff" if staff_id else "system",
                action="change_promise",
                complaint_id=complaint.id,
                detail=", ".join(changed)[:200],
            )
        )
    return changed
