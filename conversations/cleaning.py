"""Making raw typed text safe to store and show, without losing what the person meant."""

from __future__ import annotations

import unicodedata

# Descriptions (and what is added later) have no limit here: each message is kept whole, as
# one entry, however long; the channels cap what one message can carry.
# Free-text answers that are not descriptions (what would put it right, an address, a note).
TEXT_LIMIT = 5000
# Names, roles, relationships, email addresses, phone numbers.
SHORT_LIMIT = 200

# Bidirectional embeddings and overrides can make stored text display as something else
# (the "Trojan Source" trick). Marks (LRM/RLM) and joiners are kept: scripts such as Urdu need
# the zero-width non-joiner, and emoji sequences need the joiner.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KEEP_CONTROLS = frozenset("\n\t")


def clean(text: str) -> str:
    """Strip control characters (not newlines or tabs), bidi overrides and lone surrogates."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in _KEEP_CONTROLS:
            kept.append(char)
        elif category in ("Cc", "Cs", "Co", "Cn") or char in _BIDI_CONTROLS or char == "\ufeff":
            continue
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).strip()


def has_words(text: str) -> bool:
    """Whether the text holds any letter or digit (in any script), not only emoji or symbols."""
    return any(unicodedata.category(char)[0] in ("L", "N") for char in text)


def shorten(text: str, limit: int = 200) -> str:
    """For read-backs only: the stored text is never shortened."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ascii_digits(text: str) -> str:
    """Digits from any script as 0-9 ("٠٧٧٠٠" -> "07700"), so numbers typed on any keyboard work."""
    return "".join(
        str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in text
    )
