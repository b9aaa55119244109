"""``settlement liability FILE.json``: run the liability engine on one facts document.

Prints the determination as JSON (UTF-8, indented) and exits 0. A file that cannot be read,
is not JSON, or is not a valid facts document prints one line naming the problem (and the
field, when there is one) on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from settlement.domain.facts import parse_facts
from settlement.domain.jurisdiction import ADMISSIBLE_REASONS
from settlement.domain.liability import decide
from settlement.errors import InvalidInput

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``liability`` subcommand; its handler is stored as ``handler`` in the args."""
    parser = subparsers.add_parser(
        "liability",
        help="decide eligibility, liability and payout for a facts document",
        description="Read an accident facts document and print the engine's determination.",
    )
    parser.add_argument("file", metavar="FILE.json", help="facts document, or '-' for stdin")
    parser.add_argument(
        "--admit", action="append", default=[], choices=sorted(ADMISSIBLE_REASONS),
        metavar="REASON",
        help="decide as a jurisdiction whose local rules admit this exclusion to online police "
        f"determination (repeatable; one of {', '.join(sorted(ADMISSIBLE_REASONS))})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None,
        stderr: TextIO | None = None) -> int:
    """Handle ``liability FILE.json``.

    Args:
        args: parsed arguments with ``file`` (and ``admit``: admitted exclusion codes).
        stdin / stdout / stderr: streams (the process's own by default).

    Returns:
        0 on success, 2 when the input is unreadable or invalid.
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        if args.file == "-":
            text = (stdin or sys.stdin).read()
        else:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"liability: cannot read {args.file}: {exc}", file=err)
        return EXIT_BAD_INPUT
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        print(f"liability: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}",
              file=err)
        return EXIT_BAD_INPUT
    try:
        facts = parse_facts(document)
    except InvalidInput as exc:
        field = exc.details.get("field", "")
        print(f"liability: invalid facts document, field {field}: {exc.message}", file=err)
        return EXIT_BAD_INPUT
    determination = decide(facts, admitted=frozenset(getattr(args, "admit", ())))
    print(json.dumps(determination.to_json_dict(), ensure_ascii=False, indent=2), file=out)
    return EXIT_OK
