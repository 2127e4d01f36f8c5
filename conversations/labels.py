"""Translated names of things the dialogue, the summary and the receipt all mention."""

from __future__ import annotations

from locales import Translator


def adjustment_labels(t: Translator) -> dict[str, str]:
    """One label per id in procedures.case.ADJUSTMENTS (a test checks they match)."""
    return {
        "large_print": t.gettext("Large print"),
        "easy_read": t.gettext("Easy Read"),
        "phone_call": t.gettext("A phone call instead of writing"),
        "bsl": t.gettext("British Sign Language"),
        "interpreter": t.gettext("An interpreter"),
        "helper": t.gettext("Someone to help me"),
        "extra_time": t.gettext("Extra time"),
        "braille": t.gettext("Braille"),
        "audio": t.gettext("Audio"),
    }


def kind_labels(t: Translator, compliments: bool = True) -> dict[str, str]:
    labels = {"complaint": t.gettext("Make a complaint")}
    if compliments:
        labels["compliment"] = t.gettext("Pay a compliment")
    labels["feedback"] = t.gettext("Give other feedback")
    return labels


def chat_label(t: Translator, channel: str) -> str:
    """How "this chat" is called in each channel."""
    if channel == "telegram":
        return t.gettext("Here in Telegram")
    if channel == "webchat":
        # TRANSLATORS: a way to hear back: in the web chat page they are using now.
        return t.gettext("Here in this web chat")
    return t.gettext("Here in this chat")


def contact_labels(t: Translator, channel: str) -> dict[str, str]:
    labels = {} if channel == "staff" else {"chat": chat_label(t, channel)}
    labels["email"] = t.gettext("By email")
    labels["phone"] = t.gettext("By phone")
    labels["post"] = t.gettext("By post")
    return labels


def received_labels(t: Translator) -> dict[str, str]:
    """For staff typing in a complaint: how it reached the organisation (procedures.Received)."""
    return {
        "phone": t.gettext("By phone"),
        "letter": t.gettext("By letter"),
        "in_person": t.gettext("In person"),
        "email": t.gettext("By email"),
    }
