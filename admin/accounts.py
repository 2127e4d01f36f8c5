"""Staff accounts and the audit log: for the admin role only."""

from __future__ import annotations

from aiohttp import web

from admin.keys import CLOCK, DIRECTORY, QUERIES, STORAGE
from admin.pages import render
from admin.security import signed_in
from storage.errors import InvalidInput
from storage.staff import ADMIN, procedure_roles
from storage.views import StaffView


def _admin(request: web.Request) -> StaffView:
    me = signed_in(request).staff
    if ADMIN not in me.roles:
        raise web.HTTPForbidden(text="Only staff with the admin role can do this.")
    return me


async def _page(
    request: web.Request, error: str = "", values: dict[str, object] | None = None
) -> web.Response:
    accounts = await request.app[DIRECTORY].all()
    context = {
        "accounts": accounts,
        "roles": procedure_roles(request.app[STORAGE].procedure),
        "error": error,
        "values": values or {},
        "done": request.query.get("done", ""),
    }
    return render(request, "accounts.html", context, status=400 if error else 200)


async def accounts(request: web.Request) -> web.StreamResponse:
    _admin(request)
    return await _page(request)


async def add_account(request: web.Request) -> web.StreamResponse:
    me = _admin(request)
    form = await request.post()
    roles = [str(r) for r in form.getall("role", [])]
    try:
        await request.app[DIRECTORY].add(
            str(form.get("email", "")),
            str(form.get("name", "")),
            str(form.get("password", "")),
            roles,
            now=request.app[CLOCK](),
            by=me.id,
        )
    except InvalidInput as error:
        values = {"email": form.get("email", ""), "name": form.get("name", ""), "roles": roles}
        return await _page(request, str(error), values)
    raise web.HTTPSeeOther("/staff/accounts?done=added")


async def set_roles(request: web.Request) -> web.StreamResponse:
    me = _admin(request)
    form = await request.post()
    staff_id = int(request.match_info["staff_id"])
    try:
        await request.app[DIRECTORY].set_roles(
            staff_id,
            [str(r) for r in form.getall("role", [])],
            now=request.app[CLOCK](),
            by=me.id,
        )
    except InvalidInput as error:
        return await _page(request, str(error))
    raise web.HTTPSeeOther("/staff/accounts?done=roles")


async def set_aliases(request: web.Request) -> web.StreamResponse:
    """Other names a person goes by: a complaint naming any of them is hidden from them."""
    me = _admin(request)
    form = await request.post()
    aliases = str(form.get("aliases", ""))[:2000].split(",")
    await request.app[DIRECTORY].set_aliases(
        int(request.match_info["staff_id"]), aliases, now=request.app[CLOCK](), by=me.id
    )
    raise web.HTTPSeeOther("/staff/accounts?done=aliases")


async def set_active(request: web.Request) -> web.StreamResponse:
    me = _admin(request)
    form = await request.post()
    staff_id = int(request.match_info["staff_id"])
    active = form.get("active") == "yes"
    try:
        await request.app[DIRECTORY].set_active(
            staff_id, active, now=request.app[CLOCK](), by=me.id
        )
    except InvalidInput as error:
        return await _page(request, str(error))
    raise web.HTTPSeeOther("/staff/accounts?done=" + ("enabled" if active else "disabled"))


async def clear_delays(request: web.Request) -> web.StreamResponse:
    """Lets a person sign in again now when guesses at their account made them wait."""
    me = _admin(request)
    await request.app[DIRECTORY].clear_sign_in_delays(
        int(request.match_info["staff_id"]), now=request.app[CLOCK](), by=me.id
    )
    raise web.HTTPSeeOther("/staff/accounts?done=delays")


async def audit_log(request: web.Request) -> web.StreamResponse:
    me = _admin(request)
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    rows, pages = await request.app[QUERIES].audit_log(me.id, page)
    return render(request, "audit.html", {"rows": rows, "page": min(page, pages), "pages": pages})
