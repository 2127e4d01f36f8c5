"""`complaints export-person (--reference REF | --email ADDRESS)`: a subject access export."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from services.export import export_person, find_person, to_html, to_json
from storage.errors import NotFound
from storage.models import AuditEvent
from storage.runtime import open_storage
from storage.settings import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export-person",
        help="Everything held about one person (subject access request), as JSON and HTML.",
        description="Writes person-<id>.json and person-<id>.html with every record held "
        "about the person behind a case reference or an email address. Other people's "
        "names are marked for redaction: check them before sending.",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--reference", metavar="REF", help="A case reference, e.g. C-2026-0042.")
    which.add_argument("--email", metavar="ADDRESS", help="The person's email address.")
    parser.add_argument(
        "--output-dir", metavar="DIR", default=".", help="Where to write the files (default .)."
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        person_id, as_json, as_html = asyncio.run(_export(args))
    except NotFound:
        print(f"complaints: nobody found for {args.reference or args.email}", file=sys.stderr)
        return 2
    folder = Path(args.output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in (
        (folder / f"person-{person_id}.json", as_json),
        (folder / f"person-{person_id}.html", as_html),
    ):
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)  # personal data: readable by its owner only
        print(f"Wrote {path}")
    return 0


async def _export(args: argparse.Namespace) -> tuple[int, str, str]:
    storage = await open_storage(load_settings(args.config))
    try:
        person_id = await find_person(
            storage.sessions, reference=args.reference or "", email=args.email or ""
        )
        now = storage.clock()
        export = await export_person(
            storage.sessions, person_id, organisation=storage.procedure.organisation, now=now
        )
        async with storage.sessions() as session, session.begin():
            session.add(
                AuditEvent(
                    at=now,
                    actor="system",
                    action="export_person",
                    detail=f"person {person_id} (command line)",
                )
            )
    finally:
        await storage.close()
    return person_id, to_json(export), to_html(export)
