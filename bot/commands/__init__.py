"""Sub-commands of `complaints`. Each module has `register(subparsers)` that sets `run`."""

from bot.commands import chat, export_person, migrate, procedure, report, serve, staff

COMMANDS = (serve, migrate, chat, procedure, staff, report, export_person)
