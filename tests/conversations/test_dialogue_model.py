"""The draft survives storage as JSON, including drafts from older or newer versions."""

from __future__ import annotations

import json

from dialogue_helpers import Chat

from conversations.intake import start, step
from conversations.model import Answer, Draft


def test_round_trip_mid_conversation(chat: Chat) -> None:
    chat.open("cy")
    chat.tap("cy")
    chat.tap("yes")
    chat.tap("complaint")
    data = json.loads(json.dumps(chat.draft.to_dict()))
    assert Draft.from_dict(data) == chat.draft


def test_new_draft_takes_the_hint() -> None:
    assert Draft.new("pl-PL").lang == "pl"
    assert Draft.new(None).lang == "en"
    assert Draft.new("xx").lang == "en"


def test_unknown_keys_and_steps_are_tolerated(chat: Chat) -> None:
    data = {"lang": "ar", "step": "a-step-from-the-future", "answers": {"kind": "complaint"}}
    data["some_new_field"] = 1
    draft = Draft.from_dict(data)
    draft, reply = start(draft, chat.ctx, None)
    assert reply.text and draft.answers == {"kind": "complaint"}
    draft, reply = step(draft, Answer(text="hello"), chat.ctx)
    assert reply.text


def test_step_does_not_mutate_its_input(chat: Chat) -> None:
    chat.open()
    before = chat.draft.to_dict()
    step(chat.draft, Answer(choice="language:pl"), chat.ctx)
    assert chat.draft.to_dict() == before
