"""The staff view's guards, as middlewares: headers, sign-in, CSRF and Origin, size limits.

Order matters (outermost first): headers go on every answer, errors included; the session
is loaded before anything else looks at who is asking; CSRF and Origin are checked before
any handler can change state.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from aiohttp import web
from multidict import CIMultiDict

from admin.keys import CLOCK, SESSIONS, STORAGE
from storage.views import SignedIn

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "staff_session"
PRE_COOKIE = "staff_pre"  # ties the login and setup forms' token to this browser
COOKIE_PATH = "/staff"
SIGNED_IN: web.RequestKey[SignedIn] = web.RequestKey("signed_in", SignedIn)
MAX_FORM_BYTES = 256 * 1024  # staff forms are text; attachments come from complainants
# Routes that answer without a session (by name). Everything else needs one.
PUBLIC = frozenset({"login", "login_post", "setup", "setup_post", "static"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _add_headers(headers: CIMultiDict[str]) -> None:
    for name, value in HEADERS.items():
        # A response with its own policy keeps it: downloads are stricter (sandbox).
        if name != "Content-Security-Policy" or name not in headers:
            headers[name] = value


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every answer of the staff view, including errors and redirects."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        _add_headers(error.headers)
        raise
    _add_headers(response.headers)
    return response


def signed_in(request: web.Request) -> SignedIn:
    """The session of the request; only called on routes the session middleware guards."""
    return request[SIGNED_IN]


def route_name(request: web.Request) -> str:
    route = request.match_info.route
    return route.name or ""


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the staff session; every route outside PUBLIC needs one."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    now = request.app[CLOCK]()
    session = await request.app[SESSIONS].lookup(cookie, now=now) if cookie else None
    if session is not None:
        request[SIGNED_IN] = session
    elif route_name(request) not in PUBLIC:
        target = request.rel_url.path_qs if request.method in SAFE_METHODS else "/staff/"
        location = "/staff/login?next=" + quote(target, safe="")
        response = web.HTTPSeeOther(location)
        if cookie:
            response.del_cookie(SESSION_COOKIE, path=COOKIE_PATH)
        raise response
    return await handler(request)


def pre_session(request: web.Request) -> tuple[str, bool]:
    """The browser's pre-login value (for the login and setup forms' token), or a new one."""
    value = request.cookies.get(PRE_COOKIE, "")
    if len(value) == 43:
        return value, False
    return secrets.token_urlsafe(32), True


def pre_token(request: web.Request, value: str) -> str:
    key = request.app[STORAGE].settings.secret_key.encode() or b"-"
    return hmac.new(key, f"staff-pre:{value}".encode(), hashlib.sha256).hexdigest()


def set_pre_cookie(request: web.Request, response: web.StreamResponse, value: str) -> None:
    response.set_cookie(
        PRE_COOKIE,
        value,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )


def csrf_token(request: web.Request) -> str:
    """The token every form of this request's page carries."""
    session = request.get(SIGNED_IN)
    if session is not None:
        return session.csrf_token
    value, _ = pre_session(request)
    return pre_token(request, value)


def same_origin(request: web.Request) -> bool:
    """A state change must come from our own pages.

    Browsers send Origin on every POST; with our Referrer-Policy of no-referrer they send
    "null", and then Sec-Fetch-Site tells us whether the form was our own. A client that
    sends neither (not a current browser) still needs the session's CSRF token.
    """
    origin = request.headers.get("Origin")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    own = {f"{request.scheme}://{request.host}"}
    public_url = request.app[STORAGE].settings.public_url
    if public_url:
        parts = urlsplit(public_url)
        own.add(f"{parts.scheme}://{parts.netloc}")
    if origin is not None and origin != "null":
        return origin in own
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return origin is None


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every state-changing request: same origin, small enough, and the right form token."""
    if request.method in SAFE_METHODS:
        return await handler(request)
    if not same_origin(request):
        log.warning("staff view: refused a %s from another origin", request.method)
        raise web.HTTPForbidden(text="This form did not come from this site.")
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise web.HTTPRequestEntityTooLarge(
            max_size=MAX_FORM_BYTES, actual_size=request.content_length
        )
    form = await request.post()
    given = str(form.get("csrf", ""))
    session = request.get(SIGNED_IN)
    if session is not None:
        expected = session.csrf_token
    else:
        value, new = pre_session(request)
        expected = "" if new else pre_token(request, value)
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("staff view: refused a %s with a missing or wrong form token", request.method)
        raise web.HTTPForbidden(
            text="This form has expired. Go back, reload the page and try again."
        )
    return await handler(request)


DEVICE_COOKIE = "staff_device"  # "this browser signed in to this account before" (ASVS 6.3)
DEVICE_DAYS = 90


def device_token(request: web.Request, email: str, nonce: str) -> str:
    key = request.app[STORAGE].settings.secret_key.encode() or b"-"
    mac = hmac.new(key, f"staff-device:{email}:{nonce}".encode(), hashlib.sha256).hexdigest()
    return f"{nonce}.{mac}"


def known_device(request: web.Request, email: str) -> str | None:
    """The browser's device nonce when its cookie was issued to this account, else None."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    nonce = value.split(".", 1)[0]
    if not nonce or not hmac.compare_digest(value, device_token(request, email, nonce)):
        return None
    return nonce


def set_device_cookie(request: web.Request, response: web.StreamResponse, email: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        device_token(request, email, secrets.token_urlsafe(16)),
        path=COOKIE_PATH + "/login",
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )


def set_session_cookie(request: web.Request, response: web.StreamResponse, cookie: str) -> None:
    """HttpOnly, SameSite=Strict, Secure over HTTPS; a session cookie (no Max-Age): the
    server decides when it ends."""
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )
