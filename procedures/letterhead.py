"""The words around a message when it goes out as a letter by post: date, reference,
greeting, closing, page numbers. The message itself is worded in procedures/letters.py;
printing/ lays both out (PDF, large print, Easy Read, Braille)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from locales import Translator


@dataclass(frozen=True)
class Letterhead:
    date_line: str
    reference_line: str  # "" for a letter about no one complaint (a contact arrangement)
    greeting: str
    closing: str


def letterhead(t: Translator, *, written_on: date, reference: str | None, name: str) -> Letterhead:
    """The frame of one letter in the person's language (Easy Read: its own catalog)."""
    # TRANSLATORS: the date at the top of a letter sent by post.
    date_line = t.gettext("Date: {date}", date=t.date(written_on))
    reference_line = (
        # TRANSLATORS: the complaint reference at the top of a letter sent by post.
        t.gettext("Our reference: {reference}", reference=reference) if reference else ""
    )
    first = name.strip()
    greeting = (
        # TRANSLATORS: the greeting of a letter, with the person's name as they gave it.
        t.gettext("Dear {name},", name=first)
        if first
        # TRANSLATORS: the greeting of a letter when we do not know the person's name.
        else t.gettext("Dear Sir or Madam,")
    )
    # TRANSLATORS: the closing of a letter, above the organisation's name.
    return Letterhead(date_line, reference_line, greeting, t.gettext("Yours sincerely,"))


def page_number(t: Translator, page: int, pages: int) -> str:
    # TRANSLATORS: at the foot of each page of a letter sent by post.
    return t.gettext("Page {page} of {pages}", page=page, pages=pages)
