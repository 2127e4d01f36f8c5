"""The web chat as a person reads it: each message right for its moment (issue 20).

Every test reads the page the server sends back, bubble by bubble, as the person gets it.
"""

from __future__ import annotations

import re

from tests.webchat.test_webchat import Open, open_chat
from tests.webchat.visitor import COMPLAINT_PLAN, send, tap

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
