"""Email addresses and phone numbers: accepted, or explained."""

from __future__ import annotations

import pytest

from conversations.contacts import EmailProblem, check_email, check_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sam@example.com", "sam@example.com"),
        ("  Sam.Jones+x@Example.CO.UK ", "Sam.Jones+x@example.co.uk"),
        ("<sam@example.org>", "sam@example.org"),
        ("mailto:sam@example.org", "sam@example.org"),
        ("zażółć@przykład.pl", "zażółć@przykład.pl"),
    ],
)
def test_good_emails(typed: str, stored: str) -> None:
    assert check_email(typed) == (stored, None)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("sam.example.com", EmailProblem.NO_AT),
        ("sam@example", EmailProblem.NO_DOT),
        ("sam @example.com", EmailProblem.SPACES),
        ("sam@@example.com", EmailProblem.OTHER),
        ("sam@example.c", EmailProblem.OTHER),
        ("sam@exa..mple.com", EmailProblem.OTHER),
    ],
)
def test_bad_emails(typed: str, problem: EmailProblem) -> None:
    assert check_email(typed) == (None, problem)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900123", "+447700900123"),
        ("020 7946 0018", "+442079460018"),
        ("01225 123456", "+441225123456"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("+48 601 234 567", "+48601234567"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("٠٧٧٠٠٩٠٠١٢٣", "+447700900123"),  # Arabic-Indic digits
    ],
)
def test_good_phones(typed: str, stored: str) -> None:
    assert check_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["12345", "07700", "+44 07700 900123", "phone me", "+1234567890123456", "²³"]
)
def test_bad_phones(typed: str) -> None:
    assert check_phone(typed) is None
