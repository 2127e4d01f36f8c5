"""Words staff read in reports and pages: channel names and long dates (staff text is English)."""

from __future__ import annotations

from datetime import date, datetime

CHANNEL_WORDS = {
    "telegram": "Telegram",
    "webchat": "web chat",
    "console": "console",
    "email": "email",
    "phone": "phone call (a task for staff)",
    "post": "letter by post (a task for staff)",
    "letter": "letter",
    "in_person": "in person",
}


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%a %d %b %Y, %H:%M")
    return value.strftime("%a %d %b %Y")
