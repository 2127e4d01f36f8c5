"""Files from complainants, stored once by content hash under data/attachments/."""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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
        if not accepted(mime_type):
            raise AttachmentRefused("unsupported")
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
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(target)

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()
