"""The web chat as a person reads it: each message right for its moment (issue 20).

Every test reads the page the server sends back, bubble by bubble, as the person gets it.
"""

from __future__ import annotations

import itertools
import re

from sqlalchemy import select

from storage.models import CallbackRequest
from tests.scripted import COMPLAINT_PLAN, send, tap
from tests.webchat.test_webchat import Open, open_chat, stored

__all__ = ["open_chat"]

PROGRESS = re.compile(r"Question (\d+) of (\d+)")


async def test_an_empty_answer_is_told_how_to_answer_not_welcomed_back(open_chat: Open) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="kind")
    page = await visitor.send("   ")
    assert page.step == "kind"
    assert "Welcome back" not in page.last
    assert page.last.startswith("Please type your answer, or tap one of the options.")
    assert "What would you like to do?" in page.last


async def test_an_empty_answer_to_a_typed_question_asks_to_type(open_chat: Open) -> None:
    visitor = await open_chat()
    await visitor.follow({**COMPLAINT_PLAN, "behalf": [tap("other")]}, until="behalf_name")
    page = await visitor.send("")
    assert "Welcome back" not in page.last
    assert page.last.startswith("Please type your answer.")


async def test_a_refused_file_says_why_and_asks_again_without_welcome_back(
    open_chat: Open,
) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="description")
    page = await visitor.post({}, files=[("run.exe", b"MZ" * 100, "application/x-msdownload")])
    assert page.step == "description"
    assert any("cannot open that kind of file" in said for said in page.said)
    assert not any("Welcome back" in said for said in page.said)
    assert "Please tell us what happened" in page.last


async def test_reloading_in_the_middle_shows_the_conversation_so_far(open_chat: Open) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="outcome")
    page = await visitor.open()  # the person reloads the page
    assert page.step == "outcome"
    mine = [text for cls, text in page.bubbles if "mine" in cls]
    assert mine[:2] == ["Make a complaint", "For myself"]
    assert "The room was locked when we arrived, twice." in mine
    assert "last Tuesday" in mine
    said = page.said
    assert any("What would you like to do?" in s for s in said)
    assert any("Please tell us what happened" in s for s in said)
    assert any("When did it happen?" in s for s in said)
    # The open question comes last, after what was said.
    assert "What would you like to happen to put it right?" in page.last
    assert [cls for cls, _ in page.bubbles][-1].endswith("theirs")


def _progress(text: str) -> tuple[int, int] | None:
    found = PROGRESS.search(text)
    return (int(found.group(1)), int(found.group(2))) if found else None


async def test_the_progress_hint_never_jumps(open_chat: Open) -> None:
    """Every branch that adds questions: someone else, about staff, a helper, email."""
    visitor = await open_chat()
    plan = {
        **COMPLAINT_PLAN,
        "behalf": [tap("other")],
        "behalf_name": [send("Alex Jones")],
        "behalf_relationship": [send("parent")],
        "behalf_consent": [tap("yes")],
        "about_staff": [tap("yes")],
        "staff_name": [send("the tutor")],
        "adjustments": [tap("helper"), tap("phone_call"), tap("done")],
        "supporter_name": [send("Pat")],
        "supporter_contact": [send("pat@example.org")],
        "supporter_consent": [tap("yes")],
        "contact_method": [tap("email")],
        "contact_detail": [send("sam@example.org")],
        "call_phone": [send("07700 900123")],
        "share_name": [tap("yes")],
    }
    seen: list[tuple[str, tuple[int, int] | None]] = []
    queues = {step: list(actions) for step, actions in plan.items()}
    while visitor.page.step != "summary":
        if visitor.page.step not in [step for step, _ in seen]:  # as each question is asked
            seen.append((visitor.page.step, _progress(visitor.page.last)))
        kind, value = queues[visitor.page.step].pop(0)
        await (visitor.tap(value) if kind == "tap" else visitor.send(value))
    numbered = [(step, p) for step, p in seen if p is not None]
    assert {total for _, (_, total) in numbered} == {numbered[0][1][1]}, numbered
    numbers = [n for _, (n, _) in numbered]
    assert all(0 <= b - a <= 1 for a, b in itertools.pairwise(numbers)), numbered
    assert numbers[-1] == numbered[0][1][1]  # the last question is "N of N"
    # Every question after "What would you like to do?" says where the person is.
    asked = [step for step, _ in seen]
    assert [step for step, _ in numbered] == asked[asked.index("kind") + 1 :]


def _thanks(texts: list[str]) -> int:
    return sum(text.count("Thank you") for text in texts)


async def test_one_acknowledgement_per_turn(open_chat: Open) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="description")
    page = await visitor.post(
        {"text": "The door was locked."}, files=[("door.png", png, "image/png")]
    )
    assert _thanks(page.said) == 1, page.said
    assert "Thank you, I've got that and the file." in page.last
    await visitor.tap("done")
    page = await visitor.post({"text": "last Tuesday"}, files=[("more.png", png, "image/png")])
    assert page.step == "outcome"
    assert _thanks(page.said) == 1, page.said


async def test_a_late_complaint_with_a_file_is_thanked_once(open_chat: Open) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    visitor = await open_chat("creative-alliance")
    await visitor.follow({**COMPLAINT_PLAN, "category": [tap("*")]}, until="when")
    page = await visitor.post({"text": "12/08/2026"}, files=[("letter.png", png, "image/png")])
    assert "Creative Alliance" in page.last
    assert _thanks(page.said) == 1, page.said
    assert "I've also kept the file with your complaint." in page.last


async def test_a_compliment_is_thanked_once_when_sent(open_chat: Open) -> None:
    visitor = await open_chat()
    plan = {
        **COMPLAINT_PLAN,
        "kind": [tap("compliment")],
        "description": [send("Lovely staff."), tap("done")],
        "adjustments": [tap("none")],
    }
    await visitor.follow(plan, until="summary")
    page = await visitor.tap("send")
    assert page.step == "menu"
    assert _thanks(page.said) == 1, page.said


async def test_a_late_complaint_asks_why_at_that_moment(open_chat: Open) -> None:
    """Creative Alliance expects complaints within a month: the warning invites the reason
    at the question that takes it, not at a step already passed."""
    visitor = await open_chat("creative-alliance")
    await visitor.follow(COMPLAINT_PLAN, until="when")
    page = await visitor.send("12/08/2026")
    assert page.step == "late_reason"
    assert "when you describe what happened" not in page.last
    assert "Did something make it hard to complain sooner?" in page.last
    page = await visitor.send("I was in hospital until October.")
    assert page.step == "outcome"
    await visitor.follow(COMPLAINT_PLAN, until="summary")
    assert "Why not sooner: I was in hospital until October." in visitor.page.last
    await visitor.tap("send")
    storage = visitor.storage  # type: ignore[attr-defined]
    [complaint] = await stored(storage)
    assert complaint.late is True
    assert "Why not sooner: I was in hospital until October." in complaint.description


async def test_talk_to_a_person_asks_how_before_promising(open_chat: Open) -> None:
    visitor = await open_chat()
    await visitor.follow(COMPLAINT_PLAN, until="behalf")
    page = await visitor.tap("cmd:person")
    assert "asked a member of staff" not in page.last
    assert "What phone number or email address should they use?" in page.last
    page = await visitor.send("not a number")
    assert "I couldn't use that." in page.last
    page = await visitor.send("sam@example.org")
    assert "I've asked a member of staff to contact you at sam@example.org." in page.last
    assert page.step == "behalf"  # and the question they were on stays open
    storage = visitor.storage  # type: ignore[attr-defined]
    async with storage.sessions() as session:
        [request] = await session.scalars(select(CallbackRequest))
    assert request.note == "sam@example.org"


async def test_talk_to_a_person_after_giving_a_number_uses_it(open_chat: Open) -> None:
    visitor = await open_chat()
    plan = {**COMPLAINT_PLAN, "contact_method": [tap("phone")]}
    await visitor.follow({**plan, "contact_detail": [send("07700 900123")]}, until="name")
    page = await visitor.tap("cmd:person")
    assert "I've asked a member of staff to contact you at +447700900123." in page.last
    assert page.step == "name"
