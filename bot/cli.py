"""The `complaints` command: one sub-command per module in bot/commands/."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from bot.commands import COMMANDS
from storage.settings import SettingsError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="complaints",
        description="Complaints intake assistant: guided chat, deadline tracking, staff view.",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="TOML settings file (or COMPLAINTS_CONFIG)."
    )
    parser.add_argument(
        "--log-level", default="INFO", help="DEBUG, INFO or WARNING (default INFO)."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # At INFO httpx logs request URLs, and Telegram's carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    try:
        return int(args.run(args) or 0)
    except SettingsError as error:
        print(f"complaints: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
