"""The Telegram channel: python-telegram-bot handlers, rendering, webhook and outbox sender."""
