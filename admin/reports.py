"""Reports and people's data in the staff view: for the admin role only.

The report page, the printable board report, CSV and JSON downloads; and for one person,
their data as JSON or HTML (a subject access request) and erasure on request. Downloads
and erasures are written to the audit log. A person with a case hidden from the member of
staff (storage/visibility.py) is "not found" for them, as the case itself is.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web
from sqlalchemy import select

from admin.keys import CLOCK, DIRECTORY, STORAGE
from admin.pages import render
from admin.security import signed_in
from services.export import export_person, find_person, to_html, to_json
from services.report_formats import board_html, context, csv_text, json_text
from services.retention import Retention
from storage.db import reading
from storage.errors import InvalidInput, NotFound
from storage.models import AuditEvent, Complaint, Person
from storage.reports import Report, build_report
from storage.restrictions import active_for
from storage.staff import ADMIN
from storage.views import StaffView
from storage.visibility import Viewer, hidden_people

PERSON = "/people/{person_id:\\d+}"


def setup(app: web.Application) -> None:
    """Register the routes (called once at the end of admin.app.create_admin_app)."""
    add = app.router
    add.add_get("/reports", report_page, name="reports")
    add.add_get("/reports/board", board, name="report_board")
    add.add_get("/reports/report.csv", report_csv, name="report_csv")
    add.add_get("/reports/report.json", report_json, name="report_json")
    add.add_get("/people", find, name="people_find")
    add.add_get(PERSON, person_page, name="person")
    add.add_get(PERSON + "/export.json", person_json, name="person_json")
    add.add_get(PERSON + "/export.html", person_html, name="person_html")
    add.add_post(PERSON + "/erase", erase, name="person_erase")


def _admin(request: web.Request) -> StaffView:
    me = signed_in(request).staff
    if ADMIN not in me.roles:
        raise web.HTTPForbidden(text="Only staff with the admin role can see reports and data.")
    return me


def _today(request: web.Request) -> date:
    return request.app[CLOCK]().astimezone(request.app[STORAGE].settings.zone).date()


def _period(request: web.Request) -> tuple[date, date]:
    today = _today(request)
    try:
        start = date.fromisoformat(request.query.get("from", "") or f"{today.year}-01-01")
        end = date.fromisoformat(request.query.get("to", "") or today.isoformat())
    except ValueError:
        raise InvalidInput("give the dates as YYYY-MM-DD") from None
    if end < start:
        raise InvalidInput("the end of the period is before its start")
    return start, end


async def _report(request: web.Request, start: date, end: date) -> Report:
    me = _admin(request)
    storage = request.app[STORAGE]
    return await build_report(
        storage.sessions,
        storage.procedure,
        storage.calendar,
        start=start,
        end=end,
        as_of=_today(request),
        zone=storage.settings.zone,
        viewer=Viewer(me.id, me.roles),
    )


async def report_page(request: web.Request) -> web.StreamResponse:
    _admin(request)
    today = _today(request)
    try:
        start, end = _period(request)
    except InvalidInput as error:
        page = {"report": None, "error": str(error), "start": today, "end": today, "query": ""}
        return render(request, "report.html", page, status=400)
    report = await _report(request, start, end)
    query = f"from={start.isoformat()}&to={end.isoformat()}"
    page = {"error": "", "start": start, "end": end, "query": query, **context(report)}
    return render(request, "report.html", page)


async def board(request: web.Request) -> web.StreamResponse:
    report = await _report(request, *_period(request))
    return web.Response(text=board_html(report, standalone=False), content_type="text/html")


def _download(text: str, content_type: str, name: str) -> web.Response:
    response = web.Response(text=text, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


async def report_csv(request: web.Request) -> web.StreamResponse:
    start, end = _period(request)
    report = await _report(request, start, end)
    return _download(csv_text(report), "text/csv", f"complaints-{start}-{end}.csv")


async def report_json(request: web.Request) -> web.StreamResponse:
    start, end = _period(request)
    report = await _report(request, start, end)
    return _download(json_text(report), "application/json", f"complaints-{start}-{end}.json")


# -- one person's data -----------------------------------------------------------------


async def _visible_person(request: web.Request) -> int:
    """The person of the URL, unless one of their cases is hidden from the viewer."""
    me = _admin(request)
    person_id = int(request.match_info["person_id"])
    async with reading(request.app[STORAGE].sessions) as session:
        hidden = set(await session.scalars(hidden_people(Viewer(me.id, me.roles))))
        if person_id in hidden or await session.get(Person, person_id) is None:
            raise NotFound(f"no person {person_id}")
    return person_id


async def find(request: web.Request) -> web.StreamResponse:
    _admin(request)
    query = request.query.get("q", "").strip()
    by_email = "@" in query
    person_id = await find_person(
        request.app[STORAGE].sessions,
        reference="" if by_email else query,
        email=query if by_email else "",
    )
    raise web.HTTPSeeOther(f"/staff/people/{person_id}")


async def person_page(request: web.Request) -> web.StreamResponse:
    person_id = await _visible_person(request)
    storage = request.app[STORAGE]
    async with reading(storage.sessions) as session:
        person = await session.get_one(Person, person_id)
        references = list(
            await session.scalars(
                select(Complaint.reference)
                .where(Complaint.person_id == person_id)
                .order_by(Complaint.id)
            )
        )
    page = {
        "person": person,
        "references": references,
        "restrictions": await active_for(storage.sessions, person_id),
        "staff": [s for s in await request.app[DIRECTORY].all() if s.active],
        "done": request.query.get("done", ""),
        "error": "",
    }
    return render(request, "report_person.html", page)


async def _export(request: web.Request) -> tuple[int, str, str]:
    me = _admin(request)
    person_id = await _visible_person(request)
    storage = request.app[STORAGE]
    now = request.app[CLOCK]()
    export = await export_person(
        storage.sessions, person_id, organisation=storage.procedure.organisation, now=now
    )
    async with storage.sessions() as session, session.begin():
        session.add(
            AuditEvent(
                at=now,
                staff_id=me.id,
                actor="staff",
                action="export_person",
                detail=f"person {person_id}",
            )
        )
    return person_id, to_json(export), to_html(export)


async def person_json(request: web.Request) -> web.StreamResponse:
    person_id, text, _ = await _export(request)
    return _download(text, "application/json", f"person-{person_id}.json")


async def person_html(request: web.Request) -> web.StreamResponse:
    person_id, _, text = await _export(request)
    return _download(text, "text/html", f"person-{person_id}.html")


async def erase(request: web.Request) -> web.StreamResponse:
    me = _admin(request)
    person_id = await _visible_person(request)
    form = await request.post()
    reason = str(form.get("reason", "")).strip()
    if not reason or form.get("confirm") != "ERASE":
        raise InvalidInput("give the reason and type ERASE to confirm: this cannot be undone")
    storage = request.app[STORAGE]
    retention = Retention(storage.sessions, storage.procedure, storage.settings.attachments_dir)
    await retention.erase_person(person_id, staff_id=me.id, reason=reason, now=request.app[CLOCK]())
    raise web.HTTPSeeOther(f"/staff/people/{person_id}?done=erased")
