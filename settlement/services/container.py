"""The use cases, wired, as the driving adapters (HTTP, gRPC, console) receive them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from settlement.ports.cases import IdempotencyStore
from settlement.services.auth import DriverAuth
from settlement.services.intake import CaseIntake
from settlement.services.liability import DocumentIssuer, LiabilityDesk


@dataclass(frozen=True, slots=True)
class Services:
    auth: DriverAuth
    intake: CaseIntake
    idempotency: IdempotencyStore
    readiness: Callable[[], Awaitable[bool]]
    """True when the database answers: what ``/readyz`` reports."""
    liability: LiabilityDesk | None = None
    """Liability proposal, acceptance, signatures and the agreement PDF."""
    documents: DocumentIssuer | None = None
    """Renders and keeps issued documents (agreements; the console's 事故认定书)."""
