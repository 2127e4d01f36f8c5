"""Reading and writing gettext .po files that are not the app's own catalogs.

Procedure files carry their own translations (procedures/translations.py); this keeps the
.po format in one place, Babel's reader and writer, so translators' tools work with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po


def read_translations(path: Path) -> dict[str, str]:
    """{msgid: msgstr} of a .po file; empty and fuzzy entries left out (they fall back).

    Raises ValueError (naming the file and line) for a file that is not valid .po."""
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except PoFileError as error:  # as ValueError, so callers need not know Babel
        raise ValueError(f"{path.name}: {error}") from None
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.string, str) and m.string.strip() and not m.fuzzy
    }


def template(project: str, entries: Iterable[tuple[str, str]]) -> str:
    """A .pot with one entry per distinct text; `entries` are (where, text), places as #: lines."""
    catalog = Catalog(project=project, fuzzy=False)
    for where, text in entries:
        existing = catalog.get(text)
        if existing is None:
            catalog.add(text, locations=[(where, None)])
        else:
            existing.locations.append((where, None))
    out = BytesIO()
    write_po(out, catalog, width=0, sort_output=False)
    return out.getvalue().decode()
