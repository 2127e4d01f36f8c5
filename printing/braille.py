"""A letter as a Braille Ready File (.brf) through liblouis, for an embosser or a Braille
display: contracted (grade 2) Unified English Braille, the UK standard since 2015, for
English and Easy Read; the liblouis table of the person's language for the others.

liblouis is a system library (Debian: `liblouis-bin`, which brings `lou_translate` and the
tables); it is called as that command, since the venv cannot import Debian's python3-louis.
Without it, `render_brf` raises BrailleUnavailable with a message for staff, and the rest of
the application works on.

BRF layout: North American ASCII Braille (the tables' dots through en-us-brf.dis), 40 cells
a line and 25 lines a page, CR LF line ends, a form feed after each page, the page number at
the right of each page's first line, a blank line between paragraphs.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import unicodedata

from printing.letter import DIRECTION_MARKS, PostalLetter

COMMAND = "lou_translate"
DISPLAY = "en-us-brf.dis"
TABLES = {
    "en": "en-ueb-g2.ctb",
    "en_Easy": "en-ueb-g2.ctb",
    "cy": "cy-cy-g2.ctb",
    "pl": "Pl-Pl-g1.utb",
    "ro": "ro.ctb",
    "pa": "pa.tbl",
    "ur": "ur-pk-g2.ctb",
    "pt": "pt-pt-g2.ctb",
    "es": "es-g2.ctb",
    "ar": "ar-ar-g2.ctb",
    "bn": "bn.tbl",
}
CELLS = 40
LINES = 25
TIMEOUT = 30  # seconds; a letter takes well under one
# Letters written with a nukta that Bengali tables know only precomposed; dandas as stops.
BEFORE = {
    "bn": (("য\u09bc", "\u09df"), ("ড\u09bc", "\u09dc"), ("ঢ\u09bc", "\u09dd")),
}
DANDA = str.maketrans({"\u0964": ".", "\u0965": "."})
# liblouis writes a character its table lacks as \xHHHH: a sign of a gap to log, not print.
UNKNOWN = re.compile(r"\\X[0-9A-F]{4}'?|'?\\X[0-9A-F]{4}", re.IGNORECASE)
log = logging.getLogger(__name__)
NUMBERS = str.maketrans("1234567890", "ABCDEFGHIJ")


class BrailleUnavailable(Exception):
    """liblouis is not installed here: the message says what staff or the admin can do."""


def table_for(language: str) -> str:
    return f"{DISPLAY},{TABLES.get(language, TABLES['en'])}"


def unavailable() -> str | None:
    """Why Braille cannot be made on this machine, or None when it can."""
    if shutil.which(COMMAND) is None:
        return (
            "Braille letters need liblouis, which is not installed on this server: ask "
            "whoever runs it to install the Debian package liblouis-bin (it provides "
            "lou_translate), then restart. Until then, send the large print letter and "
            "arrange the Braille copy another way."
        )
    return None


def _run(lines: list[str], table: str, *, backward: bool = False) -> list[str]:
    reason = unavailable()
    if reason:
        raise BrailleUnavailable(reason)
    # lou_translate reads backslash escapes (\xHHHH) in its input: a real one is doubled.
    text = "\n".join(line.replace("\\", "\\\\") for line in lines) + "\n"
    try:
        done = subprocess.run(  # noqa: S603 (a fixed command; the text goes on stdin)
            [COMMAND, "--backward" if backward else "--forward", table],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise BrailleUnavailable(f"liblouis could not translate this letter: {error}") from None
    out = done.stdout.decode("utf-8", "replace").split("\n")
    return out[: len(lines)]


def _prepare(text: str, language: str) -> str:
    text = DIRECTION_MARKS.sub("", unicodedata.normalize("NFC", text))
    for old, new in BEFORE.get(language, ()):
        text = text.replace(old, new)
    return text.translate(DANDA)


def _wrap(line: str, width: int) -> list[str]:
    """Break at spaces; a word longer than the line is cut (rare: a long web address)."""
    rows: list[str] = []
    current = ""
    for word in line.split():
        while len(word) > width:
            if current:
                rows.append(current)
                current = ""
            rows.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            rows.append(current)
            current = word
    if current:
        rows.append(current)
    return rows


def _text_lines(letter: PostalLetter) -> list[str]:
    """What the Braille reader gets, paragraph by paragraph ("" between): the organisation
    and how to reach it, date and reference, then the letter. No recipient address: that is
    for the envelope."""
    head = letter.head()
    blocks: list[list[str]] = [
        [letter.organisation, *letter.organisation_lines],
        [head.date_line, *([head.reference_line] if head.reference_line else [])],
        [head.greeting],
        *letter.paragraphs(),
        [head.closing, letter.organisation],
    ]
    lines: list[str] = []
    for block in blocks:
        if lines:
            lines.append("")
        lines.extend(_prepare(line, letter.language) for line in block)
    return lines


def _pages(rows: list[str]) -> list[list[str]]:
    """Pages of LINES rows; the first row of each carries the page number at the right."""
    per_page = LINES - 1
    pages = []
    for start in range(0, max(len(rows), 1), per_page):
        number = "#" + str(len(pages) + 1).translate(NUMBERS)
        pages.append([number.rjust(CELLS), *rows[start : start + per_page]])
    return pages


def render_brf(letter: PostalLetter) -> bytes:
    """The letter in Braille, as the bytes of a .brf file."""
    lines = _text_lines(letter)
    braille = _run(lines, table_for(letter.language))
    rows: list[str] = []
    for line in braille:
        if UNKNOWN.search(line) or not line.isascii():
            log.warning("Braille table for %s lacks characters of a letter", letter.language)
            line = "".join(c for c in UNKNOWN.sub("", line) if c.isascii())
        rows.extend(_wrap(line, CELLS) if line.strip() else [""])
    while rows and not rows[-1]:
        rows.pop()
    pages = _pages(rows)
    return "".join("\r\n".join(page) + "\r\n\f" for page in pages).encode("ascii")


def back_translate(brf: bytes, language: str) -> str:
    """Print text read back from a .brf (liblouis backward), pages and lines joined, page
    numbers left out: how a test, or a member of staff, checks what the Braille says."""
    rows = []
    for page in brf.decode("ascii").split("\f"):
        lines = page.split("\r\n")
        rows.extend(line for line in lines[1:] if line.strip())
    if not rows:
        return ""
    return " ".join(_run(rows, table_for(language), backward=True))
