"""The use cases, wired, as the driving adapters (HTTP, gRPC, console) receive them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from settlement.errors import SettlementError
from settlement.ports.cases import CaseChanges, IdempotencyStore
from settlement.ports.jobs import JobLeases
from settlement.services.audit import AuditTrail
from settlement.services.auth import DriverAuth
from settlement.services.case_photos import CasePhotos
from settlement.services.claim_filing import ClaimFilings
from settlement.services.console import ReviewConsole, StaffAuth
from settlement.services.dispatcher import Dispatcher
from settlement.services.drivers import DriverDesk
from settlement.services.insurer_claims import InsurerClaims
from settlement.services.intake import CaseIntake
from settlement.services.liability import DocumentIssuer, LiabilityDesk
from settlement.services.limits import RateLimits
from settlement.services.mediation import MediationDesk
from settlement.services.notices import MilestoneNotices
from settlement.services.outbox_admin import OutboxConsole, OutboxDesk
from settlement.services.scheduler import PeriodicJob
from settlement.services.sealer import Sealer
from settlement.services.supervision import Supervision
from settlement.services.verification import DocumentVerification


def untranslated(error: BaseException) -> SettlementError | None:
    return None


@dataclass(frozen=True, slots=True)
class Services:
    auth: DriverAuth
    intake: CaseIntake
    idempotency: IdempotencyStore
    readiness: Callable[[], Awaitable[bool]]
    """True when the database answers: what ``/readyz`` reports."""
    photos: CasePhotos
    audit: AuditTrail | None = None
    """The audit log (appends, verification, proofs); None only in tests that do not need it."""
    staff_auth: StaffAuth | None = None
    review: ReviewConsole | None = None
    supervision: Supervision | None = None
    claims: ClaimFilings | None = None
    """Claims filed for settled cases, insurers' answers, the drivers' view of them."""
    insurer_claims: InsurerClaims | None = None
    """The insurer API's use cases."""
    mediation: MediationDesk | None = None
    """Court mediation: drivers' requests, reviewers' referrals, outcomes."""
    outbox: OutboxDesk | None = None
    """The operators' view of the outbox (``settlement outbox``)."""
    outbox_console: OutboxConsole | None = None
    """The same on the console's dead-letter page, audited."""
    exchange_jobs: tuple[PeriodicJob, ...] = ()
    """Reconciliation and mediation polling, run under ``job_leases`` by ``serve``."""
    job_leases: JobLeases | None = None
    dispatcher: Dispatcher | None = None
    """Delivers the outbox to insurers, the mediation platform and WeChat."""
    liability: LiabilityDesk | None = None
    """Liability proposal, acceptance, signatures and the agreement PDF."""
    documents: DocumentIssuer | None = None
    """Renders and keeps issued documents (agreements; the console's 事故认定书)."""
    verification: DocumentVerification | None = None
    """The public page a document's QR code opens."""
    drivers: DriverDesk | None = None
    """Verified phone numbers, join mini-program codes, insurers, notice templates."""
    notices: MilestoneNotices | None = None
    """Drivers' WeChat notices at each milestone of their case."""
    case_changes: CaseChanges | None = None
    """The feed that drives ``notices``."""
    limits: RateLimits | None = None
    """Attempt counts for the entry points that invite guessing."""
    translate_error: Callable[[BaseException], SettlementError | None] = untranslated
    """The error vocabulary's name for an infrastructure failure (the database's
    availability errors become ``DatabaseUnavailable``), or None for a real bug."""
    sealer: Sealer | None = None
    """Orders, seals and checkpoints the audit log while ``settlement serve`` runs."""
