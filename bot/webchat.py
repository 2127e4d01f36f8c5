"""The web chat at /chat: the same dialogue for people without Telegram.

Plain HTML forms first (works without JavaScript, on any phone); chat.js, when it runs,
posts the same forms with fetch and keeps a running transcript. A cookie names the
visitor's conversation, so a returning visitor on the same browser continues their draft.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

import aiohttp_jinja2
import jinja2
import markupsafe
from aiohttp import web
from multidict import MultiDictProxy

from bot.keys import STORAGE
from conversations.model import Answer, FileRef, Reply
from locales import LANGUAGES, Translator, bidi_html, translator
from services.dialogue import ChatRunner
from storage.attachments import AttachmentRefused
from storage.outbox import take_for_chat

log = logging.getLogger(__name__)

CHANNEL = "webchat"
COOKIE = "chat_session"
COOKIE_AGE = 30 * 24 * 3600  # a draft is kept for 30 days
HERE = Path(__file__).parent
RUNNER = web.AppKey("webchat_runner", ChatRunner)
TEMPLATES = web.AppKey("webchat_templates", jinja2.Environment)


@dataclass(frozen=True)
class Shown:
    """One bubble on the page: from the assistant (or staff), or what the person sent."""

    text: str
    mine: bool = False


def page_words(t: Translator) -> dict[str, str]:
    """The page's own words, for chat.js to change in place when the person switches language."""
    return {
        "title": t.gettext("Make a complaint or give feedback"),
        "answer": t.gettext("Your answer"),
        "send": t.gettext("Send"),
        "file": t.gettext("Add a photo, document or voice recording (optional)"),
    }


def setup(app: web.Application) -> None:
    storage = app[STORAGE]
    app[RUNNER] = ChatRunner(storage, CHANNEL)
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        app_key=TEMPLATES,
    )
    # Values inserted into a message keep their own direction: isolates become <bdi>.
    env.filters["bidi"] = lambda text: markupsafe.Markup(bidi_html(str(text)))  # noqa: S704
    app.router.add_get("/chat", show)
    app.router.add_post("/chat", answer)
    app.router.add_get("/chat/poll", poll)
    app.router.add_static("/static/", HERE / "static")


def _visitor(request: web.Request) -> tuple[str, bool]:
    """The visitor's conversation id from the cookie, or a new one."""
    value = request.cookies.get(COOKIE, "")
    if len(value) == 43 and value.replace("-", "").replace("_", "").isalnum():
        return value, False
    return secrets.token_urlsafe(32), True


def _csrf(request: web.Request, visitor: str) -> str:
    key = request.app[STORAGE].settings.secret_key.encode()
    return hmac.new(key, f"chat:{visitor}".encode(), hashlib.sha256).hexdigest()


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        # Old browsers send no Origin on same-site form posts; the CSRF token still guards.
        return origin is None
    return origin == f"{request.scheme}://{request.host}"


async def _page(
    request: web.Request, visitor: str, new: bool, shown: list[Shown], reply: Reply, lang: str
) -> web.Response:
    t = translator(lang)
    context = {
        "lang": t.lang if t.lang != "en_Easy" else "en",
        "dir": "rtl" if t.rtl else "ltr",
        "shown": shown,
        "reply": reply,
        "choices": reply.choices,
        "csrf": _csrf(request, visitor),
        "nonce": secrets.token_urlsafe(16),
        "t": t,
        # Templates call gettext(...) by name so `pybabel extract` finds the strings.
        "gettext": t.gettext,
        "languages": LANGUAGES,
    }
    response = aiohttp_jinja2.render_template("chat.html", request, context, app_key=TEMPLATES)
    if new or request.cookies.get(COOKIE) != visitor:
        response.set_cookie(
            COOKIE,
            visitor,
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.secure,
            path="/",
        )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    return response


async def _lang(request: web.Request, visitor: str) -> str:
    data = await request.app[STORAGE].drafts.load(CHANNEL, visitor)
    if data and data.get("lang"):
        return str(data["lang"])
    return request.headers.get("Accept-Language", "en").split(",")[0].strip()


async def _waiting(request: web.Request, visitor: str) -> list[Shown]:
    storage = request.app[STORAGE]
    bodies = await take_for_chat(storage.sessions, CHANNEL, visitor, now=storage.clock())
    return [Shown(body) for body in bodies]


async def show(request: web.Request) -> web.Response:
    """The page: messages waiting for the visitor, then the question they are on."""
    visitor, new = _visitor(request)
    lang = await _lang(request, visitor)
    reply = await request.app[RUNNER].current(visitor, lang)
    shown = await _waiting(request, visitor)
    return await _page(request, visitor, new, [*shown, Shown(reply.text)], reply, lang)


async def poll(request: web.Request) -> web.Response:
    """New messages from staff, for chat.js to add without reloading."""
    visitor, new = _visitor(request)
    if new:
        return web.json_response({"messages": []})
    shown = await _waiting(request, visitor)
    return web.json_response({"messages": [s.text for s in shown]})


async def _files(
    request: web.Request, form: MultiDictProxy[str | bytes | web.FileField], lang: str
) -> tuple[list[FileRef], str]:
    """Store uploaded files; returns the files and a kind word about any refused one."""
    storage = request.app[STORAGE]
    refs: list[FileRef] = []
    problem = ""
    for field in form.getall("file", []):
        if not isinstance(field, web.FileField) or not field.filename:
            continue
        data = field.file.read(storage.attachments.max_bytes + 1)
        mime = field.content_type or "application/octet-stream"
        try:
            stored = await storage.attachments.save(
                data, name=field.filename, mime_type=mime, kind=_kind(mime), now=storage.clock()
            )
        except AttachmentRefused as refused:
            log.info("web chat file refused: %s (%s)", refused, mime)
            t = translator(lang)
            problem = (
                t.gettext(
                    "That file is too big. Please send files up to {size} MB.",
                    size=storage.settings.max_upload_mb,
                )
                if str(refused) == "too_large"
                else t.gettext(
                    "We cannot open that kind of file. Please send a photo, a PDF, "
                    "a Word document or a voice recording."
                )
            )
            continue
        refs.append(FileRef(stored.sha256, stored.name, stored.mime_type, stored.size, stored.kind))
    return refs, problem


def _kind(mime: str) -> str:
    if mime.startswith("image/"):
        return "photo"
    if mime.startswith("audio/"):
        return "voice"
    return "document"


async def answer(request: web.Request) -> web.Response:
    """One answer from the form (typed text, a button, files)."""
    visitor, new = _visitor(request)
    form = await request.post()
    token = str(form.get("csrf", ""))
    if new or not _same_origin(request) or not hmac.compare_digest(token, _csrf(request, visitor)):
        log.warning("web chat post refused: missing or wrong form token")
        raise web.HTTPSeeOther("/chat")
    lang = await _lang(request, visitor)
    files, problem = await _files(request, form, lang)
    text = str(form.get("text", ""))
    choice = str(form.get("choice", "")) or None
    runner = request.app[RUNNER]
    shown = [Shown(text, mine=True)] if text.strip() else []
    if choice:
        # Show the button's words, not its id, as what the person said.
        asked = await runner.current(visitor, lang)
        label = next((c.label for c in asked.choices if c.id == choice), "")
        shown = [Shown(label, mine=True)] if label else shown
    shown += [Shown(f"📎 {f.name}", mine=True) for f in files]
    if problem:
        shown.append(Shown(problem))
    replies: list[Reply] | None = None
    if text.strip() or choice or files:
        replies = await runner.handle(
            visitor,
            Answer(text=text, choice=choice, files=tuple(files)),
            update_id=str(form.get("nonce", "")) or None,
            lang_hint=lang,
        )
    if not replies:  # nothing sent, or a form posted twice (reload): show where they are
        replies = [await runner.current(visitor, lang)]
    lang = await _lang(request, visitor)
    shown += [Shown(r.text) for r in replies]
    shown += await _waiting(request, visitor)
    if request.headers.get("Accept") == "application/json":
        return web.json_response(
            {
                "messages": [{"text": s.text, "mine": s.mine} for s in shown],
                "choices": [{"id": c.id, "label": c.label} for c in replies[-1].choices],
                "choices_label": translator(lang).gettext("Choose an answer"),
                "labels": page_words(translator(lang)),
                "expect": replies[-1].expect.value,
                "step": replies[-1].step,
                "nonce": secrets.token_urlsafe(16),
                "lang": lang,
                "dir": "rtl" if translator(lang).rtl else "ltr",
            }
        )
    return await _page(request, visitor, new, shown, replies[-1], lang)
