"""Insurer claims: what insurers see and do through the partner API, and the exchange flows.

Two groups of use cases share one class because they share one record, the
``exchange`` and ``loss`` parts of a case:

* insurer-facing (the gRPC servicer): list and read the claims of an insurer's
  policyholders, stream their evidence, take assessments and status changes, watch events;
* flows: file a claim with each party's insurer when a case is agreed or determined,
  record the insurers' answers and payouts, send disputes to court mediation and record
  the outcome, and tell the drivers through WeChat subscription messages.

Every message to a partner goes through the outbox in the *same transaction* as the case
change that causes it, so a claim is filed exactly when the case says so: never lost,
never twice (the outbox's unique ``(kind, request_id)`` and the case version see to it).

Record layout (plain mappings, so the case document stays one document)::

    exchange.claims.<label> = {insurer_code, policy_number, request_id, status,
        claim_number, filed_at, updated_at, liability_share, estimated_loss,
        assessment, payout, payout_due, status_reason, event: {type, at, seq}}
    exchange.mediation = {request_id, applicant, reason, requested_at, dispute_id,
        stage, outcome, confirmation, updated_at}
    loss.assessments.<label> = {amount, assessor, notes, assessed_at, insurer_code}
    loss.audit = [{at, by, action, party, amount, previous}, ...]
"""

from __future__ import annotations

import enum
import hashlib
import logging
import re
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from settlement.domain.case import Case, CaseStatus, Party
from settlement.domain.evidence import PhotoRecord
from settlement.domain.exchange import (
    ClaimFiling,
    DisputeFiling,
    DisputeParty,
    DisputeReceipt,
    DisputeReport,
    DisputeStage,
    EvidenceRef,
    FiledClaim,
    InsurerClaimReport,
    InsurerClaimStatus,
    LiabilityDetermination,
    LossItem,
    NewOutboxMessage,
    PartyRole,
    Payout,
    SubscriptionMessage,
)
from settlement.domain.privacy import mask_id_number, mask_phone, mask_plate
from settlement.errors import (
    CaseNotFound,
    ConcurrentUpdate,
    IllegalTransition,
    InvalidInput,
    PhotoNotFound,
)
from settlement.ports.claims import (
    CaseFeed,
    ClaimPage,
    ClaimQueries,
    RecipientDirectory,
    TransactionalCases,
    UnitOfWork,
)
from settlement.ports.identity import Clock
from settlement.ports.outbox import Outbox
from settlement.ports.partners import MediationGateway
from settlement.ports.photos import PhotoRepository, PhotoStore
from settlement.services.dispatcher import (
    KIND_FILE_CLAIM,
    KIND_SUBMIT_DISPUTE,
    KIND_WECHAT_MESSAGE,
)

log = logging.getLogger(__name__)

MAX_WRITE_ATTEMPTS = 5
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_TEXT = 2000
"""Longest free text (notes, reasons) an insurer may send; longer is refused, not cut."""
MAX_AMOUNT = Decimal("10000000")
"""A minor-accident claim above ten million yuan is a typo or an attack."""
CLAIM_ACK_WITHIN_S = 3600.0
"""Reconciliation asks an insurer about a filed claim it has not touched within an hour."""
DISPUTE_ACK_WITHIN_S = 6 * 3600.0
EVIDENCE_CHUNK = 64 * 1024

_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")

# Liability levels of the engine and the police (道路交通事故处理程序规定) as shares.
_LEVEL_SHARES: Mapping[str, Decimal] = {
    "全部责任": Decimal("1"),
    "主要责任": Decimal("0.7"),
    "同等责任": Decimal("0.5"),
    "次要责任": Decimal("0.3"),
    "无责任": Decimal("0"),
}

# What an insurer may do to a claim: the terminal states accept nothing.
_INSURER_MOVES: Mapping[InsurerClaimStatus, frozenset[InsurerClaimStatus]] = {
    InsurerClaimStatus.RECEIVED: frozenset(
        {
            InsurerClaimStatus.UNDER_ASSESSMENT,
            InsurerClaimStatus.ASSESSED,
            InsurerClaimStatus.APPROVED,
            InsurerClaimStatus.REJECTED,
            InsurerClaimStatus.CANCELLED,
        }
    ),
    InsurerClaimStatus.UNDER_ASSESSMENT: frozenset(
        {
            InsurerClaimStatus.ASSESSED,
            InsurerClaimStatus.APPROVED,
            InsurerClaimStatus.REJECTED,
            InsurerClaimStatus.CANCELLED,
        }
    ),
    InsurerClaimStatus.ASSESSED: frozenset(
        {
            InsurerClaimStatus.UNDER_ASSESSMENT,
            InsurerClaimStatus.APPROVED,
            InsurerClaimStatus.REJECTED,
            InsurerClaimStatus.CANCELLED,
        }
    ),
    InsurerClaimStatus.APPROVED: frozenset(
        {InsurerClaimStatus.PAID, InsurerClaimStatus.REJECTED, InsurerClaimStatus.CANCELLED}
    ),
    InsurerClaimStatus.REJECTED: frozenset(),
    InsurerClaimStatus.PAID: frozenset(),
    InsurerClaimStatus.CANCELLED: frozenset(),
}
_TERMINAL = frozenset(
    {InsurerClaimStatus.REJECTED, InsurerClaimStatus.PAID, InsurerClaimStatus.CANCELLED}
)
_SETTLED = frozenset({CaseStatus.AGREED, CaseStatus.DETERMINED})
_FINAL_STAGES = frozenset(
    {
        DisputeStage.CONFIRMED,
        DisputeStage.CONFIRMATION_REJECTED,
        DisputeStage.MEDIATION_FAILED,
        DisputeStage.WITHDRAWN,
    }
)


# --- values the driving adapters see ----------------------------------------------------


class ClaimEventType(enum.StrEnum):
    FILED = "filed"
    EVIDENCE_ADDED = "evidence_added"
    ASSESSED = "assessed"
    STATUS_CHANGED = "status_changed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Assessment:
    """An insurer assessor's figure for the loss of its policyholder's claim."""

    amount: Decimal
    assessor: str
    notes: str
    assessed_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A claim as its insurer sees it: one party of one case, that insurer's policyholder."""

    claim_id: str
    insurer_code: str
    party: str
    claim_number: str
    policy_number: str
    policyholder_name: str
    plate_number: str
    status: InsurerClaimStatus
    occurred_at: datetime
    location: str
    description: str
    liability_share: Decimal
    estimated_loss: Decimal
    evidence: tuple[EvidenceRef, ...]
    assessment: Assessment | None
    payout: Payout | None
    created_at: datetime
    updated_at: datetime
    etag: str


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    cursor: str
    type: ClaimEventType
    at: datetime
    claim: ClaimView


@dataclass(frozen=True, slots=True)
class EvidenceHeader:
    evidence_id: str
    media_type: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class EvidenceChunk:
    offset: int
    data: bytes


@dataclass(frozen=True, slots=True)
class EvidenceTrailer:
    sha256: str
    size_bytes: int


EvidencePart = EvidenceHeader | EvidenceChunk | EvidenceTrailer


@dataclass(frozen=True, slots=True)
class NotificationTemplates:
    """WeChat subscription-message template ids; an empty id means "do not send"."""

    claim_filed: str = ""
    claim_assessed: str = ""
    claim_paid: str = ""
    mediation_outcome: str = ""
    page: str = "pages/case/detail"
    miniprogram_state: str = "formal"


@dataclass(frozen=True, slots=True)
class _Notice:
    label: str
    template_id: str
    data: Mapping[str, str]


_Effect = NewOutboxMessage | _Notice
_Change = Callable[[Case], tuple[Case, list[_Effect]]]


# --- the use cases ------------------------------------------------------------------------


@dataclass
class Claims:
    """Claims exchanged with insurers, disputes sent to mediation, and driver notices.

    Args:
        cases: the case repository (its ``save`` joins transactions).
        queries: insurer-scoped searches.
        feed: case change feed for the watch stream.
        outbox: where partner messages wait for the dispatcher.
        uow: opens the transactions shared by ``cases`` and ``outbox``.
        clock: current time.
        photos: photo records, for the evidence of a claim (optional).
        store: photo bytes, for streaming privacy copies (optional).
        recipients: user id -> WeChat openid; without it no notices are sent.
        templates: subscription-message templates.
        mediation: the court platform, for polling outcomes (optional).
    """

    cases: TransactionalCases
    queries: ClaimQueries
    feed: CaseFeed
    outbox: Outbox
    uow: UnitOfWork
    clock: Clock
    photos: PhotoRepository | None = None
    store: PhotoStore | None = None
    recipients: RecipientDirectory | None = None
    templates: NotificationTemplates = field(default_factory=NotificationTemplates)
    mediation: MediationGateway | None = None
    _digests: OrderedDict[str, tuple[int, str]] = field(default_factory=OrderedDict, repr=False)

    # --- insurer-facing: reads ------------------------------------------------------------

    async def list_claims(
        self,
        insurer_code: str,
        *,
        page_size: int = 0,
        page: ClaimPage | None = None,
        status: InsurerClaimStatus | None = None,
        updated_after: datetime | None = None,
    ) -> tuple[list[ClaimView], ClaimPage | None]:
        """The insurer's claims, newest update first, and where the next page starts.

        Raises:
            InvalidInput: ``page_size`` is negative.
        """
        if page_size < 0:
            raise InvalidInput("page_size must not be negative.", field="page_size")
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        # One extra tells whether another page exists without a count query.
        found = await self.queries.list_for_insurer(
            insurer_code,
            limit=size + 1,
            after=page,
            claim_status=status.value if status is not None else None,
            updated_after=updated_after,
        )
        views = [await self._view(case, insurer_code) for case in found[:size]]
        following = None
        if len(found) > size:
            last = found[size - 1]
            following = ClaimPage(updated_at=last.updated_at, case_id=last.id)
        return views, following

    async def get_claim(self, insurer_code: str, claim_id: str) -> ClaimView:
        """One claim of the insurer.

        Raises:
            CaseNotFound: no such claim, or it is another insurer's (the same answer, so
                claim ids cannot be probed).
            InvalidInput: ``claim_id`` is not an id at all.
        """
        case = await self._case_of(insurer_code, claim_id)
        return await self._view(case, insurer_code)

    async def stream_evidence(
        self,
        insurer_code: str,
        claim_id: str,
        evidence_id: str,
        *,
        start_offset: int = 0,
        chunk_size: int = EVIDENCE_CHUNK,
    ) -> AsyncIterator[EvidencePart]:
        """Header, the privacy copy from ``start_offset`` in chunks, and a trailer.

        The trailer's SHA-256 covers the whole copy (also the bytes skipped on resume),
        so a resumed download can be checked end to end.

        Raises:
            CaseNotFound: no such claim of this insurer.
            PhotoNotFound: no such evidence item in this claim.
            InvalidInput: ``start_offset`` is negative or beyond the end.
        """
        case = await self._case_of(insurer_code, claim_id)
        record = await self._evidence_record(case, evidence_id)
        assert self.store is not None  # noqa: S101 - _evidence_record checked it
        size, _ = await self._describe(record)
        if start_offset < 0 or start_offset > size:
            raise InvalidInput(
                "start_offset must lie within the evidence item.", field="start_offset"
            )
        return self._evidence_parts(record, size, start_offset, chunk_size)

    async def _evidence_parts(
        self, record: PhotoRecord, size: int, start_offset: int, chunk_size: int
    ) -> AsyncIterator[EvidencePart]:
        assert self.store is not None  # noqa: S101 - checked by the caller
        yield EvidenceHeader(record.photo_id, "image/jpeg", size)
        digest = hashlib.sha256()
        position = 0
        async for block in self.store.open_stream(record.privacy_key, chunk_size=chunk_size):
            digest.update(block)
            start = max(start_offset - position, 0)
            for i in range(start, len(block), chunk_size):
                piece = block[i : i + chunk_size]
                yield EvidenceChunk(position + i, piece)
            position += len(block)
        yield EvidenceTrailer(digest.hexdigest(), position)

    def watch(
        self, insurer_code: str, *, cursor: str = "", claim_id: str = ""
    ) -> AbstractAsyncContextManager[AsyncIterator[ClaimEvent]]:
        """Claim events for the insurer from ``cursor`` (empty: from now).

        The stream is live once the context is entered. Only changes that moved one of
        the insurer's claims are events; other case changes are skipped.

        Raises:
            InvalidInput: malformed or expired cursor, or malformed ``claim_id``.
        """
        if claim_id:
            _check_id(claim_id)
        return self._watch(insurer_code, cursor, claim_id)

    @asynccontextmanager
    async def _watch(
        self, insurer_code: str, cursor: str, claim_id: str
    ) -> AsyncIterator[AsyncIterator[ClaimEvent]]:
        async with self.feed.watch(insurer_code, cursor=cursor) as changes:
            yield self._events(changes, insurer_code, claim_id)

    async def _events(
        self, changes: AsyncIterator[Any], insurer_code: str, claim_id: str
    ) -> AsyncIterator[ClaimEvent]:
        seen: dict[str, int] = {}
        async for change in changes:
            case: Case = change.case
            if claim_id and case.id != claim_id:
                continue
            found = _claim_entry(case, insurer_code)
            if found is None:
                continue
            _, entry = found
            event = entry.get("event") or {}
            seq = int(event.get("seq", 0))
            # A change is this insurer's event when it moved this insurer's claim: the
            # claim's event is stamped with the case's own update time. The feed may show
            # a later state than the change, so a higher sequence number than the last
            # one reported also counts; each move is reported once per stream.
            moved_now = event.get("at") is not None and event.get("at") == case.updated_at
            later = case.id in seen and seq > seen[case.id]
            if seq == 0 or seen.get(case.id) == seq or not (moved_now or later):
                continue
            seen[case.id] = seq
            yield ClaimEvent(
                cursor=change.cursor,
                type=ClaimEventType(event.get("type", ClaimEventType.STATUS_CHANGED.value)),
                at=event.get("at") or case.updated_at,
                claim=await self._view(case, insurer_code, with_evidence=False),
            )

    # --- insurer-facing: changes ----------------------------------------------------------

    async def submit_assessment(
        self,
        insurer_code: str,
        claim_id: str,
        *,
        amount: Decimal,
        assessor: str,
        notes: str = "",
        assessed_at: datetime | None = None,
        etag: str = "",
    ) -> ClaimView:
        """Record the insurer's assessment beside our estimate; it sets the payout due.

        Raises:
            CaseNotFound: no such claim of this insurer.
            InvalidInput: amount out of range or with more than two decimals; text too long.
            IllegalTransition: the claim is already paid, rejected or cancelled.
            ConcurrentUpdate: ``etag`` is given and the claim changed since.
        """
        _check_amount(amount, "assessed_amount")
        _check_text(assessor, "assessor", 200)
        _check_text(notes, "notes", MAX_TEXT)
        if not assessor.strip():
            raise InvalidInput("assessor is required.", field="assessor")

        def change(case: Case) -> tuple[Case, list[_Effect]]:
            now = self.clock.now()
            label, entry = _require_claim(case, insurer_code)
            status = InsurerClaimStatus(entry["status"])
            if status in _TERMINAL:
                raise IllegalTransition(
                    f"A claim that is {status.value} cannot be assessed.", status=status.value
                )
            when = assessed_at or now
            assessment = {
                "amount": str(amount),
                "assessor": assessor,
                "notes": notes,
                "assessed_at": when,
            }
            loss = dict(case.loss or {})
            assessments = dict(loss.get("assessments") or {})
            previous = assessments.get(label)
            assessments[label] = {**assessment, "insurer_code": insurer_code}
            loss["assessments"] = assessments
            loss["audit"] = [
                *(loss.get("audit") or []),
                {
                    "at": now,
                    "by": f"insurer:{insurer_code}",
                    "action": "assessment",
                    "party": label,
                    "amount": str(amount),
                    "previous": previous["amount"] if previous else None,
                },
            ]
            new_entry = {
                **entry,
                "assessment": assessment,
                "payout_due": str(amount),
                "status": InsurerClaimStatus.ASSESSED.value,
            }
            case = _with_claim(case, label, new_entry, ClaimEventType.ASSESSED, now)
            case = replace(case, loss=loss, updated_at=now)
            effects: list[_Effect] = []
            if self.templates.claim_assessed:
                effects.append(
                    _Notice(
                        label,
                        self.templates.claim_assessed,
                        {"amount1": f"{amount}元", "thing2": _case_ref(case, label)},
                    )
                )
            return case, effects

        case = await self._apply(claim_id, change, etag=etag, insurer_code=insurer_code)
        await self._acknowledge(case, insurer_code)
        return await self._view(case, insurer_code)

    async def update_status(
        self,
        insurer_code: str,
        claim_id: str,
        *,
        status: InsurerClaimStatus,
        reason: str = "",
        payout: Payout | None = None,
        etag: str = "",
    ) -> ClaimView:
        """Move the insurer's claim along; PAID needs a payout and may close the case.

        Raises:
            CaseNotFound: no such claim of this insurer.
            InvalidInput: PAID without a payout, bad amounts, text too long.
            IllegalTransition: the move is not allowed from the claim's status.
            ConcurrentUpdate: ``etag`` is given and the claim changed since.
        """
        _check_text(reason, "reason", MAX_TEXT)
        if status is InsurerClaimStatus.PAID:
            if payout is None:
                raise InvalidInput("A payout is required to mark a claim paid.", field="payout")
            _check_amount(payout.amount, "payout.amount")
            _check_text(payout.transaction_reference, "payout.transaction_reference", 200)
        elif payout is not None:
            raise InvalidInput("A payout is only accepted with status PAID.", field="payout")

        def change(case: Case) -> tuple[Case, list[_Effect]]:
            now = self.clock.now()
            label, entry = _require_claim(case, insurer_code)
            return self._moved(case, label, entry, status, reason, payout, now)

        case = await self._apply(claim_id, change, etag=etag, insurer_code=insurer_code)
        await self._acknowledge(case, insurer_code)
        return await self._view(case, insurer_code)

    def _moved(
        self,
        case: Case,
        label: str,
        entry: Mapping[str, Any],
        status: InsurerClaimStatus,
        reason: str,
        payout: Payout | None,
        now: datetime,
    ) -> tuple[Case, list[_Effect]]:
        current = InsurerClaimStatus(entry["status"])
        if status is current and status is not InsurerClaimStatus.PAID:
            return case, []
        if status not in _INSURER_MOVES[current]:
            raise IllegalTransition(
                f"A claim that is {current.value} cannot become {status.value}.",
                status=current.value,
                target=status.value,
            )
        new_entry: dict[str, Any] = {**entry, "status": status.value, "status_reason": reason}
        effects: list[_Effect] = []
        if payout is not None:
            new_entry["payout"] = {
                "amount": str(payout.amount),
                "paid_at": payout.paid_at or now,
                "transaction_reference": payout.transaction_reference,
            }
            if self.templates.claim_paid:
                effects.append(
                    _Notice(
                        label,
                        self.templates.claim_paid,
                        {"amount1": f"{payout.amount}元", "thing2": _case_ref(case, label)},
                    )
                )
        kind = (
            ClaimEventType.CANCELLED
            if status is InsurerClaimStatus.CANCELLED
            else ClaimEventType.STATUS_CHANGED
        )
        case = _with_claim(case, label, new_entry, kind, now)
        claims = (case.exchange.get("claims") or {}).values()
        if case.status is CaseStatus.CLAIMED and all(
            InsurerClaimStatus(c["status"]) in _TERMINAL for c in claims
        ):
            # Every insurer has answered for good: nothing is left to settle online.
            case = case.transition(CaseStatus.CLOSED, now)
        return case, effects

    # --- flows: claims ----------------------------------------------------------------------

    async def settle(self, case: Case) -> Case:
        """Save a case that has just become AGREED or DETERMINED and file its claims.

        The case change and the claim messages commit in one transaction.

        Raises:
            IllegalTransition: ``case`` is not agreed or determined.
            ConcurrentUpdate: the case changed since ``case`` was read.
        """
        if case.status not in _SETTLED:
            raise IllegalTransition(
                "Claims are filed only for agreed or determined cases.", status=case.status.value
            )
        changed, effects = await self._with_filings(case)
        return await self._commit(changed, effects)

    async def file_claims(self, case_id: str) -> Case:
        """File the claims of an agreed or determined case (no-op if already filed).

        Raises:
            CaseNotFound: no such case.
            IllegalTransition: the case is neither agreed nor determined.
        """
        for _ in range(MAX_WRITE_ATTEMPTS):
            case = await self.cases.get(case_id)
            if case.exchange.get("claims"):
                return case
            try:
                return await self.settle(case)
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate("The case is being changed by someone else; try again.")

    async def _with_filings(self, case: Case) -> tuple[Case, list[_Effect]]:
        now = self.clock.now()
        evidence = await self._evidence_refs(case)
        claims: dict[str, Any] = dict(case.exchange.get("claims") or {})
        effects: list[_Effect] = []
        for label, party in sorted(case.parties.items()):
            details = party.details
            if details is None or not details.insurer_code or label in claims:
                continue
            request_id = str(uuid.uuid4())
            share = liability_share(case, label)
            loss = estimated_loss(case, label)
            filing = ClaimFiling(
                request_id=request_id,
                insurer_code=details.insurer_code,
                case_id=case.id,
                policy_number=details.policy_number,
                policyholder_name=details.name,
                phone_masked=mask_phone(details.phone),
                plate_number=details.plate,
                occurred_at=case.scene.occurred_at,
                location=case.scene.address,
                description=case.scene.description,
                liability_share=share,
                estimated_loss=loss,
                latitude=case.scene.location.latitude,
                longitude=case.scene.location.longitude,
                evidence=evidence,
            )
            effects.append(
                NewOutboxMessage(
                    kind=KIND_FILE_CLAIM,
                    key=claim_key(case.id, label),
                    payload=filing.to_payload(),
                    request_id=request_id,
                    ack_within_s=CLAIM_ACK_WITHIN_S,
                )
            )
            claims[label] = {
                "insurer_code": details.insurer_code,
                "policy_number": details.policy_number,
                "request_id": request_id,
                "status": InsurerClaimStatus.RECEIVED.value,
                "claim_number": "",
                "filed_at": now,
                "updated_at": now,
                "liability_share": str(share),
                "estimated_loss": str(loss),
                "assessment": None,
                "payout": None,
                "payout_due": None,
                "status_reason": "",
                "event": {"type": ClaimEventType.FILED.value, "at": now, "seq": 1},
            }
        exchange = {**case.exchange, "claims": claims}
        return replace(case, exchange=exchange, updated_at=now), effects

    async def record_filed(self, filed: FiledClaim) -> None:
        """The insurer took the claim (dispatcher callback): keep its claim number."""

        def change(case: Case) -> tuple[Case, list[_Effect]]:
            now = self.clock.now()
            label, entry = _require_claim(case, filed.insurer_code)
            if entry.get("claim_number") == filed.claim_number:
                return case, []
            new_entry = {**entry, "claim_number": filed.claim_number}
            case = _with_claim(case, label, new_entry, ClaimEventType.FILED, now)
            if case.status in _SETTLED:
                case = case.transition(CaseStatus.CLAIMED, now)
            effects: list[_Effect] = []
            if self.templates.claim_filed:
                effects.append(
                    _Notice(
                        label,
                        self.templates.claim_filed,
                        {"thing1": _case_ref(case, label), "character_string2": filed.claim_number},
                    )
                )
            return case, effects

        await self._apply(filed.case_id, change)

    async def record_insurer_report(self, report: InsurerClaimReport) -> None:
        """An insurer's own view of a claim (reconciliation callback): adopt its status."""

        def change(case: Case) -> tuple[Case, list[_Effect]]:
            now = self.clock.now()
            label, entry = _require_claim(case, report.insurer_code)
            entry = {**entry, "claim_number": entry.get("claim_number") or report.claim_number}
            current = InsurerClaimStatus(entry["status"])
            if report.status is current or report.status not in _INSURER_MOVES[current]:
                return _with_claim(case, label, entry, None, now), []
            return self._moved(case, label, entry, report.status, report.status_reason,
                               report.payout, now)  # fmt: skip

        await self._apply(report.case_id, change)

    # --- flows: mediation -------------------------------------------------------------------

    async def request_mediation(
        self, case_id: str, *, applicant: str = "A", reason: str, user_id: str | None = None
    ) -> Case:
        """Send the case to court mediation with its case file (no-op if already sent).

        Args:
            applicant: the party label asking for mediation.
            reason: what is disputed, for the mediator.
            user_id: when a driver asks, their user id (they must be that party).

        Raises:
            CaseNotFound: no such case (or the user is not a party).
            IllegalTransition: the case is not agreed, determined or claimed.
            InvalidInput: unknown applicant or reason too long.
        """
        _check_text(reason, "reason", MAX_TEXT)
        if applicant not in ("A", "B"):
            raise InvalidInput("applicant must be party A or B.", field="applicant")
        evidence = await self._evidence_refs(await self.cases.get(case_id))

        def change(case: Case) -> tuple[Case, list[_Effect]]:
            if user_id is not None and case.label_of(user_id) != applicant:
                raise CaseNotFound("No case with this id among your cases.", case_id=case.id)
            if case.exchange.get("mediation"):
                return case, []
            now = self.clock.now()
            moved = case.transition(CaseStatus.MEDIATION, now)
            request_id = str(uuid.uuid4())
            filing = dispute_filing(case, request_id, applicant, reason, evidence)
            mediation = {
                "request_id": request_id,
                "applicant": applicant,
                "reason": reason,
                "requested_at": now,
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

        return await self._apply(case_id, change)

    async def record_dispute_receipt(self, receipt: DisputeReceipt) -> None:
        """The platform registered the dispute (dispatcher callback)."""

        def change(case: Case) -> tuple[Case, list[_Effect]]:
            mediation = dict(case.exchange.get("mediation") or {})
            if not mediation or mediation.get("dispute_id") == receipt.dispute_id:
                return case, []
            mediation.update(
                dispute_id=receipt.dispute_id,
                stage=receipt.stage.value,
                updated_at=self.clock.now(),
            )
            return replace(case, exchange={**case.exchange, "mediation": mediation}), []

        await self._apply(receipt.case_id, change)

    async def record_dispute_report(self, report: DisputeReport) -> Case:
        """Record mediation progress and outcome; a judicial confirmation closes the case."""

        def change(case: Case) -> tuple[Case, list[_Effect]]:
            now = self.clock.now()
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
            case = replace(case, exchange={**case.exchange, "mediation": mediation})
            effects: list[_Effect] = []
            if report.stage in _FINAL_STAGES and self.templates.mediation_outcome:
                effects = [
                    _Notice(label, self.templates.mediation_outcome,
                            {"thing1": _case_ref(case, label), "phrase2": report.stage.value})
                    for label in sorted(case.parties)
                ]  # fmt: skip
            if report.stage is DisputeStage.CONFIRMED and case.status is CaseStatus.MEDIATION:
                case = case.transition(CaseStatus.CLOSED, now)
            return replace(case, updated_at=now), effects

        return await self._apply(report.case_id, change)

    async def poll_mediations(self, *, limit: int = 50) -> int:
        """Ask the platform about every open dispute once; returns how many moved on.

        Unreachable platform or unknown disputes are left for the next poll.
        """
        if self.mediation is None:
            return 0
        moved = 0
        for case in await self.queries.in_status(CaseStatus.MEDIATION, limit=limit):
            mediation = case.exchange.get("mediation") or {}
            dispute_id = str(mediation.get("dispute_id") or "")
            stage = str(mediation.get("stage") or "")
            if not dispute_id or stage in {s.value for s in _FINAL_STAGES}:
                continue
            try:
                report = await self.mediation.dispute_status(dispute_id=dispute_id)
            except Exception as exc:  # a poll must survive any one dispute
                log.warning("mediation status of case %s unavailable: %s", case.id, type(exc))
                continue
            if report.stage.value != stage:
                await self.record_dispute_report(report)
                moved += 1
        return moved

    # --- internals ----------------------------------------------------------------------

    async def _case_of(self, insurer_code: str, claim_id: str) -> Case:
        _check_id(claim_id)
        case = await self.cases.get(claim_id)
        if _claim_entry(case, insurer_code) is None:
            raise _not_found(claim_id)
        return case

    async def _apply(
        self,
        case_id: str,
        change: _Change,
        *,
        etag: str = "",
        insurer_code: str | None = None,
    ) -> Case:
        """Read, change, and save with the case's effects in one transaction.

        Without an ``etag`` a conflict is retried on a fresh read (each change re-checks
        its preconditions); with one the caller asked to fail instead.
        """
        if insurer_code is not None:
            _check_id(case_id)
        for _ in range(MAX_WRITE_ATTEMPTS):
            case = await self.cases.get(case_id)
            if insurer_code is not None and _claim_entry(case, insurer_code) is None:
                raise _not_found(case_id)
            if etag and etag != etag_of(case):
                raise ConcurrentUpdate(
                    "The claim changed since you read it; read it again.", claim_id=case_id
                )
            changed, effects = change(case)
            if changed is case:
                return case
            try:
                return await self._commit(changed, effects)
            except ConcurrentUpdate:
                if etag:
                    raise
                continue
        raise ConcurrentUpdate("The case is being changed by someone else; try again.")

    async def _commit(self, case: Case, effects: Sequence[_Effect]) -> Case:
        messages = [await self._message(case, e) for e in effects]
        async with self.uow.transaction() as tx:
            saved = await self.cases.save(case, session=tx)
            for message in messages:
                if message is not None:
                    await self.outbox.enqueue(message, tx=tx)
        return saved

    async def _message(self, case: Case, effect: _Effect) -> NewOutboxMessage | None:
        if isinstance(effect, NewOutboxMessage):
            return effect
        party: Party | None = case.parties.get(effect.label)
        if self.recipients is None or party is None:
            return None
        openid = await self.recipients.openid_for(party.user_id)
        if not openid:
            return None
        request_id = str(uuid.uuid4())
        message = SubscriptionMessage(
            request_id=request_id,
            openid=openid,
            template_id=effect.template_id,
            page=f"{self.templates.page}?id={case.id}",
            data=effect.data,
            miniprogram_state=self.templates.miniprogram_state,
        )
        return NewOutboxMessage(
            kind=KIND_WECHAT_MESSAGE,
            key=case.id,
            payload=message.to_payload(),
            request_id=request_id,
        )

    async def _acknowledge(self, case: Case, insurer_code: str) -> None:
        # The insurer acting on the claim proves it holds it: no reconciliation needed.
        found = _claim_entry(case, insurer_code)
        if found is not None:
            await self.outbox.acknowledge_key(
                kind=KIND_FILE_CLAIM, key=claim_key(case.id, found[0]), now=self.clock.now()
            )

    async def _view(
        self, case: Case, insurer_code: str, *, with_evidence: bool = True
    ) -> ClaimView:
        found = _claim_entry(case, insurer_code)
        if found is None:
            raise _not_found(case.id)
        label, entry = found
        details = case.parties[label].details
        assessment = entry.get("assessment")
        payout = entry.get("payout")
        return ClaimView(
            claim_id=case.id,
            insurer_code=insurer_code,
            party=label,
            claim_number=str(entry.get("claim_number") or ""),
            policy_number=str(entry.get("policy_number") or ""),
            policyholder_name=details.name if details else "",
            plate_number=details.plate if details else "",
            status=InsurerClaimStatus(entry["status"]),
            occurred_at=case.scene.occurred_at,
            location=case.scene.address,
            description=case.scene.description,
            liability_share=Decimal(str(entry.get("liability_share") or "0")),
            estimated_loss=Decimal(str(entry.get("estimated_loss") or "0")),
            evidence=await self._evidence_refs(case) if with_evidence else (),
            assessment=None
            if not assessment
            else Assessment(
                amount=Decimal(assessment["amount"]),
                assessor=str(assessment.get("assessor", "")),
                notes=str(assessment.get("notes", "")),
                assessed_at=assessment["assessed_at"],
            ),
            payout=None
            if not payout
            else Payout(
                amount=Decimal(payout["amount"]),
                paid_at=payout.get("paid_at"),
                transaction_reference=str(payout.get("transaction_reference", "")),
            ),
            created_at=entry.get("filed_at") or case.created_at,
            updated_at=case.updated_at,
            etag=etag_of(case),
        )

    async def _evidence_records(self, case: Case) -> Sequence[PhotoRecord]:
        if self.photos is None or self.store is None:
            return ()
        return await self.photos.list_for_case(case.id)

    async def _evidence_record(self, case: Case, evidence_id: str) -> PhotoRecord:
        _check_id(evidence_id)
        for record in await self._evidence_records(case):
            if record.photo_id == evidence_id:
                return record
        raise PhotoNotFound("No evidence item with this id in the claim.", evidence_id=evidence_id)

    async def _evidence_refs(self, case: Case) -> tuple[EvidenceRef, ...]:
        refs = []
        for record in await self._evidence_records(case):
            try:
                size, sha256 = await self._describe(record)
            except PhotoNotFound:
                continue  # the record exists but its copy does not (yet): not evidence
            refs.append(
                EvidenceRef(
                    evidence_id=record.photo_id,
                    media_type="image/jpeg",
                    size_bytes=size,
                    sha256=sha256,
                    captured_at=record.received_at,
                )
            )
        return tuple(refs)

    async def _describe(self, record: PhotoRecord) -> tuple[int, str]:
        """Size and SHA-256 of a privacy copy.

        Keys are content-addressed (derived from the original's digest), so what is
        stored under a key never changes and the answer can be cached for good.
        """
        cached = self._digests.get(record.privacy_key)
        if cached is not None:
            self._digests.move_to_end(record.privacy_key)
            return cached
        assert self.store is not None  # noqa: S101 - callers check
        data = await self.store.get(record.privacy_key)
        described = (len(data), hashlib.sha256(data).hexdigest())
        self._digests[record.privacy_key] = described
        if len(self._digests) > 10_000:
            self._digests.popitem(last=False)
        return described


# --- pure helpers ---------------------------------------------------------------------------


def claim_key(case_id: str, label: str) -> str:
    """Outbox key of one party's claim (two insurers of one case are separate claims)."""
    return f"{case_id}/{label}"


def etag_of(case: Case) -> str:
    return f"v{case.version}"


def liability_share(case: Case, label: str) -> Decimal:
    """The party's share of liability: the police determination first, else the proposal.

    Levels (全部/主要/同等/次要/无责任) become 1/0.7/0.5/0.3/0; explicit ``shares``
    win. Unknown means 0: the insurer assesses liability itself then.
    """
    for source in (case.determination, case.proposal):
        if not source:
            continue
        shares = source.get("shares")
        if isinstance(shares, Mapping) and label in shares:
            return _decimal(shares[label])
        liability = source.get("liability")
        if isinstance(liability, Mapping) and label in liability:
            value = liability[label]
            if isinstance(value, str) and value in _LEVEL_SHARES:
                return _LEVEL_SHARES[value]
            return _decimal(value)
    return Decimal("0")


def estimated_loss(case: Case, label: str) -> Decimal:
    """Our estimate of the party's vehicle loss, from ``case.loss`` if estimated."""
    loss = case.loss or {}
    for path in (("parties", label, "total"), ("estimate", label, "total"), ("estimate", "total")):
        value: Any = loss
        for step in path:
            value = value.get(step) if isinstance(value, Mapping) else None
        if value is not None:
            return _decimal(value)
    return Decimal("0")


def dispute_filing(
    case: Case,
    request_id: str,
    applicant: str,
    reason: str,
    evidence: tuple[EvidenceRef, ...] = (),
) -> DisputeFiling:
    """The case file for the court platform, from what the case holds."""
    parties = []
    for label, party in sorted(case.parties.items()):
        d = party.details
        parties.append(
            DisputeParty(
                party_id=label,
                role=PartyRole.DRIVER,
                name=d.name if d else "",
                id_number_masked=mask_id_number(d.id_number) if d else "",
                phone=d.phone if d else "",
                plate_number=d.plate if d else "",
                insurer_code=d.insurer_code if d else "",
                policy_number=d.policy_number if d else "",
            )
        )
    det = case.determination or {}
    issued = det.get("issued_at")
    determination = LiabilityDetermination(
        document_number=str(det.get("document_number") or f"QK-{case.id}"),
        issuer=str(det.get("issuer") or ("交警" if det else "当事人自行协商")),
        issued_at=issued if isinstance(issued, datetime) else case.updated_at,
        shares={label: liability_share(case, label) for label in sorted(case.parties)},
        rule=str(det.get("rule") or ""),
    )
    items = []
    for label in sorted(case.parties):
        amount = estimated_loss(case, label)
        assessed = ((case.loss or {}).get("assessments") or {}).get(label)
        if assessed:
            amount = _decimal(assessed.get("amount"))
        if amount > 0:
            items.append(LossItem(f"{label}方车辆损失", amount))
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


def _claim_entry(case: Case, insurer_code: str) -> tuple[str, Mapping[str, Any]] | None:
    claims = case.exchange.get("claims") or {}
    for label in sorted(claims):
        entry = claims[label]
        if entry.get("insurer_code") == insurer_code:
            return label, entry
    return None


def _require_claim(case: Case, insurer_code: str) -> tuple[str, Mapping[str, Any]]:
    found = _claim_entry(case, insurer_code)
    if found is None:
        raise _not_found(case.id)
    return found


def _with_claim(
    case: Case,
    label: str,
    entry: Mapping[str, Any],
    event: ClaimEventType | None,
    now: datetime,
) -> Case:
    new_entry = dict(entry)
    new_entry["updated_at"] = now
    if event is not None:
        seq = int((entry.get("event") or {}).get("seq", 0)) + 1
        new_entry["event"] = {"type": event.value, "at": now, "seq": seq}
    claims = {**(case.exchange.get("claims") or {}), label: new_entry}
    return replace(case, exchange={**case.exchange, "claims": claims}, updated_at=now)


def _not_found(claim_id: str) -> CaseNotFound:
    return CaseNotFound("No claim with this id among your company's claims.", claim_id=claim_id)


def _case_ref(case: Case, label: str) -> str:
    details = case.parties[label].details
    plate = mask_plate(details.plate) if details else ""
    return f"{plate} 事故 {case.id[-6:]}".strip()


def _check_id(value: str) -> None:
    if not _ID.fullmatch(value):
        raise InvalidInput("The id is malformed.", field="id")


def _check_text(value: str, name: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters.", field=name)


def _check_amount(amount: Decimal, name: str) -> None:
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise InvalidInput(f"{name} must be between 0 and {MAX_AMOUNT} yuan.", field=name)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidInput(f"{name} has more than two decimals.", field=name)


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("0")
