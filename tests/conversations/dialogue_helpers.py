"""Procedures built directly from the dataclasses, and a driver for whole conversations.

A module with its own name (not conftest) so tests can import it safely beside other test
folders' conftest files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from conversations.context import Context
from conversations.intake import start, step
from conversations.model import Answer, Draft, FileRef, Reply
from procedures.model import (
    Category,
    ComplaintForm,
    ComplaintWindow,
    Contact,
    EntryRule,
    ExternalBody,
    Handler,
    Procedure,
    Stage,
    TimeLimit,
    Unit,
)

TODAY = date(2026, 11, 18)  # a Wednesday


def make_procedure(
    *,
    informal: bool = False,
    window: ComplaintWindow | None = None,
    categories: tuple[Category, ...] = (),
    alternative: bool = False,
    points: tuple[str, ...] = (),
    compliments: bool = True,
    form: ComplaintForm | None = None,
) -> Procedure:
    handler = Handler(
        role="coordinator",
        label="Coordinator",
        alternative_role="chair" if alternative else None,
        alternative_label="Chair" if alternative else None,
    )
    stages = (
        Stage(
            number=1,
            name="Stage 1: the Coordinator",
            handler=handler,
            acknowledge_within=TimeLimit(5, Unit.WORKING_DAYS),
            respond_within=TimeLimit(15, Unit.WORKING_DAYS),
        ),
        Stage(
            number=2,
            name="Stage 2: the Chair",
            handler=Handler(role="chair", label="Chair"),
            acknowledge_within=TimeLimit(1, Unit.WEEKS),
            respond_within=TimeLimit(4, Unit.WEEKS),
            entry=EntryRule(
                in_writing=True, with_reasons=True, points=points, within=TimeLimit(14, Unit.DAYS)
            ),
        ),
    )
    return Procedure(
        key="test",
        organisation="Test Centre",
        contact=Contact(email="office@example.org", phone="01234 567890"),
        what_counts="Any expression of dissatisfaction.",
        categories=categories,
        stages=stages,
        external_body=ExternalBody(name="The Ombudsman", how_to_reach="write to them"),
        complaint_window=window,
        has_informal_route=informal,
        accepts_compliments=compliments,
        complaint_form=form,
    )


CREATIVE_ALLIANCE_WINDOW = ComplaintWindow(
    expected_within=TimeLimit(1, Unit.MONTHS), not_after=TimeLimit(4, Unit.MONTHS)
)


def file_ref(n: int = 1, kind: str = "photo") -> FileRef:
    return FileRef(ref=f"sha256-{n}", name=f"photo{n}.jpg", mime="image/jpeg", size=1000, kind=kind)


@dataclass
class Chat:
    """Drives one conversation and keeps every reply, like a channel would."""

    ctx: Context
    draft: Draft = field(default_factory=Draft.new)
    replies: list[Reply] = field(default_factory=list)

    @property
    def reply(self) -> Reply:
        return self.replies[-1]

    def open(self, lang_hint: str | None = "en") -> Reply:
        self.draft, reply = start(None, self.ctx, lang_hint)
        self.replies.append(reply)
        return reply

    def send(self, text: str = "", files: tuple[FileRef, ...] = ()) -> Reply:
        return self._answer(Answer(text=text, files=files))

    def tap(self, value: str) -> Reply:
        """Tap a button of the current reply by value ("yes") or full id ("cmd:help")."""
        ids = [c.id for c in self.reply.choices]
        choice = value if ":" in value else f"{self.reply.step}:{value}"
        if not value.startswith("cmd:"):
            assert choice in ids, f"{choice} not offered: {ids}"
        return self._answer(Answer(choice=choice))

    def _answer(self, answer: Answer) -> Reply:
        before = self.draft.to_dict()
        self.draft, reply = step(self.draft, answer, self.ctx)
        assert self.draft.to_dict() is not before
        assert reply.text
        assert "internal_error" not in reply.data, reply.text
        # Storage keeps JSON: every draft must survive the round-trip.
        self.draft = Draft.from_dict(self.draft.to_dict())
        self.replies.append(reply)
        return reply


def to_adjustments(chat: Chat, *needs: str) -> None:
    """From the first question to the accessibility question of a complaint for oneself;
    with `needs`, choose them and press Done."""
    chat.open("en")
    chat.tap("en")
    chat.tap("yes")
    chat.tap("complaint")
    chat.tap("self")
    chat.tap("no")
    chat.send("The room was locked when we arrived.")
    chat.tap("done")
    chat.send("last Tuesday")
    chat.send("An apology.")
    assert chat.reply.step == "adjustments"
    if needs:
        for need in needs:
            chat.tap(need)
        chat.tap("done")
