"""Locale per person: Babel dates, plural rules, fallbacks, and no leaking between people."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from locales import LANGUAGES, language_for, translator
from procedures.letters import limit_words
from procedures.model import TimeLimit, Unit

DAY = date(2026, 12, 29)


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "Tuesday 29 December 2026"),
        ("en_Easy", "Tuesday 29 December 2026"),
        ("pl", "wtorek, 29 grudnia 2026"),
        ("cy", "Dydd Mawrth, 29 Rhagfyr 2026"),
        ("ro", "marți, 29 decembrie 2026"),
        ("pt", "terça-feira, 29 de dezembro de 2026"),
    ],
)
def test_dates_in_the_person_locale(lang: str, shown: str) -> None:
    assert translator(lang).date(DAY) == shown


@pytest.mark.parametrize(
    ("lang", "n", "words"),
    [
        ("en", 1, "1 working day"),
        ("en", 5, "5 working days"),
        ("pl", 1, "1 dzień roboczy"),
        ("pl", 3, "3 dni robocze"),
        ("pl", 5, "5 dni roboczych"),
        ("pl", 22, "22 dni robocze"),
        ("ro", 1, "1 zi lucrătoare"),
        ("ro", 5, "5 zile lucrătoare"),
        ("ro", 20, "20 de zile lucrătoare"),
    ],
)
def test_plural_forms_follow_the_language(lang: str, n: int, words: str) -> None:
    assert limit_words(translator(lang), TimeLimit(n, Unit.WORKING_DAYS)) == words


def test_every_plural_form_of_every_language_formats() -> None:
    """ngettext for 0..200 in every language: no KeyError, always the number or a word for it."""
    for lang in LANGUAGES:
        t = translator(lang)
        for n in range(201):
            assert limit_words(t, TimeLimit(n, Unit.WEEKS))


def test_unknown_or_regional_codes_fall_back_sensibly() -> None:
    assert translator("pl-PL").lang == "pl"
    assert translator("xx").lang == "en"
    assert translator(None).gettext("Send") == "Send"


def test_every_language_translates_the_chat_page() -> None:
    """Each catalog is actually loaded (a broken path would silently give English)."""
    for lang in LANGUAGES:
        if lang in ("en", "en_Easy"):
            continue
        assert translator(lang).gettext("Your answer") != "Your answer", lang


def test_easy_read_adjustment_switches_english_only() -> None:
    assert language_for("en", ["large_print", "easy_read"]) == "en_Easy"
    assert language_for("en", ["large_print"]) == "en"
    assert language_for("pl", ["easy_read"]) == "pl"  # Easy Read exists in English only
    assert language_for("en_Easy", []) == "en_Easy"


async def test_one_persons_language_never_leaks_into_anothers() -> None:
    """Two people written to at once, interleaved at every await: each gets only their own."""
    expected = {lang: translator(lang).gettext("Your answer") for lang in ("pl", "cy")}

    async def write(lang: str) -> list[str]:
        said = []
        for _ in range(50):
            t = translator(lang)
            said.append(t.gettext("Your answer"))
            said.append(t.date(DAY))
            await asyncio.sleep(0)
        return said

    polish, welsh = await asyncio.gather(write("pl"), write("cy"))
    assert set(polish) == {expected["pl"], "wtorek, 29 grudnia 2026"}
    assert set(welsh) == {expected["cy"], translator("cy").date(DAY)}
    assert translator("en").gettext("Your answer") == "Your answer"  # nothing global changed
