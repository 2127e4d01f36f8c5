"""The management committee's list (West Wilts): produce it, then mark it as noted."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from admin.keys import STORAGE
from admin.pages import render
from admin.security import signed_in
from storage.committee import committee_list, mark_noted
from storage.errors import InvalidInput

KIND_WORDS = {"complaint": "Complaint", "compliment": "Compliment", "feedback": "Feedback"}


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    me = signed_in(request).staff
    storage = request.app[STORAGE]
    listed = await committee_list(storage.cases, me.id)
    context = {
        "listed": listed,
        "kinds": KIND_WORDS,
        "categories": {c.id: c.label for c in storage.procedure.categories},
        "error": error,
    }
    return render(request, "committee.html", context, status=status)


async def committee_page(request: web.Request) -> web.StreamResponse:
    if not request.app[STORAGE].procedure.committee:
        raise web.HTTPNotFound()
    return await _page(request)


async def mark_noted_view(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    storage = request.app[STORAGE]
    if not storage.procedure.committee:
        raise web.HTTPNotFound()
    form = await request.post()
    try:
        try:
            held_on = date.fromisoformat(str(form.get("held_on", "")))
        except ValueError:
            raise InvalidInput("give the date of the meeting, for example 2026-12-01") from None
        ids = [int(v) for v in form.getall("case", []) if str(v).isdigit()]
        await mark_noted(storage.cases, ids, held_on=held_on, staff_id=me.id)
    except InvalidInput as error:
        return await _page(request, str(error), status=400)
    raise web.HTTPSeeOther("/staff/committee?noted=1")
