"""What an operator watches: a snapshot of the work waiting inside the service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PartnerQueue:
    """Outbox messages for one partner kind (insurer claims, mediation, WeChat notices)."""

    pending: int
    oldest_pending_age_s: float
    dead: int


@dataclass(frozen=True, slots=True)
class OperationalSnapshot:
    """Read at scrape time, so the figures are right after a restart or on another process."""

    outbox: Mapping[str, PartnerQueue] = field(default_factory=dict)
    audit_unsealed: int = 0
    review_waiting: int = 0
    review_at_risk: int = 0
    review_overdue: int = 0
    photo_verdicts: Mapping[str, int] = field(default_factory=dict)


class OperationsProbe(Protocol):
    async def snapshot(self, now: datetime) -> OperationalSnapshot: ...
