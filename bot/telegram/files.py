"""Files people send: what Telegram says about them, and a download capped at our limit."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

import httpx
from telegram import Bot, Message
from telegram.error import BadRequest


class TooLarge(Exception):
    """Over our limit, by Telegram's word (file_size, getFile) or by the bytes received."""


class DownloadFailed(Exception):
    """The file could not be fetched; the message names the cause, never the URL (token)."""


@dataclass(frozen=True)
class Incoming:
    file_id: str
    size: int | None  # as Telegram reports it; may be missing
    name: str
    mime: str
    kind: str  # photo / document / voice, as FileRef.kind


def incoming_file(message: Message) -> Incoming | None:
    """The file in a message we can take, if any."""
    if message.photo:
        photo = message.photo[-1]  # the largest size Telegram made
        return Incoming(photo.file_id, photo.file_size, "photo.jpg", "image/jpeg", "photo")
    if message.voice:
        voice = message.voice
        mime = voice.mime_type or "audio/ogg"
        return Incoming(voice.file_id, voice.file_size, "voice.ogg", mime, "voice")
    found = message.document or message.audio or message.video
    if found is None:
        return None
    name = found.file_name or "file"
    mime = found.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Incoming(found.file_id, found.file_size, name, mime, "document")


async def download(bot: Bot, client: httpx.AsyncClient, file_id: str, limit: int) -> bytes:
    """The file's bytes, refusing as soon as it proves bigger than `limit`."""
    try:
        file = await bot.get_file(file_id)
    except BadRequest as error:
        if "too big" in error.message.lower():
            raise TooLarge from None
        raise
    if file.file_size is not None and file.file_size > limit:
        raise TooLarge
    if not file.file_path:
        raise DownloadFailed("no file path")
    received = bytearray()
    try:
        # file_path is a URL carrying the bot token: never put it in a message or a log.
        async with client.stream("GET", file.file_path) as response:
            if response.status_code != 200:
                raise DownloadFailed(f"HTTP {response.status_code}")
            async for chunk in response.aiter_bytes():
                received += chunk
                if len(received) > limit:  # file_size can be missing or wrong
                    raise TooLarge
    except httpx.HTTPError as error:
        raise DownloadFailed(type(error).__name__) from None
    return bytes(received)
