"""Fuzz of the dialogue through storage: ChatRunner on a real SQLite database.

Arbitrary text, stored files and stale button presses (ids of buttons shown earlier):
every turn is answered, a repeated update changes nothing, and no answer kept in the
stored draft is ever dropped (tests/conversations/test_dialogue_fuzz.py fuzzes the pure
dialogue; this goes through DraftStore, the submit transaction and the outbox).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from conversations.followup import AFTER_BY_ID
from conversations.model import Answer, Effect, FileRef
from conversations.steps import BY_ID
from services.dialogue import ChatRunner
from storage.models import Complaint
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.conftest import FakeClock
from tests.faults.template import template
from tests.scripted import COMPLAINT_PLAN, answer_for

pytestmark = pytest.mark.faults

GROWING = ("files", "notes")
TEXTS = [
    "help",
    "back",
    "cancel",
    "talk to a person",
    "yes",
    "no",
    "1",
    "last Tuesday",
    "12/10/2026",
    "sam@example.com",
    "Polski",
    "😀",
    "مرحبا بكم",
    "x" * 5000,
    "\x00\x1b[31m\u202e",
    "a\r\nb",
]
RANDOM_CHOICES = ["cmd:back", "cmd:cancel", "cancel:yes", "summary:send", "menu:new", ":", ""]

SORRY = (
    "Sorry, something went wrong and that was not sent. Your answers are kept. "
    "Please try again in a moment."
)


def kept(before: dict[str, Any] | None, after: dict[str, Any] | None, effect: Effect) -> None:
    """Every answer stored before the turn is still stored after it (or grew)."""
    if before is None or effect is Effect.DELETE_DRAFT or before.get("step") in AFTER_BY_ID:
        return  # deleting on request; after sending, the answers are in the complaint
    assert after is not None, f"the draft vanished at {before.get('step')}"
    step = BY_ID.get(str(before.get("step")))
    owned = {"language", *(step.keys if step else ())}
    for key, value in dict(before.get("answers", {})).items():
        assert key in after["answers"], f"{key} dropped at {before.get('step')}"
        if key in GROWING:
            assert after["answers"][key][: len(value)] == value
        elif key not in owned:
            assert after["answers"][key] == value, f"{key} changed at {before.get('step')}"


async def conversation(data: st.DataObject, database: Path) -> bool:
    """One drawn conversation; whether it sent a complaint."""
    folder = Path(tempfile.mkdtemp())
    shutil.copyfile(database, folder / "complaints.db")
    settings_ = Settings(data_dir=folder, secret_key="fuzz")
    storage: Storage = await open_storage(
        replace(settings_, database_url=f"sqlite+aiosqlite:///{folder / 'complaints.db'}"),
        run_migrations=False,
        clock=FakeClock(),
    )
    try:
        runner = ChatRunner(storage, "webchat")
        person = uuid.uuid4().hex
        stored = await storage.attachments.save(
            b"%PDF-1.4 fuzz",
            name="letter.pdf",
            mime_type="application/pdf",
            kind="document",
            now=storage.clock(),
        )
        files = (FileRef(stored.sha256, stored.name, stored.mime_type, stored.size, stored.kind),)
        reply = await runner.current(person)
        seen: list[str] = [c.id for c in reply.choices]
        used: dict[str, int] = {}
        for _ in range(data.draw(st.integers(1, 60), label="turns")):
            roll = data.draw(st.integers(0, 11), label="roll")
            if roll < 4 and reply.step in COMPLAINT_PLAN:
                # The scripted complainant's answer: walks some conversations on to the
                # submit transaction and past it, where the random ones rarely go.
                answer = answer_for(reply, used)
            elif reply.choices and roll < 6:
                answer = Answer(choice=data.draw(st.sampled_from(reply.choices)).id)
            elif roll == 6 and seen:
                answer = Answer(choice=data.draw(st.sampled_from(seen), label="stale"))
            elif roll == 7:
                answer = Answer(choice=data.draw(st.sampled_from(RANDOM_CHOICES)))
            elif roll == 8:
                answer = Answer(text=data.draw(st.sampled_from(["", "my letter"])), files=files)
            else:
                text = st.one_of(st.sampled_from(TEXTS), st.text(max_size=200))
                answer = Answer(text=data.draw(text, label="text"))
            before = await storage.drafts.load("webchat", person)
            update = uuid.uuid4().hex
            replies = await runner.handle(person, answer, update_id=update)
            assert replies, (answer, before and before.get("step"))
            assert all(r.text.strip() for r in replies)
            # "Sorry, something went wrong" is for a database in trouble; this one is fine, so
            # any answer at any question must be taken (or kindly refused by the dialogue).
            assert all(r.text != SORRY for r in replies), (answer, before and before.get("step"))
            after = await storage.drafts.load("webchat", person)
            kept(before, after, replies[0].effect)
            # The same update again (a redelivery, a form posted twice): nothing changes.
            assert await runner.handle(person, answer, update_id=update) is None
            assert json.dumps(await storage.drafts.load("webchat", person)) == json.dumps(after)
            reply = replies[-1]
            seen += [c.id for c in reply.choices if c.id not in seen]
        # A restart resumes where the person is.
        assert (await ChatRunner(storage, "webchat").current(person)).text.strip()
        async with storage.sessions() as session:
            return bool(await session.scalar(select(func.count()).select_from(Complaint)))
    finally:
        await storage.close()
        shutil.rmtree(folder, ignore_errors=True)


FUZZ = settings(
    max_examples=30,
    # No shrinking: on a busy CI machine it ran past five minutes; the draws are readable.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_any_answers_through_storage() -> None:
    sent: list[bool] = []

    @FUZZ
    @given(st.data())
    def any_answers(data: st.DataObject) -> None:
        sent.append(asyncio.run(conversation(data, template())))

    any_answers()
    # The examples went through the submit transaction too, not only the questions.
    assert any(sent), f"none of {len(sent)} conversations sent a complaint"


def test_a_complaint_of_files_only_can_be_sent() -> None:
    asyncio.run(files_only(template()))


async def files_only(database: Path) -> None:
    """Found by the fuzz above: the dialogue accepts a description of files only."""
    folder = Path(tempfile.mkdtemp())
    shutil.copyfile(database, folder / "complaints.db")
    url = f"sqlite+aiosqlite:///{folder / 'complaints.db'}"
    storage = await open_storage(
        Settings(data_dir=folder, secret_key="fuzz", database_url=url),
        run_migrations=False,
        clock=FakeClock(),
    )
    try:
        runner = ChatRunner(storage, "webchat")
        stored = await storage.attachments.save(
            b"%PDF-1.4 fuzz",
            name="letter.pdf",
            mime_type="application/pdf",
            kind="document",
            now=storage.clock(),
        )
        files = (FileRef(stored.sha256, stored.name, stored.mime_type, stored.size, stored.kind),)
        reply = await runner.current("p")
        sent_files = False
        used: dict[str, int] = {}
        for _ in range(40):
            if reply.step == "menu":
                return
            offered = [c.id for c in reply.choices]
            if reply.step == "about_staff" and not sent_files:
                answer, sent_files = Answer(files=files), True  # a file before it is asked for
            elif reply.step == "description":
                answer = Answer(choice="description:done") if offered else Answer(files=files)
            elif reply.step in COMPLAINT_PLAN:
                answer = answer_for(reply, used)
            elif reply.choices:
                answer = Answer(choice=offered[0])
            else:
                answer = Answer(text="Sam")
            replies = await runner.handle("p", answer, update_id=uuid.uuid4().hex)
            assert replies and replies[0].text != SORRY, f"refused at {reply.step}"
            reply = replies[-1]
        raise AssertionError(f"stuck at {reply.step}")
    finally:
        await storage.close()
        shutil.rmtree(folder, ignore_errors=True)
