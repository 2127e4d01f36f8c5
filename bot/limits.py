"""The web chat's limits on what one visitor or one address may send (issue 15, 10-12).

Kept apart from bot/webchat.py so that the page code and the limits change separately.
- New complaints: COMPLAINTS_PER_HOUR per visitor and per address (counted when one is
  sent); over it, a kind message with another way to reach the organisation.
- Files: only at a question that takes them (what happened, adding information, asking for
  the next stage), never before; at most FILES_PER_COMPLAINT in one draft; bytes per visitor
  and per address in an hour. A refused file is not stored at all.
- Text: a message over MESSAGE_CHARS, or one that takes the complaint over COMPLAINT_CHARS,
  is kept whole as a text file for staff (never lost) and the person is told; at a question
  that takes no files, an answer that long is refused kindly.
Counters are storage/throttle.py's atomic ones, keyed by the visitor's hashed id.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.keys import STORAGE
from conversations.model import Expect, FileRef, Reply
from locales import translator
from storage import throttle
from storage.attachments import AttachmentRefused

HOUR = timedelta(hours=1)
COMPLAINTS_PER_HOUR = 5
FILES_PER_COMPLAINT = 20
MESSAGE_CHARS = 10_000
COMPLAINT_CHARS = 50_000


def _hashed(visitor: str) -> str:
    return hashlib.sha256(visitor.encode()).hexdigest()[:32]


def _address(request: web.Request) -> str:
    return (request.remote or "unknown")[:64]


def contact_words(request: web.Request) -> str:
    contact = request.app[STORAGE].procedure.contact
    return ", ".join(p for p in (contact.phone, contact.email, contact.address) if p) or "-"


def takes_files(reply: Reply, draft: dict[str, Any] | None) -> bool:
    """At the step that asks for files, and at any step after it while the complaint is
    being made: what someone sends late is kept with the rest ("I've also kept the file")."""
    return reply.expect is Expect.FILE_OR_TEXT or _draft_chars(draft) > 0 or _files_in(draft) > 0


def bytes_per_hour(request: web.Request) -> int:
    """Two of the largest files per visitor, three per address, in an hour."""
    return 2 * request.app[STORAGE].attachments.max_bytes


# -- new complaints ----------------------------------------------------------------------


def _complaint_keys(request: web.Request, visitor: str) -> list[str]:
    return [f"complaint:visitor:{_hashed(visitor)}", f"complaint:addr:{_address(request)}"]


async def complaint_refusal(request: web.Request, visitor: str, reply: Reply, lang: str) -> str:
    """A kind word when the visitor is at the read-back (about to send) and over the limit."""
    if reply.step != "summary":
        return ""
    storage = request.app[STORAGE]
    now = storage.clock()
    for key in _complaint_keys(request, visitor):
        if await throttle.count(storage.sessions, key, window=HOUR, now=now) >= (
            COMPLAINTS_PER_HOUR
        ):
            return translator(lang).gettext(
                "You have sent several complaints in a short time, so we cannot take another "
                "one here just now. Please try again in an hour, or contact us: {contact}.",
                contact=contact_words(request),
            )
    return ""


async def count_complaints(request: web.Request, visitor: str, sent: int) -> None:
    storage = request.app[STORAGE]
    for key in _complaint_keys(request, visitor):
        await throttle.hit(storage.sessions, key, window=HOUR, now=storage.clock(), amount=sent)


def submitted(draft: dict[str, Any] | None) -> int:
    refs = (draft or {}).get("submitted_refs")
    return len(refs) if isinstance(refs, list) else 0


# -- files -------------------------------------------------------------------------------


def _files_in(draft: dict[str, Any] | None) -> int:
    files = ((draft or {}).get("answers") or {}).get("files")
    return len(files) if isinstance(files, list) else 0


async def file_refusal(
    request: web.Request,
    visitor: str,
    reply: Reply,
    draft: dict[str, Any] | None,
    size: int,
    already: int,
    lang: str,
) -> str:
    """Why this file (of `size` bytes, after `already` others in this message) is not
    taken, or "" when it is; counts its bytes when taken."""
    t = translator(lang)
    if not takes_files(reply, draft):
        return t.gettext(
            "Please send files when I ask for them, after you tell me what happened. "
            "I have not kept that file."
        )
    too_many = t.gettext(
        "You have sent a lot of files. I cannot keep any more here. If you need to send "
        "more, please contact us: {contact}.",
        contact=contact_words(request),
    )
    if _files_in(draft) + already >= FILES_PER_COMPLAINT:
        return too_many
    storage = request.app[STORAGE]
    now = storage.clock()
    limits = {
        f"upload:visitor:{_hashed(visitor)}": bytes_per_hour(request),
        f"upload:addr:{_address(request)}": 3 * storage.attachments.max_bytes,
    }
    for key, limit in limits.items():
        total = await throttle.count(storage.sessions, key, window=HOUR, now=now)
        if total + size > limit:
            return too_many
    for key in limits:
        await throttle.hit(storage.sessions, key, window=HOUR, now=now, amount=size)
    return ""


# -- long text ---------------------------------------------------------------------------


def _draft_chars(draft: dict[str, Any] | None) -> int:
    parts = ((draft or {}).get("answers") or {}).get("description")
    return sum(len(p) for p in parts if isinstance(p, str)) if isinstance(parts, list) else 0


async def long_text(
    request: web.Request, text: str, reply: Reply, draft: dict[str, Any] | None, lang: str
) -> tuple[str, FileRef | None, str]:
    """(text to answer with, a file holding the whole text, a word for the person).

    Text within the limits comes back as it is."""
    too_long = len(text) > MESSAGE_CHARS or (
        takes_files(reply, draft) and _draft_chars(draft) + len(text) > COMPLAINT_CHARS
    )
    if not too_long:
        return text, None, ""
    t = translator(lang)
    if not takes_files(reply, draft):
        return "", None, t.gettext("That answer is too long. Please make it shorter.")
    storage = request.app[STORAGE]
    try:
        stored = await storage.attachments.save(
            text.encode(),
            name="message.txt",
            mime_type="text/plain",
            kind="document",
            now=storage.clock(),
        )
    except AttachmentRefused:
        return "", None, t.gettext("That answer is too long. Please make it shorter.")
    ref = FileRef(stored.sha256, stored.name, stored.mime_type, stored.size, stored.kind)
    word = t.gettext(
        "Your message was very long, so I have kept all of it as a file for the staff to read."
    )
    return "", ref, word
