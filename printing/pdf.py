"""A letter as an A4 PDF: fpdf2 with HarfBuzz (uharfbuzz) shaping and its Unicode bidi
algorithm, so Arabic and Urdu join and run right to left, Bengali and Gurmukhi conjuncts and
vowel signs form, and English references inside them keep their order. The Noto fonts in
printing/fonts/ are embedded as subsets.

Layouts (printing.letter.Layout): standard 12 pt; large print 18 pt with bold headings and
wide spacing (RNIB: at least 16 pt, sans serif, left aligned, never justified); Easy Read
16 pt (18 pt if large print was asked too), one sentence a line, with space between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF

from printing.letter import Layout, PostalLetter
from procedures.letterhead import page_number

FONTS = Path(__file__).parent / "fonts"
# fpdf2 family -> font file stem; every letter registers all, so any script a member of
# staff types (a name, a place) still renders through the fallback list.
FAMILIES = {
    "Sans": "NotoSans",
    "Arabic": "NotoSansArabic",
    "Urdu": "NotoNastaliqUrdu",
    "Bengali": "NotoSansBengali",
    "Gurmukhi": "NotoSansGurmukhi",
}
MAIN_FAMILY = {"ar": "Arabic", "ur": "Urdu", "bn": "Bengali", "pa": "Gurmukhi"}
# The letters of each script font; a block with none of them is set in Noto Sans, left to
# right (a postcode in Nastaliq spacing, or an English answer run right to left, reads badly).
SCRIPT = {
    "Arabic": re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "Bengali": re.compile("[\u0980-\u09ff]"),
    "Gurmukhi": re.compile("[\u0a00-\u0a7f]"),
}
SCRIPT["Urdu"] = SCRIPT["Arabic"]
PT = 0.3528  # mm per point
ZERO_WIDTH_SPACE = 0x200B


@dataclass(frozen=True)
class Style:
    body: float  # points
    heading: float
    leading: float  # line height as a multiple of the type size
    gap: float  # space after a paragraph, in lines
    margin: float  # mm, left and right


STYLES = {
    Layout.STANDARD: Style(body=12, heading=13, leading=1.45, gap=0.7, margin=25),
    Layout.LARGE_PRINT: Style(body=18, heading=20, leading=1.5, gap=0.8, margin=20),
    Layout.EASY_READ: Style(body=16, heading=18, leading=1.6, gap=1.0, margin=22),
}
# Nastaliq rises and falls far more than Naskh or Latin: give its lines more room.
TALL_SCRIPTS = {"ur": 1.35}


def style_for(letter: PostalLetter) -> Style:
    style = STYLES[letter.layout]
    if letter.layout is Layout.EASY_READ and letter.large:
        style = Style(body=18, heading=20, leading=1.6, gap=1.0, margin=20)
    return style


class _Letter(FPDF):
    def __init__(self, letter: PostalLetter, style: Style, pages: int) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.letter = letter
        self.style = style
        self.total = pages
        self.main = MAIN_FAMILY.get(letter.language, "Sans")
        for family, stem in FAMILIES.items():
            self.add_font(family, "", FONTS / f"{stem}-Regular.ttf")
            self.add_font(family, "B", FONTS / f"{stem}-Bold.ttf")
        self.set_fallback_fonts([f for f in FAMILIES if f != self.main], exact_match=False)
        self.set_margins(style.margin, 18, style.margin)
        self.set_auto_page_break(True, margin=22)
        lang = letter.language.split("_")[0]
        self.set_title(letter.reference or letter.organisation)
        self.set_author(letter.organisation)
        self.set_lang(lang)
        self.set_creator("complaints-assistant")

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> Any:
        # fpdf2 2.8 bug: when a line starts in a fallback font before the page has a font,
        # the font is set only inside that line's q..Q, yet marked as set for the page, and
        # the next line in the main font is drawn with none ("No font in show": the text is
        # lost). Setting the page's font first keeps fallback runs local to their line.
        if not self.current_font_is_set_on_page and self.current_font is not None:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        return super()._render_styled_text_line(*args, **kwargs)

    def shaping(self, *, rtl: bool) -> None:
        lang = self.letter.language.split("_")[0]
        self.set_text_shaping(True, direction="rtl" if rtl else "ltr", language=lang)

    def line_height(self, size: float) -> float:
        tall = TALL_SCRIPTS.get(self.letter.language, 1.0)
        return size * PT * self.style.leading * tall

    def text_block(self, text: str, *, size: float, bold: bool = False, align: str = "") -> None:
        """One paragraph, wrapped: in the letter's script and direction when it has letters
        of that script, else in Noto Sans left to right; `align` overrides the side."""
        script = SCRIPT.get(self.main)
        native = script is None or bool(script.search(text))
        rtl = self.letter.rtl and native
        self.shaping(rtl=rtl)
        self.set_font(self.main if native else "Sans", "B" if bold else "", size)
        self.multi_cell(
            0,
            self.line_height(size) if native else size * PT * self.style.leading,
            text,
            align=align or ("R" if rtl else "L"),
            new_x="LMARGIN",
            new_y="NEXT",
        )

    def footer(self) -> None:
        if not self.total:
            return
        t = self.letter.translator
        self.set_y(-16)
        self.shaping(rtl=self.letter.rtl)
        # Large print and Easy Read keep every word on the page at their size.
        size = 10.0 if self.letter.layout is Layout.STANDARD else self.style.body
        self.set_font(self.main, "", size)
        words = page_number(t, self.page_no(), self.total)
        if self.letter.reference:
            words = f"{self.letter.reference}  ·  {words}"
        self.cell(0, size * PT * 1.4, words, align="C")


def _draw(letter: PostalLetter, pages: int) -> _Letter:
    style = style_for(letter)
    pdf = _Letter(letter, style, pages)
    pdf.add_page()
    head = letter.head()
    # The organisation: name and how to reach it, at the top right as UK letters have it.
    pdf.text_block(letter.organisation, size=style.heading, bold=True, align="R")
    for line in letter.organisation_lines:
        pdf.text_block(line, size=style.body, align="R")
    # The recipient, where a DL window envelope shows it (about 45 mm from the top, left):
    # the Royal Mail address stays left to right in every language.
    pdf.set_y(max(pdf.get_y() + 6, 45))
    for line in letter.address_lines():
        pdf.text_block(line, size=style.body, align="L")
    pdf.ln(style.body * PT * 2)
    pdf.text_block(head.date_line, size=style.body)
    if head.reference_line:
        pdf.text_block(head.reference_line, size=style.body, bold=True)
    pdf.ln(style.body * PT * 1.5)
    pdf.text_block(head.greeting, size=style.body)
    pdf.ln(style.body * PT * style.gap)
    for paragraph in letter.paragraphs():
        for line in paragraph:
            pdf.text_block(line, size=style.body)
            if letter.layout is Layout.EASY_READ:
                pdf.ln(style.body * PT * style.gap * 0.6)
        pdf.ln(style.body * PT * style.gap)
    # The closing and the organisation's name stay together, on the page of the last words.
    if pdf.will_page_break(pdf.line_height(style.body) * 2 + style.body * PT):
        pdf.add_page()
    pdf.text_block(head.closing, size=style.body)
    pdf.ln(style.body * PT)
    pdf.text_block(letter.organisation, size=style.body, bold=True)
    return pdf


def _map_every_glyph(pdf: FPDF) -> None:
    """Give the PDF's text map (ToUnicode) an entry for every glyph drawn.

    Shaping makes several glyphs of one cluster (a Bengali vowel in two parts, Nastaliq's
    dots); fpdf2 gives the cluster's letters to the first and leaves the rest unmapped, so
    readers, search and copy see their raw codes as "!" or "#". Mapped to a zero-width
    space they read as nothing, and the text comes out as written.
    """
    for font in pdf.fonts.values():
        subset = getattr(font, "subset", None)
        if subset is None:
            continue
        glyphs = subset._char_id_per_glyph
        for glyph in [g for g in glyphs if g is not None and g.unicode == ()]:
            glyph.unicode = (ZERO_WIDTH_SPACE,)


def render_pdf(letter: PostalLetter) -> bytes:
    """The letter as PDF bytes. Drawn twice: the first pass counts the pages for the footer."""
    pages = _draw(letter, 0).pages_count
    pdf = _draw(letter, pages)
    _map_every_glyph(pdf)
    return bytes(pdf.output())
