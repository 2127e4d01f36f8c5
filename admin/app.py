"""The staff web view (aiohttp sub-application mounted at /staff/)."""

from __future__ import annotations

from aiohttp import web

from storage.runtime import Storage

STORAGE = web.AppKey("storage", Storage)


async def home(request: web.Request) -> web.Response:
    return web.Response(text="Staff view: sign in is coming.", content_type="text/plain")


def create_admin_app(storage: Storage) -> web.Application:
    app = web.Application()
    app[STORAGE] = storage
    app.router.add_get("/", home)
    return app
