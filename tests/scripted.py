"""A scripted complainant: the answers to every question of a whole complaint.

One script for everything that drives the runner directly (tests and benchmarks): a
formal complaint for oneself, by chat, in English.
"""

from __future__ import annotations

import uuid

from conversations.model import Answer, Reply
from services.dialogue import ChatRunner

ANSWERS: dict[str, list[Answer]] = {
    "language": [Answer(choice="language:en")],
    "privacy": [Answer(choice="privacy:yes")],
    "kind": [Answer(choice="kind:complaint")],
    "route": [Answer(choice="route:formal")],
    "behalf": [Answer(choice="behalf:self")],
    "org_relationship": [Answer(choice="org_relationship:learner")],
    "about_staff": [Answer(choice="about_staff:no")],
    "description": [
        Answer(text="The session was cancelled at the door without any notice. " * 4),
        Answer(choice="description:done"),
    ],
    "when": [Answer(text="last Tuesday")],
    "outcome": [Answer(text="An apology and a new date for the session.")],
    "adjustments": [Answer(choice="adjustments:large_print"), Answer(choice="adjustments:done")],
    "contact_method": [Answer(choice="contact_method:chat")],
    "name": [Answer(text="Sam Jones")],
    "summary": [Answer(choice="summary:send")],
}
MAX_TURNS = 60


def answer_for(reply: Reply, used: dict[str, int]) -> Answer:
    """The next answer to the question `reply` asks; `used` counts answers per question."""
    if reply.step == "category":  # categories differ between procedures: take the first
        return Answer(choice=reply.choices[0].id)
    answers = ANSWERS[reply.step]
    n = used.get(reply.step, 0)
    used[reply.step] = n + 1
    return answers[min(n, len(answers) - 1)]


async def complain(runner: ChatRunner, person: str | None = None) -> int:
    """Make a whole complaint through `runner`, one answer at a time; returns the turns."""
    person = person or uuid.uuid4().hex
    reply = await runner.current(person)
    used: dict[str, int] = {}
    for turn in range(MAX_TURNS):
        if reply.step == "menu":
            return turn
        replies = await runner.handle(person, answer_for(reply, used), update_id=uuid.uuid4().hex)
        assert replies, "a fresh update id was taken for a repeat"
        assert "something went wrong" not in replies[-1].text, replies[-1].text
        reply = replies[-1]
    raise AssertionError(f"stuck at {reply.step}: {reply.text[:80]}")
