"""The shape of one step of the dialogue, and what handling an answer can lead to.

A step asks a `Question` and turns an `Input` into a result: `Next` (answer taken, move on),
`Stay` (ask again or ask for more, with a short kind message) or `Goto` (jump, e.g. from the
summary to an answer being changed). Handlers change only the draft copy they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conversations.cleaning import ascii_digits
from conversations.context import Context
from conversations.model import Choice, Draft, Effect, Expect, FileRef
from locales import Translator


@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[Choice, ...] = ()
    # TEXT with choices means buttons and typed text are both welcome; CHOICE means a button
    # is needed (typed text is matched against the button labels).
    expect: Expect = Expect.TEXT


@dataclass(frozen=True)
class Input:
    """A cleaned answer: `choice` is the part of the choice id after "<step>:"."""

    text: str
    choice: str | None
    files: tuple[FileRef, ...] = ()


@dataclass(frozen=True)
class Next:
    note: str = ""  # said before the next question, e.g. a kind warning about the time limit


@dataclass(frozen=True)
class Stay:
    text: str
    repeat: bool = True  # also ask the question again (False: `text` is the whole prompt)
    effect: Effect = Effect.NONE
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Goto:
    step: str
    note: str = ""
    effect: Effect = Effect.NONE
    data: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # replaces the question of `step` when given


Result = Next | Stay | Goto
Ask = Callable[[Draft, Context, Translator], Question]
Handle = Callable[[Draft, Input, Context, Translator], Result]
Show = Callable[[Draft, Context, Translator], str]


def always(draft: Draft, ctx: Context) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    id: str
    title: str  # plain English, for the diagram in docs/dialogue.md
    ask: Ask
    handle: Handle
    # Label in the summary and in "which answer would you like to change?"; None: not shown.
    label: Callable[[Translator], str] | None = None
    show: Show | None = None
    applies: Callable[[Draft, Context], bool] = always
    when: str = ""  # `applies` in words, for the diagram
    answered: Callable[[Draft], bool] | None = None
    owns: tuple[str, ...] = ()  # answer keys it writes besides its own id
    counted: bool = True  # a question to answer (not the summary, the menu, ...)
    # A follow-up to an earlier answer (their name, after "for someone else"): it shares the
    # number of the question before it, so the hint "Question 4 of 11" never jumps.
    follows: bool = False

    def is_answered(self, draft: Draft) -> bool:
        if self.answered is not None:
            return self.answered(draft)
        return self.id in draft.answers

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.id, *self.owns)


def choices(step: str, labels: Mapping[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(f"{step}:{value}", label) for value, label in labels.items())


def match_choice(text: str, offered: tuple[Choice, ...], t: Translator) -> str | None:
    """The choice id a typed answer means: its label, its number in the list, or yes/no."""
    typed = " ".join(text.casefold().split()).strip(" .!")
    if not typed:
        return None
    for choice in offered:
        label = choice.label.casefold().removeprefix("✓").strip()
        if typed == label:
            return choice.id
    number = ascii_digits(typed)
    if number.isascii() and number.isdigit() and 1 <= int(number) <= len(offered):
        return offered[int(number) - 1].id
    # TRANSLATORS: words meaning "yes" that a person may type instead of tapping a button,
    # comma-separated, lower case.
    yes_words = {w.strip() for w in t.gettext("yes, y, yeah, ok, okay").casefold().split(",")}
    # TRANSLATORS: words meaning "no" typed instead of tapping a button, comma-separated.
    no_words = {w.strip() for w in t.gettext("no, n, nope").casefold().split(",")}
    wanted = "yes" if typed in yes_words | {"yes"} else "no" if typed in no_words | {"no"} else ""
    if wanted:
        for choice in offered:
            if choice.id.endswith(":" + wanted):
                return choice.id
    return None
