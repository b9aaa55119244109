"""``settlement outbox``: the partner backlog and the dead letters, from the command line.

    settlement outbox status              pending messages and oldest age per partner
    settlement outbox dead [--limit N]    dead letters with their last error
    settlement outbox show ID             one message, payload included
    settlement outbox replay ID | --all   send dead letters again (same request ids)
    settlement outbox cancel ID --reason  never send this pending or dead message
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TextIO

from settlement.config import Settings
from settlement.domain.exchange import OutboxMessage
from settlement.errors import ConfigurationError, InvalidInput, OutboxMessageNotFound
from settlement.services.outbox_admin import OutboxDesk, operator_event

EXIT_OK, EXIT_NOT_FOUND, EXIT_BAD_INPUT = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("outbox", help="partner backlog and dead letters")
    actions = parser.add_subparsers(dest="outbox_command", required=True)
    actions.add_parser("status", help="pending messages and oldest age per partner")
    dead = actions.add_parser("dead", help="dead letters with their last error")
    dead.add_argument("--limit", type=int, default=100)
    show = actions.add_parser("show", help="one message, payload included")
    show.add_argument("id")
    replay = actions.add_parser("replay", help="send dead letters again (same request ids)")
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?")
    which.add_argument("--all", action="store_true")
    cancel = actions.add_parser("cancel", help="never send this pending or dead message")
    cancel.add_argument("id")
    cancel.add_argument("--reason", required=True)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings | None = None,
        stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:  # fmt: skip
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        config = settings or Settings.from_env()
        lines = asyncio.run(_with_desk(config, lambda desk: _command(desk, args)))
    except OutboxMessageNotFound as exc:
        print(f"outbox: {exc}", file=err)
        return EXIT_NOT_FOUND
    except (InvalidInput, ConfigurationError) as exc:
        print(f"outbox: {exc}", file=err)
        return EXIT_BAD_INPUT
    for line in lines:
        print(line, file=out)
    return EXIT_OK


async def _with_desk(
    settings: Settings, use: Callable[[OutboxDesk], Awaitable[list[str]]]
) -> list[str]:
    from settlement.bootstrap import open_runtime

    async with open_runtime(settings) as runtime:
        desk = runtime.services.outbox
        if desk is None:
            raise ConfigurationError("the outbox is not configured in this installation")
        return await use(desk)


async def _command(desk: OutboxDesk, args: argparse.Namespace) -> list[str]:
    command = args.outbox_command
    if command == "status":
        rows = await desk.backlog()
        lines = [f"{'partner':<20} {'pending':>8} {'oldest':>10} {'dead':>6}"]
        lines += [f"{r.partner:<20} {r.pending:>8} {_age(r.oldest_pending_age_s):>10} {r.dead:>6}"
                  for r in rows]  # fmt: skip
        return lines if rows else ["nothing waiting"]
    if command == "dead":
        found = await desk.dead_letters(args.limit)
        return [_one_line(m) for m in found] or ["no dead letters"]
    if command == "show":
        return [json.dumps(_record(await desk.show(args.id)), ensure_ascii=False, indent=2)]
    by = operator_event(_operator())
    if command == "replay":
        if args.all:
            return [f"replayed {await desk.replay_all(by=by)} dead letter(s)"]
        message = await desk.replay(args.id, by=by)
        return [f"replayed {message.id} ({message.kind} to {message.partner})"]
    message = await desk.cancel(args.id, args.reason, by=by)
    return [f"cancelled {message.id} ({message.kind} to {message.partner})"]


def _operator() -> str:
    """The operating-system account running the command, for the audit entry."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a bare container)
        return f"uid:{os.getuid()}"


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


def _one_line(message: OutboxMessage) -> str:
    return (f"{message.id}  {message.partner:<16} {message.kind:<26} "
            f"attempts={message.attempts} dead_at={_when(message.dead_at)}  "
            f"last_error={message.last_error or '-'}")  # fmt: skip


def _record(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "partner": message.partner,
        "kind": message.kind,
        "key": message.key,
        "request_id": message.request_id,
        "status": message.status.value,
        "attempts": message.attempts,
        "replays": message.replays,
        "created_at": _when(message.created_at),
        "next_attempt_at": _when(message.next_attempt_at),
        "delivered_at": _when(message.delivered_at),
        "dead_at": _when(message.dead_at),
        "last_error": message.last_error,
        "payload": message.payload,
    }
