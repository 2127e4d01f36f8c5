"""A procedure's own texts in the complainant's language: one gettext catalog per language.

The English procedure file is the source. Beside it, `translations/<lang>/<stem>.po` holds
the translations of its texts (`procedures/presets/translations/cy/cast.po` for the CAST
preset in Welsh); `complaints procedure template NAME` prints the .pot a translator starts
from. A msgid is the English text itself, so a text that changes in the procedure file is
untranslated until its translation is updated, never shown with an old meaning. Missing,
empty and fuzzy entries fall back to English, and `complaints procedure show NAME --lang cy`
lists them for staff.

Which texts count: every text field of the procedure (stage names, handlers, categories,
points, external bodies, descriptions, notes and any text field added later), found by
walking the dataclasses, except identifiers and contact details (addresses, emails, phones,
websites stay as written; a contact's `note` is translated).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from locales import pofiles

# Not prose: identifiers, and how to reach someone (written the same in every language).
_NOT_TEXT = frozenset(
    {"key", "source", "role", "alternative_role", "id", "closures", "address", "email"}
    | {"phone", "website", "external_investigator_for"}
)
# Names put inside sentences ("It will be looked at by {handler}."): English articles are
# lower-cased there; translations are written in their mid-sentence form (docs/procedures.md).
_ARTICLES = ("The ", "A ", "An ")
# Languages whose translations fall back to another language before English.
_FALLBACK = {"en_Easy": "en"}


def catalog_file(procedure_file: Path, lang: str) -> Path:
    """Where the translations of a procedure file into `lang` live."""
    return procedure_file.parent / "translations" / lang / f"{procedure_file.stem}.po"


def read_translations(procedure_file: Path) -> dict[str, dict[str, str]]:
    """Every language's translations of a procedure file: {lang: {english: translated}}."""
    folder = procedure_file.parent / "translations"
    found: dict[str, dict[str, str]] = {}
    if not folder.is_dir():
        return found
    for po in sorted(folder.glob(f"*/{procedure_file.stem}.po")):
        found[po.parent.name] = pofiles.read_translations(po)
    return found


def texts(procedure: Any) -> list[tuple[str, str]]:
    """(where, English text) for every translatable text, in the order of the file."""
    return list(_walk(procedure, ""))


def _walk(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Enum):
        return
    if isinstance(value, str):
        if value.strip():
            yield where, value
    elif isinstance(value, tuple):
        for position, item in enumerate(value, start=1):
            yield from _walk(item, f"{where}[{position}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name in _NOT_TEXT or not field.compare:
                continue
            name = f"{where}.{field.name}" if where else field.name
            yield from _walk(getattr(value, field.name), name)


def lookup(table: Mapping[str, Mapping[str, str]], lang: str, text: str) -> str | None:
    """The translation of one text, following Easy Read -> English; None when untranslated."""
    code: str | None = lang
    while code and code != "en":
        found = table.get(code, {}).get(text)
        if found is not None:
            return found
        code = _FALLBACK.get(code)
    return None


def translate(table: Mapping[str, Mapping[str, str]], lang: str, value: Any) -> Any:
    """A copy of `value` (a Procedure or any part of it) with every text in `lang`."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        found = lookup(table, lang, value) if value.strip() else None
        return value if found is None else found
    if isinstance(value, tuple):
        return tuple(translate(table, lang, item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: translate(table, lang, getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _NOT_TEXT and f.compare and f.init
        }
        return dataclasses.replace(value, **changes)
    return value


def missing(procedure: Any, lang: str) -> list[tuple[str, str]]:
    """(where, English text) of each text with no translation into `lang`."""
    if lang == "en":
        return []
    table = procedure.translations
    seen: set[str] = set()
    result = []
    for where, text in texts(procedure):
        if text not in seen and lookup(table, lang, text) is None:
            result.append((where, text))
        seen.add(text)
    return result


def in_sentence(text: str) -> str:
    """ "The Coordinator" as it reads inside a sentence: "the Coordinator"."""
    for article in _ARTICLES:
        if text.startswith(article) and len(text) > len(article):
            return article.lower() + text[len(article) :]
    return text


def template(procedure: Any) -> str:
    """The .pot of a procedure: one entry per distinct text, its places as comments."""
    return pofiles.template(procedure.organisation, texts(procedure))
