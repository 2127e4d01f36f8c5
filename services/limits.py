"""What one person may send into a conversation, the same for every channel (issue 15, 10-12).

The channels differ only in who the sender is (`Sender`): the web chat knows a visitor and a
network address, Telegram a user id and no address.
- New complaints: COMPLAINTS_PER_HOUR per sender and per address (counted when one is
  sent); over it, a kind message with another way to reach the organisation.
- Files: only at a question that takes them (what happened, adding information, asking for
  the next stage) or after it, never before (the privacy step comes first); at most
  FILES_PER_COMPLAINT in one draft; bytes per sender and per address in an hour. A refused
  file is not stored at all, and Telegram does not even download it.
- Text: a message over MESSAGE_CHARS, or one that takes the complaint over COMPLAINT_CHARS,
  is kept whole as a text file for staff (never lost) and the person is told; at a question
  that takes no files, an answer that long is refused kindly (nothing may be kept before
  the privacy step). ChatRunner applies this to every answer, whichever channel sent it.
Counters are storage/throttle.py's atomic ones, keyed by the sender's hashed id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from conversations.model import Answer, Expect, FileRef, Reply
from locales import translator
from storage import throttle
from storage.attachments import AttachmentRefused
from storage.runtime import Storage

HOUR = timedelta(hours=1)
COMPLAINTS_PER_HOUR = 5
FILES_PER_COMPLAINT = 20
MESSAGE_CHARS = 10_000
COMPLAINT_CHARS = 50_000


@dataclass(frozen=True)
class Sender:
    """Who sends: the channel's conversation id, and the network address where the channel
    sees one (the web chat; Telegram's users all come from Telegram's servers)."""

    channel: str
    external_id: str
    address: str | None = None

    def keys(self, what: str) -> list[str]:
        hashed = hashlib.sha256(self.external_id.encode()).hexdigest()[:32]
        keys = [f"{what}:{self.channel}:{hashed}"]
        if self.address is not None:
            keys.append(f"{what}:addr:{self.address[:64]}")
        return keys


def draft_chars(draft: dict[str, Any] | None) -> int:
    parts = ((draft or {}).get("answers") or {}).get("description")
    return sum(len(p) for p in parts if isinstance(p, str)) if isinstance(parts, list) else 0


def files_in(draft: dict[str, Any] | None) -> int:
    files = ((draft or {}).get("answers") or {}).get("files")
    return len(files) if isinstance(files, list) else 0


def submitted(draft: dict[str, Any] | None) -> int:
    """How many complaints this conversation has sent."""
    refs = (draft or {}).get("submitted_refs")
    return len(refs) if isinstance(refs, list) else 0


def surely_within(text: str, draft: dict[str, Any] | None) -> bool:
    """Within both text limits whatever the question: the usual case, decided at once."""
    return len(text) <= min(MESSAGE_CHARS, COMPLAINT_CHARS - draft_chars(draft))


def takes_files(reply: Reply, draft: dict[str, Any] | None) -> bool:
    """At the step that asks for files, and at any step after it while the complaint is
    being made: what someone sends late is kept with the rest ("I've also kept the file")."""
    return reply.expect is Expect.FILE_OR_TEXT or draft_chars(draft) > 0 or files_in(draft) > 0


class Limits:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def contact_words(self) -> str:
        contact = self.storage.procedure.contact
        return ", ".join(p for p in (contact.phone, contact.email, contact.address) if p) or "-"

    # -- new complaints --------------------------------------------------------------------

    async def complaint_refusal(self, sender: Sender, lang: str) -> str:
        """A kind word when the sender, about to send a complaint, is over the limit."""
        now = self.storage.clock()
        for key in sender.keys("complaint"):
            counted = await throttle.count(self.storage.sessions, key, window=HOUR, now=now)
            if counted >= COMPLAINTS_PER_HOUR:
                return translator(lang).gettext(
                    "You have sent several complaints in a short time, so we cannot take "
                    "another one here just now. Please try again in an hour, or contact us: "
                    "{contact}.",
                    contact=self.contact_words(),
                )
        return ""

    async def count_complaints(self, sender: Sender, sent: int) -> None:
        for key in sender.keys("complaint"):
            await throttle.hit(
                self.storage.sessions, key, window=HOUR, now=self.storage.clock(), amount=sent
            )

    # -- files -----------------------------------------------------------------------------

    def place_refusal(
        self, reply: Reply, draft: dict[str, Any] | None, already: int, lang: str
    ) -> str:
        """Why no file is taken here (too early, or enough files already), or ""; nothing is
        counted, so a channel can ask before it fetches the file."""
        t = translator(lang)
        if not takes_files(reply, draft):
            return t.gettext(
                "Please send files when I ask for them, after you tell me what happened. "
                "I have not kept that file."
            )
        if files_in(draft) + already >= FILES_PER_COMPLAINT:
            return self._too_many(lang)
        return ""

    def _too_many(self, lang: str) -> str:
        return translator(lang).gettext(
            "You have sent a lot of files. I cannot keep any more here. If you need to send "
            "more, please contact us: {contact}.",
            contact=self.contact_words(),
        )

    async def file_refusal(
        self,
        sender: Sender,
        reply: Reply,
        draft: dict[str, Any] | None,
        size: int,
        already: int,
        lang: str,
    ) -> str:
        """Why this file (of `size` bytes, after `already` others in this message) is not
        taken, or "" when it is; counts its bytes when taken."""
        if refused := self.place_refusal(reply, draft, already, lang):
            return refused
        most = self.storage.attachments.max_bytes
        # Two of the largest files per sender, three per address (fresh sessions), an hour.
        limits = dict(zip(sender.keys("upload"), (2 * most, 3 * most), strict=False))
        now = self.storage.clock()
        for key, limit in limits.items():
            total = await throttle.count(self.storage.sessions, key, window=HOUR, now=now)
            if total + size > limit:
                return self._too_many(lang)
        for key in limits:
            await throttle.hit(self.storage.sessions, key, window=HOUR, now=now, amount=size)
        return ""

    # -- long text -------------------------------------------------------------------------

    async def long_text(
        self, answer: Answer, reply: Reply, draft: dict[str, Any] | None, lang: str
    ) -> tuple[Answer | None, str]:
        """(the answer to give the dialogue, a word for the person).

        An answer within the limits comes back as it is; one too long comes back with its
        text kept as a file instead, or as None (refused) where no file may be kept."""
        text = answer.text
        too_long = len(text) > MESSAGE_CHARS or (
            takes_files(reply, draft) and draft_chars(draft) + len(text) > COMPLAINT_CHARS
        )
        if not too_long:
            return answer, ""
        t = translator(lang)
        shorter = t.gettext("That answer is too long. Please make it shorter.")
        if not takes_files(reply, draft):
            return None, shorter
        storage = self.storage
        try:
            stored = await storage.attachments.save(
                text.encode(),
                name="message.txt",
                mime_type="text/plain",
                kind="document",
                now=storage.clock(),
            )
        except AttachmentRefused:
            return None, shorter
        ref = FileRef(stored.sha256, stored.name, stored.mime_type, stored.size, stored.kind)
        word = t.gettext(
            "Your message was very long, so I have kept all of it as a file for the staff to read."
        )
        return Answer(text="", choice=answer.choice, files=(*answer.files, ref)), word
