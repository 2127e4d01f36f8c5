"""Helpers shared by the i18n tests: where the catalogs are and how to read them."""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from locales import LANGUAGES, catalog_path

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "locales" / "messages.pot"
# The folders `scripts/update_catalogs.sh` extracts from (admin/ stays in English).
SCANNED = ("conversations", "procedures", "services", "bot", "server.py")
TRANSLATED = tuple(code for code in LANGUAGES if code != "en")


def read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


def catalog(lang: str) -> Catalog:
    return read(catalog_path(lang))


def placeholders(text: str) -> set[str]:
    """The {names} in a str.format message; "{{" is a literal brace, not a placeholder."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def ids(cat: Catalog) -> set[str]:
    """Message keys: the msgid (the singular, for plurals) with its context, if any."""
    return {
        f"{m.context or ''}\x04{m.id[0] if isinstance(m.id, tuple) else m.id}" for m in cat if m.id
    }
