"""Right-to-left text keeps inserted values apart; plural forms follow CLDR in every catalog."""

from __future__ import annotations

import gettext

import pytest
from babel import Locale

from locales import FSI, LANGUAGES, PDI, babel_code, bidi_html, translator
from procedures import letters
from procedures.loader import load_procedure
from tests.i18n.catalogs import catalog

CATEGORIES = ("zero", "one", "two", "few", "many", "other")


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code not in ("en", "en_Easy")])
def test_plural_forms_follow_cldr(lang: str) -> None:
    """Arabic had forms 4 and 5 swapped (11-99 against 100-102); every language is checked.

    Zero is left to gettext's usual two-form header (n != 1) where CLDR counts it as "one"
    (Portuguese, Bengali, Punjabi): our messages never say "0 days"."""
    rule = Locale.parse(babel_code(lang)).plural_form
    used = [c for c in CATEGORIES if any(rule(n) == c for n in range(1001))]
    header = gettext.c2py(catalog(lang).plural_expr)
    start = 0 if len(used) > 2 else 1
    wrong = [n for n in range(start, 1001) if header(n) != used.index(rule(n))]
    assert not wrong, f"{lang}: the header picks the wrong form for {wrong[:5]}"


@pytest.mark.parametrize(
    ("n", "word"), [(11, "أسبوعًا"), (99, "أسبوعًا"), (100, "أسبوع"), (3, "أسابيع")]
)
def test_arabic_forms_for_eleven_to_ninety_nine_and_a_hundred(n: int, word: str) -> None:
    text = translator("ar").ngettext("{n} week", "{n} weeks", n)
    assert text.split()[-1] == word


def test_inserted_values_are_isolated_in_right_to_left_text_only() -> None:
    arabic = translator("ar").gettext("Your reference is {reference}.", reference="C-2026-0006")
    assert f"{FSI}C-2026-0006{PDI}" in arabic
    english = translator("en").gettext("Your reference is {reference}.", reference="C-2026-0006")
    assert english == "Your reference is C-2026-0006."
    urdu = translator("ur").ngettext("{n} day", "{n} days", 3)
    assert FSI not in urdu  # numbers are not text values


def test_a_handler_in_an_arabic_letter_is_isolated_and_translated() -> None:
    text = letters.acknowledgement(
        translator("ar"),
        reference="C-2026-0006",
        handler_label="The Coordinator",
        respond_by=None,
        procedure=load_procedure("west-wilts-ccc"),
    )
    assert f"{FSI}المنسّق{PDI}" in text and "Coordinator" not in text
    assert f"{FSI}C-2026-0006{PDI}" in text


def test_bidi_html_escapes_then_marks_isolates() -> None:
    html = bidi_html(f"رقم {FSI}<b>C-1</b>{PDI} و {FSI}a {FSI}b{PDI}{PDI} {FSI}x")
    assert html == f"رقم <bdi>&lt;b&gt;C-1&lt;/b&gt;</bdi> و <bdi>a <bdi>b</bdi></bdi> {FSI}x"
