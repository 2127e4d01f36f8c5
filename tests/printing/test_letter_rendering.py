"""Every kind of letter the procedure promises (receipt, acknowledgement, extension, answer,
final answer) rendered as it goes by post: an A4 PDF whose text is read back with pypdf, in
standard print, large print (no type under 16 pt) and Easy Read, in the person's language and
script (Welsh, Arabic, Urdu, Bengali, Punjabi) with the fonts embedded; and as contracted
Braille (.brf) read back through liblouis."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import replace
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from locales import translator
from printing import braille
from printing.braille import BrailleUnavailable, back_translate, render_brf
from printing.letter import PostalLetter
from printing.pdf import render_pdf
from procedures import letters
from procedures.loader import load_procedure

PROCEDURE = load_procedure("west-wilts-ccc")  # three stages, then NACCC
REFERENCE = "C-2026-0042"
ANSWER = "We are sorry the session was cancelled. The room had flooded."
KINDS = ("receipt", "acknowledgement", "extension", "answer", "final")
A4 = (595.28, 841.89)  # points
BRAILLE_DIGITS = str.maketrans("1234567890", "ABCDEFGHIJ")  # after the number sign "#"


def body_of(kind: str, lang: str) -> str:
    t = translator(lang)
    if kind == "receipt":
        return letters.receipt(
            t,
            PROCEDURE,
            kind="complaint",
            reference=REFERENCE,
            handler_label="The Coordinator",
            acknowledge_by=date(2026, 11, 9),
            respond_by=date(2026, 11, 23),
        )
    if kind == "acknowledgement":
        return letters.acknowledgement(
            t, reference=REFERENCE, handler_label="The Coordinator", respond_by=date(2026, 11, 23)
        )
    if kind == "extension":
        return letters.extension(
            t, reference=REFERENCE, new_date=date(2026, 12, 7), reason="Two staff are off sick."
        )
    stage = PROCEDURE.stage(1 if kind == "answer" else PROCEDURE.last_stage)
    return letters.response(
        t, PROCEDURE, reference=REFERENCE, body=ANSWER, stage=stage, escalate_by=date(2026, 12, 7)
    )


def letter(kind: str, lang: str = "en", formats: frozenset[str] = frozenset()) -> PostalLetter:
    return PostalLetter(
        organisation=PROCEDURE.organisation,
        organisation_lines=(PROCEDURE.contact.address, PROCEDURE.contact.email),
        recipient_name="Alex Example",
        recipient_address="1 High Street\nTrowbridge\nBA14 8AA",
        reference=REFERENCE,
        written_on=date(2026, 11, 2),
        language=lang,
        body=body_of(kind, lang),
        formats=formats,
    )


def flat(text: str) -> str:
    """Spaces as one; zero-width marks (bidi isolates, joiners) left out."""
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(BytesIO(data))
    return reader, flat("\n".join(page.extract_text() for page in reader.pages))


def loose(text: str) -> str:
    """Braille read back loses what Braille does not mark: the case of a letter after an
    all-capitals word ("NACCC's" reads back "NACCC'S"), and straight against curly quotes."""
    return text.replace("\u2019", "'").casefold()


def body_text(reader: PdfReader) -> str:
    """The text without the page footers, so a paragraph running over a page reads whole."""
    lines = [
        line
        for page in reader.pages
        for line in page.extract_text().splitlines()
        if not flat(line).startswith(f"{REFERENCE} · ")
    ]
    return flat("\n".join(lines))


def font_sizes(reader: PdfReader) -> set[float]:
    sizes = set()
    for page in reader.pages:
        stream = page.get_contents().get_data().decode("latin-1")
        sizes |= {float(size) for size in re.findall(r"/F\d+ ([\d.]+) Tf", stream)}
    return sizes


def embedded_fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not referenced
            names.add(str(descendant["/BaseFont"]).split("+")[-1])
    return names


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_letter_is_an_a4_pdf_with_its_whole_text(kind: str) -> None:
    made = letter(kind)
    reader, text = pdf_text(render_pdf(made))
    assert tuple(float(v) for v in reader.pages[0].mediabox[2:]) == A4
    for expected in (
        PROCEDURE.organisation,
        PROCEDURE.contact.address,
        "Alex Example",
        "1 High Street",
        "BA14 8AA",
        "Date: Monday 2 November 2026",
        f"Our reference: {REFERENCE}",
        "Dear Alex Example,",
        "Yours sincerely,",
        *(line for line in made.body.splitlines() if line.strip()),
    ):
        assert flat(expected) in text, (kind, expected)
    if kind == "final":
        assert "NACCC" in text  # the external body the final answer names
    if kind == "answer":
        assert "Review by the Chair" in text  # the next stage
    assert max(font_sizes(reader)) < 16  # standard print, for those who did not ask


@pytest.mark.parametrize("kind", KINDS)
def test_large_print_in_welsh_has_no_type_under_16_points(kind: str) -> None:
    made = letter(kind, "cy", frozenset({"large_print"}))
    reader, text = pdf_text(render_pdf(made))
    assert min(font_sizes(reader)) >= 16
    assert "Ein cyfeirnod: C-2026-0042" in text and "Annwyl Alex Example," in text
    assert f"Dyddiad: {translator('cy').date(date(2026, 11, 2))}" in text
    body = body_text(reader)
    for line in made.body.splitlines():
        assert flat(line) in body, (kind, line)


@pytest.mark.parametrize("kind", ["answer", "final"])
def test_easy_read_puts_one_sentence_on_each_line_in_large_type(kind: str) -> None:
    made = letter(kind, "en_Easy")
    reader = PdfReader(BytesIO(render_pdf(made)))
    lines = [flat(line) for page in reader.pages for line in page.extract_text().splitlines()]
    assert min(font_sizes(reader)) >= 16
    assert "Hello Alex Example," in lines and "Your reference number: C-2026-0042" in lines
    # Staff wrote two sentences on one line: Easy Read gives each its own.
    assert "We are sorry the session was cancelled." in lines
    assert "The room had flooded." in lines
    everything = " ".join(lines)
    for line in made.body.splitlines():
        assert flat(line) in everything


SCRIPTS = {
    # language: (font that must be embedded, words of the letter to find in the text)
    "ar": ("NotoSansArabic", ["استلمنا شكواك", "رقمنا المرجعي"]),
    "ur": ("NotoNastaliqUrdu", ["ہمیں آپ کی شکایت", "ہمارا حوالہ"]),
    "bn": ("NotoSansBengali", ["আমরা আপনার অভিযোগ", "আমাদের রেফারেন্স"]),
    "pa": ("NotoSansGurmukhi", ["ਸਾਨੂੰ ਤੁਹਾਡੀ", "ਸਾਡਾ ਹਵਾਲਾ"]),
}


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_letters_in_other_scripts_embed_a_font_for_them(lang: str) -> None:
    font, words = SCRIPTS[lang]
    reader, text = pdf_text(render_pdf(letter("receipt", lang)))
    fonts = embedded_fonts(reader)
    assert font in {name.split("-")[0] for name in fonts}, fonts
    assert "NotoSans" in {name.split("-")[0] for name in fonts}  # the English address
    for word in words:
        assert word in text, (lang, word)
    assert REFERENCE in text  # the reference keeps its order inside right-to-left text
    assert "1 High Street" in text and "BA14 8AA" in text


def test_right_to_left_letters_are_right_aligned_and_the_address_left() -> None:
    """The Arabic lines end at the right margin; the Royal Mail address starts at the left."""
    reader = PdfReader(BytesIO(render_pdf(letter("receipt", "ar"))))
    starts: dict[str, float] = {}

    def visit(text: str, cm: object, tm: list[float], *_: object) -> None:
        if text.strip():
            starts.setdefault(text.strip(), tm[4])

    reader.pages[0].extract_text(visitor_text=visit)
    address = [x for text, x in starts.items() if "High Street" in text]
    arabic = [x for text, x in starts.items() if "استلمنا" in text]
    assert address and arabic
    assert address[0] < 100 < arabic[0]  # points from the left edge of a 595 pt page


def needs_liblouis() -> None:
    """Braille tests run wherever liblouis is (CI installs it); elsewhere they say why."""
    reason = braille.unavailable()
    if reason and not os.environ.get("CI"):
        pytest.skip(reason)


def brf_pages(data: bytes) -> list[list[str]]:
    text = data.decode("ascii")
    assert text.endswith("\f")
    return [page.split("\r\n")[:-1] for page in text.split("\f")[:-1]]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_letter_in_contracted_braille_reads_back(kind: str) -> None:
    needs_liblouis()
    made = letter(kind, "en", frozenset({"braille"}))
    data = render_brf(made)
    pages = brf_pages(data)
    for number, page in enumerate(pages, start=1):
        assert len(page) <= 25 and all(len(line) <= 40 for line in page)
        assert page[0].strip() == "#" + str(number).translate(BRAILLE_DIGITS)
    cells = "".join("".join(page[1:]) for page in pages)
    assert "WE H RCVD" in cells or kind != "receipt"  # contracted: "have", "received"
    read = flat(back_translate(data, "en"))
    for expected in (
        PROCEDURE.organisation,
        "Date: Monday 2 November 2026",
        f"Our reference: {REFERENCE}",
        "Dear Alex Example,",
        *(line for line in made.body.splitlines() if line.strip()),
    ):
        assert loose(flat(expected)) in loose(read), (kind, expected)
    assert "1 High Street" not in read  # the address is for the envelope


def test_braille_in_welsh_and_arabic_uses_their_tables() -> None:
    needs_liblouis()
    welsh = back_translate(render_brf(letter("receipt", "cy", frozenset({"braille"}))), "cy")
    assert "Rydyn ni wedi cael eich cwyn" in welsh
    arabic = back_translate(render_brf(letter("receipt", "ar", frozenset({"braille"}))), "ar")
    assert "استلمنا شكواك" in arabic


def test_a_long_letter_runs_over_pages_in_pdf_and_braille() -> None:
    long = replace(letter("answer"), body="\n\n".join([ANSWER * 4] * 25))
    reader, text = pdf_text(render_pdf(long))
    assert len(reader.pages) >= 2
    assert f"Page 1 of {len(reader.pages)}" in text and f"Page 2 of {len(reader.pages)}" in text
    needs_liblouis()
    assert len(brf_pages(render_brf(long))) >= 2


def test_without_liblouis_braille_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(braille, "COMMAND", "lou_translate-not-installed")
    reason = braille.unavailable()
    assert reason and "liblouis-bin" in reason
    with pytest.raises(BrailleUnavailable, match="liblouis-bin"):
        render_brf(letter("receipt", "en", frozenset({"braille"})))
    assert render_pdf(letter("receipt"))  # print letters do not need it


def test_a_line_that_starts_in_english_inside_arabic_loses_no_word() -> None:
    """English runs inside Arabic are set in the fallback font, line by line: no word of
    the mixed line, nor of the Arabic line after it, is lost or drawn without a font."""
    mixed = f"{PROCEDURE.organisation}, {PROCEDURE.contact.address}, {ANSWER} استلمنا شكواك."
    body = f"{ANSWER}\n{mixed}\nرقمك المرجعي هو 1 High Street."
    made = replace(letter("receipt", "ar"), body=body)
    _, text = pdf_text(render_pdf(made))
    for words in ("Trowbridge BA14 4FL", "استلمنا شكواك", "رقمك المرجعي هو", "1 High Street"):
        assert text.count(words) >= 1, words
