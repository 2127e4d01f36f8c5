"""Letters by post in the staff view: download a letter as PDF or Braille, mark it posted.

The case page and the dashboard list the letters (admin/templates/_letters.html); the
rendering is printing/'s, run in a thread so a letter never holds up other requests.
"""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from admin.errors import error_page
from admin.keys import STORAGE
from admin.security import signed_in
from printing.braille import BrailleUnavailable, render_brf, unavailable
from printing.letter import PostalLetter
from printing.pdf import render_pdf
from procedures.model import Procedure
from storage.letters import LetterContent, PostalLetters, PostalLetterView
from storage.runtime import Storage

LETTER = "/letters/{outbox_id:\\d+}"


def letters_of(storage: Storage) -> PostalLetters:
    return PostalLetters(storage.sessions, storage.clock)


async def for_dashboard(storage: Storage, staff_id: int) -> dict[str, object]:
    """What the dashboard's "Letters to post" panel shows."""
    return {
        "letters": await letters_of(storage).to_post(staff_id),
        "braille_missing": unavailable(),
    }


async def for_case(storage: Storage, case_id: int, staff_id: int) -> dict[str, object]:
    """What the case page's "Letters by post" section shows."""
    return {
        "letters": await letters_of(storage).of_case(case_id, staff_id),
        "braille_missing": unavailable(),
    }


def organisation_lines(procedure: Procedure) -> tuple[str, ...]:
    contact = procedure.contact
    return tuple(
        line for line in (contact.address, contact.phone, contact.email, contact.website) if line
    )


def printable(storage: Storage, content: LetterContent) -> PostalLetter:
    view: PostalLetterView = content.letter
    return PostalLetter(
        organisation=storage.procedure.organisation,
        organisation_lines=organisation_lines(storage.procedure),
        recipient_name=view.person_name,
        recipient_address=view.address,
        reference=view.reference,
        written_on=view.created_at.astimezone(storage.settings.zone).date(),
        language=view.language,
        body=content.body,
        formats=view.formats,
    )


def _download(data: bytes, view: PostalLetterView, suffix: str, content_type: str) -> web.Response:
    name = re.sub(r"[^A-Za-z0-9-]", "_", view.reference or "letter")
    return web.Response(
        body=data,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}-letter-{view.id}.{suffix}"',
            "Cache-Control": "no-store",
        },
    )


async def _content(request: web.Request, kind: str) -> tuple[Storage, LetterContent]:
    me = signed_in(request).staff
    storage = request.app[STORAGE]
    outbox_id = int(request.match_info["outbox_id"])
    return storage, await letters_of(storage).content(outbox_id, me.id, kind=kind)


async def pdf(request: web.Request) -> web.StreamResponse:
    """The letter as A4 PDF: large print or Easy Read when the person asked for it."""
    storage, content = await _content(request, "pdf")
    data = await asyncio.to_thread(render_pdf, printable(storage, content))
    return _download(data, content.letter, "pdf", "application/pdf")


async def brf(request: web.Request) -> web.StreamResponse:
    """The letter in contracted Braille, for an embosser; a clear page if liblouis is missing."""
    reason = unavailable()
    if reason:
        return error_page(request, 503, "Braille is not available", reason, "/staff/#letters")
    storage, content = await _content(request, "brf")
    try:
        data = await asyncio.to_thread(render_brf, printable(storage, content))
    except BrailleUnavailable as error:
        return error_page(request, 503, "Braille is not available", str(error), "/staff/#letters")
    return _download(data, content.letter, "brf", "application/octet-stream")


async def posted(request: web.Request) -> web.StreamResponse:
    """Staff printed and posted it; back to the case or the dashboard, where they pressed."""
    me = signed_in(request).staff
    form = await request.post()
    storage = request.app[STORAGE]
    letter = await letters_of(storage).mark_posted(int(request.match_info["outbox_id"]), me.id)
    if form.get("back") == "case" and letter.complaint_id is not None:
        raise web.HTTPSeeOther(f"/staff/cases/{letter.complaint_id}#letters")
    raise web.HTTPSeeOther("/staff/#letters")


def setup(app: web.Application) -> None:
    app.router.add_get(LETTER + ".pdf", pdf, name="letter_pdf")
    app.router.add_get(LETTER + ".brf", brf, name="letter_brf")
    app.router.add_post(LETTER + "/posted", posted, name="letter_posted")
