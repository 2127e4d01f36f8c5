"""The supporter ("someone to help me"): one question at a time for their name, how to reach
them (checked) and whether they may get copies; every one can be skipped, and none is asked
without the adjustment."""

from __future__ import annotations

import pytest
from dialogue_helpers import TODAY, Chat, make_procedure, to_adjustments

from conversations.context import Context
from conversations.intake import to_new_complaint
from procedures.case import Received, Supporter


@pytest.fixture
def chat() -> Chat:
    return Chat(Context(make_procedure(), TODAY, "webchat"))


def test_a_supporter_who_gets_copies(chat: Chat) -> None:
    to_adjustments(chat, "helper")
    assert chat.reply.step == "supporter_name"
    assert "name of the person who helps you" in chat.reply.text
    chat.send("Robin Carer")
    assert chat.reply.step == "supporter_contact"
    assert "How can we reach Robin Carer?" in chat.reply.text
    chat.send("robin@")  # checked like the person's own address
    assert chat.reply.step == "supporter_contact"
    assert "@" in chat.reply.text
    chat.send("Robin@Example.ORG")
    assert chat.reply.step == "supporter_consent"
    assert "send Robin Carer a copy of every message" in chat.reply.text
    chat.tap("yes")
    assert chat.reply.step == "contact_method"
    chat.tap("chat")
    chat.send("Sam Jones")
    assert chat.reply.step == "summary"
    for shown in ("Robin Carer", "Robin@example.org", "Yes, send them copies"):
        assert shown in chat.reply.text
    chat.tap("send")
    complaint = to_new_complaint(chat.draft, Received.WEBCHAT)
    assert complaint.supporter == Supporter(
        name="Robin Carer", email="Robin@example.org", consent=True
    )


def test_a_supporter_by_phone_without_copies(chat: Chat) -> None:
    to_adjustments(chat, "helper")
    chat.send("Robin Carer")
    chat.send("12345")
    assert chat.reply.step == "supporter_contact"
    assert "07700 900123" in chat.reply.text  # says what a number looks like
    chat.send("07700 900123")
    chat.tap("no")
    assert chat.reply.step == "contact_method"
    complaint = to_new_complaint(chat.draft)
    assert complaint.supporter == Supporter(name="Robin Carer", phone="+447700900123")


def test_each_question_can_be_skipped(chat: Chat) -> None:
    to_adjustments(chat, "helper")
    chat.tap("skip")
    assert chat.reply.step == "contact_method"  # no name: nothing more to ask
    assert to_new_complaint(chat.draft).supporter is None

    other = Chat(chat.ctx)
    to_adjustments(other, "helper")
    other.send("Robin Carer")
    other.tap("skip")
    assert other.reply.step == "contact_method"  # no way to reach them: no copies to ask about
    assert to_new_complaint(other.draft).supporter == Supporter(name="Robin Carer")


def test_not_asked_without_the_adjustment_and_dropped_when_unticked(chat: Chat) -> None:
    to_adjustments(chat, "large_print")
    assert chat.reply.step == "contact_method"

    other = Chat(chat.ctx)
    to_adjustments(other, "helper")
    other.send("Robin Carer")
    other.send("robin@example.org")
    other.tap("yes")
    other.tap("chat")
    other.tap("skip")
    assert other.reply.step == "summary"
    other.tap("change")
    other.tap("adjustments")
    other.tap("helper")  # untick "Someone to help me"
    other.tap("done")
    assert other.reply.step == "summary"
    assert "Robin" not in other.reply.text
    assert to_new_complaint(other.draft).supporter is None


def test_in_easy_read_and_welsh_the_questions_are_translated() -> None:
    for lang, needs in (("cy", ("helper",)), ("en", ("helper", "easy_read"))):
        chat = Chat(Context(make_procedure(), TODAY, "webchat"))
        chat.open(lang)
        chat.tap(lang)
        chat.tap("yes")
        chat.tap("complaint")
        chat.tap("self")
        chat.tap("no")
        chat.send("Roedd yr ystafell ar glo.")
        chat.tap("done")
        chat.tap("unknown")
        chat.send("Ymddiheuriad.")
        for need in needs:
            chat.tap(need)
        chat.tap("done")
        assert chat.reply.step == "supporter_name"
        assert "name of the person who helps you" not in chat.reply.text
