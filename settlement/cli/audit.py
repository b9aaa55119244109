"""``settlement audit verify|proof|check-proof|consistency|check-consistency|key``: check and
prove the audit log."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from settlement.config import Settings
from settlement.domain.audit import AuditReport
from settlement.domain.audit_proof import (
    check_consistency_proof,
    check_inclusion_proof,
    consistency_summary,
    public_key_from_text,
)
from settlement.errors import ConfigurationError, SettlementError

EXIT_OK, EXIT_BROKEN, EXIT_CONFIG = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``audit``'s actions; each handler is stored as ``handler`` in the arguments."""
    parser = subparsers.add_parser("audit", help="check the tamper-evident audit log")
    actions = parser.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser(
        "verify",
        help="verify every entry, batch, link and witnessed checkpoint",
        description="Re-hash every sealed entry, rebuild every batch's Merkle root, follow "
        "the chain of batches and check every signed checkpoint in the witness. Exits 1 and "
        "names each entry, batch or checkpoint that was altered, removed or reordered.",
    )
    verify.set_defaults(handler=run_verify)
    proof = actions.add_parser(
        "proof", help="print an entry's inclusion proof (JSON)",
        description="Print the proof that a sealed entry is in the log: its Merkle audit "
        "path, the batch chain up to a signed checkpoint, and the checkpoint.",
    )  # fmt: skip
    proof.add_argument("entry_id")
    proof.set_defaults(handler=run_proof)
    check = actions.add_parser(
        "check-proof", help="check a proof file (no database needed)",
        description="Check an inclusion proof offline. Give --public-key (hex) to check "
        "against a key you trust rather than the one inside the proof.",
    )  # fmt: skip
    check.add_argument("file", type=Path)
    check.add_argument("--public-key", default=None)
    check.set_defaults(handler=run_check_proof)
    consistency = actions.add_parser(
        "consistency", help="print a consistency proof between two checkpoints (JSON)",
        description="Print the proof that the log at checkpoint TO extends the log at "
        "checkpoint FROM (nothing up to FROM changed or removed): both signed checkpoints "
        "from the witness and the batch headers linking them.",
    )  # fmt: skip
    consistency.add_argument("first", metavar="FROM", type=int)
    consistency.add_argument("second", metavar="TO", type=int)
    consistency.set_defaults(handler=run_consistency)
    check_consistency = actions.add_parser(
        "check-consistency", help="check a consistency proof file (no database needed)",
        description="Check a consistency proof offline with the log's public key, given "
        "as 64 hex digits or as a file holding the hex or a PEM public key.",
    )  # fmt: skip
    check_consistency.add_argument("file", type=Path)
    check_consistency.add_argument("--key", required=True, metavar="PUBKEY_FILE_OR_HEX")
    check_consistency.set_defaults(handler=run_check_consistency)
    key = actions.add_parser(
        "key", help="print the public key that checks checkpoints (hex)",
        description="Print the raw Ed25519 public key of the checkpoint signing key as hex, "
        "to hand to auditors for check-proof and check-consistency.",
    )  # fmt: skip
    key.set_defaults(handler=run_key)


def run_verify(args: argparse.Namespace, settings: Settings | None = None,
               stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:  # fmt: skip
    """Handle ``audit verify``: 0 intact, 1 broken (each problem named), 2 bad settings."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        verdict = asyncio.run(_with_audit(settings, lambda audit: audit.verify()))
    except ConfigurationError as exc:
        print(f"audit: {exc}", file=err)
        return EXIT_CONFIG
    return report(verdict, out, err)


def report(verdict: AuditReport, out: TextIO, err: TextIO) -> int:
    summary = (
        f"{verdict.entries} entries in {verdict.batches} batches, "
        f"{verdict.checkpoints} checkpoints, {verdict.pending} entries not sealed yet"
    )
    if verdict.ok:
        print(f"audit log intact: {summary}", file=out)
        return EXIT_OK
    print(f"audit log BROKEN ({len(verdict.problems)} problems; {summary}):", file=err)
    for problem in verdict.problems:
        print(f"  {problem}", file=err)
    return EXIT_BROKEN


def run_proof(args: argparse.Namespace, settings: Settings | None = None,
              stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:  # fmt: skip
    """Handle ``audit proof ENTRY_ID``: the proof as JSON on stdout."""
    entry_id = str(args.entry_id)
    return _print_from_audit(lambda audit: audit.proof(entry_id), settings, stdout, stderr)


def _print_from_audit(make: Any, settings: Settings | None, stdout: TextIO | None,
                 stderr: TextIO | None) -> int:  # fmt: skip
    """Make a proof (or the key) with the audit trail and print it: 0, 1 refused, 2 bad
    settings."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        proof = asyncio.run(_with_audit(settings, make))
    except ConfigurationError as exc:
        print(f"audit: {exc}", file=err)
        return EXIT_CONFIG
    except SettlementError as exc:
        print(f"audit: {exc.message}", file=err)
        return EXIT_BROKEN
    print(proof if isinstance(proof, str) else json.dumps(proof, ensure_ascii=False, indent=2),
          file=out)  # fmt: skip
    return EXIT_OK


def run_check_proof(args: argparse.Namespace, stdout: TextIO | None = None,
                    stderr: TextIO | None = None) -> int:  # fmt: skip
    """Handle ``audit check-proof FILE``: 0 and what was proven, or 1 and why not."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        proof = json.loads(Path(args.file).read_text())
        key = bytes.fromhex(args.public_key) if args.public_key else None
        print(check_inclusion_proof(proof, key), file=out)
    except (OSError, ValueError) as exc:
        print(f"proof NOT valid: {exc}", file=err)
        return EXIT_BROKEN
    return EXIT_OK


def run_consistency(args: argparse.Namespace, settings: Settings | None = None,
                    stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:  # fmt: skip
    """Handle ``audit consistency FROM TO``: the proof as JSON on stdout."""
    first, second = int(args.first), int(args.second)
    return _print_from_audit(lambda audit: audit.consistency(first, second),
                             settings, stdout, stderr)  # fmt: skip


def run_key(args: argparse.Namespace, settings: Settings | None = None,
            stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:  # fmt: skip
    """Handle ``audit key``: the public key as hex on stdout."""

    async def public_key(audit: Any) -> str:
        key = audit.public_key
        if key is None:
            raise ConfigurationError("no audit signing key is configured here")
        return str(key.hex())

    return _print_from_audit(public_key, settings, stdout, stderr)


def run_check_consistency(args: argparse.Namespace, stdout: TextIO | None = None,
                          stderr: TextIO | None = None) -> int:  # fmt: skip
    """Handle ``audit check-consistency FILE --key KEY``: 0 and what was shown, or 1 and why not."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        proof = json.loads(Path(args.file).read_text())
        key_path = Path(args.key)
        # A file when one exists at that path, otherwise the hex itself.
        key_text = key_path.read_text() if key_path.is_file() else str(args.key)
        key = public_key_from_text(key_text)
    except (OSError, ValueError) as exc:
        print(f"consistency NOT shown: {exc}", file=err)
        return EXIT_BROKEN
    problems = check_consistency_proof(proof, key)
    if problems:
        print(f"consistency NOT shown ({len(problems)} problems):", file=err)
        for problem in problems:
            print(f"  {problem}", file=err)
        return EXIT_BROKEN
    print(consistency_summary(proof), file=out)
    return EXIT_OK


async def _with_audit(settings: Settings | None, run: Any) -> Any:
    from settlement.bootstrap import open_runtime

    async with open_runtime(settings or Settings.from_env()) as runtime:
        audit = runtime.services.audit
        if audit is None:
            raise ConfigurationError("the audit log is not configured in this installation")
        return await run(audit)

