"""Periodic jobs of ``settlement serve`` (reconciliation, mediation polling), each run by one
process at a time under a lease, so any number of processes may be started."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from settlement.ports.jobs import JobLeases

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    interval_s: float
    run: Callable[[], Awaitable[object]]


async def run_jobs(
    jobs: Sequence[PeriodicJob],
    leases: JobLeases,
    *,
    owner: str,
    clock: Callable[[], datetime],
    stop: asyncio.Event,
) -> None:
    """Run every job every ``interval_s`` while this process holds its lease.

    The lease lasts three intervals: a process that dies hands the job over within that.
    """
    await asyncio.gather(*(_loop(job, leases, owner, clock, stop) for job in jobs))


async def _loop(
    job: PeriodicJob,
    leases: JobLeases,
    owner: str,
    clock: Callable[[], datetime],
    stop: asyncio.Event,
) -> None:
    lease_for = timedelta(seconds=3 * job.interval_s)
    while not stop.is_set():
        try:
            if await leases.try_acquire(job.name, owner=owner, lease_for=lease_for, now=clock()):
                await job.run()
        except Exception:  # one failed run must not end the job
            log.exception("periodic job %s failed", job.name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=job.interval_s)
