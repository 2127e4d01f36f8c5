"""The commands that work at any question: help, back, talk to a person, cancel, language,
and the status of my complaints and my data (which leave the question where it was).

They arrive as a button ("cmd:help") or typed on their own ("help", "/help", or the word in
the person's language). Only a whole message counts, so a description that merely contains
the word "back" is never taken for a command.
"""

from __future__ import annotations

from enum import StrEnum

from conversations.model import Choice
from locales import Translator


class Command(StrEnum):
    HELP = "help"
    BACK = "back"
    PERSON = "person"
    CANCEL = "cancel"
    LANGUAGE = "language"
    RESUME = "start"  # Telegram's /start on an existing conversation: show where we are
    STATUS = "status"  # how my complaints stand (Telegram's /status), at any question
    MY_DATA = "mydata"  # what you hold about me (Telegram's /mydata), at any question


PREFIX = "cmd:"

# English words always work, whatever the language, since many people type them anyway.
_ENGLISH: dict[Command, tuple[str, ...]] = {
    Command.HELP: ("help", "help me", "?", "what do i do", "menu"),
    Command.BACK: ("back", "go back", "previous", "undo"),
    Command.PERSON: (
        "person",
        "talk to a person",
        "speak to a person",
        "talk to someone",
        "speak to someone",
        "i want to talk to a person",
        "i want to speak to someone",
        "i want to speak to a person",
        "can i speak to someone",
        "can i talk to someone",
        "a real person",
        "talk to a human",
        "human",
        "call me",
        "agent",
        "staff",
    ),
    Command.CANCEL: ("cancel", "stop", "quit", "exit"),
    Command.LANGUAGE: ("language", "change language", "lang"),
    Command.RESUME: ("start",),
    Command.STATUS: ("status", "my status", "my complaints"),
    Command.MY_DATA: ("mydata", "my data"),
}


def _translated(t: Translator) -> dict[Command, tuple[str, ...]]:
    # TRANSLATORS: words a person may type on their own to ask for help at any question,
    # separated by commas, lower case. Not shown to anyone.
    help_words = t.gettext("help, help me")
    # TRANSLATORS: words typed alone to go back to the previous question, comma-separated.
    back_words = t.gettext("back, go back")
    # TRANSLATORS: words typed alone to ask for a member of staff, comma-separated.
    person_words = t.gettext("talk to a person, person")
    # TRANSLATORS: more ways to ask for a member of staff, typed alone, comma-separated, lower
    # case. Not shown to anyone.
    person_words += "," + t.gettext(
        "i want to talk to a person, speak to someone, talk to someone, i want to speak to someone"
    )
    # TRANSLATORS: words typed alone to stop making the complaint, comma-separated.
    cancel_words = t.gettext("cancel, stop")
    # TRANSLATORS: words typed alone to choose another language, comma-separated.
    language_words = t.gettext("language, change language")
    found = {
        Command.HELP: help_words,
        Command.BACK: back_words,
        Command.PERSON: person_words,
        Command.CANCEL: cancel_words,
        Command.LANGUAGE: language_words,
    }
    return {command: _words(text) for command, text in found.items()}


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip().casefold() for word in text.split(",") if word.strip())


def recognise(text: str, choice: str | None, t: Translator) -> Command | None:
    """The command this message is, if it is one."""
    if choice is not None:
        if choice.startswith(PREFIX):
            try:
                return Command(choice[len(PREFIX) :])
            except ValueError:
                return None
        return None
    typed = " ".join(text.casefold().replace("\u2019", "'").split()).strip(" .!")
    if typed != "?":
        typed = typed.rstrip("?").strip()  # "can I speak to someone?"
    if typed.startswith("/"):
        typed = typed[1:].split("@")[0]  # "/help@SomeBot" in Telegram groups
    if not typed or len(typed) > 40:
        return None
    translated = _translated(t)
    for command, words in _ENGLISH.items():
        if typed in words or typed in translated.get(command, ()):
            return command
    return None


def command_choices(t: Translator) -> tuple[Choice, ...]:
    """Buttons a channel may keep on screen (a footer or a menu) at every question."""
    return (
        Choice(PREFIX + Command.HELP, t.gettext("Help")),
        Choice(PREFIX + Command.BACK, t.gettext("Back")),
        Choice(PREFIX + Command.PERSON, t.gettext("Talk to a person")),
        Choice(PREFIX + Command.LANGUAGE, t.gettext("Language")),
        Choice(PREFIX + Command.CANCEL, t.gettext("Cancel")),
    )
