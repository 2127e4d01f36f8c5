"""Recording an elected member's enquiry (CALAT: councillors, the GLA Member, MPs).

An enquiry is not a complaint: it has its own reply limit from the procedure's [enquiries]
table, no stages to escalate, and is counted apart in reports.
"""

from __future__ import annotations

from aiohttp import web

from admin.keys import STORAGE
from admin.pages import render
from admin.security import signed_in
from procedures.case import ContactMethod, Kind, NewComplaint, Received
from storage.errors import InvalidInput

VIA = {"email": Received.EMAIL, "letter": Received.LETTER, "phone": Received.PHONE}


async def enquiry_form(request: web.Request) -> web.StreamResponse:
    signed_in(request)
    rule = request.app[STORAGE].procedure.enquiries
    if rule is None:
        raise web.HTTPNotFound()
    return render(request, "enquiry.html", {"rule": rule, "values": {}, "error": ""})


async def record_enquiry(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    storage = request.app[STORAGE]
    rule = storage.procedure.enquiries
    if rule is None:
        raise web.HTTPNotFound()
    form = await request.post()
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf"}
    email, address = values.get("email", ""), values.get("address", "")
    try:
        if not values.get("member") or not values.get("text"):
            raise InvalidInput("give who sent the enquiry and what it asks")
        if not email and not address:
            raise InvalidInput("give an email or postal address for the reply")
        new = NewComplaint(
            kind=Kind.ENQUIRY,
            description=values["text"],
            complainant_name=values["member"],
            representative=None,
            contact_method=ContactMethod.EMAIL if email else ContactMethod.POST,
            email=email,
            postal_address=address,
            received_via=VIA.get(values.get("via", ""), Received.EMAIL),
        )
        submitted = await storage.cases.submit(new, staff_id=me.id)
    except InvalidInput as error:
        context = {"rule": rule, "values": values, "error": str(error)}
        return render(request, "enquiry.html", context, status=400)
    raise web.HTTPSeeOther(f"/staff/cases/{submitted.complaint_id}")
