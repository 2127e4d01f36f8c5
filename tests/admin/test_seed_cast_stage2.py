"""CAST stage 2: "contact the relevant Line Manager ... If that person is the subject of the
complaint you should submit your concerns in writing to the Board of Directors", and the
request's five bullet points."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from conversations.model import Answer, Reply
from services.dialogue import ChatRunner
from storage.runtime import Storage
from tests.admin.helpers import add_staff, login, token, version_of
from tests.scripted import complain

ANSWERS = {
    1: "The reply did not say why the session was cancelled.",
    3: "Nobody apologised.",
    4: "A new session and an apology.",
}


@pytest.fixture
def procedure() -> str:
    return "cast"


async def say(runner: ChatRunner, person: str, answer: Answer) -> Reply:
    replies = await runner.handle(person, answer)
    assert replies
    return replies[-1]


async def answered_case(storage: Storage, runner: ChatRunner, person: str) -> int:
    await complain(runner, person)
    assert runner.submitted is not None
    await storage.cases.reply(runner.submitted.complaint_id, "Our answer.", staff_id=None)
    return runner.submitted.complaint_id


async def ask_for_stage_2(runner: ChatRunner, person: str, about_manager: str) -> Reply:
    """The stage-2 request in the chat: who it is about, then the five points one at a time
    (the second is skipped, the fifth too), then Send."""
    reply = await say(runner, person, Answer(choice="menu:escalate"))
    assert reply.step == "escalate_about"
    assert "Is your complaint about the relevant Line Manager" in reply.text
    assert "the Board of Directors" in reply.text
    reply = await say(runner, person, Answer(choice=f"escalate_about:{about_manager}"))
    for n in range(1, 6):
        assert reply.step == "escalate_point", reply.text
        assert f"Point {n} of 5" in reply.text
        if n in ANSWERS:
            reply = await say(runner, person, Answer(text=ANSWERS[n]))
        else:
            reply = await say(runner, person, Answer(choice="escalate_point:skip"))
    assert reply.step == "escalate"
    assert "anything else" in reply.text
    return await say(runner, person, Answer(choice="escalate:send"))


async def test_cast_stage2_about_line_manager_goes_to_board(
    storage: Storage, client: TestClient, other_client: TestClient
) -> None:
    await add_staff(storage, "manager@example.org", ["line_manager"])
    await add_staff(storage, "board@example.org", ["board"])
    runner = ChatRunner(storage, "webchat")
    case_id = await answered_case(storage, runner, "visitor-cast")

    confirmation = await ask_for_stage_2(runner, "visitor-cast", "yes")
    assert "It will be looked at by the Board of Directors." in confirmation.text
    view = await storage.cases.get(case_id)
    assert view.stages[-1].number == 2 and view.stages[-1].handler_role == "board"

    # Hidden from the line manager it is about; the Board has it.
    assert await login(client, "manager@example.org") == 303
    assert (await client.get(f"/staff/cases/{case_id}")).status == 404
    assert await login(other_client, "board@example.org") == 303
    page = await (await other_client.get(f"/staff/cases/{case_id}")).text()
    assert "The Board of Directors" in page


async def test_cast_stage2_not_about_line_manager_goes_to_line_manager(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "manager@example.org", ["line_manager"])
    runner = ChatRunner(storage, "webchat")
    case_id = await answered_case(storage, runner, "visitor-cast")
    await ask_for_stage_2(runner, "visitor-cast", "no")
    view = await storage.cases.get(case_id)
    assert view.stages[-1].handler_role == "line_manager"
    assert await login(client, "manager@example.org") == 303
    assert (await client.get(f"/staff/cases/{case_id}")).status == 200


async def test_cast_staff_say_stage2_is_about_the_line_manager_and_it_goes_to_board(
    storage: Storage, client: TestClient, other_client: TestClient
) -> None:
    await add_staff(storage, "manager@example.org", ["line_manager"])
    await add_staff(storage, "board@example.org", ["board"])
    runner = ChatRunner(storage, "webchat")
    case_id = await answered_case(storage, runner, "visitor-cast")
    await ask_for_stage_2(runner, "visitor-cast", "skip")
    url = f"/staff/cases/{case_id}"
    assert await login(client, "manager@example.org") == 303
    page = await (await client.get(url)).text()
    assert 'id="about-handler"' in page
    form = {"csrf": await token(client, url), "version": str(version_of(page))}
    refused = await client.post(f"{url}/about-handler", data={**form, "reason": " "})
    assert refused.status == 400
    done = await client.post(
        f"{url}/about-handler",
        data={**form, "reason": "The request names the manager."},
        allow_redirects=False,
    )
    assert done.status == 303
    assert (await client.get(url)).status == 404  # now hidden from every line manager
    view = await storage.cases.get(case_id)
    assert view.stages[-1].handler_role == "board"
    assert await login(other_client, "board@example.org") == 303
    page = await (await other_client.get(url)).text()
    assert "The Board of Directors" in page and 'id="about-handler"' not in page


async def test_cast_stage2_request_asks_the_five_points_one_at_a_time(
    storage: Storage, client: TestClient
) -> None:
    await add_staff(storage, "manager@example.org", ["line_manager"])
    runner = ChatRunner(storage, "webchat")
    case_id = await answered_case(storage, runner, "visitor-cast")
    await ask_for_stage_2(runner, "visitor-cast", "no")

    assert await login(client, "manager@example.org") == 303
    page = await (await client.get(f"/staff/cases/{case_id}")).text()
    points = storage.procedure.stage(2).entry.points
    assert len(points) == 5
    section = page[page.index('id="request-points"') :]
    for point in points:
        assert f"<h4>{point}</h4>" in section
    for answer in ANSWERS.values():
        assert answer in section
    assert section.count("(skipped)") == 2
