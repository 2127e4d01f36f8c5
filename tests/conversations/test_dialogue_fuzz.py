"""Any answers in any order: step() never raises, always replies, never drops an answer."""

from __future__ import annotations

import json
import random

from dialogue_helpers import CREATIVE_ALLIANCE_WINDOW, TODAY, file_ref, make_procedure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.context import Context
from conversations.followup import AFTER_BY_ID
from conversations.intake import start, step, to_new_complaint
from conversations.model import Answer, Draft, Effect
from conversations.steps import BY_ID
from procedures.model import Category, ComplaintForm

GROWING = ("files", "notes")
CONTEXTS = [
    Context(make_procedure(), TODAY, "webchat"),
    Context(
        make_procedure(
            informal=True,
            alternative=True,
            window=CREATIVE_ALLIANCE_WINDOW,
            categories=(Category("a", "A"), Category("b:c", "B")),
            points=("one", "two"),
            form=ComplaintForm("Test Form", (Category("learner", "Learner"),)),
        ),
        TODAY,
        "telegram",
    ),
    Context(make_procedure(compliments=False), TODAY, "staff"),
]
USEFUL_TEXT = [
    "help",
    "back",
    "cancel",
    "stop",
    "talk to a person",
    "language",
    "/start",
    "yes",
    "no",
    "1",
    "2",
    "today",
    "last Tuesday",
    "12/10/2026",
    "October",
    "I don't know",
    "sam@example.com",
    "sam@",
    "07700 900123",
    "12345",
    "Polski",
    "make a complaint",
    "😀",
    "مرحبا بكم",
    "x" * 12_000,
    "\x00\x1b[31m\u202e",
    "\ud800",
    "a\r\nb",
]
RANDOM_CHOICES = [
    "cmd:help",
    "cmd:back",
    "cmd:person",
    "cmd:cancel",
    "cmd:language",
    "cmd:nope",
    "cancel:yes",
    "cancel:no",
    "cancel:delete",
    "resume:continue",
    "resume:delete",
    "kind:complaint",
    "summary:send",
    "change:when",
    "menu:new",
    "menu:escalate",
    "pick:X",
    "language:ar",
    ":",
    "",
    "when:asis",
    "description:done",
    "adjustments:bsl",
    "adjustments:helper",
]

texts = st.one_of(st.sampled_from(USEFUL_TEXT), st.text(max_size=300))
answers = st.one_of(
    st.builds(Answer, text=texts),
    st.builds(Answer, choice=st.sampled_from(RANDOM_CHOICES)),
    st.builds(
        Answer,
        text=st.one_of(st.just(""), texts),
        files=st.lists(st.integers(1, 5).map(file_ref), max_size=2).map(tuple),
    ),
)


def owned(before: Draft) -> set[str]:
    current = BY_ID.get(before.step) or AFTER_BY_ID.get(before.step)
    return {"language", *(current.keys if current else ())}


def check_kept(before: Draft, after: Draft, effect: Effect) -> None:
    if effect is Effect.DELETE_DRAFT or before.step in AFTER_BY_ID:
        return  # deleting on request; after sending, the answers are in storage
    for key, value in before.answers.items():
        assert key in after.answers, f"{key} dropped at {before.step}"
        if key in GROWING:
            assert after.answers[key][: len(value)] == value
        elif key not in owned(before):
            assert after.answers[key] == value, f"{key} changed at {before.step}"


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data(), st.sampled_from(CONTEXTS), st.sampled_from([None, "en", "pl-PL", "ar", "zz"]))
def test_any_answers(data: st.DataObject, ctx: Context, hint: str | None) -> None:
    draft, reply = start(None, ctx, hint)
    for _ in range(data.draw(st.integers(1, 60))):
        if reply.choices and data.draw(st.booleans()):
            answer = Answer(choice=data.draw(st.sampled_from(reply.choices)).id)
        else:
            answer = data.draw(answers)
        frozen = json.dumps(draft.to_dict(), sort_keys=True)
        new, reply = step(draft, answer, ctx)
        assert json.dumps(draft.to_dict(), sort_keys=True) == frozen  # input untouched
        assert reply.text.strip()
        assert "internal_error" not in reply.data, (draft.step, answer)
        assert Draft.from_dict(json.loads(json.dumps(new.to_dict()))) == new
        check_kept(draft, new, reply.effect)
        if reply.effect is Effect.SUBMIT:
            complaint = to_new_complaint(new)
            assert complaint.description or complaint.attachments
        draft = new
    # A restart at any moment resumes the conversation.
    resumed, reply = start(Draft.from_dict(draft.to_dict()), ctx, hint)
    assert reply.text.strip() and resumed.answers == draft.answers


def test_random_walks_reach_every_step() -> None:
    """Seeded walks that mostly tap offered buttons, so they get deep: the summary, the menu."""
    rng = random.Random(4)
    reached: set[str] = set()
    for _ in range(150):
        ctx = rng.choice(CONTEXTS)
        draft, reply = start(None, ctx, "en")
        for _ in range(80):
            roll = rng.random()
            # A lone "Skip" button would end most walks at the question it skips.
            skip_only = all(c.id.endswith(":skip") for c in reply.choices)
            if reply.choices and roll < (0.3 if skip_only else 0.7):
                answer = Answer(choice=rng.choice(reply.choices).id)
            elif roll < 0.85:
                answer = Answer(text=rng.choice(USEFUL_TEXT))
            elif roll < 0.9:
                answer = Answer(files=(file_ref(rng.randint(1, 4)),))
            else:
                answer = Answer(choice=rng.choice(RANDOM_CHOICES))
            new, reply = step(draft, answer, ctx)
            assert reply.text.strip()
            assert "internal_error" not in reply.data, (draft.step, answer)
            check_kept(draft, new, reply.effect)
            draft = new
            reached.add(draft.step)
    assert reached >= set(BY_ID) - {"pick"} | {"menu", "add_info", "escalate"}
