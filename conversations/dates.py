"""Reading "when did it happen" as people write it: "last Tuesday", "12/10/2026", "October".

Dates are day-first (UK). A vague answer ("October", "2025") becomes the latest day it can
mean, never after today, so a time-limit warning is only given when it is certainly late;
the person's own words are always kept beside the date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

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
    words = " ".join(ascii_digits(text).casefold().replace(",", " ").split()).strip(" .!")
    if not words:
        return UNREADABLE
    if words in _UNKNOWN_PHRASES:
        return ParsedDate(Outcome.UNKNOWN)
    relative = _relative(words, today, lang)
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
    for token in words.replace("/", " ").split():
        if token in _FILLER:
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
                    names.setdefault(name.casefold().rstrip("."), number)
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
