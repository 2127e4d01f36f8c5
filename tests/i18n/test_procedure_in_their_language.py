"""One complaint in Welsh and one in Arabic, walked through every stage of every preset: the
person never reads the procedure's English (stage names, handlers, categories, points, bodies).

The complaint is made through the real conversation runner on a real database; staff then
acknowledge and answer each stage (storage.cases), the person asks for the next stage in the
chat and asks for their status, and at the end the complaint goes to the external body.
Everything the person received (chat replies, buttons, outbox messages) is checked against the
preset's own English texts: none of them may appear where a translation exists.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from conversations.model import Answer, Reply
from procedures.loader import preset_names
from procedures.translations import in_sentence
from services.dialogue import ChatRunner
from storage.models import Outbox
from storage.runtime import Storage, open_storage
from storage.settings import Settings
from tests.conftest import FakeClock
from tests.scripted import COMPLAINT_PLAN, answer_for, tap

# What staff write and what the person types, in their language: staff's own words pass
# through as written, so they are not procedure text.
WORDS = {
    "cy": {"answer": "Diolch am aros. Dyma ein hateb.", "why": "Dydw i ddim yn fodlon o hyd."},
    "ar": {"answer": "شكرًا لانتظارك. هذا ردّنا.", "why": "ما زلت غير راضٍ عن الرد."},
}


class Person:
    """Someone using the web chat through the real runner, keeping all they were shown."""

    def __init__(self, runner: ChatRunner, lang: str) -> None:
        self.runner, self.lang, self.id = runner, lang, uuid.uuid4().hex
        self.received: list[str] = []

    def saw(self, replies: list[Reply]) -> Reply:
        for reply in replies:
            self.received.append(reply.text)
            self.received += [choice.label for choice in reply.choices]
        return replies[-1]

    async def say(self, answer: Answer) -> Reply:
        replies = await self.runner.handle(self.id, answer, update_id=uuid.uuid4().hex)
        assert replies, "the answer was not taken"
        reply = self.saw(replies)
        assert "internal_error" not in reply.data, reply.text
        return reply

    async def complain(self) -> None:
        """A whole complaint; about the handler who hands over, where the procedure has one."""
        plan = {
            **COMPLAINT_PLAN,
            "language": [tap(self.lang)],
            "share_name": [tap("yes")],
        }
        reply = self.saw([await self.runner.current(self.id, self.lang)])
        used: dict[str, int] = {}
        for _ in range(60):
            if reply.step == "menu":
                return
            ids = [choice.id for choice in reply.choices]
            if reply.step == "about_staff" and "about_staff:handler" in ids:
                answer = Answer(choice="about_staff:handler")
            else:
                answer = answer_for(reply, used, plan)
            reply = await self.say(answer)
        raise AssertionError(f"stuck at {reply.step}")


@pytest.fixture
async def opened(
    db_url: str, settings: Settings, clock: FakeClock, request: pytest.FixtureRequest
) -> AsyncIterator[Storage]:
    preset = request.node.callspec.params["preset"]
    storage = await open_storage(
        replace(settings, database_url=db_url, procedure=preset), run_migrations=False, clock=clock
    )
    yield storage
    await storage.close()


async def outbox_bodies(storage: Storage) -> list[str]:
    async with storage.sessions() as session:
        return list(await session.scalars(select(Outbox.body).order_by(Outbox.id)))


@pytest.mark.parametrize("lang", sorted(WORDS))
@pytest.mark.parametrize("preset", preset_names())
async def test_every_stage_reaches_them_in_their_language(
    opened: Storage, clock: FakeClock, preset: str, lang: str
) -> None:
    storage, procedure = opened, opened.procedure
    clock.set(datetime(2027, 3, 1, 10, tzinfo=UTC))
    person = Person(ChatRunner(storage, "webchat"), lang)
    await person.complain()
    view = await storage.cases.by_reference("C-2027-0001")
    for stage in procedure.stages:
        await person.say(Answer(choice="menu:status"))
        clock.advance(days=1)
        await storage.cases.acknowledge(view.id, staff_id=None)
        clock.advance(days=2)
        await storage.cases.reply(view.id, WORDS[lang]["answer"], staff_id=None)
        await person.say(Answer(choice="menu:status"))
        clock.advance(days=1)
        if stage.number == procedure.last_stage:
            await person.say(Answer(choice="menu:escalate"))  # "no further stage: the body"
            break
        await person.say(Answer(choice="menu:escalate"))
        await person.say(Answer(text=WORDS[lang]["why"]))
        await person.say(Answer(choice="escalate:send"))
        assert (await storage.cases.get(view.id)).current_stage == stage.number + 1
    if procedure.external_body is not None:
        await storage.cases.refer_external(view.id, staff_id=None)
    received = "\n".join([*person.received, *await outbox_bodies(storage)])

    translated = [
        (where, text)
        for where, text in procedure.texts()
        if procedure.say(text, lang) != text and not where.endswith("contact.note")
    ]
    assert translated, f"{preset} has no {lang} translations to check"
    leaked = [
        f"{where}: {text}"
        for where, text in translated
        if text in received or in_sentence(text) in received
    ]
    assert not leaked, f"English procedure text reached a {lang} speaker:\n" + "\n".join(leaked)
    # And the translations themselves arrived: every stage is named to them in their language.
    for stage in procedure.localised(lang).stages[1:]:
        assert stage.name in received, f"{preset} stage {stage.number} not named in {lang}"
