"""Asking for "a phone call instead of writing" while replies go another way: the dialogue
asks for the number to call (checked), so the staff's call task has someone to call."""

from __future__ import annotations

from dialogue_helpers import TODAY, Chat, make_procedure, to_adjustments

from conversations.context import Context
from conversations.intake import to_new_complaint
from conversations.model import Expect


def to_contact_method(chat: Chat, *needs: str) -> None:
    to_adjustments(chat, *needs)
    assert chat.reply.step == "contact_method"


def test_the_number_to_call_is_asked_and_checked() -> None:
    chat = Chat(Context(make_procedure(), TODAY, "webchat"))
    to_contact_method(chat, "phone_call")
    chat.tap("chat")
    assert chat.reply.step == "call_phone" and chat.reply.expect is Expect.PHONE
    chat.send("12345")
    assert chat.reply.step == "call_phone" and "07700 900123" in chat.reply.text
    chat.send("07700 900123")
    assert chat.reply.step == "name"
    chat.send("Sam Jones")
    assert "+447700900123" in chat.reply.text  # read back in the summary
    complaint = to_new_complaint(chat.draft)
    assert complaint.phone == "+447700900123" and complaint.adjustments == ("phone_call",)


def test_not_asked_twice_when_replies_go_by_phone() -> None:
    chat = Chat(Context(make_procedure(), TODAY, "webchat"))
    to_contact_method(chat, "phone_call")
    chat.tap("phone")
    chat.send("07700 900123")
    assert chat.reply.step == "name"


def test_not_asked_without_the_adjustment() -> None:
    chat = Chat(Context(make_procedure(), TODAY, "webchat"))
    to_contact_method(chat, "large_print")
    chat.tap("chat")
    assert chat.reply.step == "name"
    assert to_new_complaint(chat.draft).phone == ""
