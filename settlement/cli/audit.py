"""``settlement audit verify``: re-hash the audit trail and name the first broken entry."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

from settlement.config import Settings
from settlement.domain.audit import ChainCheck
from settlement.errors import ConfigurationError

EXIT_OK, EXIT_BROKEN, EXIT_CONFIG = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``audit verify``; the handler is stored as ``handler`` in the parsed arguments."""
    parser = subparsers.add_parser("audit", help="check the tamper-evident audit trail")
    actions = parser.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser(
        "verify",
        help="verify the hash chain",
        description="Re-hash every audit entry in order. Exits 1 and names the first entry "
        "that was altered or removed.",
    )
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace, settings: Settings | None = None,
               stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:  # fmt: skip
    """Handle ``audit verify``.

    Returns:
        0 when the chain is intact, 1 when an entry was altered or removed, 2 on bad settings.
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        check = asyncio.run(verify_trail(settings or Settings.from_env()))
    except ConfigurationError as exc:
        print(f"audit: {exc}", file=err)
        return EXIT_CONFIG
    return report(check, out, err)


def report(check: ChainCheck, out: TextIO, err: TextIO) -> int:
    if check.ok:
        print(f"audit trail intact: {check.checked} entries verified", file=out)
        return EXIT_OK
    print(f"audit trail BROKEN at entry {check.broken_seq}: {check.problem}", file=err)
    return EXIT_BROKEN


async def verify_trail(settings: Settings) -> ChainCheck:
    from settlement.bootstrap import open_runtime

    async with open_runtime(settings) as runtime:
        audit = runtime.services.audit
        if audit is None:
            raise ConfigurationError("the audit trail is not configured in this installation")
        return await audit.verify()
