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
from bot.unsaved import RETRY_AFTER, unsaved_json, unsaved_words
from bot.webchat_form import read_form
from conversations.model import Answer, FileRef, Reply
from locales import LANGUAGES, Translator, bidi_html, translator
from services import limits
from services.dialogue import OUTBOX_ID, ChatRunner
from services.limits import Sender
from storage.attachments import AttachmentRefused
from storage.delivery import DeliveryStore
from storage.outbox import take_for_chat

log = logging.getLogger(__name__)

CHANNEL = "webchat"
COOKIE = "chat_session"
# A week from the last visit (renewed on every page); the draft itself is kept longer, and a
# person who lost the cookie starts again or continues with their reference.
COOKIE_AGE = 7 * 24 * 3600
ISSUED: web.RequestKey[str] = web.RequestKey("chat_cookie", str)
HERE = Path(__file__).parent
Form = MultiDictProxy[str | bytes | web.FileField]
RUNNER = web.AppKey("webchat_runner", ChatRunner)
TEMPLATES = web.AppKey("webchat_templates", jinja2.Environment)


@dataclass(frozen=True)
class Shown:
    """One bubble on the page: from the assistant (or staff), or what the person sent."""

    text: str
    mine: bool = False
    outbox_id: int | None = None  # a message the page confirms it showed (see _seen)


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


def session_cookie(secret_key: str, raw: str) -> tuple[str, str]:
    """(cookie value, conversation id) for a session the server issued.

    The cookie carries a random value and the server's signature of it, so a value the
    server never issued (planted by someone else: session fixation) is not accepted. The
    database keeps only the value's SHA-256, so its rows cannot be replayed as cookies."""
    mac = hmac.new(secret_key.encode(), f"chat-session:{raw}".encode(), hashlib.sha256)
    return f"{raw}.{mac.hexdigest()[:32]}", hashlib.sha256(raw.encode()).hexdigest()


def _visitor(request: web.Request) -> tuple[str, bool]:
    """The visitor's conversation id from a cookie we issued, or a new one."""
    key = request.app[STORAGE].settings.secret_key
    value = request.cookies.get(COOKIE, "")
    raw = value.partition(".")[0]
    if len(raw) == 43:
        cookie, conversation = session_cookie(key, raw)
        if hmac.compare_digest(cookie, value):
            request[ISSUED] = cookie
            return conversation, False
    cookie, conversation = session_cookie(key, secrets.token_urlsafe(32))
    request[ISSUED] = cookie
    return conversation, True


def _sender(request: web.Request, visitor: str) -> Sender:
    """For services/limits.py: the visitor, and the address (the proxy's, when trusted)."""
    return Sender(CHANNEL, visitor, (request.remote or "unknown")[:64])


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
    request: web.Request,
    visitor: str,
    new: bool,
    shown: list[Shown],
    reply: Reply,
    lang: str,
    *,
    typed: str = "",
    status: int = 200,
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
        "seen": _seen_value(shown),
        "typed": typed,  # kept in the box when it could not be saved
    }
    response = aiohttp_jinja2.render_template(
        "chat.html", request, context, app_key=TEMPLATES, status=status
    )
    if ISSUED in request:  # renewed on every page: a week from the last visit
        response.set_cookie(
            COOKIE,
            request[ISSUED],
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


async def _waiting(
    request: web.Request, visitor: str, besides: frozenset[int] = frozenset()
) -> list[Shown]:
    """Messages for the visitor not yet confirmed as seen (new, or shown on a page that never
    arrived); `besides`: ones this response shows already."""
    storage = request.app[STORAGE]
    waiting = await take_for_chat(
        storage.sessions, CHANNEL, visitor, now=storage.clock(), besides=besides
    )
    return [Shown(w.body, outbox_id=w.id) for w in waiting]


# -- confirming what the page showed -------------------------------------------------------
# A message counts as delivered only when the page that showed it says so: the form posts
# the ids it displayed in `seen`, and chat.js sends them with its next poll. Until then the
# next page load or poll shows the message again (storage/outbox.py take_for_chat).


def _seen_value(shown: list[Shown]) -> str:
    return ",".join(str(s.outbox_id) for s in shown if s.outbox_id is not None)


def _seen_ids(value: object) -> list[int]:
    parts = str(value or "").split(",")
    return [int(p) for p in parts[:100] if p.strip().isdigit()]


async def _confirm_seen(request: web.Request, visitor: str, value: object) -> None:
    """The visitor's page showed these messages: they are delivered."""
    ids = _seen_ids(value)
    if ids:
        storage = request.app[STORAGE]
        await DeliveryStore(storage.sessions).confirmed(
            ids, channel=CHANNEL, address=visitor, now=storage.clock()
        )


def _shown_replies(replies: list[Reply]) -> list[Shown]:
    return [Shown(r.text, outbox_id=r.data.get(OUTBOX_ID)) for r in replies]


async def show(request: web.Request) -> web.Response:
    """The page: messages waiting for the visitor, then the question they are on."""
    visitor, new = _visitor(request)
    lang = await _lang(request, visitor)
    runner = request.app[RUNNER]
    reply = await runner.current(visitor, lang)
    # The conversation so far first, so a reload in the middle loses nothing from view.
    so_far = [Shown(s.text, mine=s.mine) for s in await runner.transcript(visitor)]
    shown = await _waiting(request, visitor)
    return await _page(request, visitor, new, [*so_far, *shown, Shown(reply.text)], reply, lang)


async def poll(request: web.Request) -> web.Response:
    """New messages from staff, for chat.js to add without reloading."""
    visitor, new = _visitor(request)
    if new:
        return web.json_response({"messages": [], "seen": ""})
    await _confirm_seen(request, visitor, request.query.get("seen"))
    shown = await _waiting(request, visitor)
    return web.json_response({"messages": [s.text for s in shown], "seen": _seen_value(shown)})


async def _files(
    request: web.Request,
    form: Form,
    lang: str,
    visitor: str,
    asked: Reply,
    draft: dict[str, object] | None,
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
        refused = await request.app[RUNNER].limits.file_refusal(
            _sender(request, visitor), asked, draft, len(data), len(refs), lang
        )
        if refused:
            log.info("web chat file not taken: limits")
            problem = refused
            continue
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


def _echo(text: str) -> str:
    """What the person sent, as their bubble: a message too long to show is kept as a file
    (the runner says so), so its start stands for it."""
    return text if len(text) <= limits.MESSAGE_CHARS else text[:300] + " …"


def _kind(mime: str) -> str:
    if mime.startswith("image/"):
        return "photo"
    if mime.startswith("audio/"):
        return "voice"
    return "document"


async def answer(request: web.Request) -> web.Response:
    """One answer from the form (typed text, a button, files)."""
    visitor, new = _visitor(request)
    # Not request.post(): a file over the limit must not lose the words sent with it.
    form = await read_form(request, request.app[STORAGE].attachments.max_bytes)
    token = str(form.get("csrf", ""))
    if new or not _same_origin(request) or not hmac.compare_digest(token, _csrf(request, visitor)):
        log.warning("web chat post refused: missing or wrong form token")
        raise web.HTTPSeeOther("/chat")
    try:
        return await _answer(request, visitor, new, form)
    except Exception as error:
        if not request.app[STORAGE].health.noticed(error):
            raise
    return await _unsaved(request, visitor, new, form)


async def _unsaved(request: web.Request, visitor: str, new: bool, form: Form) -> web.Response:
    """The answer could not be saved (the disk is full): say so kindly, ask the same question
    again, and keep what was typed in the box. Only reads here: they still work."""
    lang = await _lang(request, visitor)
    if request.headers.get("Accept") == "application/json":  # chat.js keeps the form as is
        return unsaved_json(unsaved_words(translator(lang)))
    files = any(isinstance(f, web.FileField) and f.filename for f in form.getall("file", []))
    words = unsaved_words(translator(lang), files=files)
    asked = await request.app[RUNNER].current(visitor, lang, welcome=False)
    shown = [Shown(words), Shown(asked.text)]
    typed = str(form.get("text", ""))
    response = await _page(request, visitor, new, shown, asked, lang, typed=typed, status=503)
    response.headers.update(RETRY_AFTER)
    return response


async def _answer(request: web.Request, visitor: str, new: bool, form: Form) -> web.Response:
    await _confirm_seen(request, visitor, form.get("seen"))
    lang = await _lang(request, visitor)
    runner = request.app[RUNNER]
    asked, draft = await runner.asking(visitor, lang)
    files, problem = await _files(request, form, lang, visitor, asked, draft)
    # Text over the limits is the runner's to keep as a file (services/limits.py).
    text = str(form.get("text", ""))
    choice = str(form.get("choice", "")) or None
    shown = [Shown(_echo(text), mine=True)] if text.strip() else []
    if choice:
        # Show the button's words, not its id, as what the person said.
        label = next((c.label for c in asked.choices if c.id == choice), "")
        shown = [Shown(label, mine=True)] if label else shown
    shown += [Shown(f"📎 {f.name}", mine=True) for f in files]
    if problem:
        shown.append(Shown(problem))
    replies: list[Reply] | None = None
    if not problem or text.strip() or choice or files:
        # An empty answer too: the dialogue says how this question can be answered.
        replies = await runner.handle(
            visitor,
            Answer(text=text, choice=choice, files=tuple(files)),
            update_id=str(form.get("nonce", "")) or None,
            lang_hint=lang,
            sender=_sender(request, visitor),
        )
    if not replies:  # only a refused file, or a form posted twice: the question again
        replies = [await runner.current(visitor, lang, welcome=False)]
    lang = await _lang(request, visitor)
    shown += _shown_replies(replies)
    shown += await _waiting(request, visitor, frozenset(filter(None, (s.outbox_id for s in shown))))
    if request.headers.get("Accept") == "application/json":
        return web.json_response(
            {
                "messages": [{"text": s.text, "mine": s.mine} for s in shown],
                "choices": [
                    {"id": c.id, "label": c.label, "pressed": c.pressed}
                    for c in replies[-1].choices
                ],
                "choices_label": translator(lang).gettext("Choose an answer"),
                "selected_label": translator(lang).gettext("selected"),
                "labels": page_words(translator(lang)),
                "expect": replies[-1].expect.value,
                "step": replies[-1].step,
                "nonce": secrets.token_urlsafe(16),
                "lang": lang,
                "dir": "rtl" if translator(lang).rtl else "ltr",
                "seen": _seen_value(shown),
            }
        )
    return await _page(request, visitor, new, shown, replies[-1], lang)
