"""Assisted intake: staff type in a complaint made by phone, letter, in person or email.

The same questions as the chat, driven by the same runner (services/dialogue.py) on the "staff"
channel, so nothing about the questions is written twice. Each recording has its own random
token in the URL: the draft is keyed by the staff member's id and that token, so it
survives signing out and in again, and two people recorded by one member of staff are never
mixed up.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from admin.keys import QUERIES, STORAGE
from admin.pages import render
from admin.security import signed_in
from conversations.model import Answer, Expect, Reply
from procedures.case import Received
from services.dialogue import ChatRunner, SubmitAs
from storage.runtime import Storage

CHANNEL = "staff"


class AssistedIntake(ChatRunner):
    """The chat runner, submitting as staff do: no chat identity for the person (they have
    none; each recording is a new person), the staff member's id in the audit log, and the
    receipt queued for the channel the person chose instead of shown in this page."""

    def __init__(self, storage: Storage, staff_id: int) -> None:
        super().__init__(storage, CHANNEL)
        self.staff_id = staff_id

    def submit_as(self, external_id: str) -> SubmitAs:
        # The staff member's "how it reached us" answer wins over this default.
        return SubmitAs(
            channel=None,
            external_id=None,
            inline=False,
            staff_id=self.staff_id,
            received=Received.PHONE,
        )


def _external_id(staff_id: int, token: str) -> str:
    return f"{staff_id}:{token}"


async def start_page(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    drafts = await request.app[QUERIES].staff_drafts(me.id)
    return render(request, "intake_start.html", {"drafts": drafts})


async def new(request: web.Request) -> web.StreamResponse:
    signed_in(request)
    raise web.HTTPSeeOther(f"/staff/intake/{secrets.token_urlsafe(12)}")


def _page(
    request: web.Request,
    token: str,
    shown: list[Reply],
    runner: AssistedIntake,
    *,
    status: int = 200,
) -> web.Response:
    question = shown[-1]
    context: dict[str, Any] = {
        "token": token,
        "shown": shown[:-1],
        "question": question,
        "choices": question.choices,
        "expect": question.expect.value,
        "wants_text": question.expect not in (Expect.CHOICE, Expect.NONE),
        "nonce": secrets.token_urlsafe(16),
        "submitted": runner.submitted,
    }
    return render(request, "intake.html", context, status=status)


async def show(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    token = request.match_info["token"]
    runner = AssistedIntake(request.app[STORAGE], me.id)
    reply = await runner.current(_external_id(me.id, token), "en")
    return _page(request, token, [reply], runner)


async def answer(request: web.Request) -> web.StreamResponse:
    me = signed_in(request).staff
    token = request.match_info["token"]
    form = await request.post()
    runner = AssistedIntake(request.app[STORAGE], me.id)
    external_id = _external_id(me.id, token)
    text = str(form.get("text", ""))[:10_000]
    choice = str(form.get("choice", "")) or None
    replies: list[Reply] | None = None
    if text.strip() or choice:
        replies = await runner.handle(
            external_id,
            Answer(text=text, choice=choice),
            update_id=f"{external_id}:{form.get('nonce', '')}",
            lang_hint="en",
        )
    if not replies:  # nothing typed, or the same form posted twice
        replies = [await runner.current(external_id, "en")]
    return _page(request, token, replies, runner)
