"""When a write fails for lack of space: a kind answer in the person's language, not a 500.

Nothing of the failed request was saved (its transaction rolled back), and everything
saved before is intact, so the words say exactly that. The web chat's own form keeps the
typed text (bot/webchat.py); every other page gets the short page below, with status 503
and Retry-After, and the one log line for staff comes from storage/health.py.
"""

from __future__ import annotations

import html

from aiohttp import web

from bot.hardening import Handler
from bot.keys import STORAGE
from locales import Translator, translator

RETRY_AFTER = {"Retry-After": "120"}


def unsaved_words(t: Translator, *, files: bool = False) -> str:
    words = t.gettext(
        "We could not save that just now. What you typed before is safe. "
        "Please try again in a few minutes."
    )
    if files:  # a browser cannot put a chosen file back into the form
        words += " " + t.gettext("Please add your file again when you try.")
    return words


def wants_json(request: web.Request) -> bool:
    return request.headers.get("Accept") == "application/json" or request.path.endswith("/poll")


def unsaved_json(words: str) -> web.Response:
    """For chat.js: show `words` and leave the form as the person filled it."""
    body = {"unsaved": True, "message": words, "messages": []}
    return web.json_response(body, status=503, headers=RETRY_AFTER)


def unsaved_response(request: web.Request, t: Translator) -> web.Response:
    words = unsaved_words(t)
    if wants_json(request):
        return unsaved_json(words)
    lang, direction = ("en" if t.lang == "en_Easy" else t.lang), ("rtl" if t.rtl else "ltr")
    body = f"""<!doctype html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(words)}</title>
<link rel="stylesheet" href="/static/chat.css"></head>
<body><main class="landing"><p role="alert">{html.escape(words)}</p></main></body></html>"""
    return web.Response(text=body, status=503, content_type="text/html", headers=RETRY_AFTER)


@web.middleware
async def unsaved_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Any page whose write failed for lack of space (the staff view's too)."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        storage = request.config_dict.get(STORAGE)
        if storage is None or not storage.health.noticed(error):
            raise
    t = translator(request.headers.get("Accept-Language", "en").split(",")[0].strip())
    return unsaved_response(request, t)
