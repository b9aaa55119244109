"""Command line: ``settlement serve`` and the operator and audit commands."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from settlement.config import Settings
from settlement.errors import ConfigurationError


def _serve(_: argparse.Namespace) -> int:
    from adapters.observability import configure_logging
    from settlement import bootstrap

    try:
        settings = Settings.from_env()
    except ConfigurationError as exc:
        print(f"settlement: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        asyncio.run(bootstrap.serve(settings))
    except ConfigurationError as exc:
        print(f"settlement: {exc}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="settlement", description="Accident quick-settlement service (交通事故快处快赔)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP and gRPC servers")
    serve.set_defaults(handler=_serve)
    from settlement.cli import liability

    liability.register(commands)
    from settlement.cli import audit as audit_cli
    from settlement.cli import demo as demo_cli
    from settlement.cli import outbox as outbox_cli
    from settlement.cli import sandbox as sandbox_cli
    from settlement.cli import staff as staff_cli

    staff_cli.register(commands)
    audit_cli.register(commands)
    demo_cli.register(commands)
    sandbox_cli.register(commands)
    outbox_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
