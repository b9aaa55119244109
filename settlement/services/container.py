"""The use cases, wired, as the driving adapters (HTTP, gRPC, console) receive them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from settlement.ports.cases import IdempotencyStore
from settlement.services.auth import DriverAuth
from settlement.services.intake import CaseIntake


@dataclass(frozen=True, slots=True)
class Services:
    auth: DriverAuth
    intake: CaseIntake
    idempotency: IdempotencyStore
    readiness: Callable[[], Awaitable[bool]]
    """True when the database answers: what ``/readyz`` reports."""
