"""The bot's command menu (setMyCommands), in every language Telegram can name."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from locales import LANGUAGES, Translator, translator

log = logging.getLogger(__name__)


def commands(t: Translator) -> list[BotCommand]:
    # TRANSLATORS: descriptions in Telegram's command menu; at most 256 characters each.
    return [
        BotCommand("start", t.gettext("Make a complaint, or carry on with yours")),
        BotCommand("help", t.gettext("What you can do here")),
        BotCommand("status", t.gettext("My complaints and their status")),
        BotCommand("language", t.gettext("Change language")),
        BotCommand("cancel", t.gettext("Stop making this complaint")),
        BotCommand("mydata", t.gettext("My data")),
    ]


def telegram_languages() -> list[str]:
    """Our languages that have a two-letter ISO 639-1 code, as Telegram requires.

    Easy Read English ("en_Easy") has none; people using it see the English menu.
    """
    return [code for code in LANGUAGES if len(code) == 2 and code.isalpha()]


async def register_commands(bot: Bot) -> None:
    """The default (English) menu, then one per language; a failure is logged, not fatal."""
    try:
        await bot.set_my_commands(commands(translator("en")))
        for code in telegram_languages():
            await bot.set_my_commands(commands(translator(code)), language_code=code)
    except TelegramError as error:
        log.warning("could not register the bot's commands: %s", type(error).__name__)


async def commands_for_chat(bot: Bot, chat_id: int, lang: str) -> None:
    """Show the menu in the language the person chose here, whatever their app's language."""
    try:
        await bot.set_my_commands(commands(translator(lang)), scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.info("could not set the command menu for a chat: %s", type(error).__name__)
