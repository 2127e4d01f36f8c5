"""Every catalog is complete and safe to format: no untranslated, fuzzy or missing entries, the
same {placeholders} as the English, every plural form filled; and the template matches the code.
"""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface

from locales import LANGUAGES, catalog_path
from tests.i18n.catalogs import POT, ROOT, SCANNED, TRANSLATED, catalog, ids, placeholders, read

# Plural forms we expect per language (Welsh: zero, one, two, few, many, other).
NPLURALS = {"cy": 6, "ar": 6, "pl": 3, "ro": 3}


def test_every_language_but_english_has_a_catalog() -> None:
    assert "en" in LANGUAGES
    missing = [code for code in TRANSLATED if not catalog_path(code).is_file()]
    assert not missing, f"no catalog for {missing}: run scripts/update_catalogs.sh"
    assert not catalog_path("en").exists(), "English is the source language: no catalog"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_has_every_message_of_the_template(lang: str) -> None:
    missing = ids(read(POT)) - ids(catalog(lang))
    assert not missing, f"{lang}: run scripts/update_catalogs.sh; missing {sorted(missing)[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_forms_header(lang: str) -> None:
    cat = catalog(lang)
    assert cat.num_plurals == NPLURALS.get(lang, 2), cat.plural_forms
    gettext.c2py(cat.plural_expr)  # a valid expression


def _single_number_forms(plural_expr: str, nplurals: int) -> set[int]:
    """Forms chosen for exactly one n (e.g. Welsh "two"): these may spell the number out."""
    rule = gettext.c2py(plural_expr)
    chosen: dict[int, set[int]] = {i: set() for i in range(nplurals)}
    for n in range(1001):
        chosen[rule(n)].add(n)
    return {form for form, numbers in chosen.items() if len(numbers) == 1}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_entry_translated_with_the_same_placeholders(lang: str) -> None:
    cat = catalog(lang)
    single = _single_number_forms(cat.plural_expr, cat.num_plurals)
    problems: list[str] = []
    for m in list(cat)[1:]:
        if m.fuzzy:
            problems.append(f"fuzzy: {m.id!r}")
        if isinstance(m.id, tuple):
            forms = m.string if isinstance(m.string, tuple) else (m.string,)
            expected = placeholders(m.id[1]) | placeholders(m.id[0])
            if len(forms) != cat.num_plurals or not all(forms):
                problems.append(f"missing plural form: {m.id[0]!r}")
                continue
            for index, form in enumerate(forms):
                found = placeholders(form)
                # {n} may be left out only where a form stands for one number ("dau ddiwrnod").
                need = expected - {"n"} if index in single else expected
                if not need <= found <= expected:
                    problems.append(f"placeholders {sorted(found)} in form {index}: {m.id[0]!r}")
        else:
            if not m.string:
                problems.append(f"untranslated: {m.id!r}")
            elif placeholders(m.string) != placeholders(m.id):
                problems.append(f"placeholders {sorted(placeholders(m.string))}: {m.id!r}")
    assert not problems, f"{lang}: {len(problems)} problems:\n" + "\n".join(problems[:40])


def test_template_is_up_to_date_with_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New, changed or unmarked-then-marked strings: run scripts/update_catalogs.sh."""
    fresh = tmp_path / "fresh.pot"
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", "pyproject.toml", "-o", str(fresh), *SCANNED]
    )
    now, stored = ids(read(fresh)), ids(read(POT))
    assert now == stored, (
        "locales/messages.pot is out of date: run scripts/update_catalogs.sh\n"
        f"new in code: {sorted(now - stored)[:10]}\ngone from code: {sorted(stored - now)[:10]}"
    )
