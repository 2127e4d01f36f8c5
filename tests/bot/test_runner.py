"""The conversation runner on real databases: repeats, races and failures lose nothing."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import select

from conversations.model import Answer, Draft
from procedures.loader import load_procedure
from services.dialogue import ChatRunner
from storage.models import Message
from storage.runtime import Storage
from tests.scripted import COMPLAINT_PLAN, answer_for, complain, tap


async def at_description(runner: ChatRunner, person: str) -> None:
    """The scripted complainant's answers up to the description question."""
    reply = await runner.current(person)
    used: dict[str, int] = {}
    while reply.step != "description":
        replies = await runner.handle(person, answer_for(reply, used))
        assert replies is not None
        reply = replies[-1]


async def test_after_a_comment_the_menu_offers_only_what_it_can_take(storage: Storage) -> None:
    """Found by the storage fuzz: after feedback (a record with no stages), "Add information"
    and "I am not satisfied" failed with "Sorry, something went wrong"."""
    runner = ChatRunner(storage, "webchat")
    await complain(runner, "p", {**COMPLAINT_PLAN, "kind": [tap("feedback")]})
    person = (await storage.drafts.read("webchat", "p", None)).person_id
    assert person is not None
    [comment] = await storage.cases.cases_of(person)
    assert comment.kind == "feedback"
    added = await runner.handle("p", Answer(choice="menu:add"))
    assert added is not None and added[-1].step == "add_info"
    kept = await runner.handle("p", Answer(text="One more thing about the lovely staff."))
    assert kept is not None
    done = await runner.handle("p", Answer(choice="add_info:done"))
    assert done is not None and "something went wrong" not in done[-1].text, done[-1].text
    asked = await runner.handle("p", Answer(choice="menu:escalate"))
    assert asked is not None and asked[-1].step == "menu", asked[-1].step
    assert "something went wrong" not in asked[-1].text


async def test_two_answers_from_one_chat_at_once_are_both_kept(storage: Storage) -> None:
    runner = ChatRunner(storage, "webchat")
    await at_description(runner, "p1")
    parts = [f"Part {n} of what happened." for n in range(6)]
    await asyncio.gather(
        *(runner.handle("p1", Answer(text=part), update_id=f"u{n}") for n, part in enumerate(parts))
    )
    draft = Draft.from_dict(await storage.drafts.load("webchat", "p1") or {})
    kept = str(draft.answers.get("description"))
    assert all(part in kept for part in parts), kept


async def test_a_repeated_update_changes_nothing(storage: Storage) -> None:
    runner = ChatRunner(storage, "webchat")
    await at_description(runner, "p2")
    assert await runner.handle("p2", Answer(text="Only once."), update_id="same") is not None
    before = await storage.drafts.load("webchat", "p2")
    assert await runner.handle("p2", Answer(text="Only once."), update_id="same") is None
    assert await storage.drafts.load("webchat", "p2") == before


async def test_status_at_any_question_answers_and_keeps_the_question(storage: Storage) -> None:
    runner = ChatRunner(storage, "telegram")
    await at_description(runner, "p3")
    replies = await runner.handle("p3", Answer(text="/status"))
    assert replies is not None
    status, question = replies
    assert "You have not made a complaint with us yet." in status.text
    assert question.step == "description"


async def test_a_refused_escalation_is_answered_kindly_and_keeps_the_words(
    storage: Storage,
) -> None:
    three = load_procedure("west-wilts-ccc")  # three stages: the request stays possible
    storage = replace(storage, procedure=three, cases=replace(storage.cases, procedure=three))
    runner = ChatRunner(storage, "webchat")
    await complain(runner, "p4")
    assert runner.submitted is not None
    case = await storage.cases.by_reference(runner.submitted.reference)
    await storage.cases.reply(case.id, "Our answer.", staff_id=None)

    await runner.handle("p4", Answer(choice="menu:escalate"))
    await runner.handle("p4", Answer(text="Nobody fixed the heating."))
    await storage.cases.escalate(case.id, staff_id=None)  # staff moved it on meanwhile
    replies = await runner.handle("p4", Answer(choice="escalate:send"))

    assert replies is not None
    assert any("could not do that" in r.text for r in replies)
    after = await storage.cases.get(case.id)
    assert len(after.stages) == 2  # stage 2 is not answered yet: no third stage
    async with storage.sessions() as session:
        bodies = await session.scalars(select(Message.body).where(Message.complaint_id == case.id))
        assert "Nobody fixed the heating." in list(bodies)
