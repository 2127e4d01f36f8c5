"""The scripted complainant: the answers to every question of a whole complaint.

One script for every test and benchmark that makes a complaint, whatever it talks to: the
runner directly (`complain`, `answer_for`), the web chat (tests/webchat/visitor.py), a server
killed under it (tests/faults), Telegram (bench/telegram.py). A formal complaint for oneself,
by chat, in English; `complaint_plan(tag)` makes the free texts unique to one visitor.

An action is ("tap", value) or ("send", text). A tapped value is a button of the open
question ("yes"), a whole callback id ("cmd:help"), or "*" for the first button offered.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from conversations.model import Answer, Reply
from services.dialogue import ChatRunner

Action = tuple[str, str]
MAX_TURNS = 60


def tap(value: str) -> Action:
    return ("tap", value)


def send(text: str) -> Action:
    return ("send", text)


def complaint_plan(tag: str = "") -> dict[str, list[Action]]:
    """The answers for every question, in turn; `tag` goes into each free text."""
    mark = f" ({tag})" if tag else ""
    return {
        "language": [tap("en")],
        "privacy": [tap("yes")],
        "kind": [tap("complaint")],
        "route": [tap("formal")],
        "behalf": [tap("self")],
        "org_relationship": [tap("*")],
        "category": [tap("*")],  # categories differ between procedures: take the first
        "about_staff": [tap("no")],
        "description": [send(f"The room was locked when we arrived, twice.{mark}"), tap("done")],
        "when": [send("last Tuesday")],
        "late_reason": [tap("skip")],  # asked only when later than the procedure expects
        "outcome": [send(f"An apology and a new date.{mark}")],
        "adjustments": [tap("large_print"), tap("done")],
        "contact_method": [tap("chat")],
        # Asked only where the organisation's complaints form needs them (Creative Alliance).
        "form_phone": [tap("skip")],
        "form_address": [tap("skip")],
        "name": [send(f"Sam Jones{mark}")],
        "summary": [tap("send")],
    }


COMPLAINT_PLAN = complaint_plan()


def choice_id(step: str, value: str, offered: Sequence[str]) -> str:
    """The callback id a tapped value stands for at question `step`."""
    if value == "*":
        return offered[0]
    return value if ":" in value else f"{step}:{value}"


def next_action(
    step: str, used: dict[str, int], plan: dict[str, list[Action]] = COMPLAINT_PLAN
) -> Action:
    """The plan's next action at `step`; the last one repeats. `used` counts per question."""
    actions = plan[step]
    n = used.get(step, 0)
    used[step] = n + 1
    return actions[min(n, len(actions) - 1)]


def answer_for(
    reply: Reply, used: dict[str, int], plan: dict[str, list[Action]] = COMPLAINT_PLAN
) -> Answer:
    """The next answer to the question `reply` asks, as the runner takes it."""
    kind, value = next_action(reply.step, used, plan)
    if kind == "send":
        return Answer(text=value)
    return Answer(choice=choice_id(reply.step, value, [c.id for c in reply.choices]))


async def complain(
    runner: ChatRunner, person: str | None = None, plan: dict[str, list[Action]] = COMPLAINT_PLAN
) -> int:
    """Make a whole complaint through `runner`, one answer at a time; returns the turns."""
    person = person or uuid.uuid4().hex
    reply = await runner.current(person)
    used: dict[str, int] = {}
    for turn in range(MAX_TURNS):
        if reply.step == "menu":
            return turn
        replies = await runner.handle(
            person, answer_for(reply, used, plan), update_id=uuid.uuid4().hex
        )
        assert replies, "a fresh update id was taken for a repeat"
        assert "something went wrong" not in replies[-1].text, replies[-1].text
        reply = replies[-1]
    raise AssertionError(f"stuck at {reply.step}: {reply.text[:80]}")
