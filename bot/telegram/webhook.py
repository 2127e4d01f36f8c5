"""POST /telegram/webhook: updates pushed by Telegram, checked by their secret header."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update

from bot.telegram.app import TelegramApp

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def setup(app: web.Application, application: TelegramApp, secret: str) -> None:
    """Register the route; COMPLAINTS_TELEGRAM_WEBHOOK_URL must reach PATH on this server."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        """Check the secret, then handle the update before answering Telegram."""
        given = request.headers.get(HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook request with a wrong or missing secret refused")
            return web.Response(status=403)
        if not application.running:  # Telegram unreachable at start: it sends it again later
            return web.Response(status=503)
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400)
        if not isinstance(data, dict) or "update_id" not in data:
            return web.Response(status=400)
        update = Update.de_json(data, application.bot)
        # Handled before the 200: if we die first, Telegram sends the update again, and the
        # dialogue ignores an update id it has already stored. Through the Application's
        # update processor, as with polling: chats side by side, one chat's updates in order.
        await application.update_processor.process_update(
            update, application.process_update(update)
        )
        return web.Response()

    app.router.add_post(PATH, receive)
