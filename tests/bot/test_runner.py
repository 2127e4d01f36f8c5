"""The conversation runner on real databases: repeats, races and failures lose nothing."""

from __future__ import annotations

import asyncio

from conversations.model import Answer, Draft
from services.dialogue import ChatRunner
from storage.runtime import Storage
from tests.scripted import complain

TO_DESCRIPTION = [
    "language:en",
    "privacy:yes",
    "kind:complaint",
    "behalf:self",
    "category:*",
    "about_staff:no",
]


async def at_description(runner: ChatRunner, person: str) -> None:
    reply = await runner.current(person)
    for choice in TO_DESCRIPTION:
        if choice == "category:*":
            if reply.step != "category":
                continue
            choice = reply.choices[0].id
        replies = await runner.handle(person, Answer(choice=choice))
        assert replies is not None
        reply = replies[-1]
    assert reply.step == "description"


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


async def test_a_refused_escalation_is_answered_kindly_and_changes_nothing(
    storage: Storage,
) -> None:
    runner = ChatRunner(storage, "webchat")
    await complain(runner, "p4")
    assert runner.submitted is not None
    case = await storage.cases.by_reference(runner.submitted.reference)
    await storage.cases.close(case.id, staff_id=None)  # staff closed it meanwhile
    version = (await storage.cases.get(case.id)).version

    await runner.handle("p4", Answer(choice="menu:escalate"))
    await runner.handle("p4", Answer(text="Nobody fixed the heating."))
    replies = await runner.handle("p4", Answer(choice="escalate:send"))

    assert replies is not None
    assert any("could not do that" in r.text for r in replies)
    after = await storage.cases.get(case.id)
    assert (after.status, after.version, len(after.stages)) == ("closed", version, 1)
