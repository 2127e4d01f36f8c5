"""Reading "when did it happen" as people write it: "last Tuesday", "12/10/2026", "October".

Dates are day-first (UK). A vague answer ("October", "2025") becomes the latest day it can
mean, never after today, so a time-limit warning is only given when it is certainly late;
the person's own words are always kept beside the date.

Every language reads its own relative words from CLDR through Babel: "dydd Mawrth diwethaf",
"w zeszły wtorek", "الثلاثاء الماضي", "ddoe", "قبل 3 أيام", "3 dni temu", and its own month
and weekday names, besides the English ones. (dateparser was measured: about 18 MB and 0.2 s
to import, which fits, but it could not read "last Tuesday" in Welsh, Polish, Arabic, Urdu,
Bengali or Punjabi, so CLDR's own tables are used instead.)
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import get_day_names, get_month_names

from conversations.cleaning import ascii_digits
from locales import babel_code


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Outcome(StrEnum):
    DATE = "date"
    FUTURE = "future"
    UNKNOWN = "unknown"  # "I don't know"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class ParsedDate:
    outcome: Outcome
    date: date | None = None
    precision: Precision | None = None


UNREADABLE = ParsedDate(Outcome.UNREADABLE)
_UNKNOWN_PHRASES = frozenset(
    {
        "i don't know",
        "i dont know",
        "don't know",
        "dont know",
        "not sure",
        "i'm not sure",
        "im not sure",
        "unknown",
        "no idea",
        "can't remember",
        "cant remember",
        "i can't remember",
        "?",
        "skip",
    }
)
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "couple": 2,
    "three": 3,
    "few": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_AGO = re.compile(
    r"^(?:about |around )?(\d+|[a-z]+)(?: of)? (day|week|month|year)s? ago$",
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_DM = re.compile(r"^(\d{1,2})[/.](\d{1,2})$")
_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_YM = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|\.)?$")
_FILLER = frozenset({"on", "in", "of", "the", "at", "around", "about", "early", "late", "mid"})


def parse_when(text: str, today: date, lang: str = "en") -> ParsedDate:
    """Parse free-form text; never raises."""
    try:
        return _parse(text, today, lang)
    except (ValueError, OverflowError):
        return UNREADABLE


def _parse(text: str, today: date, lang: str) -> ParsedDate:
    words = _normal(ascii_digits(text).replace(",", " "))
    if not words:
        return UNREADABLE
    if words in _UNKNOWN_PHRASES:
        return ParsedDate(Outcome.UNKNOWN)
    relative = _relative(words, today, lang) or _cldr_relative(words, today, lang)
    if relative is not None:
        return _checked(relative, today)
    numeric = _numeric(words, today)
    if numeric is not None:
        return _checked(numeric, today)
    return _checked(_named_month(words, today, lang), today)


def _relative(words: str, today: date, lang: str) -> tuple[date, Precision] | None:
    if words in ("today", "this morning", "this afternoon", "this evening", "tonight"):
        return today, Precision.DAY
    if words in ("yesterday", "last night", "yesterday evening", "yesterday morning"):
        return today - timedelta(days=1), Precision.DAY
    if words == "the day before yesterday" or words == "day before yesterday":
        return today - timedelta(days=2), Precision.DAY
    if words == "last week":
        return today - timedelta(days=7), Precision.DAY
    if words == "this month":
        return today, Precision.MONTH
    if words == "last month":
        return _month_end(_shift_month(today, -1), today), Precision.MONTH
    if words == "this year":
        return today, Precision.YEAR
    if words == "last year":
        return date(today.year - 1, 12, 31), Precision.YEAR
    match = _AGO.match(words)
    if match:
        amount_word, unit = match.groups()
        amount = int(amount_word) if amount_word.isdigit() else _NUMBER_WORDS.get(amount_word)
        if amount is None or amount > 100 * 366:
            return None
        if unit == "day":
            return today - timedelta(days=amount), Precision.DAY
        if unit == "week":
            return today - timedelta(weeks=amount), Precision.DAY
        if unit == "month":
            return _shift_month(today, -amount), Precision.DAY
        return _shift_month(today, -12 * amount), Precision.DAY
    tokens = words.split()
    last = tokens[0] in ("last", "on") and len(tokens) == 2
    name = tokens[1] if last else (tokens[0] if len(tokens) == 1 else "")
    weekday = _weekdays(lang).get(name)
    if weekday is not None:
        back = (today.weekday() - weekday) % 7
        if back == 0 and tokens[0] == "last":
            back = 7
        return today - timedelta(days=back), Precision.DAY
    return None


def _numeric(words: str, today: date) -> tuple[date, Precision] | None:
    if match := _ISO.match(words):
        year, month, day = (int(x) for x in match.groups())
        return date(year, month, day), Precision.DAY
    if match := _DMY.match(words):
        day, month, year = (int(x) for x in match.groups())
        if year < 100:
            year += 2000 if 2000 + year <= today.year else 1900
        return date(year, month, day), Precision.DAY
    if match := _DM.match(words):
        day, month = (int(x) for x in match.groups())
        value = date(today.year, month, day)
        return (value if value <= today else date(today.year - 1, month, day)), Precision.DAY
    if match := _MY.match(words):
        month, year = (int(x) for x in match.groups())
        return _month_end(date(year, month, 1), today), Precision.MONTH
    if match := _YM.match(words):
        year, month = (int(x) for x in match.groups())
        return _month_end(date(year, month, 1), today), Precision.MONTH
    if match := _YEAR.match(words):
        year = int(match.group(1))
        return min(date(year, 12, 31), max(today, date(year, 1, 1))), Precision.YEAR
    return None


def _named_month(words: str, today: date, lang: str) -> tuple[date, Precision] | None:
    """ "12 October", "October 12th 2026", "Oct 2026", "October", "last October"."""
    months = _months(lang)
    month = day = year = None
    last = False
    fillers = _FILLER | _FILLERS.get(lang, frozenset())
    for token in words.replace("/", " ").split():
        if token in fillers:
            continue
        if token == "last" and month is None:  # noqa: S105 - a word, not a password
            last = True
        elif token in months and month is None:
            month = months[token]
        elif (match := _ORDINAL.match(token)) and day is None and 1 <= int(match.group(1)) <= 31:
            day = int(match.group(1))
        elif token.isdigit() and len(token) == 4 and year is None:
            year = int(token)
        else:
            return None
    if month is None:
        return None
    if year is None:
        # The most recent such month that has started (or "last October": before this month).
        year = today.year
        if (month, day or 1) > (today.month, today.day) or (last and month >= today.month):
            year -= 1
    if day is None:
        return _month_end(date(year, month, 1), today), Precision.MONTH
    return date(year, month, day), Precision.DAY


def _checked(found: tuple[date, Precision] | None, today: date) -> ParsedDate:
    if found is None:
        return UNREADABLE
    value, precision = found
    if value.year < 1900:
        return UNREADABLE
    earliest = {
        Precision.DAY: value,
        Precision.MONTH: value.replace(day=1),
        Precision.YEAR: value.replace(month=1, day=1),
    }[precision]
    if earliest > today:
        return ParsedDate(Outcome.FUTURE)
    return ParsedDate(Outcome.DATE, min(value, today), precision)


def _month_end(first: date, today: date) -> date:
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return last if last <= today or first > today else today


def _shift_month(value: date, months: int) -> date:
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(value.day, calendar.monthrange(year, month + 1)[1]))


# Little words around a written date in each language: "ym mis Hydref", "w październiku".
_FILLERS = {
    "cy": frozenset({"ym", "yn", "mis", "ar", "y", "yr", "o", "fis"}),
    "pl": frozenset({"w", "we", "dnia", "roku", "r"}),
    "ro": frozenset({"în", "pe", "luna", "anul"}),
    "pt": frozenset({"de", "em", "no", "na", "dia"}),
    "es": frozenset({"de", "en", "el", "del", "día"}),
    "ar": frozenset({"في", "يوم", "شهر", "سنة", "عام"}),
    "ur": frozenset({"کو", "میں", "کی", "تاریخ"}),
    "bn": frozenset({"তারিখ", "মাসে", "সালে"}),
    "pa": frozenset({"ਨੂੰ", "ਵਿੱਚ", "ਤਾਰੀਖ"}),
}
# Month forms CLDR does not list: Polish after "w" ("w październiku").
_MORE_MONTHS = {
    "pl": (
        *("styczniu", "lutym", "marcu", "kwietniu", "maju", "czerwcu", "lipcu"),
        *("sierpniu", "wrześniu", "październiku", "listopadzie", "grudniu"),
    ),
}
# Arabic-script vowel marks and the tatweel: people rarely type them, CLDR writes some.
_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")
_FIELDS = ("day", "week", "month", "year")
_WEEKDAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


_ALEF = str.maketrans("أإآ", "ااا")  # hamza seats: "امس" is typed as often as "أمس"


def _normal(text: str) -> str:
    return " ".join(_MARKS.sub("", text).translate(_ALEF).casefold().split()).strip(" .!?؟۔।")


@dataclass(frozen=True)
class _Phrases:
    """One language's relative words: fixed phrases and "{0} days ago" patterns."""

    fixed: dict[str, tuple[str, int]]  # "ddoe" -> ("day", -1); "gestern" -> ...
    ago: tuple[tuple[re.Pattern[str], str], ...]  # ("قبل (\d+) أيام", "day")


@cache
def _phrases(lang: str) -> _Phrases:
    """CLDR's relative date words of a language (and English), read through Babel."""
    fixed: dict[str, tuple[str, int]] = {}
    ago: list[tuple[re.Pattern[str], str]] = []
    for code in dict.fromkeys((babel_code(lang), "en_GB")):
        try:
            fields = Locale.parse(code)._data["date_fields"]
        except (ValueError, LookupError):
            continue
        for name in (*_FIELDS, *_WEEKDAY_FIELDS):
            for width in ("", "-short", "-narrow"):
                data = fields.get(name + width)
                if not data:
                    continue
                for offset, phrase in dict(data.get("relative", {})).items():
                    if int(offset) <= 0:
                        fixed.setdefault(_normal(phrase), (name, int(offset)))
                if name not in _FIELDS:
                    continue
                for pattern in dict(data.get("past", {})).values():
                    text = _normal(pattern)
                    if "{0}" in text:
                        regex = re.escape(text).replace(re.escape("{0}"), r"(\d+)")
                        ago.append((re.compile(f"^{regex}$"), name))
                    else:  # "قبل يومين": the number is in the word
                        fixed.setdefault(text, (name, -_spelled_amount(data, pattern)))
        for number, names in enumerate(_day_names(code)):
            for day_name in names:
                fixed.setdefault(day_name, (_WEEKDAY_FIELDS[number], 0))
    return _Phrases(fixed, tuple(dict.fromkeys(ago)))


def _spelled_amount(data: Any, pattern: str) -> int:
    """Which number a past pattern without {0} stands for ("one" -> 1, "two" -> 2)."""
    past = dict(data.get("past", {}))
    category = next((k for k, v in past.items() if v == pattern), "one")
    return {"zero": 0, "one": 1, "two": 2}.get(category, 1)


def _day_names(code: str) -> list[list[str]]:
    names: list[list[str]] = [[] for _ in range(7)]
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            try:
                found = get_day_names(width, context, locale=code)
            except (ValueError, LookupError):
                continue
            for number, name in found.items():
                names[number].append(_normal(name).rstrip("."))
    return names


def _cldr_relative(words: str, today: date, lang: str) -> tuple[date, Precision] | None:
    """ "ddoe", "dydd Mawrth diwethaf", "قبل 3 أيام", "w zeszłym miesiącu" in any language."""
    phrases = _phrases(lang)
    first, _, rest = words.partition(" ")
    if words not in phrases.fixed and first in _FILLERS.get(lang, ()) and rest:
        words = rest  # "na terça-feira passada"
    found = phrases.fixed.get(words)
    if found is not None:
        name, offset = found
        if name in _WEEKDAY_FIELDS:
            back = (today.weekday() - _WEEKDAY_FIELDS.index(name)) % 7
            if back == 0 and offset < 0:
                back = 7
            return today - timedelta(days=back), Precision.DAY
        return _back(name, -offset, today, exact=offset != 0)
    for pattern, name in phrases.ago:
        match = pattern.match(words)
        if match and int(match.group(1)) <= 100 * 366:
            return _back(name, int(match.group(1)), today, exact=True, ago=True)
    return None


def _back(
    unit: str, amount: int, today: date, *, exact: bool, ago: bool = False
) -> tuple[date, Precision]:
    """ "N units ago" (ago), or "last/this unit" (CLDR's relative -1 / 0)."""
    if unit == "day":
        return today - timedelta(days=amount), Precision.DAY
    if unit == "week":
        return today - timedelta(weeks=amount), Precision.DAY
    if unit == "month":
        if ago:
            return _shift_month(today, -amount), Precision.DAY
        if not amount:
            return today, Precision.MONTH
        return _month_end(_shift_month(today.replace(day=1), -amount), today), Precision.MONTH
    if ago:
        return _shift_month(today, -12 * amount), Precision.DAY
    if not amount:
        return today, Precision.YEAR
    return date(today.year - amount, 12, 31), Precision.YEAR


@cache
def _months(lang: str) -> dict[str, int]:
    """Month names and abbreviations in English and in the person's language."""
    names: dict[str, int] = {}
    for code in dict.fromkeys(("en", babel_code(lang))):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                try:
                    found = get_month_names(width, context, locale=code)
                except (ValueError, LookupError):
                    continue
                for number, name in found.items():
                    names.setdefault(_normal(name).rstrip("."), number)
    for number, name in enumerate(_MORE_MONTHS.get(lang, ()), start=1):
        names.setdefault(name, number)
    names.setdefault("sept", 9)
    return names


@cache
def _weekdays(lang: str) -> dict[str, int]:
    names: dict[str, int] = {}
    for code in dict.fromkeys(("en", babel_code(lang))):
        for width in ("wide", "abbreviated"):
            try:
                found = get_day_names(width, "format", locale=code)
            except (ValueError, LookupError):
                continue
            for number, name in found.items():
                names.setdefault(name.casefold().rstrip("."), number)
    for short, number in (("tues", 1), ("weds", 2), ("thur", 3), ("thurs", 3)):
        names.setdefault(short, number)
    return names
