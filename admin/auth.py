"""Signing in and out, first-run setup, and a person's own account (password, TOTP)."""

from __future__ import annotations

import math

from aiohttp import web

from admin.keys import CLOCK, DIRECTORY, SESSIONS, STORAGE
from admin.pages import render
from admin.security import (
    SESSION_COOKIE,
    SIGNED_IN,
    known_device,
    pre_session,
    pre_token,
    set_device_cookie,
    set_pre_cookie,
    set_session_cookie,
    signed_in,
)
from services.setup import token_ok
from storage.errors import InvalidInput
from storage.staff import (
    ADMIN,
    LoginRefused,
    Throttled,
    new_totp_secret,
    normalise_email,
    procedure_roles,
    totp_uri,
)

TOO_MANY = "Too many tries. Wait 15 minutes, then try again."


def safe_next(value: str) -> str:
    """Only our own pages: never another site (open redirect) or a scheme-relative URL."""
    if value.startswith("/staff/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/staff/"


def _pre_page(
    request: web.Request, template: str, context: dict[str, object], status: int = 200
) -> web.Response:
    """A page shown before signing in: its form token is tied to the pre-login cookie,
    which this very response sets when the browser has none yet."""
    value, new = pre_session(request)
    context = {**context, "csrf": pre_token(request, value)}
    response = render(request, template, context, status=status)
    if new:
        set_pre_cookie(request, response, value)
    return response


async def login_form(request: web.Request) -> web.StreamResponse:
    if SIGNED_IN in request:
        raise web.HTTPSeeOther(safe_next(request.query.get("next", "")))
    return _pre_page(request, "login.html", {"next": request.query.get("next", ""), "error": ""})


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    email = str(form.get("email", ""))
    next_page = str(form.get("next", ""))
    now = request.app[CLOCK]()
    error, status, retry_after = "", 200, 0
    try:
        staff = await request.app[DIRECTORY].authenticate(
            email,
            str(form.get("password", "")),
            str(form.get("code", "")),
            address=request.remote or "unknown",
            now=now,
            device=known_device(request, normalise_email(email)),
        )
    except Throttled as throttled:
        # A delay that grows with each failure, never a lockout (storage/staff.py).
        retry_after = max(1, math.ceil(throttled.retry_after))
        error, status = f"Too many attempts to sign in. {_wait_words(retry_after)}", 429
    except LoginRefused:
        error, status = "The email address, password or code is not right.", 401
    if error:
        context = {"next": next_page, "error": error, "email": email}
        page = _pre_page(request, "login.html", context, status)
        if retry_after:
            page.headers["Retry-After"] = str(retry_after)
        return page
    old = request.cookies.get(SESSION_COOKIE)
    cookie, _ = await request.app[SESSIONS].create(staff.id, now=now, replacing=old)
    response = web.HTTPSeeOther(safe_next(next_page))
    set_session_cookie(request, response, cookie)
    if known_device(request, staff.email) is None:
        set_device_cookie(request, response, staff.email)
    raise response


def _wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"Wait {seconds} second{'s' if seconds != 1 else ''}, then try again."
    minutes = math.ceil(seconds / 60)
    return f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again."


async def logout(request: web.Request) -> web.StreamResponse:
    await request.app[SESSIONS].end(request.cookies.get(SESSION_COOKIE, ""))
    response = web.HTTPSeeOther("/staff/login")
    response.del_cookie(SESSION_COOKIE, path="/staff")
    raise response


# -- first run ---------------------------------------------------------------------------


async def _setup_refused(request: web.Request, token: str) -> web.Response | None:
    """Why this setup link cannot be used now, as a page; None when it can."""
    storage = request.app[STORAGE]
    if not token_ok(storage.settings.secret_key, token):
        raise web.HTTPNotFound(text="There is no such page. Check the link, or sign in.")
    if await request.app[DIRECTORY].count():
        # The right link, used before: say so and how to sign in, not a bare 404.
        return _pre_page(request, "setup_used.html", {}, 410)
    return None


async def setup_form(request: web.Request) -> web.StreamResponse:
    token = request.query.get("token", "")
    if (refused := await _setup_refused(request, token)) is not None:
        return refused
    roles = procedure_roles(request.app[STORAGE].procedure)
    context = {"token": token, "roles": roles, "error": "", "values": {}, "chosen": [ADMIN]}
    return _pre_page(request, "setup.html", context)


async def setup(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    token = str(form.get("token", ""))
    if (refused := await _setup_refused(request, token)) is not None:
        return refused
    roles = [str(r) for r in form.getall("role", [])]
    now = request.app[CLOCK]()
    try:
        if form.get("password") != form.get("password_again"):
            raise InvalidInput("The two passwords are not the same.")
        if ADMIN not in roles:
            raise InvalidInput("The first account needs the admin role.")
        staff = await request.app[DIRECTORY].add(
            str(form.get("email", "")),
            str(form.get("name", "")),
            str(form.get("password", "")),
            roles,
            now=now,
            only_if_none=True,
        )
    except InvalidInput as error:
        context = {
            "token": token,
            "roles": procedure_roles(request.app[STORAGE].procedure),
            "error": str(error),
            "values": {"email": form.get("email", ""), "name": form.get("name", "")},
            "chosen": roles,
        }
        return _pre_page(request, "setup.html", context, 400)
    cookie, _ = await request.app[SESSIONS].create(staff.id, now=now)
    response = web.HTTPSeeOther("/staff/")
    set_session_cookie(request, response, cookie)
    raise response


# -- own account -------------------------------------------------------------------------


async def account(request: web.Request) -> web.StreamResponse:
    return render(request, "account.html", {"error": "", "done": request.query.get("done", "")})


async def change_password(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    form = await request.post()
    now = request.app[CLOCK]()
    try:
        if form.get("new") != form.get("new_again"):
            raise InvalidInput("The two new passwords are not the same.")
        await request.app[DIRECTORY].change_password(
            me.id, str(form.get("current", "")), str(form.get("new", "")), now=now, by=me.id
        )
    except InvalidInput as error:
        return render(request, "account.html", {"error": str(error), "done": ""}, status=400)
    except Throttled:
        return render(request, "account.html", {"error": TOO_MANY, "done": ""}, status=429)
    # Every session of the account ended with the change; this browser gets a fresh one.
    cookie, _ = await request.app[SESSIONS].create(me.id, now=now)
    response = web.HTTPSeeOther("/staff/account?done=password")
    set_session_cookie(request, response, cookie)
    raise response


async def totp_start(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    secret = new_totp_secret()
    uri = totp_uri(secret, me.email, request.app[STORAGE].procedure.organisation)
    return render(request, "totp.html", {"secret": secret, "uri": uri, "error": ""})


async def totp_confirm(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    form = await request.post()
    secret = str(form.get("secret", ""))
    now = request.app[CLOCK]()
    try:
        code = str(form.get("code", ""))
        await request.app[DIRECTORY].set_totp(me.id, secret, code, now=now, by=me.id)
    except InvalidInput as error:
        uri = totp_uri(secret, me.email, request.app[STORAGE].procedure.organisation)
        context = {"secret": secret, "uri": uri, "error": str(error)}
        return render(request, "totp.html", context, status=400)
    raise web.HTTPSeeOther("/staff/account?done=totp")


async def totp_off(request: web.Request) -> web.StreamResponse:
    """Needs the password and a current code: a borrowed session alone cannot do it."""
    me = signed_in(request).staff
    form = await request.post()
    try:
        await request.app[DIRECTORY].totp_off(
            me.id,
            str(form.get("password", "")),
            str(form.get("code", "")),
            now=request.app[CLOCK](),
            by=me.id,
        )
    except InvalidInput as error:
        context = {"error": "", "totp_error": str(error), "done": ""}
        return render(request, "account.html", context, status=400)
    except Throttled:
        context = {"error": "", "totp_error": TOO_MANY, "done": ""}
        return render(request, "account.html", context, status=429)
    raise web.HTTPSeeOther("/staff/account?done=totp_off")
