"""Values exchanged with partners (insurers, the court mediation platform, WeChat).

These are the core's words for what goes out and what comes back; the gRPC and
WeChat adapters translate them to and from the wire. Everything here is pure and
synchronous. Amounts are :class:`~decimal.Decimal` in CNY; times are timezone-aware.

Messages that travel through the outbox are stored as JSON-compatible payloads, so
every request value has ``to_payload()`` / ``from_payload()``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

# --- shared ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """One evidence item as partners see it: a privacy copy identified by its digest."""

    evidence_id: str
    media_type: str
    size_bytes: int
    sha256: str
    captured_at: datetime | None = None

    def to_payload(self) -> dict[str, Any]:
        return {
            "evidence_id": self.evidence_id,
            "media_type": self.media_type,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "captured_at": _dt_out(self.captured_at),
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> EvidenceRef:
        return cls(
            evidence_id=str(data["evidence_id"]),
            media_type=str(data["media_type"]),
            size_bytes=int(data["size_bytes"]),
            sha256=str(data["sha256"]),
            captured_at=_dt_in(data.get("captured_at")),
        )


# --- insurers -------------------------------------------------------------------------


class InsurerClaimStatus(enum.StrEnum):
    """Where a claim stands on the insurer's side."""

    RECEIVED = "received"
    UNDER_ASSESSMENT = "under_assessment"
    ASSESSED = "assessed"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ClaimFiling:
    """A claim we file with one insurer for one policyholder of a settled case.

    ``request_id`` is the AIP-155 idempotency key: it is created once, when the filing
    is decided, and reused for every delivery attempt.
    """

    request_id: str
    insurer_code: str
    case_id: str
    policy_number: str
    policyholder_name: str
    phone_masked: str
    plate_number: str
    occurred_at: datetime
    location: str
    description: str
    liability_share: Decimal
    estimated_loss: Decimal
    latitude: float = 0.0
    longitude: float = 0.0
    evidence: tuple[EvidenceRef, ...] = ()
    claim_id: str = ""
    party: str = ""
    cover: str = ""
    liability_level: str = ""
    third_party_loss: Decimal | None = None
    amount_due: Decimal | None = None
    lines: tuple[Mapping[str, str], ...] = ()
    """The payments this cover makes: ``cover``, ``payee``, ``amount`` each."""
    document_number: str = ""

    def to_payload(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "insurer_code": self.insurer_code,
            "case_id": self.case_id,
            "claim_id": self.claim_id,
            "party": self.party,
            "cover": self.cover,
            "liability_level": self.liability_level,
            "third_party_loss": _dec_out(self.third_party_loss),
            "amount_due": _dec_out(self.amount_due),
            "lines": [dict(line) for line in self.lines],
            "document_number": self.document_number,
            "policy_number": self.policy_number,
            "policyholder_name": self.policyholder_name,
            "phone_masked": self.phone_masked,
            "plate_number": self.plate_number,
            "occurred_at": _dt_out(self.occurred_at),
            "location": self.location,
            "description": self.description,
            "liability_share": str(self.liability_share),
            "estimated_loss": str(self.estimated_loss),
            "latitude": self.latitude,
            "longitude": self.longitude,
            "evidence": [e.to_payload() for e in self.evidence],
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ClaimFiling:
        occurred_at = _dt_in(data["occurred_at"])
        if occurred_at is None:
            raise ValueError("claim payload lacks occurred_at")
        return cls(
            request_id=str(data["request_id"]),
            insurer_code=str(data["insurer_code"]),
            case_id=str(data["case_id"]),
            policy_number=str(data["policy_number"]),
            policyholder_name=str(data["policyholder_name"]),
            phone_masked=str(data["phone_masked"]),
            plate_number=str(data["plate_number"]),
            occurred_at=occurred_at,
            location=str(data["location"]),
            description=str(data["description"]),
            liability_share=Decimal(data["liability_share"]),
            estimated_loss=Decimal(data["estimated_loss"]),
            latitude=float(data.get("latitude", 0.0)),
            longitude=float(data.get("longitude", 0.0)),
            evidence=tuple(EvidenceRef.from_payload(e) for e in data.get("evidence", ())),
            claim_id=str(data.get("claim_id", "")),
            party=str(data.get("party", "")),
            cover=str(data.get("cover", "")),
            liability_level=str(data.get("liability_level", "")),
            third_party_loss=_dec_in(data.get("third_party_loss")),
            amount_due=_dec_in(data.get("amount_due")),
            lines=tuple(
                {str(k): str(v) for k, v in line.items()} for line in data.get("lines", ())
            ),
            document_number=str(data.get("document_number", "")),
        )


@dataclass(frozen=True, slots=True)
class FiledClaim:
    """The insurer's answer to a filing."""

    insurer_code: str
    case_id: str
    claim_number: str
    status: InsurerClaimStatus
    received_at: datetime | None
    claim_id: str = ""


@dataclass(frozen=True, slots=True)
class ClaimCancellation:
    request_id: str
    insurer_code: str
    case_id: str
    claim_number: str
    reason: str
    claim_id: str = ""

    def to_payload(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "insurer_code": self.insurer_code,
            "case_id": self.case_id,
            "claim_number": self.claim_number,
            "reason": self.reason,
            "claim_id": self.claim_id,
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ClaimCancellation:
        return cls(
            request_id=str(data["request_id"]),
            insurer_code=str(data["insurer_code"]),
            case_id=str(data["case_id"]),
            claim_number=str(data["claim_number"]),
            reason=str(data["reason"]),
            claim_id=str(data.get("claim_id", "")),
        )


@dataclass(frozen=True, slots=True)
class Payout:
    amount: Decimal
    paid_at: datetime | None
    transaction_reference: str


@dataclass(frozen=True, slots=True)
class InsurerClaimReport:
    """The insurer's current view of a claim (GetClaimStatus)."""

    insurer_code: str
    case_id: str
    claim_number: str
    status: InsurerClaimStatus
    assessed_amount: Decimal | None = None
    payout: Payout | None = None
    status_reason: str = ""
    updated_at: datetime | None = None
    claim_id: str = ""


# --- court mediation ------------------------------------------------------------------


class PartyRole(enum.StrEnum):
    DRIVER = "driver"
    VEHICLE_OWNER = "vehicle_owner"
    INSURER = "insurer"


@dataclass(frozen=True, slots=True)
class DisputeParty:
    party_id: str
    role: PartyRole
    name: str
    id_number_masked: str = ""
    phone: str = ""
    plate_number: str = ""
    insurer_code: str = ""
    policy_number: str = ""


@dataclass(frozen=True, slots=True)
class LiabilityDetermination:
    document_number: str
    issuer: str
    issued_at: datetime
    shares: Mapping[str, Decimal]  # party_id -> share, sums to 1
    rule: str = ""


@dataclass(frozen=True, slots=True)
class LossItem:
    description: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DisputeFiling:
    """A dispute submitted to the court mediation platform, with its case file."""

    request_id: str
    case_id: str
    applicant_party_id: str
    court_region_code: str
    reason: str
    parties: tuple[DisputeParty, ...]
    occurred_at: datetime
    location: str
    facts: str
    determination: LiabilityDetermination
    loss_items: tuple[LossItem, ...]
    evidence: tuple[EvidenceRef, ...] = ()

    @property
    def loss_total(self) -> Decimal:
        return sum((item.amount for item in self.loss_items), Decimal("0"))

    def to_payload(self) -> dict[str, Any]:
        d = self.determination
        return {
            "request_id": self.request_id,
            "case_id": self.case_id,
            "applicant_party_id": self.applicant_party_id,
            "court_region_code": self.court_region_code,
            "reason": self.reason,
            "parties": [
                {
                    "party_id": p.party_id,
                    "role": p.role.value,
                    "name": p.name,
                    "id_number_masked": p.id_number_masked,
                    "phone": p.phone,
                    "plate_number": p.plate_number,
                    "insurer_code": p.insurer_code,
                    "policy_number": p.policy_number,
                }
                for p in self.parties
            ],
            "occurred_at": _dt_out(self.occurred_at),
            "location": self.location,
            "facts": self.facts,
            "determination": {
                "document_number": d.document_number,
                "issuer": d.issuer,
                "issued_at": _dt_out(d.issued_at),
                "shares": {k: str(v) for k, v in d.shares.items()},
                "rule": d.rule,
            },
            "loss_items": [
                {"description": i.description, "amount": str(i.amount)} for i in self.loss_items
            ],
            "evidence": [e.to_payload() for e in self.evidence],
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> DisputeFiling:
        d = data["determination"]
        occurred_at, issued_at = _dt_in(data["occurred_at"]), _dt_in(d["issued_at"])
        if occurred_at is None or issued_at is None:
            raise ValueError("dispute payload lacks occurred_at or issued_at")
        return cls(
            request_id=str(data["request_id"]),
            case_id=str(data["case_id"]),
            applicant_party_id=str(data["applicant_party_id"]),
            court_region_code=str(data["court_region_code"]),
            reason=str(data["reason"]),
            parties=tuple(
                DisputeParty(**{**p, "role": PartyRole(p["role"])}) for p in data["parties"]
            ),
            occurred_at=occurred_at,
            location=str(data["location"]),
            facts=str(data["facts"]),
            determination=LiabilityDetermination(
                document_number=str(d["document_number"]),
                issuer=str(d["issuer"]),
                issued_at=issued_at,
                shares={k: Decimal(v) for k, v in d["shares"].items()},
                rule=str(d.get("rule", "")),
            ),
            loss_items=tuple(
                LossItem(str(i["description"]), Decimal(i["amount"])) for i in data["loss_items"]
            ),
            evidence=tuple(EvidenceRef.from_payload(e) for e in data.get("evidence", ())),
        )


class DisputeStage(enum.StrEnum):
    RECEIVED = "received"
    MEDIATING = "mediating"
    MEDIATION_FAILED = "mediation_failed"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    CONFIRMED = "confirmed"
    CONFIRMATION_REJECTED = "confirmation_rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class DisputeReceipt:
    case_id: str
    dispute_id: str
    stage: DisputeStage
    received_at: datetime | None


class MediationResult(enum.StrEnum):
    AGREED = "agreed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class MediationOutcome:
    result: MediationResult
    agreed_amount: Decimal | None
    agreement_number: str
    mediator: str
    concluded_at: datetime | None


@dataclass(frozen=True, slots=True)
class JudicialConfirmation:
    confirmed: bool
    ruling_number: str
    court_name: str
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class DisputeReport:
    """The platform's current view of a dispute (GetDisputeStatus)."""

    dispute_id: str
    case_id: str
    stage: DisputeStage
    mediation: MediationOutcome | None = None
    judicial_confirmation: JudicialConfirmation | None = None
    updated_at: datetime | None = None


# --- WeChat subscription messages -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionMessage:
    """One WeChat subscription message (订阅消息) to one user.

    ``miniprogram_state`` comes from the environment (developer|trial|formal) so a
    ``formal`` link is never sent from staging.
    """

    request_id: str
    openid: str
    template_id: str
    page: str
    data: Mapping[str, str] = field(default_factory=dict)
    miniprogram_state: str = "formal"
    lang: str = "zh_CN"

    def to_payload(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "openid": self.openid,
            "template_id": self.template_id,
            "page": self.page,
            "data": dict(self.data),
            "miniprogram_state": self.miniprogram_state,
            "lang": self.lang,
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> SubscriptionMessage:
        return cls(
            request_id=str(data["request_id"]),
            openid=str(data["openid"]),
            template_id=str(data["template_id"]),
            page=str(data["page"]),
            data={str(k): str(v) for k, v in data.get("data", {}).items()},
            miniprogram_state=str(data.get("miniprogram_state", "formal")),
            lang=str(data.get("lang", "zh_CN")),
        )


# WeChat errcodes for subscribe/send. 43101: the user has no subscription quota left
# (or refused); sending again cannot succeed until they subscribe again.
WECHAT_FINAL_ERRCODES = frozenset({40003, 40037, 43101, 47003})
# -1: system busy; 45009 / 45011: API frequency limits.
WECHAT_RETRYABLE_ERRCODES = frozenset({-1, 45009, 45011})


def wechat_errcode_is_final(errcode: int) -> bool:
    """Whether a WeChat ``subscribe/send`` errcode means "never retry this message".

    Unknown codes count as retryable; the outbox's attempt limit bounds them.
    """
    return errcode in WECHAT_FINAL_ERRCODES


# --- outbox ---------------------------------------------------------------------------


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt (possibly leased right now)
    DELIVERED = "delivered"
    DEAD = "dead"  # gave up: final error or too many attempts; replay() revives it
    CANCELLED = "cancelled"  # an operator decided it must never be sent


@dataclass(frozen=True, slots=True)
class NewOutboxMessage:
    """A message to deliver to a partner, written in the same transaction as its cause.

    Args:
        kind: selects the handler, e.g. ``"insurer.file_claim"``.
        key: ordering/grouping key, usually the case id.
        payload: JSON-compatible body (see the ``to_payload()`` methods above).
        request_id: AIP-155 idempotency key the partner dedups on; kept across replays.
        ack_within_s: if set, a delivery must be acknowledged within this many seconds
            or reconciliation re-queries the partner.
    """

    kind: str
    key: str
    payload: Mapping[str, Any]
    request_id: str
    ack_within_s: float | None = None


def partner_of(kind: str, payload: Mapping[str, Any]) -> str:
    """Which partner a message goes to: ``insurer:PICC``, ``court`` or ``wechat``.

    Delivery is watched, retried and reported per partner: one insurer's outage must not
    hold up another's claims, and its recovery retries exactly its backlog.
    """
    family = kind.partition(".")[0]
    if family == "insurer":
        return f"insurer:{payload.get('insurer_code', '')}"
    return {"mediation": "court"}.get(family, family)


@dataclass(frozen=True, slots=True)
class PartnerBacklog:
    """What waits for one partner: pending messages, the oldest one's age, dead letters."""

    partner: str
    pending: int
    oldest_pending_age_s: float
    dead: int


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A stored outbox message as the dispatcher and reconciliation see it."""

    id: str
    kind: str
    key: str
    payload: Mapping[str, Any]
    request_id: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    result: Mapping[str, Any] | None = None
    ack_due_at: datetime | None = None
    acked_at: datetime | None = None
    partner: str = ""
    dead_at: datetime | None = None
    replays: int = 0


# --- helpers --------------------------------------------------------------------------


def _dt_out(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dec_out(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _dec_in(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value is not None and value != "" else None


def _dt_in(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
