"""Shared steps of the witness tests: seal and checkpoint events, run ``audit verify``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping

from settlement.bootstrap import Runtime
from settlement.domain.audit import AuditEvent


async def sealed_and_checkpointed(runtime: Runtime, events: int) -> None:
    audit, sealer = runtime.services.audit, runtime.services.sealer
    assert audit is not None
    assert sealer is not None
    for i in range(events):
        await audit.record(AuditEvent(actor="staff:r1", actor_kind="staff", action="case.view",
                                      case_id=f"C{i:06d}"))  # fmt: skip
    assert await sealer.round() == events
    assert await sealer.checkpoint() is not None


async def run_verify(env: Mapping[str, str]) -> tuple[int, str]:
    """``settlement audit verify`` in its own process: its exit code and its output."""
    code, out, err = await run_audit(env, "verify")
    return code, out + err


async def run_audit(env: Mapping[str, str], *args: str) -> tuple[int, str, str]:
    """``settlement audit ARGS…`` in its own process: exit code, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "settlement", "audit", *args, env=dict(env),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()
