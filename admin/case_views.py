"""Dashboard, case list, case page, attachments, and the actions with their preview step."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from admin.keys import CLOCK, QUERIES, STORAGE
from admin.pages import STATUS_WORDS, render
from admin.security import signed_in
from services import letters
from services.actions import ACTIONS, OUTCOME_WORDS, Form, available, perform, preview
from storage.about_handler import mark_about_handler
from storage.cases import CaseService
from storage.complaint_forms import completed_form
from storage.errors import InvalidInput, NotFound
from storage.investigators import record_external_investigator
from storage.promises import PromiseChange
from storage.queries import CaseFilters
from storage.staff import procedure_roles
from storage.visibility import name_handler, name_subject


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _case_id(request: web.Request) -> int:
    return int(request.match_info["case_id"])


def _version(form: Form) -> int:
    version = _int(str(form.get("version", "")))
    if version is None:
        raise InvalidInput("The form has no case version; open the case again.")
    return version


async def dashboard(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    board = await request.app[QUERIES].dashboard(me.id)
    post = await letters.to_post(request.app[STORAGE], me.id)
    return render(request, "dashboard.html", {"board": board, "post": post})


async def case_list(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    q = request.query
    filters = CaseFilters(
        stage=_int(q.get("stage")),
        status=q.get("status") or None,
        category=q.get("category") or None,
        handler_role=q.get("handler") or None,
        overdue=q.get("overdue") == "yes",
        language=q.get("language") or None,
        adjustments=q.get("adjustments") == "yes",
        search=q.get("q", "")[:100],
        page=_int(q.get("page"), 1) or 1,
    )
    page = await request.app[QUERIES].case_list(me.id, filters)
    storage = request.app[STORAGE]
    args = {k: v for k, v in q.items() if k != "page" and v}
    context = {
        "page": page,
        "filters": filters,
        "args": args,
        "stages": storage.procedure.stages,
        "categories": storage.procedure.categories,
        "roles": [r for r in procedure_roles(storage.procedure) if r != "admin"],
        "statuses": STATUS_WORDS,
    }
    return render(request, "cases.html", context)


async def _case_page(
    request: web.Request,
    *,
    error_for: str = "",
    error: str = "",
    values: Form | None = None,
    status: int = 200,
) -> web.Response:
    me = signed_in(request).staff
    storage = request.app[STORAGE]
    detail = await request.app[QUERIES].case_detail(_case_id(request), me.id, audit=status == 200)
    done = ACTIONS.get(request.query.get("done", ""))
    today = request.app[CLOCK]().astimezone(storage.settings.zone).date()
    context: dict[str, Any] = {
        "detail": detail,
        "case": detail.case,
        "stage": detail.case.stage,
        "procedure": storage.procedure,
        "actions": ACTIONS,
        "available": available(storage.procedure, detail, today),
        "outcomes": OUTCOME_WORDS,
        "done": done.done if done else "",
        "error_for": error_for,
        "error": error,
        "values": values or {},
        "last_stage": storage.procedure.last_stage,
        "has_external_body": storage.procedure.external_body is not None,
        "categories": {c.id: c.label for c in storage.procedure.categories},
        "post": await letters.of_case(storage, detail.case.id, me.id),
    }
    return render(request, "case.html", context, status=status)


async def case_page(request: web.Request) -> web.StreamResponse:
    return await _case_page(request)


async def attachment(request: web.Request) -> web.StreamResponse:
    """Always a download (never shown inline), and only for a case the person may see."""
    me = signed_in(request).staff
    storage = request.app[STORAGE]
    found = await request.app[QUERIES].attachment(
        _case_id(request), int(request.match_info["attachment_id"]), me.id
    )
    try:
        data = await asyncio.to_thread(storage.attachments.read, found.sha256)
    except OSError:
        raise NotFound(f"file of attachment {found.id} is missing") from None
    safe = re.sub(r"[^A-Za-z0-9._ -]", "_", found.name)[:100] or "attachment"
    return web.Response(
        body=data,
        content_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def _action(request: web.Request) -> str:
    name = request.match_info["action"]
    if name not in ACTIONS:
        raise web.HTTPNotFound()
    return name


async def action_preview(request: web.Request) -> web.StreamResponse:
    """Step one: show exactly what the complainant will receive, with a button to send it."""
    me = signed_in(request).staff
    name = _action(request)
    form = await request.post()
    storage = request.app[STORAGE]
    case_id = _case_id(request)
    try:
        version = _version(form)
        text = await preview(storage, case_id, name, form, staff_id=me.id, version=version)
    except InvalidInput as error:
        return await _case_page(request, error_for=name, error=str(error), values=form, status=400)
    detail = await request.app[QUERIES].case_detail(case_id, me.id, audit=False)
    fields = {k: str(v) for k, v in form.items() if k not in ("csrf", "version")}
    context = {
        "detail": detail,
        "case": detail.case,
        "action": ACTIONS[name],
        "text": text,
        "fields": fields,
        "version": version,
        "outcomes": OUTCOME_WORDS,
    }
    return render(request, "preview.html", context)


async def action(request: web.Request) -> web.StreamResponse:
    """Step two (or the only step, for notes and outcomes): do it, then back to the case."""
    me = signed_in(request).staff
    name = _action(request)
    form = await request.post()
    case_id = _case_id(request)
    try:
        await perform(
            request.app[STORAGE], case_id, name, form, staff_id=me.id, version=_version(form)
        )
    except InvalidInput as error:
        return await _case_page(request, error_for=name, error=str(error), values=form, status=400)
    raise web.HTTPSeeOther(f"/staff/cases/{case_id}?done={name}#timeline")


# A case page form other than the actions: (cases, case id, staff id, form) -> where to go
# afterwards, or None for the case page again.
CaseChange = Callable[[CaseService, int, int, Form], Awaitable[str | None]]


async def _change_case(
    request: web.Request, error_for: str, change: CaseChange
) -> web.StreamResponse:
    """Carry out a case page form; refused, the page again with the error beside that form
    and what was typed kept."""
    me = signed_in(request).staff
    form = await request.post()
    case_id = _case_id(request)
    try:
        then = await change(request.app[STORAGE].cases, case_id, me.id, form)
    except InvalidInput as error:
        return await _case_page(
            request, error_for=error_for, error=str(error), values=form, status=400
        )
    raise web.HTTPSeeOther(then or f"/staff/cases/{case_id}")


async def set_subject(request: web.Request) -> web.StreamResponse:
    async def change(cases: CaseService, case_id: int, staff_id: int, form: Form) -> str | None:
        subject = _int(str(form.get("subject", "")))
        await name_subject(
            cases,
            case_id,
            subject,
            staff_id=staff_id,
            expected_version=_version(form),
            reason=str(form.get("reason", ""))[:500],
        )
        return "/staff/cases" if subject == staff_id else None  # they can no longer see it

    return await _change_case(request, "subject", change)


async def set_handler(request: web.Request) -> web.StreamResponse:
    async def change(cases: CaseService, case_id: int, staff_id: int, form: Form) -> None:
        handler = _int(str(form.get("handler", "")))
        await name_handler(
            cases, case_id, handler, staff_id=staff_id, expected_version=_version(form)
        )

    return await _change_case(request, "handler", change)


async def set_promise(request: web.Request) -> web.StreamResponse:
    """Change what this complaint's receipt promised (language, needs, how replies go)."""

    async def change(cases: CaseService, case_id: int, staff_id: int, form: Form) -> None:
        wanted = PromiseChange(
            language=str(form.get("language", "")),
            adjustments=tuple(str(a) for a in form.getall("adjustments", [])),
            adjustments_note=str(form.get("adjustments_note", "")),
            contact_method=str(form.get("contact_method", "")),
            email=str(form.get("email", "")),
            phone=str(form.get("phone", "")),
            postal_address=str(form.get("postal_address", "")),
        )
        await cases.change_promise(
            case_id, wanted, staff_id=staff_id, expected_version=_version(form)
        )

    return await _change_case(request, "promise", change)


async def complaint_form(request: web.Request) -> web.StreamResponse:
    """The organisation's complaints form, completed from the answers, ready to print."""
    me = signed_in(request).staff
    form = await completed_form(request.app[STORAGE].cases, _case_id(request), me.id)
    return render(request, "form.html", {"form": form, "case_id": _case_id(request)})


async def complaint_form_download(request: web.Request) -> web.StreamResponse:
    """The same completed form as a document to keep or send on: built from the answers now."""
    me = signed_in(request).staff
    form = await completed_form(request.app[STORAGE].cases, _case_id(request), me.id)
    response = render(request, "form_document.html", {"form": form})
    name = re.sub(r"[^A-Za-z0-9-]", "_", form.reference)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-complaints-form.html"'
    # Its own styles travel inside the file; nothing in it may run or load anything.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    return response


async def set_investigator(request: web.Request) -> web.StreamResponse:
    async def change(cases: CaseService, case_id: int, staff_id: int, form: Form) -> None:
        await record_external_investigator(
            cases,
            case_id,
            name=str(form.get("name", "")),
            organisation=str(form.get("organisation", "")),
            staff_id=staff_id,
            expected_version=_version(form),
        )

    return await _change_case(request, "investigator", change)


async def set_about_handler(request: web.Request) -> web.StreamResponse:
    """The complaint is about the handler a stage goes to (CAST: the line manager)."""

    async def change(cases: CaseService, case_id: int, staff_id: int, form: Form) -> None:
        await mark_about_handler(
            cases,
            case_id,
            staff_id=staff_id,
            expected_version=_version(form),
            reason=str(form.get("reason", "")),
        )

    return await _change_case(request, "about_handler", change)


async def outbox_done(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    await request.app[QUERIES].mark_delivered(int(request.match_info["outbox_id"]), me.id)
    raise web.HTTPSeeOther("/staff/#tasks")


async def callback_done(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    await request.app[QUERIES].callback_done(int(request.match_info["callback_id"]), me.id)
    raise web.HTTPSeeOther("/staff/#callbacks")


async def call_done(request: web.Request) -> web.StreamResponse:
    """A call asked for instead of writing was made; back to where staff pressed it."""
    me = signed_in(request).staff
    form = await request.post()
    stage = _int(str(form.get("stage", "")))
    if stage is None:
        raise InvalidInput("The form has no stage; open the page again.")
    case_id = _case_id(request)
    await request.app[QUERIES].call_done(case_id, stage, request.match_info["purpose"], me.id)
    back = str(form.get("back", ""))
    raise web.HTTPSeeOther(f"/staff/cases/{case_id}" if back == "case" else "/staff/#calls")
