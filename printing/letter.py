"""One letter as plain data, and how its text divides into what each layout prints."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from locales import RTL, Translator, translator
from procedures.letterhead import Letterhead, letterhead

# Formats a person can ask for (procedures.case.ADJUSTMENTS ids) that change a letter.
LARGE_PRINT = "large_print"
EASY_READ = "easy_read"
BRAILLE = "braille"
# Unicode direction controls: they steer the PDF's bidi layout, and mean nothing in Braille.
DIRECTION_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Layout(StrEnum):
    STANDARD = "standard"
    LARGE_PRINT = "large_print"
    EASY_READ = "easy_read"


@dataclass(frozen=True)
class PostalLetter:
    organisation: str
    # The organisation's postal address and other ways to reach it, one line each.
    organisation_lines: tuple[str, ...]
    recipient_name: str
    recipient_address: str
    reference: str | None
    written_on: date
    language: str
    body: str
    formats: frozenset[str] = field(default_factory=frozenset)

    @property
    def translator(self) -> Translator:
        return translator(self.language)

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    @property
    def layout(self) -> Layout:
        """Easy Read when they chose it (its own, larger type); else large print if asked."""
        if EASY_READ in self.formats or self.language == "en_Easy":
            return Layout.EASY_READ
        if LARGE_PRINT in self.formats:
            return Layout.LARGE_PRINT
        return Layout.STANDARD

    @property
    def large(self) -> bool:
        return LARGE_PRINT in self.formats

    @property
    def wants_braille(self) -> bool:
        return BRAILLE in self.formats

    def head(self) -> Letterhead:
        return letterhead(
            self.translator,
            written_on=self.written_on,
            reference=self.reference,
            name=self.recipient_name,
        )

    def address_lines(self) -> list[str]:
        """The recipient's name and address as they go in an envelope window."""
        lines = [self.recipient_name.strip()] if self.recipient_name.strip() else []
        for line in re.split(r"\n|,(?=\s)", self.recipient_address):
            if line.strip():
                lines.append(line.strip())
        return lines

    def paragraphs(self) -> list[list[str]]:
        """The body as paragraphs of lines. Easy Read: one sentence a line (one idea each)."""
        paragraphs = []
        for block in re.split(r"\n\s*\n", self.body.strip()):
            lines = [line.strip() for line in block.splitlines() if line.strip()]
            if self.layout is Layout.EASY_READ:
                lines = [part for line in lines for part in _sentences(line)]
            if lines:
                paragraphs.append(lines)
        return paragraphs


def _sentences(line: str) -> list[str]:
    """Split after a full stop, question or exclamation mark that a new sentence follows."""
    return [part for part in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“‘(])", line) if part]
