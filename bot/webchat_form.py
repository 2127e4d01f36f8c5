"""Reading the web chat's form without losing the words when a file is too big.

aiohttp's `request.post()` refuses a whole request over the size limit with its own
English page, and the text typed with the file is lost. This reads the multipart form
itself: every text field is kept, and a file longer than the upload limit is kept only up
to one byte past it (the rest is read and dropped), so the attachment store refuses it
with the kind "too big" message in the person's language and the answer still counts.
"""

from __future__ import annotations

import io
import logging

from aiohttp import BodyPartReader, web
from multidict import CIMultiDict, MultiDict, MultiDictProxy

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
TEXT_LIMIT = 256 * 1024  # far above the longest answer the chat takes
MAX_FIELDS = 50


async def read_form(
    request: web.Request, max_file_bytes: int
) -> MultiDictProxy[str | bytes | web.FileField]:
    """The posted fields; files over `max_file_bytes` cut to `max_file_bytes + 1` bytes."""
    if request.content_type != "multipart/form-data":
        return await request.post()
    out: MultiDict[str | bytes | web.FileField] = MultiDict()
    reader = await request.multipart()
    while len(out) < MAX_FIELDS and (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename:
            out.add(part.name, await _file(part, max_file_bytes))
        else:
            data = await _bounded(part, TEXT_LIMIT)
            out.add(part.name, data.decode(part.get_charset(default="utf-8"), errors="replace"))
    return MultiDictProxy(out)


async def _file(part: BodyPartReader, limit: int) -> web.FileField:
    data = await _bounded(part, limit + 1)
    if len(data) > limit:
        log.info("web chat upload over the limit; the rest of it is dropped")
    headers = CIMultiDict(part.headers)
    return web.FileField(
        name=part.name or "file",
        filename=part.filename or "file",
        file=io.BytesIO(data),  # type: ignore[arg-type]
        content_type=part.headers.get("Content-Type", "application/octet-stream"),
        headers=headers,  # type: ignore[arg-type]
    )


async def _bounded(part: BodyPartReader, keep: int) -> bytes:
    """Up to `keep` decoded bytes of the part; anything after is read and dropped."""
    buffer = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        if len(buffer) < keep:
            async for decoded in part.decode_iter(chunk):
                buffer += decoded[: keep - len(buffer)]
    return bytes(buffer)
