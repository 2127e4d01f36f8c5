"""`complaints staff add | list | disable`: staff accounts from the command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import Any

from storage.errors import InvalidInput, NotFound
from storage.models import utcnow
from storage.runtime import open_storage
from storage.settings import load_settings
from storage.staff import StaffDirectory, procedure_roles

PASSWORD_ENV = "COMPLAINTS_STAFF_PASSWORD"  # noqa: S105 (the name of a variable)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("staff", help="Staff accounts for the staff web view.")
    sub = parser.add_subparsers(dest="staff_command", metavar="ACTION", required=True)

    add = sub.add_parser(
        "add",
        help="Add an account (password from COMPLAINTS_STAFF_PASSWORD or a prompt).",
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--name", required=True, help="The person's name, as colleagues know it.")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        metavar="ROLE",
        help="A handler role of the procedure, or admin; repeat for several.",
    )
    add.set_defaults(run=run_add)

    sub.add_parser("list", help="Every account, its roles and state.").set_defaults(run=run_list)

    disable = sub.add_parser("disable", help="Disable an account and end its sessions.")
    disable.add_argument("email", metavar="EMAIL")
    disable.set_defaults(run=run_disable)


def _password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        raise InvalidInput(f"Set {PASSWORD_ENV} or run this in a terminal to be asked.")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise InvalidInput("The two passwords are not the same.")
    return first


async def _directory(args: argparse.Namespace) -> tuple[StaffDirectory, Any]:
    storage = await open_storage(load_settings(args.config))
    return StaffDirectory(storage.sessions, storage.procedure), storage


def run_add(args: argparse.Namespace) -> int:
    async def add() -> None:
        directory, storage = await _directory(args)
        try:
            staff = await directory.add(args.email, args.name, _password(), args.role, now=utcnow())
        finally:
            await storage.close()
        print(f"Added {staff.name} <{staff.email}> with roles {', '.join(staff.roles)}.")

    return _run(add)


def run_list(args: argparse.Namespace) -> int:
    async def show() -> None:
        directory, storage = await _directory(args)
        try:
            accounts = await directory.all()
            roles = procedure_roles(storage.procedure)
        finally:
            await storage.close()
        if not accounts:
            print(
                "No staff accounts yet. Add one with: complaints staff add EMAIL --name NAME "
                "--role admin"
            )
        for a in accounts:
            state = "active" if a.active else "disabled"
            print(f"{a.email:32} {a.name:24} {','.join(a.roles):24} {state}")
        print(f"Roles of this procedure: {', '.join(roles)}")

    return _run(show)


def run_disable(args: argparse.Namespace) -> int:
    async def disable() -> None:
        directory, storage = await _directory(args)
        try:
            staff = await directory.by_email(args.email)
            await directory.set_active(staff.id, False, now=utcnow(), by=None)
        finally:
            await storage.close()
        print(f"Disabled {staff.email}; their sessions have ended.")

    return _run(disable)


def _run(work: Any) -> int:
    try:
        asyncio.run(work())
    except (InvalidInput, NotFound) as error:
        print(f"complaints: {error}", file=sys.stderr)
        return 2
    return 0
