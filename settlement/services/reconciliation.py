"""Reconciliation: find deliveries the partner never acknowledged and ask about them.

A claim filing or dispute counts as acknowledged once the partner shows it holds the
record: by answering a status query here, or by calling us about it (the inbound
servicer calls ``Outbox.acknowledge_key``). Overdue ones are re-queried:

* the partner knows it: acknowledged, and its current status is handed to the caller;
* the partner does not (UpstreamNotFound): it was lost, so it is re-queued and sent
  again with the same request_id;
* the partner cannot answer now: left for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from settlement.domain.exchange import (
    ClaimFiling,
    DisputeFiling,
    DisputeReport,
    InsurerClaimReport,
    OutboxMessage,
)
from settlement.errors import SettlementError, UpstreamNotFound
from settlement.ports.outbox import Outbox
from settlement.ports.partners import InsurerGateway, MediationGateway
from settlement.services.dispatcher import (
    KIND_FILE_CLAIM,
    KIND_SUBMIT_DISPUTE,
    describe,
    is_retryable_error,
)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReconciliationReport:
    acknowledged: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


async def reconcile_claims(
    outbox: Outbox,
    insurers: InsurerGateway,
    *,
    now: datetime,
    limit: int = 100,
    on_report: Callable[[InsurerClaimReport], Awaitable[None]] | None = None,
) -> ReconciliationReport:
    """Re-query insurers about filed claims with an overdue acknowledgement."""
    report = ReconciliationReport()
    for message in await outbox.unacknowledged(kind=KIND_FILE_CLAIM, now=now, limit=limit):
        filing = ClaimFiling.from_payload(message.payload)
        claim_number = str((message.result or {}).get("claim_number", ""))

        async def query(filing: ClaimFiling = filing, number: str = claim_number) -> object:
            return await insurers.claim_status(
                filing.insurer_code, claim_id=filing.claim_id, claim_number=number
            )

        status = await _check(outbox, message, query, now=now, report=report)
        if isinstance(status, InsurerClaimReport) and on_report is not None:
            await on_report(status)
    return report


async def reconcile_disputes(
    outbox: Outbox,
    mediation: MediationGateway,
    *,
    now: datetime,
    limit: int = 100,
    on_report: Callable[[DisputeReport], Awaitable[object]] | None = None,
) -> ReconciliationReport:
    """Re-query the mediation platform about disputes with an overdue acknowledgement."""
    report = ReconciliationReport()
    for message in await outbox.unacknowledged(kind=KIND_SUBMIT_DISPUTE, now=now, limit=limit):
        filing = DisputeFiling.from_payload(message.payload)
        dispute_id = str((message.result or {}).get("dispute_id", ""))

        async def query(filing: DisputeFiling = filing, dispute_id: str = dispute_id) -> object:
            return await mediation.dispute_status(dispute_id=dispute_id, case_id=filing.case_id)

        status = await _check(outbox, message, query, now=now, report=report)
        if isinstance(status, DisputeReport) and on_report is not None:
            await on_report(status)
    return report


async def _check(
    outbox: Outbox,
    message: OutboxMessage,
    query: Callable[[], Awaitable[object]],
    *,
    now: datetime,
    report: ReconciliationReport,
) -> object | None:
    try:
        status = await query()
    except UpstreamNotFound as exc:
        log.warning("partner has no record of %s %s; sending again", message.kind, message.id)
        await outbox.requeue(message.id, now=now, reason=describe(exc))
        report.requeued.append(message.id)
        return None
    except SettlementError as exc:
        if is_retryable_error(exc):
            report.unreachable.append(message.id)
        else:
            log.error("reconciliation of %s failed: %s", message.id, describe(exc))
            report.failed.append(message.id)
        return None
    await outbox.acknowledge(message.id, now=now, result={"reconciled": True})
    report.acknowledged.append(message.id)
    return status
