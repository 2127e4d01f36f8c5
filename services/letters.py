"""Letters for post as use cases: list them, print one (PDF or Braille, the download
audited), mark one posted. Storage finds the letter only through a case the member of staff
may see (storage/letters.py); printing/ lays it out, in a thread so that a letter never
holds up other requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from printing.braille import render_brf, unavailable
from printing.letter import PostalLetter
from procedures.model import Procedure
from storage.letters import LetterContent, PostalLetters, PostalLetterView
from storage.runtime import Storage


@dataclass(frozen=True)
class LetterList:
    letters: tuple[PostalLetterView, ...]
    # Why Braille files cannot be made here (liblouis missing), for staff; None when they can.
    braille_missing: str | None


@dataclass(frozen=True)
class PrintedLetter:
    letter: PostalLetterView
    data: bytes


def letters_of(storage: Storage) -> PostalLetters:
    return PostalLetters(storage.sessions, storage.clock)


async def to_post(storage: Storage, staff_id: int) -> LetterList:
    """The dashboard's letters waiting to be printed and posted."""
    return LetterList(await letters_of(storage).to_post(staff_id), unavailable())


async def of_case(storage: Storage, case_id: int, staff_id: int) -> LetterList:
    """Every letter by post of one case, posted or not."""
    return LetterList(await letters_of(storage).of_case(case_id, staff_id), unavailable())


def organisation_lines(procedure: Procedure) -> tuple[str, ...]:
    contact = procedure.contact
    return tuple(
        line for line in (contact.address, contact.phone, contact.email, contact.website) if line
    )


def printable(storage: Storage, content: LetterContent) -> PostalLetter:
    view = content.letter
    return PostalLetter(
        organisation=storage.procedure.organisation,
        organisation_lines=organisation_lines(storage.procedure),
        recipient_name=view.person_name,
        recipient_address=view.address,
        reference=view.reference,
        written_on=view.created_at.astimezone(storage.settings.zone).date(),
        language=view.language,
        body=content.body,
        formats=view.formats,
    )


async def print_pdf(storage: Storage, outbox_id: int, staff_id: int) -> PrintedLetter:
    """The letter as A4 PDF: large print or Easy Read when the person asked for it."""
    # fpdf2 and HarfBuzz take a second and tens of MB to load: only once a letter is printed.
    from printing.pdf import render_pdf

    content = await letters_of(storage).content(outbox_id, staff_id, kind="pdf")
    data = await asyncio.to_thread(render_pdf, printable(storage, content))
    return PrintedLetter(content.letter, data)


async def print_brf(storage: Storage, outbox_id: int, staff_id: int) -> PrintedLetter:
    """The letter in Braille; raises printing.braille.BrailleUnavailable without liblouis."""
    content = await letters_of(storage).content(outbox_id, staff_id, kind="brf")
    data = await asyncio.to_thread(render_brf, printable(storage, content))
    return PrintedLetter(content.letter, data)


async def mark_posted(storage: Storage, outbox_id: int, staff_id: int) -> PostalLetterView:
    return await letters_of(storage).mark_posted(outbox_id, staff_id)
