"""Contact arrangements for persistent or vexatious complainants (CAST's policy), decided by
a lead on the person's page: what changes, why, until when, and their single point of
contact. Storage sends the written notice and checks who may decide (storage/restrictions.py).
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from admin.keys import STORAGE
from admin.security import signed_in
from storage.errors import InvalidInput
from storage.restrictions import lift, restrict


async def add_restriction(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    person_id = int(request.match_info["person_id"])
    form = await request.post()
    try:
        review_on = date.fromisoformat(str(form.get("review_on", "")))
    except ValueError:
        raise InvalidInput("give the review date, for example 2027-03-01") from None
    contact = str(form.get("contact", ""))
    await restrict(
        request.app[STORAGE].cases,
        person_id,
        restriction=str(form.get("restriction", "")).strip(),
        reason=str(form.get("reason", "")).strip(),
        review_on=review_on,
        contact_staff_id=int(contact) if contact.isdigit() else None,
        staff_id=me.id,
    )
    raise web.HTTPSeeOther(f"/staff/people/{person_id}?done=restricted")


async def end_restriction(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    person_id = int(request.match_info["person_id"])
    restriction_id = int(request.match_info["restriction_id"])
    await lift(request.app[STORAGE].cases, restriction_id, staff_id=me.id)
    raise web.HTTPSeeOther(f"/staff/people/{person_id}?done=lifted")
