"""Rate limits on the entry points that invite guessing: fixed windows, counted per subject.

A join code has eight digits, a console password is guessable, WeChat forwards every
sign-in code upstream (and rate-limits us in turn), and the document verify endpoint is an
oracle for hashes: each is limited per client address, and per account or user where there
is one. The counts live in the database, so they hold across every process of the service.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from settlement.domain.audit import ActorKind, AuditEvent
from settlement.errors import RateLimited
from settlement.ports.identity import Clock
from settlement.ports.limits import RateCounter
from settlement.services.audit import AuditTrail

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``attempts`` in each window of ``window_s`` seconds."""

    attempts: int
    window_s: int


class RateLimits:
    """Checks named limits (``sign_in``, ``join``, …) for the subjects of one attempt.

    Args:
        counter: the shared counts.
        limits: ``{name}_per_{kind}`` → limit; one without a limit is not limited.
        audit: where the first refusal of each window is recorded as a security event.
    """

    def __init__(
        self,
        counter: RateCounter,
        clock: Clock,
        limits: Mapping[str, Limit],
        audit: AuditTrail | None = None,
    ) -> None:
        self._counter = counter
        self._clock = clock
        self._limits = dict(limits)
        self._audit = audit

    async def check(self, name: str, *, origin: str = "", request_id: str = "",
                    **subjects: str) -> None:  # fmt: skip
        """Count this attempt against ``{name}_per_{kind}`` for each subject given.

        ``check("join", user=user_id, ip=address)`` counts the attempt for that user under
        ``join_per_user`` and for that address under ``join_per_ip``.

        Raises:
            RateLimited: a subject is over its limit; ``details.retry_after_s`` says when
                its window ends.
        """
        now = self._clock.now()
        for kind, who in subjects.items():
            limit = self._limits.get(f"{name}_per_{kind}")
            if limit is None or not who:
                continue
            elapsed = (now - _EPOCH).total_seconds()
            start = _EPOCH + timedelta(seconds=elapsed // limit.window_s * limit.window_s)
            end = start + timedelta(seconds=limit.window_s)
            count = await self._counter.hit(f"{name}|{kind}:{who}", start, end)
            if count <= limit.attempts:
                continue
            retry_after = max(1, math.ceil((end - now).total_seconds()))
            if count == limit.attempts + 1:  # once per window, not once per refused hit
                await self._record(name, kind, who, origin, request_id)
            raise RateLimited(
                f"Too many attempts; try again in {retry_after} seconds.",
                limit=f"{name}_per_{kind}",
                retry_after_s=retry_after,
            )

    async def _record(self, name: str, kind: str, who: str, origin: str, request_id: str
                      ) -> None:  # fmt: skip
        log.warning("rate limit reached", extra={"limit": name, "by": kind})
        actors: dict[str, tuple[str, ActorKind]] = {
            "user": (f"driver:{who}", "driver"), "account": (f"staff:{who}", "staff"),
        }  # fmt: skip
        actor = actors.get(kind, ("anonymous", "system"))
        if self._audit is not None:
            await self._audit.record(
                AuditEvent(
                    actor=actor[0], actor_kind=actor[1],
                    action="security.rate_limited", outcome="denied",
                    details={"limit": name, "by": kind}, origin=origin, request_id=request_id,
                )
            )  # fmt: skip
