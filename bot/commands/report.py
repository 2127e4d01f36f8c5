"""`complaints report --from DATE --to DATE [--format html|csv|json]`: the report figures."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any

from services.report_formats import board_html, csv_text, json_text
from storage.reports import Report, build_report
from storage.runtime import open_storage
from storage.settings import load_settings

RENDER = {"html": board_html, "csv": csv_text, "json": json_text}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="Report on the complaints received in a period (board report, CSV, JSON).",
        description="Figures for the complaints received from --from to --to (both days "
        "included): kinds, categories, channels, stages, time limits kept, outcomes, "
        "extensions, compliments and changes made. Complaints about staff are counted, "
        "never named.",
    )
    parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--format", choices=sorted(RENDER), default="html")
    parser.add_argument("--output", metavar="FILE", help="Write here instead of printing.")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except ValueError:
        print("complaints: give --from and --to as YYYY-MM-DD", file=sys.stderr)
        return 2
    if end < start:
        print("complaints: --to is before --from", file=sys.stderr)
        return 2
    report = asyncio.run(_report(args.config, start, end))
    text = RENDER[args.format](report)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}.")
    else:
        sys.stdout.write(text)
    return 0


async def _report(config: str | None, start: date, end: date) -> Report:
    storage = await open_storage(load_settings(config))
    try:
        return await build_report(
            storage.sessions,
            storage.procedure,
            storage.calendar,
            start=start,
            end=end,
            as_of=storage.clock().astimezone(storage.settings.zone).date(),
            zone=storage.settings.zone,
        )
    finally:
        await storage.close()
