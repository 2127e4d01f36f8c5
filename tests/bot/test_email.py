"""Email delivery through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from bot.delivery import TemporaryFailure
from bot.email import EmailSender
from storage.delivery import Item
from storage.settings import Settings
from tests.ports import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def item(body: str, language: str = "en") -> Item:
    return Item(1, "email", "person@example.org", "", body, language, 1, "")


async def test_email_arrives_with_subject_in_the_person_language(
    smtp: tuple[Inbox, int], settings: Settings
) -> None:
    inbox, port = smtp
    settings = replace(
        settings, smtp_host="127.0.0.1", smtp_port=port, smtp_from="complaints@example.org"
    )
    sender = EmailSender(settings, "West Wilts Child Contact Centre")
    await sender.send(item("We have received your complaint C-2026-0001."), print)
    [message] = inbox.messages
    assert message["To"] == "person@example.org"
    assert message["Subject"] == "Your complaint to West Wilts Child Contact Centre"
    assert "C-2026-0001" in message.get_payload(decode=True).decode()


async def test_unreachable_server_is_a_temporary_failure(settings: Settings) -> None:
    settings = replace(settings, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_from="a@b.c")
    with pytest.raises(TemporaryFailure, match="unreachable"):
        await EmailSender(settings, "Org").send(item("Hello"), print)
