"""The plain data the dialogue takes in and gives out.

Channels turn what a person sent into an `Answer`, storage keeps the `Draft` as JSON, and the
channel renders the `Reply`. Nothing here knows a chat library, HTTP or SQL.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from locales import normalise

# Bumped when the shape of Draft.to_dict() changes, so storage can migrate old drafts.
DRAFT_VERSION = 1


@dataclass(frozen=True)
class Choice:
    """A button: `id` comes back in Answer.choice, `label` is already translated.

    `pressed` is set for buttons that switch something on and off (the adjustments): True
    when selected. Pages say so in words and style; text channels show `marked`.
    """

    id: str
    label: str
    pressed: bool | None = None

    @property
    def marked(self) -> str:
        """The label with a tick when selected, for channels that show only text."""
        return f"✓ {self.label}" if self.pressed else self.label


class Expect(StrEnum):
    """What kind of answer the question wants, so a channel can pick its input widget."""

    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    EMAIL = "email"
    PHONE = "phone"
    FILE_OR_TEXT = "file_or_text"
    NONE = "none"


@dataclass(frozen=True)
class FileRef:
    """A file the person sent, already stored by storage under its content hash."""

    ref: str
    name: str
    mime: str
    size: int
    kind: str  # photo / document / voice

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """One message from the person: typed text, a tapped button, files, or several at once."""

    text: str = ""
    choice: str | None = None
    files: tuple[FileRef, ...] = ()


class Effect(StrEnum):
    """Something the channel must do beyond showing the reply (usually through storage)."""

    NONE = "none"
    SUBMIT = "submit"  # create the complaint from to_new_complaint(), then show receipt()
    CALLBACK_REQUEST = "callback_request"  # a person asked a member of staff to contact them
    CANCELLED = "cancelled"  # keep the draft for 30 days, then delete it
    DELETE_DRAFT = "delete_draft"  # delete the stored draft and its files now
    STATUS = "status"  # show the status of this person's complaints
    ADD_INFO = "add_info"  # add Reply.data["text"/"files"] to complaint Reply.data["reference"]
    ESCALATE = "escalate"  # ask for the next stage with Reply.data["text"/"files"]
    MY_DATA = "my_data"  # show what we hold about this person
    LANGUAGE_CHANGED = "language_changed"  # Reply.data["lang"] is the person's new language


@dataclass(frozen=True)
class Reply:
    """What to show: translated text, optional buttons, and what the channel must do.

    The progress hint ("Question 4 of 11") is already the first line of `text`; `progress`
    repeats it as numbers for channels that also draw a bar. `step` is the id of the question
    being asked: choice ids start with it, so a channel (or step()) can spot an old button.
    `data` carries the JSON-able payload an effect needs (for ADD_INFO, ESCALATE, ...).
    """

    text: str
    choices: tuple[Choice, ...] = ()
    expect: Expect = Expect.TEXT
    effect: Effect = Effect.NONE
    progress: tuple[int, int] | None = None
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Draft:
    """Everything said so far in one conversation; saved as JSON after every answer.

    `answers` holds only JSON-able values keyed by step id (plus "files" and "notes", which
    only ever grow). `mode` is an overlay on top of `step`: "" (answering `step`),
    "confirm_cancel", "choose_language", "cancelled" or "callback_contact" (asked how staff
    may contact them).
    """

    lang: str = "en"
    step: str = "language"
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    mode: str = ""
    editing: bool = False  # came from the summary to change one answer
    callback_requested: bool = False
    cancelled_on: str | None = None  # ISO date the person stopped; storage deletes after 30 days
    submitted_refs: list[str] = field(default_factory=list)
    # Work in progress after submitting (add information, escalate): JSON-able.
    pending: dict[str, Any] = field(default_factory=dict)
    version: int = DRAFT_VERSION

    @classmethod
    def new(cls, lang_hint: str | None = None) -> Draft:
        return cls(lang=normalise(lang_hint))

    @property
    def submitted(self) -> bool:
        return self.step in AFTER_SUBMIT_STEPS

    def copy(self) -> Draft:
        return copy.deepcopy(self)

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        """Rebuild a draft: unknown keys (a newer version) are ignored, missing ones default."""
        known = {name for name in cls.__dataclass_fields__}
        values = {key: copy.deepcopy(value) for key, value in data.items() if key in known}
        draft = cls(**values)
        draft.lang = normalise(draft.lang)
        return draft


# Steps after the complaint was sent: the follow-up menu and what it leads to.
AFTER_SUBMIT_STEPS = frozenset(
    {"menu", "pick", "add_info", "escalate_about", "escalate_point", "escalate"}
)
