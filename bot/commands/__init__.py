"""Sub-commands of `complaints`. Each module has `register(subparsers)` that sets `run`."""

from bot.commands import procedure, serve

COMMANDS = (serve, procedure)
