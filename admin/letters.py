"""Letters by post in the staff view: download a letter as PDF or Braille, mark it posted.

The case page and the dashboard list the letters (admin/templates/_letters.html); the use
cases are services/letters.py.
"""

from __future__ import annotations

import re

from aiohttp import web

from admin.errors import error_page
from admin.keys import STORAGE
from admin.security import signed_in
from printing.braille import BrailleUnavailable, unavailable
from services import letters
from services.letters import PrintedLetter

LETTER = "/letters/{outbox_id:\\d+}"
UNAVAILABLE = "Braille is not available"


def _download(printed: PrintedLetter, suffix: str, content_type: str) -> web.Response:
    view = printed.letter
    name = re.sub(r"[^A-Za-z0-9-]", "_", view.reference or "letter")
    return web.Response(
        body=printed.data,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}-letter-{view.id}.{suffix}"',
            "Cache-Control": "no-store",
        },
    )


def _outbox_id(request: web.Request) -> int:
    return int(request.match_info["outbox_id"])


async def pdf(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    printed = await letters.print_pdf(request.app[STORAGE], _outbox_id(request), me.id)
    return _download(printed, "pdf", "application/pdf")


async def brf(request: web.Request) -> web.StreamResponse:
    """The letter in contracted Braille, for an embosser; a clear page if liblouis is missing."""
    me = signed_in(request).staff
    reason = unavailable()
    if reason:
        return error_page(request, 503, UNAVAILABLE, reason, "/staff/#letters")
    try:
        printed = await letters.print_brf(request.app[STORAGE], _outbox_id(request), me.id)
    except BrailleUnavailable as error:
        return error_page(request, 503, UNAVAILABLE, str(error), "/staff/#letters")
    return _download(printed, "brf", "application/octet-stream")


async def posted(request: web.Request) -> web.StreamResponse:
    """Staff printed and posted it; back to the case or the dashboard, where they pressed."""
    me = signed_in(request).staff
    form = await request.post()
    letter = await letters.mark_posted(request.app[STORAGE], _outbox_id(request), me.id)
    if form.get("back") == "case" and letter.complaint_id is not None:
        raise web.HTTPSeeOther(f"/staff/cases/{letter.complaint_id}#letters")
    raise web.HTTPSeeOther("/staff/#letters")


def setup(app: web.Application) -> None:
    app.router.add_get(LETTER + ".pdf", pdf, name="letter_pdf")
    app.router.add_get(LETTER + ".brf", brf, name="letter_brf")
    app.router.add_post(LETTER + "/posted", posted, name="letter_posted")
