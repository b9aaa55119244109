"""The outbox dispatcher: delivers stored messages to partners, at least once.

Several dispatcher processes may run at once: each leases messages under its own
``owner`` id for ``lease_for``; a crashed owner's leases simply expire. Failures are
retried with exponential backoff and full jitter, but only when the error says a
later attempt can succeed; everything else goes to the dead letters at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from settlement.domain.exchange import (
    ClaimCancellation,
    ClaimFiling,
    DisputeFiling,
    DisputeReceipt,
    FiledClaim,
    OutboxMessage,
    SubscriptionMessage,
)
from settlement.errors import SettlementError, UpstreamNotFound, UpstreamUnavailable
from settlement.ports.outbox import Outbox
from settlement.ports.partners import InsurerGateway, MediationGateway, Notifier

log = logging.getLogger(__name__)

KIND_FILE_CLAIM = "insurer.file_claim"
KIND_CANCEL_CLAIM = "insurer.cancel_claim"
KIND_SUBMIT_DISPUTE = "mediation.submit_dispute"
KIND_WECHAT_MESSAGE = "wechat.subscribe_message"

#: A handler delivers one message; what it returns is stored as the delivery result.
Handler = Callable[[OutboxMessage], Awaitable[Mapping[str, Any] | None]]
Clock = Callable[[], datetime]

#: Canonical statuses after which the same request may succeed later.
RETRYABLE_STATUSES = frozenset(
    {"UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "ABORTED"}
)


def is_retryable_error(exc: BaseException) -> bool:
    """Retry transport trouble; never retry a partner's considered "no".

    Unexpected exceptions (bugs, a driver hiccup) count as retryable: the attempt limit
    bounds them and they end in the dead letters, where a person looks at them.
    """
    if isinstance(exc, SettlementError):
        return exc.status in RETRYABLE_STATUSES
    return isinstance(exc, Exception)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter: ``uniform(0, min(cap, base * 2**(n-1)))``.

    The defaults spread 12 attempts over roughly a day at most, like WeChat Pay's
    notification schedule.
    """

    max_attempts: int = 12
    base_delay_s: float = 15.0
    max_delay_s: float = 6 * 3600.0

    def delay_s(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** max(attempt - 1, 0))
        return rng.uniform(0.0, ceiling)


@dataclass(slots=True)
class DispatchReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    lost_lease: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retried + self.dead + self.lost_lease


@dataclass
class Dispatcher:
    """Leases due outbox messages and runs the handler registered for their kind.

    Args:
        outbox: where messages are stored.
        handlers: message kind -> handler. Only these kinds are leased, so processes with
            different handler sets can share one outbox during a rolling deploy.
        owner: unique per process (e.g. ``hostname:pid:uuid``).
        lease_for: how long a leased message is ours; must exceed ``handler_timeout_s``.
        handler_timeout_s: a handler still running after this counts as a retryable failure.
        batch_size: messages leased (and delivered concurrently) per round.
        poll_interval_s: pause in ``run_forever`` when nothing was due.
        probes: partner (``insurer:PICC``, ``court``) -> "is it reachable now?"; when one
            turns reachable again its waiting messages are retried at once instead of at
            their backoff time.
        probe_interval_s: how often the probes are asked.
    """

    outbox: Outbox
    handlers: Mapping[str, Handler]
    owner: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    lease_for: timedelta = timedelta(seconds=60)
    handler_timeout_s: float = 30.0
    batch_size: int = 20
    poll_interval_s: float = 1.0
    clock: Clock = utc_now
    rng: random.Random = field(default_factory=random.Random)
    probes: Mapping[str, Callable[[], bool]] = field(default_factory=dict)
    probe_interval_s: float = 0.5
    _wake: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def __post_init__(self) -> None:
        if self.lease_for.total_seconds() <= self.handler_timeout_s:
            raise ValueError("lease_for must be longer than handler_timeout_s")

    async def run_once(self) -> DispatchReport:
        """Lease one batch of due messages and try each once."""
        report = DispatchReport()
        if not self.handlers:
            return report
        messages = await self.outbox.lease_due(
            owner=self.owner,
            kinds=list(self.handlers),
            now=self.clock(),
            lease_for=self.lease_for,
            limit=self.batch_size,
        )
        outcomes = await asyncio.gather(*(self._deliver(m) for m in messages))
        for outcome in outcomes:
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Dispatch until ``stop`` is set; errors of one round never end the loop."""
        watcher = asyncio.create_task(self._watch_partners(stop)) if self.probes else None
        try:
            while not stop.is_set():
                try:
                    report = await self.run_once()
                except Exception:
                    log.exception("outbox dispatch round failed")
                    report = DispatchReport()
                if report.handled == 0:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(_first(stop, self._wake),
                                               timeout=self.poll_interval_s)  # fmt: skip
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher

    async def recovered(self, partner: str) -> int:
        """``partner`` is reachable again: its waiting messages are due now."""
        count = await self.outbox.retry_now(partner, now=self.clock())
        if count:
            log.info("partner %s is back: retrying %d waiting message(s) now", partner, count)
            self._wake.set()
        return count

    async def _watch_partners(self, stop: asyncio.Event) -> None:
        reachable: dict[str, bool] = {}
        while not stop.is_set():
            for partner, probe in self.probes.items():
                try:
                    now_up = probe()
                except Exception:  # a probe must never stop the watcher
                    now_up = False
                if now_up and reachable.get(partner) is False:
                    try:
                        await self.recovered(partner)
                    except Exception:
                        log.exception("retrying the backlog of %s failed", partner)
                reachable[partner] = now_up
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.probe_interval_s)

    async def _deliver(self, message: OutboxMessage) -> str:
        handler = self.handlers[message.kind]
        try:
            async with asyncio.timeout(self.handler_timeout_s):
                result = await handler(message)
        except Exception as exc:
            return await self._failed(message, exc)
        delivered = await self.outbox.mark_delivered(message.id, now=self.clock(), result=result)
        if not delivered:
            # Someone else finished it after our lease expired: the partner deduplicated.
            return "lost_lease"
        log.info("outbox %s delivered: %s (attempt %d)", message.kind, message.id, message.attempts)
        return "delivered"

    async def _failed(self, message: OutboxMessage, exc: Exception) -> str:
        error = describe(exc)
        now = self.clock()
        if not is_retryable_error(exc) or message.attempts >= self.policy.max_attempts:
            ours = await self.outbox.mark_dead(message.id, owner=self.owner, error=error, now=now)
            if not ours:
                return "lost_lease"
            # One alert per dead letter; the expected "final" answers need no trace.
            log.error(
                "outbox %s %s is dead after %d attempt(s): %s",
                message.kind,
                message.id,
                message.attempts,
                error,
                exc_info=exc if not isinstance(exc, SettlementError) else None,
            )
            return "dead"
        delay = self.policy.delay_s(message.attempts, self.rng)
        retry_at = now + timedelta(seconds=delay)
        ours = await self.outbox.mark_failed(
            message.id, owner=self.owner, error=error, retry_at=retry_at
        )
        if not ours:
            return "lost_lease"
        log.warning(
            "outbox %s %s attempt %d failed, retry in %.1fs: %s",
            message.kind,
            message.id,
            message.attempts,
            delay,
            error,
        )
        return "retried"


async def _first(*events: asyncio.Event) -> None:
    """Return when any of ``events`` is set."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def describe(exc: BaseException) -> str:
    if isinstance(exc, SettlementError):
        return f"{exc.code}: {exc.message}"
    if isinstance(exc, TimeoutError):
        return "TIMEOUT: handler did not finish in time"
    return f"{type(exc).__name__}: {exc}"


# --- handlers for the partner ports -----------------------------------------------------


def file_claim_handler(
    insurers: InsurerGateway,
    on_filed: Callable[[FiledClaim], Awaitable[None]] | None = None,
) -> Handler:
    """``insurer.file_claim``: payload is ``ClaimFiling.to_payload()``."""

    async def handle(message: OutboxMessage) -> Mapping[str, Any]:
        filed = await insurers.file_claim(ClaimFiling.from_payload(message.payload))
        if on_filed is not None:
            await on_filed(filed)
        return {
            "insurer_code": filed.insurer_code,
            "claim_number": filed.claim_number,
            "status": filed.status.value,
        }

    return handle


def cancel_claim_handler(insurers: InsurerGateway) -> Handler:
    """``insurer.cancel_claim``: payload is ``ClaimCancellation.to_payload()``."""

    async def handle(message: OutboxMessage) -> Mapping[str, Any]:
        try:
            report = await insurers.cancel_claim(ClaimCancellation.from_payload(message.payload))
        except UpstreamNotFound as exc:
            # Messages are not ordered: the claim's filing may still be on its way (or
            # waiting for a retry). Try again later; the attempt limit bounds it.
            raise UpstreamUnavailable(
                f"the insurer does not know the claim yet: {exc.message}"
            ) from exc
        return {"claim_number": report.claim_number, "status": report.status.value}

    return handle


def submit_dispute_handler(
    mediation: MediationGateway,
    on_submitted: Callable[[DisputeReceipt], Awaitable[None]] | None = None,
) -> Handler:
    """``mediation.submit_dispute``: payload is ``DisputeFiling.to_payload()``."""

    async def handle(message: OutboxMessage) -> Mapping[str, Any]:
        receipt = await mediation.submit_dispute(DisputeFiling.from_payload(message.payload))
        if on_submitted is not None:
            await on_submitted(receipt)
        return {"dispute_id": receipt.dispute_id, "stage": receipt.stage.value}

    return handle


def subscription_message_handler(notifier: Notifier) -> Handler:
    """``wechat.subscribe_message``: payload is ``SubscriptionMessage.to_payload()``.

    WeChat 43101 arrives as RecipientRefused, which is final: no retry, straight to
    the dead letters, so the user's quota is never hammered.
    """

    async def handle(message: OutboxMessage) -> None:
        await notifier.send(SubscriptionMessage.from_payload(message.payload))

    return handle


def partner_handlers(
    *,
    insurers: InsurerGateway | None = None,
    mediation: MediationGateway | None = None,
    notifier: Notifier | None = None,
    on_filed: Callable[[FiledClaim], Awaitable[None]] | None = None,
    on_submitted: Callable[[DisputeReceipt], Awaitable[None]] | None = None,
) -> dict[str, Handler]:
    """The standard handler table for whichever partners are configured."""
    handlers: dict[str, Handler] = {}
    if insurers is not None:
        handlers[KIND_FILE_CLAIM] = file_claim_handler(insurers, on_filed)
        handlers[KIND_CANCEL_CLAIM] = cancel_claim_handler(insurers)
    if mediation is not None:
        handlers[KIND_SUBMIT_DISPUTE] = submit_dispute_handler(mediation, on_submitted)
    if notifier is not None:
        handlers[KIND_WECHAT_MESSAGE] = subscription_message_handler(notifier)
    return handlers
