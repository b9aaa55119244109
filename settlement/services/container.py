"""The use cases, wired, as the driving adapters (HTTP, gRPC, console) receive them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from settlement.ports.cases import IdempotencyStore
from settlement.services.audit import AuditTrail
from settlement.services.auth import DriverAuth
from settlement.services.console import ReviewConsole, StaffAuth
from settlement.services.intake import CaseIntake
from settlement.services.liability import DocumentIssuer, LiabilityDesk
from settlement.services.supervision import Supervision


@dataclass(frozen=True, slots=True)
class Services:
    auth: DriverAuth
    intake: CaseIntake
    idempotency: IdempotencyStore
    readiness: Callable[[], Awaitable[bool]]
    """True when the database answers: what ``/readyz`` reports."""
    audit: AuditTrail | None = None
    """The hash-chained audit trail; None only in tests that do not need it."""
    staff_auth: StaffAuth | None = None
    review: ReviewConsole | None = None
    supervision: Supervision | None = None
    liability: LiabilityDesk | None = None
    """Liability proposal, acceptance, signatures and the agreement PDF."""
    documents: DocumentIssuer | None = None
    """Renders and keeps issued documents (agreements; the console's 事故认定书)."""
