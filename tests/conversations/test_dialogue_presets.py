"""The dialogue against every real procedure preset: each must load and take a complaint."""

from __future__ import annotations

import pytest
from dialogue_helpers import TODAY, Chat

from conversations.context import Context
from conversations.followup import receipt
from conversations.intake import to_new_complaint
from procedures.loader import load_procedure

PRESETS = ["cambridge-art-therapy", "cast", "creative-alliance", "calat", "west-wilts-ccc"]


@pytest.mark.parametrize("name", PRESETS)
def test_complaint_with_each_preset(name: str) -> None:
    procedure = load_procedure(name)  # a preset that does not load fails here, never skips
    chat = Chat(Context(procedure, TODAY, "webchat"))
    chat.open("en")
    chat.tap("en")
    chat.tap("yes")
    chat.tap("complaint")
    for _ in range(30):
        if chat.reply.step == "summary":
            break
        step_id = chat.reply.step
        if step_id in ("description",):
            chat.send("It went wrong.")
            chat.tap("done")
        elif step_id == "when":
            chat.tap("yesterday")
        elif step_id == "adjustments":
            chat.tap("none")
        elif step_id == "contact_method":
            chat.tap("chat")
        elif step_id == "name" or step_id == "outcome":
            chat.tap("skip")
        elif step_id == "behalf":
            chat.tap("self")
        elif chat.reply.choices:
            chat.tap(chat.reply.choices[-1].id)  # "No", "Something else", ...
        else:
            chat.send("Alex")
    assert chat.reply.step == "summary"
    chat.tap("send")
    complaint = to_new_complaint(chat.draft)
    assert complaint.description == "It went wrong."
    reply = receipt(chat.draft, chat.ctx, "REF-1", procedure.stages[0].handler.label, None, None)
    assert "REF-1" in reply.text
