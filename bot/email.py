"""Email to complainants who asked to hear back by email (SMTP via aiosmtplib)."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import aiosmtplib

from bot.delivery import PermanentFailure, TemporaryFailure
from locales import translator
from storage.delivery import Item
from storage.settings import Settings


class EmailSender:
    """Sends one outbox item as a plain-text email."""

    def __init__(self, settings: Settings, organisation: str) -> None:
        self.settings = settings
        self.organisation = organisation

    def message(self, item: Item) -> EmailMessage:
        t = translator(item.language)
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = item.address
        message["Subject"] = item.subject or t.gettext(
            "Your complaint to {organisation}", organisation=self.organisation
        )
        message.set_content(item.body)
        return message

    async def send(self, item: Item, progress: Callable[[str], object]) -> str | None:
        s = self.settings
        try:
            errors, _ = await aiosmtplib.send(
                self.message(item),
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_user or None,
                password=s.smtp_password or None,
                start_tls=None,  # STARTTLS when the server offers it
                timeout=30,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"address refused: {error}") from error
        except aiosmtplib.SMTPResponseException as error:
            if 500 <= error.code < 600:
                raise PermanentFailure(f"refused by mail server: {error.code}") from error
            raise TemporaryFailure(f"mail server busy: {error.code}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"mail server unreachable: {type(error).__name__}") from error
        if errors:
            raise PermanentFailure(f"address refused: {errors}")
        return None
