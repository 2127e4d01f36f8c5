"""`complaints procedure list | show NAME | deadlines NAME ...`: procedures for staff."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from locales import LANGUAGES
from procedures.deadlines import calendar_for, enquiry_deadlines, stage_deadlines
from procedures.describe import describe
from procedures.loader import ProcedureError, load_procedure, preset_names
from procedures.translations import template
from storage.settings import NATIONS, load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("procedure", help="Complaints procedures and their due dates.")
    sub = parser.add_subparsers(dest="procedure_command", metavar="ACTION", required=True)

    sub.add_parser("list", help="The preset procedures.").set_defaults(run=run_list)

    show = sub.add_parser("show", help="A procedure in plain words, stage by stage.")
    show.add_argument("name", metavar="NAME", help="A preset name or a procedure file path.")
    show.add_argument(
        "--lang",
        default="en",
        metavar="CODE",
        help="Its texts in this language (cy, pl, ar...), listing what is untranslated.",
    )
    show.set_defaults(run=run_show)

    template = sub.add_parser(
        "template", help="The .pot of a procedure's texts, for translators (docs/procedures.md)."
    )
    template.add_argument("name", metavar="NAME", help="A preset name or a procedure file path.")
    template.set_defaults(run=run_template)

    deadlines = sub.add_parser("deadlines", help="The due dates of one stage of a complaint.")
    deadlines.add_argument("name", metavar="NAME", help="A preset name or a procedure file path.")
    # Parsed in run_deadlines, not by argparse, so bad input gives one line and exit code 2.
    deadlines.add_argument(
        "--kind",
        choices=("complaint", "enquiry"),
        default="complaint",
        help="A complaint stage (the default), or an elected member's enquiry.",
    )
    deadlines.add_argument("--stage", metavar="N", help="Stage number, from 1 (complaints).")
    deadlines.add_argument(
        "--received", required=True, metavar="YYYY-MM-DD", help="Day the stage was received."
    )
    deadlines.add_argument(
        "--responded", metavar="YYYY-MM-DD", help="Day the complainant received the response."
    )
    deadlines.add_argument(
        "--nation", choices=NATIONS, help="Bank holidays to use (default: from settings)."
    )
    deadlines.add_argument("--json", action="store_true", help="Print one JSON object.")
    deadlines.set_defaults(run=run_deadlines)


def run_list(args: argparse.Namespace) -> int:
    for name in preset_names():
        print(f"{name:24} {load_procedure(name).organisation}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    if args.lang not in LANGUAGES:
        return _fail(f"--lang {args.lang!r}: one of {', '.join(LANGUAGES)}")
    try:
        print(describe(load_procedure(args.name), args.lang))
    except ProcedureError as error:
        return _fail(str(error))
    return 0


def run_template(args: argparse.Namespace) -> int:
    try:
        print(template(load_procedure(args.name)), end="")
    except ProcedureError as error:
        return _fail(str(error))
    return 0


def run_deadlines(args: argparse.Namespace) -> int:
    try:
        procedure = load_procedure(args.name)
    except ProcedureError as error:
        return _fail(str(error))
    if args.kind == "enquiry":
        return _enquiry(args, procedure)
    if args.stage is None:
        return _fail("--stage N is required for a complaint stage")
    try:
        number = int(args.stage)
        procedure.stage(number)
    except (TypeError, ValueError, KeyError):
        return _fail(
            f"--stage {args.stage!r}: {procedure.key} has stages 1 to {procedure.last_stage}"
        )
    received = _date(args.received, "--received")
    responded = _date(args.responded, "--responded") if args.responded else None
    if received is None or (args.responded and responded is None):
        return 2
    if responded is not None and responded < received:
        return _fail("--responded: must not be before --received")
    nation = args.nation or load_settings(args.config).nation
    due = stage_deadlines(procedure, number, received, calendar_for(procedure, nation), responded)
    values = {
        "acknowledge_by": due.acknowledge_by,
        "respond_by": due.respond_by,
        "escalate_by": due.escalate_by,
    }
    if args.json:
        print(json.dumps({k: v.isoformat() if v else None for k, v in values.items()}))
        return 0
    stage = procedure.stage(number)
    print(f"{procedure.organisation}, stage {number} ({stage.name}), {nation} bank holidays")
    print(f"  received        {_show(received)}")
    for key, value in values.items():
        if value is None and key == "escalate_by" and responded is None:
            shown = "give --responded to compute it"
        else:
            shown = _show(value) if value else "no time limit"
        print(f"  {key:15} {shown}")
    return 0


def _enquiry(args: argparse.Namespace, procedure: Any) -> int:
    """An enquiry has one due date: the reply, counted from receipt."""
    if procedure.enquiries is None:
        return _fail(f"--kind enquiry: {procedure.key} sets no time limit for enquiries")
    received = _date(args.received, "--received")
    if received is None:
        return 2
    nation = args.nation or load_settings(args.config).nation
    due = enquiry_deadlines(procedure, received, calendar_for(procedure, nation))
    if args.json:
        print(json.dumps({"respond_by": due.respond_by.isoformat() if due.respond_by else None}))
        return 0
    print(f"{procedure.organisation}, enquiry from {procedure.enquiries.who}, {nation}")
    print(f"  received        {_show(received)}")
    print(f"  respond_by      {_show(due.respond_by) if due.respond_by else 'no time limit'}")
    return 0


def _date(text: str, option: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"{option} {text!r}: expected a date as YYYY-MM-DD")
        return None


def _show(day: date) -> str:
    return f"{day.isoformat()} ({day:%a})"


def _fail(message: str) -> int:
    print(f"complaints: {message}", file=sys.stderr)
    return 2
