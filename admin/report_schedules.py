"""Scheduled statistical reports (storage/report_schedules.py): list, add, next date.
For the admin role, like the reports themselves."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from admin.keys import CLOCK, STORAGE
from admin.pages import render
from admin.security import signed_in
from storage.errors import InvalidInput
from storage.report_schedules import add_schedule, all_schedules, set_next
from storage.staff import ADMIN

EVERY_WORDS = {
    "term": "Every term (4 months)",
    "year": "Every year",
    "meeting": "At each committee meeting",
}


def _admin(request: web.Request) -> int:
    me = signed_in(request).staff
    if ADMIN not in me.roles:
        raise web.HTTPForbidden(text="Only staff with the admin role can schedule reports.")
    return me.id


def _date(value: object) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("give the date, for example 2027-04-01") from None


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    context = {
        "schedules": await all_schedules(request.app[STORAGE].sessions),
        "every": EVERY_WORDS,
        "error": error,
    }
    return render(request, "report_schedules.html", context, status=status)


async def schedules_page(request: web.Request) -> web.StreamResponse:
    _admin(request)
    return await _page(request)


async def add(request: web.Request) -> web.StreamResponse:
    me = _admin(request)
    form = await request.post()
    try:
        await add_schedule(
            request.app[STORAGE].sessions,
            name=str(form.get("name", "")),
            every=str(form.get("every", "")),
            recipients=str(form.get("recipients", "")),
            next_on=_date(form.get("next_on", "")),
            staff_id=me,
            now=request.app[CLOCK](),
        )
    except InvalidInput as error:
        return await _page(request, str(error), status=400)
    raise web.HTTPSeeOther("/staff/reports/schedules")


async def next_date(request: web.Request) -> web.StreamResponse:
    _admin(request)
    form = await request.post()
    try:
        await set_next(
            request.app[STORAGE].sessions,
            int(request.match_info["schedule_id"]),
            _date(form.get("next_on", "")),
        )
    except InvalidInput as error:
        return await _page(request, str(error), status=400)
    raise web.HTTPSeeOther("/staff/reports/schedules")
