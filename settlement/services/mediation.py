"""Court mediation (诉前调解, 道交一体化平台): sending a compensation dispute and its outcome.

A driver may ask for mediation once liability is settled (an agreement or a police
determination); a police reviewer may refer a case. The case file carries the settling
document's number, both parties (identity numbers and phones masked: the court contacts
parties through the platform), the liability shares and the losses. The platform's
progress is polled and recorded on the case; both drivers are told the outcome.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from settlement.domain.audit import ActorKind, AuditEvent
from settlement.domain.case import Case, CaseStatus
from settlement.domain.claim import Decision
from settlement.domain.exchange import (
    DisputeFiling,
    DisputeParty,
    DisputeReceipt,
    DisputeReport,
    DisputeStage,
    EvidenceRef,
    LiabilityDetermination,
    LossItem,
    NewOutboxMessage,
    PartyRole,
)
from settlement.domain.privacy import mask_id_number, mask_phone
from settlement.domain.staff import Role, StaffSession
from settlement.errors import (
    CaseNotFound,
    IllegalTransition,
    InvalidInput,
    NotPermitted,
)
from settlement.ports.claims import OpenCases
from settlement.ports.partners import MediationGateway
from settlement.services.claim_filing import decide_claims_source
from settlement.services.dispatcher import KIND_SUBMIT_DISPUTE
from settlement.services.exchange_support import (
    MAX_WRITE_ATTEMPTS,
    Effect,
    EvidenceCatalog,
    ExchangeStore,
    Notice,
    case_ref,
    check_text,
)
from settlement.services.unit_of_work import retry_conflicts

log = logging.getLogger(__name__)

DISPUTE_ACK_WITHIN_S = 6 * 3600.0
REASON_MAX = 500
MEDIATABLE = frozenset({CaseStatus.AGREED, CaseStatus.DETERMINED, CaseStatus.CLAIMED})
FINAL_STAGES = frozenset(
    {
        DisputeStage.CONFIRMED,
        DisputeStage.CONFIRMATION_REJECTED,
        DisputeStage.MEDIATION_FAILED,
        DisputeStage.WITHDRAWN,
    }
)

_Change = Callable[[Case, datetime], tuple[Case, list[Effect]]]


def dispute_filing(
    case: Case,
    decision: Decision,
    request_id: str,
    applicant: str,
    reason: str,
    evidence: tuple[EvidenceRef, ...] = (),
) -> DisputeFiling:
    """The case file for the court platform, from the decision that settled the case."""
    parties = []
    for label, party in sorted(case.parties.items()):
        d = party.details
        parties.append(
            DisputeParty(
                party_id=label,
                role=PartyRole.DRIVER,
                name=d.name if d else "",
                id_number_masked=mask_id_number(d.id_number) if d else "",
                phone=mask_phone(d.phone) if d else "",
                plate_number=d.plate if d else "",
                insurer_code=d.insurer_code if d else "",
                policy_number=d.policy_number if d else "",
            )
        )
    determination = LiabilityDetermination(
        document_number=decision.document_number,
        issuer=decision.issuer,
        issued_at=decision.issued_at,
        shares={label: decision.shares.get(label, Decimal(0)) for label in sorted(case.parties)},
        rule=str((case.determination or {}).get("rule") or ""),
    )
    items = [
        LossItem(f"{label}方车辆损失", amount)
        for label, amount in sorted(decision.losses.items())
        if amount is not None and amount > 0
    ]
    return DisputeFiling(
        request_id=request_id,
        case_id=case.id,
        applicant_party_id=applicant,
        court_region_code=case.jurisdiction or "000000",
        reason=reason,
        parties=tuple(parties),
        occurred_at=case.scene.occurred_at,
        location=case.scene.address,
        facts=case.scene.description,
        determination=determination,
        loss_items=tuple(items),
        evidence=evidence,
    )


@dataclass
class MediationDesk:
    """Disputes sent to court mediation and their outcome.

    Args:
        store: case, claim and outbox records and their transaction.
        evidence: photos sent with the case file.
        open_cases: finds the cases in mediation, for polling.
        platform: the court platform, for polling outcomes (None: not configured).
    """

    store: ExchangeStore
    evidence: EvidenceCatalog
    open_cases: OpenCases
    platform: MediationGateway | None = None

    async def request_mediation(
        self, case_id: str, *, reason: str, user_id: str
    ) -> Case:
        """A driver asks for mediation of the compensation (no-op if already asked).

        Raises:
            CaseNotFound: no such case, or the user is not one of its parties.
            IllegalTransition: liability is not settled yet, or the case is closed.
            InvalidInput: the reason is empty or too long.
        """
        case = (await self.store.cases.get(case_id)).seen_by(user_id)
        applicant = case.label_of(user_id)
        assert applicant is not None  # noqa: S101 - seen_by checked it
        return await self._send(case_id, applicant, reason, by=f"party:{applicant}",
                                actor=f"driver:{user_id}")  # fmt: skip

    async def refer_to_mediation(self, case_id: str, staff: StaffSession, reason: str) -> Case:
        """A police reviewer refers a settled case of their jurisdiction to mediation.

        Raises:
            CaseNotFound: no such case, or outside the reviewer's jurisdiction.
            NotPermitted: the account is not a reviewer (or above).
            IllegalTransition: liability is not settled yet, or the case is closed.
        """
        if not staff.role.includes(Role.REVIEWER):
            raise NotPermitted("Only police reviewers may refer a case to mediation.")
        case = await self.store.cases.get(case_id)
        if staff.jurisdiction not in ("*", case.jurisdiction):
            raise CaseNotFound("No case with this id in your jurisdiction.", case_id=case_id)
        return await self._send(case_id, "police", reason, by=f"staff:{staff.username}",
                                actor=f"staff:{staff.username}")  # fmt: skip

    async def _send(self, case_id: str, applicant: str, reason: str, *, by: str, actor: str
                    ) -> Case:  # fmt: skip
        reason = reason.strip()
        if not reason:
            raise InvalidInput("Say what is disputed, for the mediator.", field="reason")
        check_text(reason, "reason", REASON_MAX)
        evidence = await self.evidence.refs(case_id)

        def change(case: Case, now: datetime) -> tuple[Case, list[Effect]]:
            if case.exchange.get("mediation"):
                return case, []
            if case.status not in MEDIATABLE:
                raise IllegalTransition(
                    "Mediation can be asked for once liability is settled by an agreement "
                    "or a police determination.",
                    status=case.status.value,
                )
            moved = case.transition(CaseStatus.MEDIATION, now)
            request_id = str(uuid.uuid4())
            filing = dispute_filing(case, decide_claims_source(case), request_id, applicant,
                                    reason, evidence)  # fmt: skip
            mediation = {
                "request_id": request_id,
                "applicant": applicant,
                "requested_by": by,
                "reason": reason,
                "requested_at": now,
                "document_number": filing.determination.document_number,
                "dispute_id": "",
                "stage": "",
                "outcome": None,
                "confirmation": None,
                "updated_at": now,
            }
            moved = replace(moved, exchange={**moved.exchange, "mediation": mediation})
            message = NewOutboxMessage(
                kind=KIND_SUBMIT_DISPUTE,
                key=case.id,
                payload=filing.to_payload(),
                request_id=request_id,
                ack_within_s=DISPUTE_ACK_WITHIN_S,
            )
            return moved, [message]

        return await self._apply(case_id, change, "mediation.request", actor)

    async def record_dispute_receipt(self, receipt: DisputeReceipt) -> None:
        """The platform registered the dispute (dispatcher callback)."""

        def change(case: Case, now: datetime) -> tuple[Case, list[Effect]]:
            mediation = dict(case.exchange.get("mediation") or {})
            if not mediation or mediation.get("dispute_id") == receipt.dispute_id:
                return case, []
            mediation.update(dispute_id=receipt.dispute_id, updated_at=now,
                             stage=mediation.get("stage") or receipt.stage.value)  # fmt: skip
            return replace(case, exchange={**case.exchange, "mediation": mediation}), []

        await self._apply(receipt.case_id, change, "mediation.receipt")

    async def record_dispute_report(self, report: DisputeReport) -> Case:
        """Record mediation progress and outcome; tell both drivers a final outcome; a
        judicial confirmation closes the case."""
        templates = self.store.templates

        def change(case: Case, now: datetime) -> tuple[Case, list[Effect]]:
            mediation = dict(case.exchange.get("mediation") or {})
            if not mediation or mediation.get("stage") == report.stage.value:
                return case, []
            mediation.update(dispute_id=report.dispute_id, stage=report.stage.value, updated_at=now)
            if report.mediation is not None:
                m = report.mediation
                mediation["outcome"] = {
                    "result": m.result.value,
                    "agreed_amount": None if m.agreed_amount is None else str(m.agreed_amount),
                    "agreement_number": m.agreement_number,
                    "mediator": m.mediator,
                    "concluded_at": m.concluded_at,
                }
            if report.judicial_confirmation is not None:
                j = report.judicial_confirmation
                mediation["confirmation"] = {
                    "confirmed": j.confirmed,
                    "ruling_number": j.ruling_number,
                    "court_name": j.court_name,
                    "decided_at": j.decided_at,
                }
            case = replace(case, exchange={**case.exchange, "mediation": mediation},
                           updated_at=now)  # fmt: skip
            effects: list[Effect] = []
            if report.stage in FINAL_STAGES:
                effects = [
                    Notice(label, templates.mediation_outcome,
                           {"thing1": case_ref(case, label), "phrase2": report.stage.value})
                    for label in sorted(case.parties)
                ]  # fmt: skip
                if case.status is CaseStatus.MEDIATION:
                    case = case.transition(CaseStatus.CLOSED, now)
            return case, effects

        return await self._apply(report.case_id, change, "mediation.report")

    async def poll_mediations(self, *, limit: int = 50) -> int:
        """Ask the platform about every open dispute once; returns how many moved on.

        An unreachable platform or an unknown dispute is left for the next poll.
        """
        if self.platform is None:
            return 0
        moved = 0
        for case in await self.open_cases.in_status(CaseStatus.MEDIATION, limit=limit):
            mediation = case.exchange.get("mediation") or {}
            dispute_id = str(mediation.get("dispute_id") or "")
            stage = str(mediation.get("stage") or "")
            if not dispute_id or stage in {s.value for s in FINAL_STAGES}:
                continue
            try:
                report = await self.platform.dispute_status(dispute_id=dispute_id)
            except Exception as exc:  # a poll must survive any one dispute
                log.warning("mediation status of case %s unavailable: %s", case.id, type(exc))
                continue
            if report.stage.value != stage:
                await self.record_dispute_report(report)
                moved += 1
        return moved

    async def _apply(self, case_id: str, change: _Change, action: str, actor: str = "system"
                     ) -> Case:  # fmt: skip
        kind: ActorKind = "system"
        if actor.startswith("driver:"):
            kind = "driver"
        elif actor.startswith("staff:"):
            kind = "staff"

        async def attempt() -> Case:
            case = await self.store.cases.get(case_id)
            changed, effects = change(case, self.store.clock.now())
            if changed is case:
                return case
            event = AuditEvent(actor=actor, actor_kind=kind, action=action, case_id=case.id,
                               details={"status": changed.status.value})  # fmt: skip
            saved, _ = await self.store.commit(case=changed, effects=effects, events=[event])
            assert saved is not None  # noqa: S101 - a case was given
            return saved

        return await retry_conflicts(attempt, MAX_WRITE_ATTEMPTS)
