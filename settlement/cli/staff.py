"""``settlement staff add``: create a console account (password from stdin or a prompt)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any, TextIO

from settlement.config import Settings
from settlement.errors import AlreadyExists, ConfigurationError, InvalidInput

EXIT_OK, EXIT_EXISTS, EXIT_BAD_INPUT = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``staff add``; the handler is stored as ``handler`` in the parsed arguments."""
    parser = subparsers.add_parser("staff", help="manage police console accounts")
    actions = parser.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser(
        "add",
        help="create an account",
        description="Create a console account. The password is read from standard input "
        "when it is not a terminal, otherwise prompted for twice.",
    )
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=["reviewer", "supervisor", "admin"])
    add.add_argument("--jurisdiction", required=True,
                     help="division code, e.g. 440305, or '*' for every district")
    add.add_argument("--display-name", "--name", dest="display_name", default="",
                     help="the officer's name as printed on documents")
    add.add_argument("--badge", default="", help="badge number (警号), printed on documents")
    add.set_defaults(handler=run_add)


def read_password(stdin: TextIO) -> str:
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise InvalidInput("The passwords differ.", field="password")
    return first


def run_add(args: argparse.Namespace, settings: Settings | None = None,
            stdin: TextIO | None = None, stdout: TextIO | None = None,
            stderr: TextIO | None = None) -> int:  # fmt: skip
    """Handle ``staff add``.

    Returns:
        0 when created, 1 when the username is taken, 2 for invalid input or settings.
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        config = settings or Settings.from_env()
        password = read_password(stdin or sys.stdin)
        asyncio.run(_add(config, args, password))
    except (InvalidInput, ConfigurationError) as exc:
        print(f"staff: {exc}", file=err)
        return EXIT_BAD_INPUT
    except AlreadyExists as exc:
        print(f"staff: {exc}", file=err)
        return EXIT_EXISTS
    print(f"created {args.role} {args.username} for jurisdiction {args.jurisdiction}", file=out)
    return EXIT_OK


async def _add(settings: Settings, args: argparse.Namespace, password: str) -> None:
    from settlement.bootstrap import open_runtime

    async with open_runtime(settings) as runtime:
        staff = runtime.services.staff_auth
        if staff is None:
            raise ConfigurationError("the console is not configured in this installation")
        await staff.create_account(
            args.username, args.role, args.jurisdiction, password, args.display_name,
            badge_number=args.badge,
        )
