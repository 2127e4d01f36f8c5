"""The one aiohttp application `complaints serve` runs: web chat, staff view, health."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text

from admin.app import create_admin_app
from bot import hardening, readiness, webchat
from bot.keys import STORAGE
from bot.telegram import webhook
from bot.telegram.app import TelegramApp, webhook_secret
from bot.unsaved import unsaved_middleware
from locales import translator
from storage.db import reading
from storage.runtime import Storage


async def health(request: web.Request) -> web.Response:
    """Liveness, database reachability and whether writes work, for monitors and the
    footprint benchmark. 503 with the reason while writes fail (a full disk)."""
    storage = request.app[STORAGE]
    # A read: on SQLite it must not queue behind (or hold up) writers.
    async with reading(storage.sessions) as session:
        await session.execute(text("SELECT 1"))
    if problem := storage.health.problem():
        return web.json_response({"ok": False, "reason": problem}, status=503)
    return web.json_response({"ok": True})


async def index(request: web.Request) -> web.Response:
    """The landing page, in the language the browser asks for."""
    t = translator(request.headers.get("Accept-Language", "en").split(",")[0].strip())
    organisation = request.app[STORAGE].procedure.localised(t.lang).organisation
    lang, direction = ("en" if t.lang == "en_Easy" else t.lang), ("rtl" if t.rtl else "ltr")
    title, intro, start, staff = (
        html.escape(text)
        for text in (
            # TRANSLATORS: the title of the landing page, before the chat starts.
            t.gettext("{organisation}: complaints and feedback", organisation=organisation),
            t.gettext(
                "Tell us what went wrong, or what went well. "
                "We will guide you one question at a time."
            ),
            t.gettext("Start the chat"),
            t.gettext("Staff sign in"),
        )
    )
    body = f"""<!doctype html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/chat.css"></head>
<body><main class="landing">
<h1>{html.escape(organisation)}</h1>
<p>{intro}</p>
<p><a class="button" href="/chat">{start}</a></p>
<p class="small"><a href="/staff/">{staff}</a></p>
</main></body></html>"""
    return web.Response(text=body, content_type="text/html")


# For every public response; pages may set stricter ones (the staff view sets its own).
DEFAULT_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}


@web.middleware
async def default_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:  # redirects and errors get them too
        for name, value in DEFAULT_HEADERS.items():
            error.headers.setdefault(name, value)
        raise
    for name, value in DEFAULT_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(storage: Storage, *, telegram: TelegramApp | None = None) -> web.Application:
    """The application with every route; resources are opened by the caller (serve)."""
    app = web.Application(
        client_max_size=(storage.settings.max_upload_mb + 1) * 1024 * 1024,
        middlewares=[default_headers, unsaved_middleware],
    )
    app[STORAGE] = storage
    hardening.install(app)
    app.router.add_get("/", index)
    app.router.add_get("/health", health)
    app.router.add_get("/ready", readiness.ready)
    webchat.setup(app)
    app.add_subapp("/staff/", create_admin_app(storage))
    if telegram is not None and storage.settings.telegram_webhook_url:
        webhook.setup(app, telegram, webhook_secret(storage.settings))
    return app
