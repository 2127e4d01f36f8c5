"""Sub-commands of `complaints`. Each module has `register(subparsers)` that sets `run`."""

from bot.commands import chat, procedure, serve, staff

COMMANDS = (serve, chat, procedure, staff)
