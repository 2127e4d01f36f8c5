"""Translations and locale-aware formatting, passed explicitly per person.

Catalogs live beside this file as <lang>/LC_MESSAGES/messages.po (compiled to .mo at build
time). Nothing here keeps a "current" locale: callers ask for a Translator for the person
they are writing to, so one person's language never leaks into another's message.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_format_date

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


@dataclass(frozen=True)
class Translator:
    """gettext for one language, with Babel formatting for the same locale."""

    lang: str
    catalog: gettext.NullTranslations

    def gettext(self, message: str, /, **values: object) -> str:
        text = self.catalog.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        return self.catalog.ngettext(singular, plural, n).format(n=n, **values)

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


def babel_code(lang: str) -> str:
    return "en_GB" if lang in ("en", "en_Easy") else lang


@cache
def translator(lang: str | None) -> Translator:
    """The Translator for a language code; unknown codes fall back to English."""
    code = normalise(lang)
    catalog = gettext.translation(DOMAIN, localedir=HERE, languages=[code], fallback=True)
    return Translator(code, catalog)
