"""Checking the contact details a person gives, so a reply can actually reach them."""

from __future__ import annotations

import re
from enum import StrEnum

from conversations.cleaning import ascii_digits

# Deliberately plain: one @, something before it, a dotted domain with a 2+ letter ending.
# Unicode letters are allowed (internationalised addresses); spaces are not.
_EMAIL = re.compile(r"^[^\s@<>(),;:\"\[\]]+@[^\s@<>(),;:\"\[\]_]+\.[^\W\d_]{2,}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")


class EmailProblem(StrEnum):
    NO_AT = "no_at"
    NO_DOT = "no_dot"
    SPACES = "spaces"
    OTHER = "other"


def check_email(text: str) -> tuple[str | None, EmailProblem | None]:
    """(normalised address, None) when it looks deliverable, else (None, what is wrong)."""
    value = text.strip().strip("<>").strip()
    if value.casefold().startswith("mailto:"):
        value = value[len("mailto:") :]
    if _EMAIL.match(value) and ".." not in value:
        local, domain = value.rsplit("@", 1)
        return f"{local}@{domain.casefold()}", None
    if "@" not in value:
        return None, EmailProblem.NO_AT
    if any(char.isspace() for char in value):
        return None, EmailProblem.SPACES
    if "." not in value.rsplit("@", 1)[1]:
        return None, EmailProblem.NO_DOT
    return None, EmailProblem.OTHER


def check_phone(text: str) -> str | None:
    """A phone number in international form (+44...), or None if it cannot be one.

    UK numbers: 0 followed by 9 or 10 digits ("07700 900123", "020 7946 0018"), or +44 with
    an optional (0). Other countries: + or 00, then 8 to 15 digits (the E.164 range).
    """
    value = ascii_digits(text).strip().replace("(0)", "")
    value = _PHONE_SEPARATORS.sub("", value)
    if value.startswith("00"):
        value = "+" + value[2:]
    if value.startswith("+"):
        digits = value[1:]
        if not digits.isascii() or not digits.isdigit():
            return None
        if digits.startswith("44"):
            national = digits[2:]
            return f"+44{national}" if len(national) in (9, 10) and national[0] != "0" else None
        return f"+{digits}" if 8 <= len(digits) <= 15 and digits[0] != "0" else None
    if value.isascii() and value.isdigit() and value.startswith("0") and len(value) in (10, 11):
        return f"+44{value[1:]}"
    return None
