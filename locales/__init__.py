"""Translations and locale-aware formatting, passed explicitly per person.

Catalogs live beside this file as <lang>/LC_MESSAGES/messages.po and are read as they are: each
is compiled in memory on first use (Babel's read_po + write_mo), so a plain `pip install` needs
no compile step and there are no .mo files to forget. Nothing here keeps a "current" locale:
callers ask for a Translator for the person they are writing to, so one person's language never
leaks into another's message.
"""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

HERE = Path(__file__).parent
DOMAIN = "messages"
DEFAULT = "en"

# Code -> name of the language in itself, in the order we offer them.
# "en_Easy" is English in Easy Read: short sentences, common words, one idea per message.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "en_Easy": "English - Easy Read",
    "cy": "Cymraeg",
    "pl": "Polski",
    "ro": "Română",
    "pa": "ਪੰਜਾਬੀ",
    "ur": "اردو",
    "pt": "Português",
    "es": "Español",
    "ar": "العربية",
    "bn": "বাংলা",
}
RTL = frozenset({"ar", "ur"})


def normalise(code: str | None) -> str:
    """Map a channel's hint ("pl-PL", "en_GB", None) to one of LANGUAGES."""
    if not code:
        return DEFAULT
    if code in LANGUAGES:
        return code
    base = code.replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT


def language_for(lang: str | None, adjustments: Iterable[str] = ()) -> str:
    """The language to write to someone in: English readers who asked for Easy Read get it.

    Easy Read exists in English only; other languages keep their own (plain) wording.
    """
    code = normalise(lang)
    return "en_Easy" if code == DEFAULT and "easy_read" in adjustments else code


@dataclass(frozen=True)
class Translator:
    """gettext for one language, with Babel formatting for the same locale."""

    lang: str
    catalog: gettext.NullTranslations

    def gettext(self, message: str, /, **values: object) -> str:
        text = self.catalog.gettext(message)
        return text.format(**self._isolated(values)) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        return self.catalog.ngettext(singular, plural, n).format(n=n, **self._isolated(values))

    def _isolated(self, values: dict[str, object]) -> dict[str, object]:
        """In right-to-left text, each inserted value (a reference, an English name, a date)
        is a Unicode isolate, so it keeps its own direction and does not scramble the
        sentence around it (".C-2026-0006" instead of "C-2026-0006.")."""
        if not self.rtl:
            return values
        return {k: isolate(v) if isinstance(v, str) else v for k, v in values.items()}

    @property
    def babel_locale(self) -> Locale:
        # Easy Read is English for dates and numbers.
        return Locale.parse(babel_code(self.lang))

    def date(self, value: date) -> str:
        """A date as people read it: "Tuesday 29 December 2026" / "wtorek, 29 grudnia 2026"."""
        # British usage (GOV.UK style) has no comma after the weekday; Babel's en_GB has one.
        pattern = "EEEE d MMMM y" if self.lang in ("en", "en_Easy") else "full"
        return _babel_format_date(value, format=pattern, locale=self.babel_locale)

    @property
    def rtl(self) -> bool:
        return self.lang in RTL


FSI, PDI = "\u2068", "\u2069"  # first strong isolate ... pop directional isolate


_ISOLATE = re.compile(f"{FSI}([^{FSI}{PDI}]*){PDI}")


def isolate(value: str) -> str:
    """A value set apart from the text around it for the bidirectional algorithm."""
    return f"{FSI}{value}{PDI}" if value else value


def bidi_html(text: str) -> str:
    """Text as HTML (escaped) with each Unicode isolate as a <bdi> element, for web pages."""
    escaped = html.escape(text, quote=False)
    # Innermost pairs first, so nested isolates nest; an unpaired mark stays as it is.
    while True:
        changed = _ISOLATE.sub(r"<bdi>\1</bdi>", escaped)
        if changed == escaped:
            return changed
        escaped = changed


def babel_code(lang: str) -> str:
    return "en_GB" if lang in ("en", "en_Easy") else lang


def catalog_path(lang: str) -> Path:
    return HERE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog for a language; English (the source strings) when there is none.

    Fuzzy entries and plurals with an empty form are left out, so they fall back to English
    rather than showing a guess or an empty message (tests/i18n keeps the catalogs complete).
    """
    path = catalog_path(lang)
    if lang == DEFAULT or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, domain=DOMAIN)
    for message in list(catalog)[1:]:
        if isinstance(message.string, tuple) and not all(message.string):
            del catalog[message.id]
    mo = BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


@cache
def translator(lang: str | None) -> Translator:
    """The Translator for a language code; unknown codes fall back to English."""
    code = normalise(lang)
    return Translator(code, _catalog(code))
