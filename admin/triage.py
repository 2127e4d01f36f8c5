"""The leads' triage queue: cases that name a member of staff, until a lead who is not named
says who they are about (storage/subjects.py, storage/visibility.settle_subject)."""

from __future__ import annotations

from aiohttp import web

from admin.keys import QUERIES, STORAGE
from admin.pages import render
from admin.security import signed_in
from storage.errors import InvalidInput
from storage.visibility import settle_subject


async def queue(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    rows = await request.app[QUERIES].triage_queue(me.id)
    today = request.app[STORAGE].cases.today()
    return render(request, "triage.html", {"rows": rows, "today": today})


async def settle(request: web.Request) -> web.StreamResponse:
    """Confirm or correct who the case is about; "" means nobody on the staff."""
    me = signed_in(request).staff
    form = await request.post()
    case_id = int(request.match_info["case_id"])
    chosen = str(form.get("subject", ""))
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        raise InvalidInput("The form has no case version: open the case again.") from None
    await settle_subject(
        request.app[STORAGE].cases,
        case_id,
        int(chosen) if chosen.isdigit() else None,
        staff_id=me.id,
        expected_version=version,
        reason=str(form.get("reason", ""))[:500],
    )
    if chosen == str(me.id):
        raise web.HTTPSeeOther("/staff/triage")  # they can no longer see it
    raise web.HTTPSeeOther(f"/staff/cases/{case_id}")
