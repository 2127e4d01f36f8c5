"""Relative and written dates in every language, as the date question itself suggests them."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conversations.dates import Outcome, Precision, parse_when
from locales import LANGUAGES, translator

TODAY = date(2026, 12, 3)  # a Thursday
TUESDAY = date(2026, 12, 1)
QUESTION = (
    "When did it happen? You can write a date like 12/10/2026, or words like "
    "\u201clast Tuesday\u201d or \u201cOctober\u201d."
)
RETRY = (
    "Sorry, I couldn't read that as a date. You could write it like 12/10/2026, "
    "\u201clast Tuesday\u201d or \u201cOctober\u201d, or tap Keep what I wrote."
)

# Per language: yesterday, last Tuesday, three days ago, a written date (12 October 2026).
PHRASES = {
    "en": ("yesterday", "last Tuesday", "3 days ago", "12 October 2026"),
    "en_Easy": ("yesterday", "last tuesday", "three days ago", "October 12th 2026"),
    "cy": ("ddoe", "dydd Mawrth diwethaf", "3 diwrnod yn ôl", "12 Hydref 2026"),
    "pl": ("wczoraj", "w zeszły wtorek", "3 dni temu", "12 października 2026"),
    "ro": ("ieri", "marțea trecută", "acum 3 zile", "12 octombrie 2026"),
    "pa": ("ਬੀਤਿਆ ਕੱਲ੍ਹ", "ਪਿਛਲਾ ਮੰਗਲਵਾਰ", "3 ਦਿਨ ਪਹਿਲਾਂ", "12 ਅਕਤੂਬਰ 2026"),
    "ur": ("کل", "گزشتہ منگل", "3 دن پہلے", "12 اکتوبر 2026"),
    "pt": ("ontem", "terça-feira passada", "há 3 dias", "12 de outubro de 2026"),
    "es": ("ayer", "el martes pasado", "hace 3 días", "12 de octubre de 2026"),
    "ar": ("أمس", "الثلاثاء الماضي", "قبل 3 أيام", "١٢ أكتوبر ٢٠٢٦"),
    "bn": ("গতকাল", "গত মঙ্গলবার", "৩ দিন আগে", "১২ অক্টোবর ২০২৬"),
}


def test_every_language_has_its_phrases() -> None:
    assert set(PHRASES) == set(LANGUAGES)


@pytest.mark.parametrize("lang", sorted(PHRASES))
def test_relative_and_written_dates(lang: str) -> None:
    yesterday, last_tuesday, three_days_ago, written = PHRASES[lang]
    expected = {
        yesterday: date(2026, 12, 2),
        last_tuesday: TUESDAY,
        three_days_ago: date(2026, 11, 30),
        written: date(2026, 10, 12),
    }
    for text, day in expected.items():
        found = parse_when(text, TODAY, lang)
        assert (found.outcome, found.date, found.precision) == (
            Outcome.DATE,
            day,
            Precision.DAY,
        ), f"{lang}: {text!r}"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
@pytest.mark.parametrize("message", [QUESTION, RETRY])
def test_the_examples_the_question_gives_are_understood(lang: str, message: str) -> None:
    """The Welsh question suggested "dydd Mawrth diwethaf" and then refused it."""
    text = translator(lang).gettext(message)
    examples = re.findall(r"[\u201c\u00ab\u201e\"](.+?)[\u201d\u00bb\u201c\"]", text)
    assert len(examples) >= 2, f"{lang}: no quoted examples in {text!r}"
    last_tuesday, october = examples[:2]  # the retry also quotes a button
    assert parse_when(last_tuesday, TODAY, lang).date == TUESDAY, f"{lang}: {last_tuesday!r}"
    month = parse_when(october, TODAY, lang)
    assert (month.date, month.precision) == (date(2026, 10, 31), Precision.MONTH), october
    assert parse_when("12/10/2026", TODAY, lang).date == date(2026, 10, 12)


def test_last_weekday_on_that_weekday_is_a_week_back() -> None:
    assert parse_when("dydd Iau diwethaf", TODAY, "cy").date == date(2026, 11, 26)
    assert parse_when("الخميس الماضي", TODAY, "ar").date == date(2026, 11, 26)


def test_arabic_without_hamza_or_vowel_marks() -> None:
    assert parse_when("امس", TODAY, "ar").date == date(2026, 12, 2)
    assert parse_when("قبل يومين", TODAY, "ar").date == date(2026, 12, 1)


def test_last_month_and_year_in_welsh_are_vague_and_never_after_today() -> None:
    month = parse_when("mis diwethaf", TODAY, "cy")
    assert (month.date, month.precision) == (date(2026, 11, 30), Precision.MONTH)
    year = parse_when("llynedd", TODAY, "cy")
    assert (year.date, year.precision) == (date(2025, 12, 31), Precision.YEAR)


def test_a_future_or_foreign_phrase_is_not_a_date() -> None:
    assert parse_when("yfory", TODAY, "cy").outcome is Outcome.UNREADABLE
    assert parse_when("dydd Mawrth diwethaf", TODAY, "ar").outcome is Outcome.UNREADABLE
