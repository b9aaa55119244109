"""Filing claims when a case is settled, recording the insurers' answers, and the drivers' view.

When a case becomes AGREED (both signatures) or DETERMINED (the police decided), the
decision is turned into claims (:mod:`settlement.domain.claim`), one per party and cover,
and each claim's filing is queued for its insurer in the same transaction as the case
change. The dispatcher's callbacks record the insurers' claim numbers; reconciliation's
record what an insurer reports. The drivers read every claim of their case here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from settlement.domain.audit import AuditEvent
from settlement.domain.case import Case, CaseStatus
from settlement.domain.claim import (
    TERMINAL,
    Assessment,
    Claim,
    ClaimStatus,
    Cover,
    Decision,
    claim_round,
    claims_for,
    decision_of,
)
from settlement.domain.exchange import (
    ClaimCancellation,
    ClaimFiling,
    EvidenceRef,
    FiledClaim,
    InsurerClaimReport,
    InsurerClaimStatus,
    NewOutboxMessage,
)
from settlement.domain.facts import parse_facts
from settlement.domain.liability import settled_payout
from settlement.domain.privacy import mask_phone
from settlement.errors import (
    ClaimNotFound,
    ConcurrentUpdate,
    IllegalTransition,
    InvalidInput,
    PreconditionFailed,
)
from settlement.ports.claims import InboundAnswer
from settlement.services.dispatcher import KIND_CANCEL_CLAIM, KIND_FILE_CLAIM
from settlement.services.exchange_support import (
    MAX_WRITE_ATTEMPTS,
    EvidenceCatalog,
    ExchangeStore,
    Notice,
    case_ref,
    plain,
)
from settlement.services.unit_of_work import CaseChange

log = logging.getLogger(__name__)

ClaimChangeFn = Callable[[Claim, datetime], tuple[Claim, list[Notice]]]
"""Changes one claim at ``now``; returns it unchanged (the same object) to write nothing."""
CaseMove = Callable[[Case, Sequence[Claim], datetime], Case]
"""Moves the case given all its claims after the change; the same case for no move."""

CLAIM_ACK_WITHIN_S = 3600.0
"""Reconciliation asks an insurer about a filed claim it has not touched within an hour."""

SETTLED = frozenset({CaseStatus.AGREED, CaseStatus.DETERMINED})

# The insurer's own words for where a claim stands, in our life cycle.
INSURER_STATUS: dict[InsurerClaimStatus, ClaimStatus] = {
    InsurerClaimStatus.RECEIVED: ClaimStatus.ACKNOWLEDGED,
    InsurerClaimStatus.UNDER_ASSESSMENT: ClaimStatus.ACKNOWLEDGED,
    InsurerClaimStatus.ASSESSED: ClaimStatus.ASSESSED,
    InsurerClaimStatus.APPROVED: ClaimStatus.APPROVED,
    InsurerClaimStatus.REJECTED: ClaimStatus.REJECTED,
    InsurerClaimStatus.PAID: ClaimStatus.PAID,
    InsurerClaimStatus.CANCELLED: ClaimStatus.CANCELLED,
}


def decide_claims_source(case: Case) -> Decision:
    """The decision of a settled case; a determination's payout is recomputed with the
    police levels (the engine's split, 商业险示范条款第23条 ratios)."""
    determination = case.determination or {}
    payout: dict[str, Any] | None = None
    levels = determination.get("levels")
    facts = (case.proposal or {}).get("facts")
    if levels and facts:
        try:
            computed = settled_payout(parse_facts(facts), levels)
        except (InvalidInput, ValueError):
            computed = None  # a loss or cover the engine cannot read: insurers assess
        payout = computed.to_json_dict() if computed is not None else None
    return decision_of(case, determination_payout=payout)


CANCEL_REASON = "事故认定经复核撤销，将重新认定 (determination revoked on reconsideration)"
"""What insurers are told when a revoked determination withdraws a claim (no free text of
ours leaves for partners)."""


def cancellation_message(claim: Claim, reason: str) -> NewOutboxMessage:
    """The insurer's notice that ``claim`` is withdrawn (sent after its filing, by claim id)."""
    request_id = str(uuid.uuid4())
    cancellation = ClaimCancellation(
        request_id=request_id, insurer_code=claim.insurer_code, case_id=claim.case_id,
        claim_number=claim.claim_number, reason=reason, claim_id=claim.id,
    )  # fmt: skip
    return NewOutboxMessage(kind=KIND_CANCEL_CLAIM, key=claim.id,
                            payload=cancellation.to_payload(), request_id=request_id)  # fmt: skip


def filing_of(case: Case, claim: Claim, evidence: tuple[EvidenceRef, ...]) -> ClaimFiling:
    details = case.parties[claim.party].details
    assert details is not None  # noqa: S101 - claims are only cut for parties with details
    return ClaimFiling(
        request_id=claim.request_id,
        insurer_code=claim.insurer_code,
        case_id=case.id,
        policy_number=claim.policy_number,
        policyholder_name=details.name,
        phone_masked=mask_phone(details.phone),
        plate_number=details.plate,
        occurred_at=case.scene.occurred_at,
        location=case.scene.address,
        description=case.scene.description,
        liability_share=claim.liability_share,
        estimated_loss=claim.own_loss if claim.own_loss is not None else Decimal(0),
        latitude=case.scene.location.latitude,
        longitude=case.scene.location.longitude,
        evidence=evidence,
        claim_id=claim.id,
        party=claim.party,
        cover=claim.cover.value,
        liability_level=claim.liability_level,
        third_party_loss=claim.third_party_loss,
        amount_due=claim.amount_due,
        lines=tuple(
            {"kind": ln.cover, "payee": ln.payee, "amount": str(ln.amount)} for ln in claim.lines
        ),
        document_number=claim.document_number,
    )


@dataclass
class ClaimFilings:
    """Files claims for settled cases and records what insurers answer.

    Args:
        store: the case, claim and outbox records and their transaction.
        evidence: describes the case photos sent along with each filing.
    """

    store: ExchangeStore
    evidence: EvidenceCatalog

    async def settle(self, change: Case | CaseChange) -> Case:
        """Save a case that has just become AGREED or DETERMINED and file its claims.

        The case change (with its audit entries and issued documents), the claims and their
        filing messages commit in one transaction.

        Raises:
            IllegalTransition: ``case`` is not agreed or determined.
            ConcurrentUpdate: the case changed since ``case`` was read.
        """
        work = change if isinstance(change, CaseChange) else CaseChange(change)
        case = work.case
        if case.status not in SETTLED:
            raise IllegalTransition(
                "Claims are filed only for agreed or determined cases.", status=case.status.value
            )
        now = self.store.clock.now()
        filed = {c.id for c in await self.store.claims.for_case(case.id)}
        decision = decide_claims_source(case)
        keys = [str(uuid.uuid4()) for _ in range(6)]
        claims = [c for c in claims_for(case, decision, request_ids=keys, now=now)
                  if c.id not in filed]  # fmt: skip
        evidence = await self.evidence.refs(case.id)
        messages = [
            NewOutboxMessage(
                kind=KIND_FILE_CLAIM,
                key=claim.id,
                payload=filing_of(case, claim, evidence).to_payload(),
                request_id=claim.request_id,
                ack_within_s=CLAIM_ACK_WITHIN_S,
            )
            for claim in claims
        ]
        return await self._commit(work, "claim.file", messages, new_claims=claims)

    async def withdraw(self, change: Case | CaseChange) -> Case:
        """Save a case whose determination a 复核 has just revoked and withdraw its claims.

        Every open claim becomes cancelled (its history says by whom and why) and its
        insurer is sent a cancellation (``insurer.cancel_claim``), in the transaction of the
        case change; the new determination files claims of its own.

        Raises:
            PreconditionFailed: one of the claims has been paid (money left on the revoked
                decision; the dispute goes to court mediation instead). Nothing is written.
            ConcurrentUpdate: the case or a claim changed since it was read.
        """
        work = change if isinstance(change, CaseChange) else CaseChange(change)
        case = work.case
        revoked = case.revoked_determinations[-1] if case.revoked_determinations else {}
        by, reason = str(revoked.get("revoked_by") or "police"), CANCEL_REASON
        now = self.store.clock.now()
        claims = await self.store.claims.for_case(case.id)
        if any(c.status is ClaimStatus.PAID for c in claims):
            raise PreconditionFailed(
                "An insurer has paid a claim of this case; the determination cannot be revoked "
                "here. Refer the dispute to court mediation.",
                reason="claim_paid",
            )
        cancelled = [c.transition(ClaimStatus.CANCELLED, by=f"staff:{by}", now=now, reason=reason)
                     for c in claims if c.can_become(ClaimStatus.CANCELLED)]  # fmt: skip
        messages = [cancellation_message(c, reason) for c in cancelled]
        return await self._commit(work, "claim.cancel", messages, changed_claims=cancelled)

    async def _commit(
        self, work: CaseChange, action: str, messages: Sequence[NewOutboxMessage], *,
        new_claims: Sequence[Claim] = (), changed_claims: Sequence[Claim] = (),
    ) -> Case:
        """The case change with its claims and their messages, in one transaction."""
        event = AuditEvent(actor="system", actor_kind="system", action=action,
                           case_id=work.case.id,
                           details={"claims": len(new_claims) + len(changed_claims)})  # fmt: skip
        saved, _ = await self.store.commit(
            case=work.case, new_claims=new_claims, changed_claims=changed_claims,
            effects=[*work.messages, *messages], events=[*work.events, event],
            documents=work.documents,
        )  # fmt: skip
        assert saved is not None  # noqa: S101 - a case was given
        return saved

    async def file_claims(self, case_id: str) -> Case:
        """File the claims of an agreed or determined case (no-op if already filed)."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            case = await self.store.cases.get(case_id)
            claims = await self.store.claims.for_case(case_id)
            if any(claim_round(c.id) == case.decision_round for c in claims):
                return case
            try:
                return await self.settle(case)
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate("The case is being changed by someone else; try again.")

    async def record_filed(self, filed: FiledClaim) -> None:
        """The insurer took the claim (dispatcher callback): keep its number; the case is
        CLAIMED once the first insurer holds one of its claims."""
        if not filed.claim_id:
            log.warning("insurer %s answered a filing without a claim id", filed.insurer_code)
            return

        def change(claim: Claim, now: datetime) -> tuple[Claim, list[Notice]]:
            moved = claim.acknowledge(filed.claim_number, by=f"insurer:{filed.insurer_code}",
                                      now=now)  # fmt: skip
            # One "reported to your insurer" notice per driver: the compulsory claim's.
            template = self.store.templates.claim_filed
            if moved is claim or claim.cover is not Cover.COMPULSORY:
                return moved, []
            notice = Notice(claim.party, template,
                            {"thing1": "", "character_string2": filed.claim_number})
            return moved, [notice]

        await self.apply(filed.claim_id, change, case_moves=_claimed, action="claim.filed")

    async def record_insurer_report(self, report: InsurerClaimReport) -> None:
        """An insurer's own view of a claim (reconciliation callback): adopt it by legal
        steps; a report that cannot be reached from here is left for a person."""
        if not report.claim_id:
            return
        target = INSURER_STATUS[report.status]
        by = f"insurer:{report.insurer_code}"

        def change(claim: Claim, now: datetime) -> tuple[Claim, list[Notice]]:
            moved = claim
            if report.claim_number and not claim.claim_number:
                moved = moved.acknowledge(report.claim_number, by=by, now=now)
            for step in moved.path_to(target):
                if step is ClaimStatus.ASSESSED and report.assessed_amount is not None:
                    moved = moved.assess(Assessment(report.assessed_amount, report.insurer_code,
                                                    "", report.updated_at or now), by=by, now=now)
                elif step is ClaimStatus.PAID and report.payout is not None:
                    moved = moved.pay(report.payout, by=by, now=now, reason=report.status_reason)
                else:
                    moved = moved.transition(step, by=by, now=now, reason=report.status_reason)
            return moved, []

        await self.apply(report.claim_id, change, case_moves=claimed_or_closed,
                         action="claim.reconcile")  # fmt: skip

    async def apply(
        self,
        claim_id: str,
        change: ClaimChangeFn,
        *,
        case_moves: CaseMove | None = None,
        etag_version: int | None = None,
        insurer_code: str | None = None,
        answer: Callable[[Claim], Awaitable[InboundAnswer]] | None = None,
        action: str = "claim.update",
        hold_payment: bool = False,
    ) -> Claim:
        """Read, change and save one claim (and the case when ``case_moves`` moves it) in
        one transaction, re-reading after a conflict with another writer.

        ``etag_version``: the caller's expected claim version; a claim changed since is
        refused instead of retried. ``answer``: renders the partner call's answer from the
        claim as it will be saved; it commits with the change. ``hold_payment``: refuse to
        mark the claim paid while the case's determination is under 复核 (an insurer's
        request; a report of money already paid is adopted all the same).

        Raises:
            PreconditionFailed: ``hold_payment`` and a 复核 is pending.
        """
        for _ in range(MAX_WRITE_ATTEMPTS):
            claim = await self.store.claims.get(claim_id)
            if insurer_code is not None and claim.insurer_code != insurer_code:
                raise not_theirs(claim_id)
            if etag_version is not None and claim.version != etag_version:
                raise ConcurrentUpdate(
                    "The claim changed since you read it; read it again.", claim_id=claim_id
                )
            now = self.store.clock.now()
            changed, notices = change(claim, now)
            if changed is claim:
                return claim
            case: Case | None = None
            if case_moves is not None:
                siblings = [changed if c.id == claim.id else c
                            for c in await self.store.claims.for_case(claim.case_id)]  # fmt: skip
                current = await self.store.cases.get(claim.case_id)
                moved = case_moves(current, siblings, now)
                case = moved if moved is not current else None
                notice_case = current
            else:
                notice_case = await self.store.cases.get(claim.case_id)
            if (hold_payment and changed.status is ClaimStatus.PAID
                    and claim.status is not ClaimStatus.PAID):  # fmt: skip
                notice_case.check_payable()
            notices = [_with_ref(n, notice_case) for n in notices]
            inbound = None
            if answer is not None:
                inbound = await answer(replace(changed, version=changed.version + 1))
            actor = "system" if insurer_code is None else f"insurer:{insurer_code}"
            event = AuditEvent(
                actor=actor, actor_kind="system" if insurer_code is None else "insurer",
                action=action, case_id=claim.case_id,
                details={"claim_id": claim.id, "claim_status": changed.status.value},
            )  # fmt: skip
            try:
                _, saved = await self.store.commit(
                    case=case, changed_claims=[changed], effects=notices,
                    notice_case=notice_case, inbound=inbound, events=[event],
                )  # fmt: skip
            except ConcurrentUpdate:
                continue
            return saved[0]
        raise ConcurrentUpdate("The claim is being changed by someone else; try again.")

    # --- the drivers' view ----------------------------------------------------------------

    async def for_driver(self, user_id: str, case_id: str) -> dict[str, Any]:
        """Every claim of one of the driver's cases, and the mediation's state.

        Raises:
            CaseNotFound: not one of the user's cases (the same answer as a missing one).
        """
        case = (await self.store.cases.get(case_id)).seen_by(user_id)
        claims = await self.store.claims.for_case(case_id)
        return driver_view(case, claims, user_id)


def driver_view(case: Case, claims: Sequence[Claim], user_id: str) -> dict[str, Any]:
    """What a party sees: each claim (no policy or personal numbers) and the mediation."""
    mediation = case.exchange.get("mediation") or None
    return {
        "case_id": case.id,
        "status": case.status.value,
        "your_party": case.label_of(user_id),
        "claims": [
            {
                "claim_id": c.id,
                "party": c.party,
                "cover": c.cover.value,
                "insurer_code": c.insurer_code,
                "claim_number": c.claim_number or None,
                "status": c.status.value,
                "decided_by": c.decided_by,
                "document_number": c.document_number,
                "liability_level": c.liability_level,
                "liability_share": str(c.liability_share),
                "own_loss": plain(c.own_loss),
                "third_party_loss": plain(c.third_party_loss),
                "amount_due": plain(c.amount_due),
                "payout_lines": [
                    {"kind": ln.cover, "payee": ln.payee, "amount": str(ln.amount)}
                    for ln in c.lines
                ],
                "assessment": None if c.assessment is None else {
                    "amount": str(c.assessment.amount),
                    "assessed_at": c.assessment.assessed_at.isoformat(),
                },
                "payout": None if c.payout is None else {
                    "amount": str(c.payout.amount),
                    "paid_at": plain(c.payout.paid_at),
                    "transaction_reference": c.payout.transaction_reference,
                },
                "history": [
                    {"status": h.status.value, "at": h.at.isoformat(), "by": _actor(h.by),
                     "reason": h.reason}
                    for h in c.history
                ],
                "filed_at": c.filed_at.isoformat(),
                "updated_at": c.updated_at.isoformat(),
            }
            for c in claims
        ],
        "mediation": None if not mediation else {
            "state": mediation.get("stage") or "requested",
            "requested_by": mediation.get("applicant"),
            "requested_at": plain(mediation.get("requested_at")),
            "dispute_id": mediation.get("dispute_id") or None,
            "outcome": plain(mediation.get("outcome")),
            "confirmation": plain(mediation.get("confirmation")),
            "updated_at": plain(mediation.get("updated_at")),
        },
    }


def _actor(by: str) -> str:
    # Staff user names are not the drivers' business; insurers and decisions are.
    return "police" if by.startswith("staff:") else by


def _with_ref(notice: Notice, case: Case) -> Notice:
    """Fill the notice's empty ``thing`` fields with the case's name for that driver."""
    data = {k: (v or case_ref(case, notice.label)) if k.startswith("thing") else v
            for k, v in notice.data.items()}  # fmt: skip
    return Notice(notice.label, notice.template_id, data)


def _claimed(case: Case, claims: Sequence[Claim], now: datetime) -> Case:
    """The first insurer holding a claim makes a settled case CLAIMED."""
    # Claims a revoked determination withdrew are not the current decision's.
    live = [c for c in claims if c.status is not ClaimStatus.CANCELLED]
    if case.status in SETTLED and any(c.status is not ClaimStatus.FILED for c in live):
        return case.transition(CaseStatus.CLAIMED, now)
    return case


def claimed_or_closed(case: Case, claims: Sequence[Claim], now: datetime) -> Case:
    """...and once every claim is finished for good, nothing is left to settle online."""
    case = _claimed(case, claims, now)
    if case.status is CaseStatus.CLAIMED and claims and all(c.status in TERMINAL for c in claims):
        return case.transition(CaseStatus.CLOSED, now)
    return case


def not_theirs(claim_id: str) -> ClaimNotFound:
    return ClaimNotFound("No claim with this id among your company's claims.", claim_id=claim_id)

