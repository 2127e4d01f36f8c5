"""`complaints chat`: the guided chat in the terminal, against the configured database."""

from __future__ import annotations

import argparse
import asyncio
import getpass

from bot.console import run_console
from storage.runtime import open_storage
from storage.settings import load_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "chat",
        help="Make a complaint in the terminal (the same questions as the web chat).",
        description="Runs the guided chat in this terminal. Type a number to pick a "
        "button, or type your answer. Your answers are saved after each one: run it "
        "again with the same --as to continue.",
    )
    parser.add_argument(
        "--as",
        dest="person",
        default=None,
        help="who is chatting (default: your user name); the same name continues a draft",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config).with_secret_key()
    person = args.person or getpass.getuser()

    async def main() -> None:
        storage = await open_storage(settings)
        try:
            await run_console(storage, person)
        finally:
            await storage.close()

    asyncio.run(main())
    return 0
