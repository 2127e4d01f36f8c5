"""Escalation as a complainant meets it, in each chat channel (issue 13's seven points).

The web chat, Telegram and the console all answer through the one conversation runner, so
each test runs the same conversation as each channel, on real databases.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from conversations.model import Answer, FileRef, Reply
from locales import LANGUAGES, translator
from procedures import letters
from procedures.loader import load_procedure
from services.dialogue import OUTBOX_ID, ChatRunner
from storage.models import Attachment, Outbox
from storage.queries import Queries
from storage.runtime import Storage
from tests.admin.helpers import add_staff
from tests.conftest import FakeClock
from tests.scripted import complain

CHANNELS = ["webchat", "telegram", "console"]


async def sent(runner: ChatRunner, person: str) -> int:
    await complain(runner, person)
    assert runner.submitted is not None
    return runner.submitted.complaint_id


async def say(runner: ChatRunner, person: str, answer: Answer) -> list[Reply]:
    replies = await runner.handle(person, answer)
    assert replies is not None
    return replies


def ids(reply: Reply) -> list[str]:
    return [c.id for c in reply.choices]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_right_after_sending_it_explains_when_they_can_ask(
    storage: Storage, channel: str
) -> None:
    """Point 1: no stage 2 before an answer; say when, offer to add information or a person."""
    runner = ChatRunner(storage, channel)
    case_id = await sent(runner, "p1")
    menu = (await runner.current("p1")).choices
    assert "menu:escalate" not in [c.id for c in menu]
    assert "cmd:person" in [c.id for c in menu]

    replies = await say(runner, "p1", Answer(text="I am not satisfied"))
    view = await storage.cases.get(case_id)
    assert len(view.stages) == 1  # nothing opened
    text = replies[-1].text
    assert view.reference in text and "We have not answered it yet" in text
    assert translator("en").date(view.stages[0].respond_by) in text
    assert {"menu:add", "cmd:person"} <= set(ids(replies[-1]))


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_late_answer_lets_them_ask_with_an_apology(
    storage: Storage, clock: FakeClock, channel: str
) -> None:
    runner = ChatRunner(storage, channel)
    await sent(runner, "p1")
    clock.advance(days=90)  # the answer date has passed with no answer
    assert "menu:escalate" in ids(await runner.current("p1"))
    replies = await say(runner, "p1", Answer(choice="menu:escalate"))
    assert replies[-1].step == "escalate"
    assert "has not been sent. We are sorry." in replies[-1].text


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    "typed",
    [
        "I am not satisfied",
        'reply "I am not satisfied"'[7:-1],
        "not satisfied",
        "I want to escalate",
    ],
)
async def test_what_the_letter_says_to_type_works(
    storage: Storage, channel: str, typed: str
) -> None:
    """Point 2: the answer's own words, and sensible variants, open the request."""
    runner = ChatRunner(storage, channel)
    case_id = await sent(runner, "p2")
    await storage.cases.reply(case_id, "Our answer.", staff_id=None)
    letter = letters.how_to_escalate(
        translator("en"), storage.procedure, storage.procedure.stage(2), None
    )
    assert '"I am not satisfied"' in letter
    replies = await say(runner, "p2", Answer(text=typed))
    assert replies[-1].step == "escalate"
    assert "Please choose one of the options." not in replies[-1].text


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("typed", ["talk to a person", "Can I speak to someone?"])
async def test_asking_for_a_person_in_words_works(
    storage: Storage, channel: str, typed: str
) -> None:
    runner = ChatRunner(storage, channel)
    await sent(runner, "p2")
    replies = await say(runner, "p2", Answer(text=typed))
    # Recognised: a promise of contact, or first the question how to reach them (where the
    # channel cannot carry staff's answer and no number or email was given).
    last = replies[-1]
    assert "asked a member of staff to contact you" in last.text or last.step == "callback"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_closed_case_is_named_and_offered_the_next_stage(
    storage: Storage, clock: FakeClock, channel: str
) -> None:
    """Point 4: closed after stage 1, the model procedure still has a stage 2; after the final
    stage, the external body."""
    runner = ChatRunner(storage, channel)
    case_id = await sent(runner, "p4")
    await storage.cases.reply(case_id, "Our answer.", staff_id=None)
    await storage.cases.close(case_id, staff_id=None, notify=False)
    view = await storage.cases.get(case_id)

    replies = await say(runner, "p4", Answer(text="I am not satisfied"))
    assert replies[-1].step == "escalate"
    assert view.reference in replies[-1].text
    await say(runner, "p4", Answer(text="Nothing changed."))
    await say(runner, "p4", Answer(choice="escalate:send"))
    after = await storage.cases.get(case_id)
    assert len(after.stages) == 2 and after.status == "open"

    await storage.cases.reply(case_id, "Final answer.", staff_id=None)
    replies = await say(runner, "p4", Answer(text="not satisfied"))
    body = storage.procedure.external_body
    assert body is not None
    # Named mid-sentence in its lower-case form ("the ombudsman"), issue 17 point 2.
    assert view.reference in replies[-1].text
    assert body.name.lower() in replies[-1].text.lower()
    assert len((await storage.cases.get(case_id)).stages) == 2


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_late_request_after_a_close_goes_ahead_flagged_for_staff(
    storage: Storage, clock: FakeClock, channel: str
) -> None:
    wilts = load_procedure("west-wilts-ccc")  # stage 2 must be asked for within 14 days
    storage = replace(storage, procedure=wilts, cases=replace(storage.cases, procedure=wilts))
    runner = ChatRunner(storage, channel)
    case_id = await sent(runner, "p4")
    await storage.cases.reply(case_id, "Our answer.", staff_id=None)
    await storage.cases.close(case_id, staff_id=None, notify=False)
    clock.advance(days=60)
    replies = await say(runner, "p4", Answer(text="I am not satisfied"))
    assert replies[-1].step == "escalate"
    assert "time limit for asking has passed" in replies[-1].text
    await say(runner, "p4", Answer(text="I was in hospital."))
    await say(runner, "p4", Answer(choice="escalate:send"))
    after = await storage.cases.get(case_id)
    assert len(after.stages) == 2 and after.stages[1].late_request


@pytest.mark.parametrize("channel", CHANNELS)
async def test_files_sent_with_the_request_stay_on_the_case(storage: Storage, channel: str) -> None:
    """Point 5."""
    runner = ChatRunner(storage, channel)
    case_id = await sent(runner, "p5")
    await storage.cases.reply(case_id, "Our answer.", staff_id=None)
    stored = await storage.attachments.save(
        b"%PDF-1.4 evidence",
        name="evidence.pdf",
        mime_type="application/pdf",
        kind="document",
        now=storage.clock(),
    )
    file = FileRef(stored.sha256, stored.name, stored.mime_type, stored.size, stored.kind)
    await say(runner, "p5", Answer(choice="menu:escalate"))
    await say(runner, "p5", Answer(text="Here is the letter.", files=(file,)))
    await say(runner, "p5", Answer(choice="escalate:send"))
    async with storage.sessions() as session:
        linked = await session.scalar(select(Attachment).where(Attachment.sha256 == stored.sha256))
    assert linked is not None and linked.complaint_id == case_id


@pytest.mark.parametrize("channel", CHANNELS)
async def test_one_confirmation_with_the_new_dates_and_the_next_choices(
    storage: Storage, channel: str
) -> None:
    """Point 6 (and issue 20 point 4): no three thank-yous, no missing buttons."""
    runner = ChatRunner(storage, channel)
    case_id = await sent(runner, "p6")
    await storage.cases.reply(case_id, "Our answer.", staff_id=None)
    await say(runner, "p6", Answer(choice="menu:escalate"))
    await say(runner, "p6", Answer(text="It is still broken."))
    replies = await say(runner, "p6", Answer(choice="escalate:send"))

    assert len(replies) == 1
    [reply] = replies
    stage = (await storage.cases.get(case_id)).stages[1]
    t = translator("en")
    assert "We have your request to take complaint" in reply.text
    assert t.date(stage.respond_by) in reply.text
    assert reply.text.count("Thank you") == 0
    assert "menu:status" in ids(reply)
    async with storage.sessions() as session:
        rows = await session.execute(
            select(Outbox.shown_at, Outbox.body).where(Outbox.complaint_id == case_id)
        )
        confirmations = [body for _shown, body in rows if "We have your request" in body]
    # One row: the one this reply shows (confirmed when the chat shows it), not a second
    # copy queued for the same chat.
    assert len(confirmations) == 1
    assert reply.data.get(OUTBOX_ID) is not None


async def test_the_timeline_orders_a_stage_by_when_it_opened(
    storage: Storage, clock: FakeClock
) -> None:
    """Point 7: "Stage 2 opened" comes after the complaint and the stage 1 answer."""
    runner = ChatRunner(storage, "webchat")
    case_id = await sent(runner, "p7")
    clock.advance(hours=3)
    await storage.cases.reply(case_id, "Our answer.", staff_id=None)
    clock.advance(hours=2)
    await say(runner, "p7", Answer(choice="menu:escalate"))
    await say(runner, "p7", Answer(text="Still wrong."))
    await say(runner, "p7", Answer(choice="escalate:send"))
    me = await add_staff(storage, "ada@example.org", ["admin"])
    detail = await Queries(storage.cases).case_detail(case_id, me.id, audit=False)
    titles = [e.title for e in detail.timeline]
    complaint = next(i for i, e in enumerate(detail.timeline) if e.kind == "inbound")
    answered = next(
        i for i, title in enumerate(titles) if "Stage 1" in title and "answered" in title
    )
    opened = next(i for i, title in enumerate(titles) if "Stage 2" in title and "opened" in title)
    assert complaint < answered < opened, titles


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
async def test_in_every_language_the_letter_words_open_the_request(
    storage: Storage, lang: str
) -> None:
    """Point 2 in every language: the words the answer quotes, and the translated variants."""
    runner = ChatRunner(storage, "webchat")
    case_id = await sent(runner, f"lang-{lang}")
    await storage.cases.reply(case_id, "Our answer.", staff_id=None)
    t = translator(lang)
    await say(runner, f"lang-{lang}", Answer(choice="cmd:language"))
    await say(runner, f"lang-{lang}", Answer(choice=f"language:{lang}"))
    quoted = t.gettext('To ask, reply "I am not satisfied" in this chat.')
    from conversations.followup import QUOTED

    phrase = QUOTED.findall(quoted)
    assert phrase, quoted
    replies = await say(runner, f"lang-{lang}", Answer(text=phrase[0]))
    assert replies[-1].step == "escalate", (lang, phrase, replies[-1].text)
    await say(runner, f"lang-{lang}", Answer(choice="escalate:later"))
    variant = t.gettext("i am not satisfied, not satisfied, i want to escalate, escalate")
    replies = await say(runner, f"lang-{lang}", Answer(text=variant.split(",")[1].strip()))
    assert replies[-1].step == "escalate", (lang, variant)
