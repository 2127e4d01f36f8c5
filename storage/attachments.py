"""Files from complainants, stored once by content hash under data/attachments/."""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filetype
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Attachment
from storage.private import private_folder

# What we accept: pictures, documents people actually send, and voice notes.
ALLOWED_MIME_PREFIXES = ("image/", "audio/", "text/plain")
ALLOWED_MIME_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/rtf",
        "video/mp4",
    }
)


class AttachmentRefused(ValueError):
    """The file is too large or of a kind we do not keep; the message says which."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    mime_type: str
    name: str
    kind: str


def accepted(mime_type: str) -> bool:
    return mime_type in ALLOWED_MIME_TYPES or mime_type.startswith(ALLOWED_MIME_PREFIXES)


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:65536]:
        return False
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > 65530  # a character cut at the sample's end
    return True


def content_type(data: bytes, claimed: str) -> str | None:
    """The file's type from its content (magic bytes, by `filetype`), not from what the
    client said; None when we do not keep that kind. Plain text has no signature, so it is
    kept only when the client said text too (HTML sent "as a photo" is not)."""
    guessed = filetype.guess_mime(data[:8192])
    if guessed is not None:
        return guessed if accepted(guessed) else None
    if claimed.startswith("text/") and _is_text(data):
        return "text/plain"
    return None


class AttachmentStore:
    def __init__(
        self, root: Path, sessions: async_sessionmaker[AsyncSession], max_bytes: int
    ) -> None:
        self.root = root
        self.sessions = sessions
        self.max_bytes = max_bytes

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def save(
        self, data: bytes, *, name: str, mime_type: str, kind: str, now: datetime
    ) -> Stored:
        """Write the file (once per content) and record it, not yet linked to a complaint."""
        if len(data) > self.max_bytes:
            raise AttachmentRefused("too_large")
        sniffed = content_type(data, mime_type)
        if sniffed is None:
            raise AttachmentRefused("unsupported")
        mime_type = sniffed
        digest = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._write, digest, data)
        async with self.sessions() as session, session.begin():
            session.add(
                Attachment(
                    sha256=digest,
                    size=len(data),
                    mime_type=mime_type,
                    original_name=Path(name).name[:255],
                    kind=kind,
                    created_at=now,
                )
            )
        return Stored(digest, len(data), mime_type, Path(name).name, kind)

    def _write(self, digest: str, data: bytes) -> None:
        target = self.path(digest)
        if target.exists():
            return
        private_folder(target.parent)
        temporary = target.with_suffix(".part")
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(target)
        except OSError:
            # A full disk: leave no half-written file to take the space a retry needs.
            temporary.unlink(missing_ok=True)
            raise

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()
