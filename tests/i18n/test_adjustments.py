"""Adjustments that act: Easy Read switches the language, extra time is granted and said,
a phone call is promised, and letters by post are marked for large print or Braille."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from conversations.context import Context
from conversations.intake import to_new_complaint
from procedures.case import ContactMethod, Received
from storage.models import Outbox, Person
from storage.runtime import Storage
from tests.conftest import FakeClock
from tests.conversations.dialogue_helpers import TODAY, Chat, make_procedure, to_adjustments
from tests.storage.test_lifecycle import COMPLAINT, at, outbox, service_for

EXTRA = "You asked for extra time, so you have {time} longer than usual to do this."


async def person_of(storage: Storage, complaint_id: int) -> Person:
    async with storage.sessions() as session:
        row = await session.scalar(select(Outbox).where(Outbox.complaint_id == complaint_id))
        assert row is not None
        person = await session.get(Person, row.person_id)
        assert person is not None
        return person


def test_choosing_easy_read_in_the_chat_switches_to_easy_read() -> None:
    chat = Chat(Context(make_procedure(), TODAY, "webchat"))
    to_adjustments(chat)
    chat.tap("easy_read")
    assert chat.draft.lang == "en"  # still choosing
    chat.tap("done")
    assert chat.draft.lang == "en_Easy"
    assert to_new_complaint(chat.draft, Received.WEBCHAT).language == "en_Easy"


async def test_easy_read_sets_the_person_language(storage: Storage, clock: FakeClock) -> None:
    cases = service_for(storage, "model", clock)
    done = await cases.submit(replace(COMPLAINT, language="en", adjustments=("easy_read",)))
    assert (await person_of(storage, done.complaint_id)).language == "en_Easy"
    assert {row.language for row in await outbox(storage, done.complaint_id)} == {"en_Easy"}
    polish = await cases.submit(replace(COMPLAINT, language="pl", adjustments=("easy_read",)))
    assert (await person_of(storage, polish.complaint_id)).language == "pl"


async def _answered(storage: Storage, clock: FakeClock, adjustments: tuple[str, ...]) -> str:
    cases = service_for(storage, "west-wilts-ccc", clock)  # extra_time_allowance = "14 days"
    clock.set(at(date(2026, 11, 2)))
    done = await cases.submit(replace(COMPLAINT, adjustments=adjustments))
    await cases.acknowledge(done.complaint_id, staff_id=None)
    clock.set(at(date(2026, 11, 9)))
    await cases.reply(done.complaint_id, "Our answer.", staff_id=None)
    return (await outbox(storage, done.complaint_id))[-1].body


async def test_extra_time_is_granted_and_said(storage: Storage, clock: FakeClock) -> None:
    plain = await _answered(storage, clock, ())
    extra = await _answered(storage, clock, ("extra_time",))
    assert EXTRA.format(time="14 days") in extra
    assert "extra time" not in plain
    assert plain != extra  # and the date to ask by is later (procedures.deadlines)


async def test_phone_call_is_promised_in_the_acknowledgement(
    storage: Storage, clock: FakeClock
) -> None:
    cases = service_for(storage, "model", clock)
    for adjustments, promised in ((("phone_call",), True), ((), False)):
        done = await cases.submit(replace(COMPLAINT, adjustments=adjustments))
        await cases.acknowledge(done.complaint_id, staff_id=None)
        acknowledgement = (await outbox(storage, done.complaint_id))[-1].body
        assert ("We will call you." in acknowledgement) is promised


async def test_postal_letters_are_marked_for_large_print_and_braille(
    storage: Storage, clock: FakeClock
) -> None:
    cases = service_for(storage, "model", clock)
    by_post = replace(
        COMPLAINT, contact_method=ContactMethod.POST, postal_address="1 High St, Trowbridge"
    )
    wanted = {
        ("large_print",): "[LARGE PRINT] ",
        ("braille", "large_print"): "[LARGE PRINT] [BRAILLE] ",
        (): "",
    }
    for adjustments, mark in wanted.items():
        done = await cases.submit(replace(by_post, adjustments=adjustments))
        [row] = await outbox(storage, done.complaint_id)
        assert row.channel == "post"
        assert row.subject.startswith(mark) and row.subject.count("[") == mark.count("[")
    emailed = await cases.submit(
        replace(
            COMPLAINT,
            adjustments=("large_print",),
            contact_method=ContactMethod.EMAIL,
            email="a@example.org",
        )
    )
    [row] = await outbox(storage, emailed.complaint_id)
    assert "[LARGE PRINT]" not in row.subject  # email: the person's own screen settings
