"""A dialogue Reply as Telegram messages: plain text parts and one inline keyboard."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.model import Choice, Reply

MAX_TEXT = 4096  # Telegram counts UTF-16 code units
MAX_CALLBACK_DATA = 64  # bytes
# Marks callback data that stands for a choice id too long for a button (see button_data).
HASHED = "#"


@dataclass(frozen=True)
class Rendered:
    """One message to send: plain text (no parse mode, so nothing needs escaping)."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most `limit` UTF-16 units, cut at paragraph, then line, then word breaks."""
    text = text.strip() or "…"
    parts: list[str] = []
    while utf16_len(text) > limit:
        cut = _fit(text, limit)
        head = text[:cut]
        for separator in ("\n\n", "\n", " "):
            at = head.rfind(separator)
            if at > cut // 2:  # do not leave a tiny part for the sake of a nice break
                cut = at
                break
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return [part for part in parts if part]


def _fit(text: str, limit: int) -> int:
    """The longest prefix length (in characters) within `limit` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def button_data(choice_id: str) -> str:
    """Callback data for a choice: the id itself, or a short hash when it would not fit.

    Telegram refuses buttons whose data is over 64 bytes. A hashed id is resolved against
    the choices of the question the person is on now (see `resolve`); a hash of an older
    question's button matches nothing and reaches the dialogue as an old button.
    """
    if len(choice_id.encode()) <= MAX_CALLBACK_DATA:
        return choice_id
    return HASHED + hashlib.sha256(choice_id.encode()).hexdigest()[:40]


def resolve(data: str, current: Iterable[Choice]) -> str:
    """The choice id behind a button's callback data."""
    if not data.startswith(HASHED):
        return data
    return next((c.id for c in current if button_data(c.id) == data), data)


def keyboard(choices: Iterable[Choice]) -> InlineKeyboardMarkup | None:
    # One button per row: labels stay whole and easy to tap on a phone.
    rows = [[InlineKeyboardButton(c.marked, callback_data=button_data(c.id))] for c in choices]
    return InlineKeyboardMarkup(rows) if rows else None


def render(replies: list[Reply]) -> list[Rendered]:
    """Messages for replies in order; only the last reply that has buttons keeps them.

    A turn can yield several replies (e.g. "Sending it now." and the receipt) that offer
    the same buttons; showing them once, on the newest message, avoids stale keyboards.
    """
    with_buttons = [i for i, reply in enumerate(replies) if reply.choices]
    keep = with_buttons[-1] if with_buttons else -1
    messages: list[Rendered] = []
    for index, reply in enumerate(replies):
        parts = split_text(reply.text)
        markup = keyboard(reply.choices) if index == keep else None
        messages += [Rendered(part) for part in parts[:-1]]
        messages.append(Rendered(parts[-1], markup))
    return messages


def answered(text: str, label: str) -> str | None:
    """The question's text marked with the chosen label, or None if it would be too long."""
    marked = f"{text}\n\n✓ {label}"
    return marked if utf16_len(marked) <= MAX_TEXT else None
