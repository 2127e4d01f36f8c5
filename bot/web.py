"""The one aiohttp application `complaints serve` runs: web chat, staff view, health."""

from __future__ import annotations

import html

from aiohttp import web

from admin.app import create_admin_app
from bot import webchat
from bot.keys import STORAGE
from storage.runtime import Storage


async def health(request: web.Request) -> web.Response:
    """Liveness and database reachability, for monitors and the footprint benchmark."""
    storage = request.app[STORAGE]
    async with storage.engine.connect() as connection:
        await connection.exec_driver_sql("SELECT 1")
    return web.json_response({"ok": True})


async def index(request: web.Request) -> web.Response:
    organisation = html.escape(request.app[STORAGE].procedure.organisation)
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{organisation}: complaints and feedback</title>
<link rel="stylesheet" href="/static/chat.css"></head>
<body><main class="landing">
<h1>{organisation}</h1>
<p>Tell us what went wrong, or what went well. We will guide you one question at a time.</p>
<p><a class="button" href="/chat">Start the chat</a></p>
<p class="small"><a href="/staff/">Staff sign in</a></p>
</main></body></html>"""
    return web.Response(text=body, content_type="text/html")


def create_app(storage: Storage) -> web.Application:
    """The application with every route; resources are opened by the caller (serve)."""
    app = web.Application(client_max_size=(storage.settings.max_upload_mb + 1) * 1024 * 1024)
    app[STORAGE] = storage
    app.router.add_get("/", index)
    app.router.add_get("/health", health)
    webchat.setup(app)
    app.add_subapp("/staff/", create_admin_app(storage))
    return app
