"""What every console use case shares: the jurisdiction check, audited actions, reasons.

Every method that reads or changes a case checks the staff member's jurisdiction first and
answers :class:`CaseNotFound` for a case outside it (no existence oracle, ASVS 8.2.2), and
appends one audit entry per view or action, including refused ones.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from settlement.domain.audit import AuditEvent, AuditOutcome, clean_details
from settlement.domain.case import Case, CaseStatus
from settlement.domain.rules.model import PENDING
from settlement.domain.staff import (
    ALL_JURISDICTIONS,
    StaffAccount,
    StaffSession,
)
from settlement.errors import (
    CaseNotFound,
    ConcurrentUpdate,
    InvalidInput,
    SettlementError,
)
from settlement.ports.cases import CaseRepository
from settlement.ports.documents import DocumentStore
from settlement.ports.identity import Clock
from settlement.ports.photos import PhotoRepository, PhotoStore
from settlement.ports.review import ReviewQueries
from settlement.ports.staff import StaffRepository
from settlement.services.audit import AuditTrail, RequestOrigin
from settlement.services.unit_of_work import CaseChange, CaseWriter, PendingDocument

SLA_TARGET = timedelta(minutes=30)
"""Target time from entering the police queue to a decision (proposal value)."""
REASON_MIN, REASON_MAX = 4, 500
_SETTLED_BY_POLICE = frozenset({CaseStatus.DETERMINED, CaseStatus.CLAIMED})


def staff_event(
    staff: StaffSession | StaffAccount | str,
    action: str,
    origin: RequestOrigin,
    *,
    outcome: AuditOutcome = "success",
    case_id: str | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEvent:
    if isinstance(staff, str):
        actor, role = f"staff:{staff}", ""
    else:
        actor, role = f"staff:{staff.username}", staff.role.value
    return AuditEvent(
        actor=actor,
        actor_kind="staff",
        role=role,
        action=action,
        outcome=outcome,
        case_id=case_id,
        details=clean_details(details or {}),
        origin=origin.address,
        request_id=origin.request_id,
    )


def may_see(staff: StaffSession, case: Case) -> bool:
    return staff.jurisdiction in (ALL_JURISDICTIONS, case.jurisdiction)



def valid_reason(raw: str) -> str:
    """A stated reason, trimmed, of 4 to 500 characters."""
    reason = raw.strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput(
            f"Give a reason of {REASON_MIN} to {REASON_MAX} characters.", field="reason"
        )
    return reason


def engine_levels(proposal: Mapping[str, Any] | None) -> dict[str, str] | None:
    """What the engine proposed per party, if it proposed anything but 待交警认定."""
    if not proposal:
        return None
    for key in ("liability", "proposed_liability"):
        levels = proposal.get(key)
        if isinstance(levels, Mapping) and levels and PENDING not in levels.values():
            return {str(k): str(v) for k, v in levels.items()}
    return None



class DeterminationIssuer(Protocol):
    """The part of the document service the console uses (``services.liability``)."""

    async def prepare_determination(
        self, case: Case, determination: Mapping[str, Any] | None = None, district: str = ""
    ) -> tuple[dict[str, Any], PendingDocument]: ...

    async def pdf(self, sha256: str) -> bytes: ...

    @property
    def store(self) -> DocumentStore: ...


def content_hash(content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class CaseAccess:
    """Reads a case for a staff member and commits their actions on it, audited.

    Args:
        cases: the case repository.
        audit: refusals are recorded here at once; an action's own entry commits with it.
        clock: time.
        writer: commits a change with its audit entry (and documents) in one transaction.
        settle: commits a change that has just determined a case, with its claims.
        withdraw: commits a change that has just revoked a case's determination, with the
            withdrawal of its claims.
    """

    def __init__(
        self,
        *,
        cases: CaseRepository,
        audit: AuditTrail,
        clock: Clock,
        writer: CaseWriter,
        settle: Callable[[CaseChange], Awaitable[Case]] | None = None,
        withdraw: Callable[[CaseChange], Awaitable[Case]] | None = None,
    ) -> None:
        self._cases = cases
        self._audit = audit
        self._clock = clock
        self._writer = writer
        self._settle = settle
        self._withdraw = withdraw

    async def visible(
        self, staff: StaffSession, case_id: str, origin: RequestOrigin, action: str
    ) -> Case:
        try:
            case = await self._cases.get(case_id)
        except CaseNotFound:
            case = None
        if case is None or not may_see(staff, case):
            await self._audit.record(
                staff_event(staff, action, origin, outcome="denied", case_id=case_id[:64],
                             details={"reason": "not_found_or_other_jurisdiction"})
            )  # fmt: skip
            raise CaseNotFound("No case with this id in your jurisdiction.", case_id=case_id[:64])
        return case

    async def act(
        self,
        staff: StaffSession,
        case_id: str,
        origin: RequestOrigin,
        action: str,
        details: Mapping[str, object],
        change: Any,
        expected_version: int | None = None,
        annotate: Callable[[Case, Case], Mapping[str, object]] | None = None,
    ) -> Case:
        """Apply ``change(case, now)`` to a case the staff member may see and commit it with
        its audit entry; ``annotate(before, after)`` adds details to that entry. A refused
        change is audited as a failure and re-raised."""
        case = await self.visible(staff, case_id, origin, action)
        try:
            if expected_version is not None and case.version != expected_version:
                raise ConcurrentUpdate(
                    "The case changed since you opened it; reload and try again.",
                    case_id=case.id,
                )
            now = self._clock.now()
            outcome = change(case, now)
            result = await outcome if inspect.isawaitable(outcome) else outcome
            work = result if isinstance(result, CaseChange) else CaseChange(result)
            changed = work.case
            if annotate is not None:
                details = {**details, **annotate(case, changed)}
            # The action's audit entry commits with the action itself.
            done = {**details, "status": changed.status.value}
            work.events.append(staff_event(staff, action, origin, case_id=case.id,
                                            details=done))  # fmt: skip
            if self._settle is not None and changed.status is CaseStatus.DETERMINED:
                # The determination and its insurance claims commit together.
                return await self._settle(work)
            if self._withdraw is not None and case.status in _SETTLED_BY_POLICE and \
                    changed.status is CaseStatus.POLICE_REVIEW:
                # The revoked determination's claims are withdrawn in the same transaction.
                return await self._withdraw(work)
            return await self._writer.commit(work)
        except SettlementError as exc:
            await self._audit.record(
                staff_event(staff, action, origin, outcome="failure", case_id=case.id,
                             details={**details, "error": exc.code})
            )  # fmt: skip
            raise


class ReviewBase:
    """The dependencies of the reviewer's use cases (views and actions share them).

    Args:
        cases: the case repository (claims and decisions use its version check).
        queries: the queue, search and history.
        audit: the trail every view and action is appended to.
        clock: time.
        photos / photo_store: photo records and bytes, when photo evidence is deployed.
        documents: renders and keeps the 事故认定书 as PDF; without it the document is the
            console's own HTML page, identified by the SHA-256 of its content.
        sla_target: the queue's target time to decision.
    """

    def __init__(
        self,
        *,
        cases: CaseRepository,
        queries: ReviewQueries,
        audit: AuditTrail,
        clock: Clock,
        photos: PhotoRepository | None = None,
        photo_store: PhotoStore | None = None,
        documents: DeterminationIssuer | None = None,
        sla_target: timedelta = SLA_TARGET,
        settle: Callable[[CaseChange], Awaitable[Case]] | None = None,
        writer: CaseWriter | None = None,
        staff: StaffRepository | None = None,
        authorities: Mapping[str, str] | None = None,
        withdraw: Callable[[CaseChange], Awaitable[Case]] | None = None,
    ) -> None:
        """``settle`` commits a change that has just determined a case, with its claims
        (``withdraw``: one that revoked the determination, withdrawing them);
        ``writer`` commits every other action with its audit entry; ``staff`` gives the
        officer's name and badge number for the document, and ``authorities`` the issuing
        unit per jurisdiction (over the built-in table)."""
        self._settle = settle
        self._writer = writer or CaseWriter(
            cases=cases, audit=audit, documents=None if documents is None else documents.store
        )
        self._staff = staff
        self._authorities = dict(authorities or {})
        self._access = CaseAccess(cases=cases, audit=audit, clock=clock, writer=self._writer,
                                  settle=settle, withdraw=withdraw)  # fmt: skip
        self._cases = cases
        self._queries = queries
        self._audit = audit
        self._clock = clock
        self._photos = photos
        self._photo_store = photo_store
        self._documents = documents
        self.sla_target = sla_target

    async def _visible(
        self, staff: StaffSession, case_id: str, origin: RequestOrigin, action: str
    ) -> Case:
        return await self._access.visible(staff, case_id, origin, action)
