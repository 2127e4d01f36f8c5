"""Rendering staff pages: one helper that adds what every page needs (who, token, nav)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
import jinja2
import markupsafe
from aiohttp import web

from admin.keys import CLOCK, STORAGE, TEMPLATES
from admin.security import SIGNED_IN, csrf_token
from conversations.labels import adjustment_labels
from locales import LANGUAGES, RTL, bidi_html, translator
from services.words import CHANNEL_WORDS, long_date
from storage.staff import ADMIN, role_labels

STATUS_WORDS = {
    "open": "Waiting to be acknowledged",
    "informal": "Informal resolution",
    "acknowledged": "Being looked at",
    "awaiting_complainant": "Waiting for the complainant",
    "responded": "Answered",
    "referred": "Referred to the external body",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
    "recorded": "Recorded",
}
# What a call asked for instead of writing is for (storage/calls.py).
CALL_WORDS = {
    "acknowledge": "to acknowledge their complaint",
    "respond": "to give them our answer",
}
DELIVERY_WORDS = {
    "pending": "waiting to be sent",
    "sending": "being sent",
    "sent": "delivered",
    "failed": "failed",
    "uncertain": "may have arrived: check before sending again",
    "shown": "shown in the chat, not yet confirmed",
    "manual": "to do by hand",
}


def setup_templates(app: web.Application, folder: Any) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,  # never turned off, and no user text is ever marked safe
        app_key=TEMPLATES,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["day"] = long_date
    # Inserted values in the person's language: their isolates become <bdi> (escaped first).
    env.filters["bidi"] = lambda text: markupsafe.Markup(bidi_html(str(text)))  # noqa: S704 - escaped first
    env.globals.update(
        status_words=STATUS_WORDS,
        channel_words=CHANNEL_WORDS,
        delivery_words=DELIVERY_WORDS,
        call_words=CALL_WORDS,
        languages=LANGUAGES,
        rtl_languages=RTL,
        adjustment_words=adjustment_labels(translator("en")),
    )


def render(
    request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    session = request.get(SIGNED_IN)
    storage = request.app[STORAGE]
    today = request.app[CLOCK]().astimezone(storage.settings.zone).date()
    base = {
        "me": session.staff if session else None,
        "is_admin": bool(session and ADMIN in session.staff.roles),
        "csrf": csrf_token(request),
        "organisation": storage.procedure.organisation,
        "role_names": role_labels(storage.procedure),
        "takes_enquiries": storage.procedure.enquiries is not None,
        "committee": storage.procedure.committee,
        "today": today,
        "path": request.path,
    }
    response = aiohttp_jinja2.render_template(
        template, request, {**base, **context}, app_key=TEMPLATES, status=status
    )
    return response
