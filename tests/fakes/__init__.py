"""Test doubles for external services (the Telegram Bot API)."""
