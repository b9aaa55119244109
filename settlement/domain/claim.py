"""The insurance claim aggregate: one per party and cover, with the money fixed at filing.

A settled case (a signed 自行协商协议书 or a police 事故认定书) is the *decision*. From it each
party's claims are cut: one per cover that pays something for that party's policy — 交强险
(compulsory, always reported: it is the accident report to the party's insurer), 商业三者险
when the party holds it and owes something under it, 车损险 when the party holds it and a
remainder of its own loss is left. The liability share, both vehicles' losses and the
payout lines of the cover are recorded on the claim when it is filed and never change:
insurers assess and pay against them.

Sources: 民法典第1213条 (交强险 first, then 商业险), 道交法第76条, 商业险示范条款(2014)第23条
(主要 70% / 同等 50% / 次要 30% when no authority fixed a ratio), 程序规定第60条 (levels).

Life cycle (the only table): filed → acknowledged → assessed → approved → paid, with
rejected and cancelled reachable from every open state. An assessment may be revised
while the claim is assessed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from settlement.domain.case import Case, CaseStatus
from settlement.domain.exchange import Payout
from settlement.domain.jurisdiction import district_name
from settlement.domain.payout import DEFAULT_RATIOS
from settlement.errors import IllegalTransition, InvalidInput, PreconditionFailed


class ClaimStatus(enum.StrEnum):
    FILED = "filed"  # decided and queued for the insurer
    ACKNOWLEDGED = "acknowledged"  # the insurer holds it (claim number known)
    ASSESSED = "assessed"  # the insurer's assessor fixed the loss
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


_OPEN_EXITS = frozenset({ClaimStatus.REJECTED, ClaimStatus.CANCELLED})

TRANSITIONS: Mapping[ClaimStatus, frozenset[ClaimStatus]] = {
    # An insurer may assess before our dispatcher has recorded its claim number.
    ClaimStatus.FILED: frozenset({ClaimStatus.ACKNOWLEDGED, ClaimStatus.ASSESSED}) | _OPEN_EXITS,
    ClaimStatus.ACKNOWLEDGED: frozenset({ClaimStatus.ASSESSED}) | _OPEN_EXITS,
    ClaimStatus.ASSESSED: frozenset({ClaimStatus.ASSESSED, ClaimStatus.APPROVED}) | _OPEN_EXITS,
    ClaimStatus.APPROVED: frozenset({ClaimStatus.PAID}) | _OPEN_EXITS,
    ClaimStatus.PAID: frozenset(),
    ClaimStatus.REJECTED: frozenset(),
    ClaimStatus.CANCELLED: frozenset(),
}
TERMINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
MAX_ASSESSMENTS = 50
"""Revisions of one claim's assessment (the one loop in the table): a claim keeps every
figure in its history, and an endless stream of revisions would grow it without bound."""


class Cover(enum.StrEnum):
    COMPULSORY = "compulsory"  # 交强险
    COMMERCIAL_THIRD_PARTY = "commercial_third_party"  # 商业三者险
    OWN_DAMAGE = "own_damage"  # 车损险


COVER_SHORT: Mapping[Cover, str] = {
    Cover.COMPULSORY: "jqx",
    Cover.COMMERCIAL_THIRD_PARTY: "sz",
    Cover.OWN_DAMAGE: "cs",
}

# Payout lines (settlement.domain.payout) by the policy cover that pays them; lines no
# insurer pays (uninsured, the tortfeasor personally) are nobody's claim.
_LINE_COVER: Mapping[str, Cover] = {
    "jqx_at_fault": Cover.COMPULSORY,
    "jqx_no_fault": Cover.COMPULSORY,
    "jqx_no_fault_proxy": Cover.COMPULSORY,
    "jqx_hupeng_zipei": Cover.COMPULSORY,
    "commercial_third_party": Cover.COMMERCIAL_THIRD_PARTY,
    "own_damage_or_self": Cover.OWN_DAMAGE,
}


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One payment of the decision that this claim's cover makes."""

    cover: str
    liable: str
    payee: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Decision:
    """What settled the case, as the claims need it.

    Attributes:
        source: ``agreement`` or ``determination``.
        levels: liability level per party (程序规定第60条).
        shares: liability ratio per party.
        losses: each party's vehicle loss (None: not stated, to be assessed).
        lines: the payout lines (empty when a loss is unknown).
        commercial: which parties hold 商业三者险.
        own_damage: which parties hold 车损险.
        document_number: number of the issued document (协议书 or 认定书).
        document_sha256: its content hash, verifiable on our site.
        issuer: who issued it.
        issued_at: when.
        round: 1 for the case's first decision; a 复核 that revoked the determination makes
            the next one round 2 (its claims get ids of their own).
    """

    source: str
    levels: Mapping[str, str]
    shares: Mapping[str, Decimal]
    losses: Mapping[str, Decimal | None]
    lines: tuple[ClaimLine, ...]
    commercial: Mapping[str, bool]
    own_damage: Mapping[str, bool]
    document_number: str
    document_sha256: str
    issuer: str
    issued_at: datetime
    round: int = 1


@dataclass(frozen=True, slots=True)
class Assessment:
    amount: Decimal
    assessor: str
    notes: str
    assessed_at: datetime


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    status: ClaimStatus
    at: datetime
    by: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Summary:
    """What the insurer reads about the accident and its policyholder; copied from the case
    at filing (a settled case's details and scene no longer change)."""

    policyholder_name: str
    plate_number: str
    occurred_at: datetime
    location: str
    description: str


@dataclass(frozen=True, slots=True)
class Claim:
    """One party's claim under one cover of its policy with its insurer."""

    id: str
    case_id: str
    party: str
    cover: Cover
    insurer_code: str
    policy_number: str
    status: ClaimStatus
    filed_at: datetime
    updated_at: datetime
    request_id: str
    decided_by: str
    document_number: str
    liability_level: str
    liability_share: Decimal
    own_loss: Decimal | None
    third_party_loss: Decimal | None
    amount_due: Decimal | None
    lines: tuple[ClaimLine, ...]
    history: tuple[HistoryEntry, ...]
    summary: Summary
    version: int = 0
    claim_number: str = ""
    assessment: Assessment | None = None
    payout: Payout | None = None
    status_reason: str = ""
    event: str = "filed"
    event_seq: int = 1

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def can_become(self, target: ClaimStatus) -> bool:
        return target in TRANSITIONS[self.status]

    def transition(
        self, target: ClaimStatus, *, by: str, now: datetime, reason: str = "", event: str = ""
    ) -> Claim:
        """The claim in ``target``; refused unless the table allows it."""
        if not self.can_become(target):
            raise IllegalTransition(
                f"A claim that is {self.status.value} cannot become {target.value}.",
                status=self.status.value,
                target=target.value,
            )
        entry = HistoryEntry(target, now, by, reason)
        return replace(
            self,
            status=target,
            status_reason=reason or self.status_reason,
            history=(*self.history, entry),
            updated_at=now,
            event=event or ("cancelled" if target is ClaimStatus.CANCELLED else "status_changed"),
            event_seq=self.event_seq + 1,
        )

    def acknowledge(self, claim_number: str, *, by: str, now: datetime) -> Claim:
        """The insurer took the claim and numbered it (no-op if already known)."""
        if self.claim_number == claim_number:
            return self
        numbered = replace(self, claim_number=claim_number)
        if self.status is ClaimStatus.FILED:
            return numbered.transition(ClaimStatus.ACKNOWLEDGED, by=by, now=now, event="filed")
        return replace(numbered, updated_at=now, event="filed", event_seq=self.event_seq + 1)

    def assess(self, assessment: Assessment, *, by: str, now: datetime) -> Claim:
        """Raises PreconditionFailed after MAX_ASSESSMENTS revisions."""
        revisions = sum(entry.status is ClaimStatus.ASSESSED for entry in self.history)
        if revisions >= MAX_ASSESSMENTS:
            raise PreconditionFailed(
                f"This claim has been assessed {revisions} times, the most one claim keeps; "
                "approve, reject or cancel it, or ask the operator.", limit=MAX_ASSESSMENTS,
            )  # fmt: skip
        # The history keeps every figure, also those a revision replaced.
        moved = self.transition(ClaimStatus.ASSESSED, by=by, now=now, event="assessed",
                                reason=f"assessed {assessment.amount}")  # fmt: skip
        return replace(moved, assessment=assessment, status_reason=self.status_reason)

    def pay(self, payout: Payout, *, by: str, now: datetime, reason: str = "") -> Claim:
        moved = self.transition(ClaimStatus.PAID, by=by, now=now, reason=reason)
        return replace(moved, payout=payout)

    def path_to(self, target: ClaimStatus) -> list[ClaimStatus]:
        """The shortest chain of legal steps from here to ``target`` (empty: none, or here).

        An insurer's status report may skip steps we never saw (say paid while we hold
        assessed); adopting it walks the table, so every step is still a legal one.
        """
        if target is self.status:
            return []
        frontier: list[list[ClaimStatus]] = [[self.status]]
        seen = {self.status}
        while frontier:
            path = frontier.pop(0)
            for step in sorted(TRANSITIONS[path[-1]]):
                if step in seen:
                    continue
                if step is target:
                    return [*path[1:], step]
                seen.add(step)
                frontier.append([*path, step])
        return []


# --- the decision and the claims it files ------------------------------------------------


_FEN = Decimal("0.01")


def _decimal(value: object) -> Decimal | None:
    """A yuan amount to the fen, or None for anything that is not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount.quantize(_FEN) if amount.is_finite() else None


def payout_lines(payout: Mapping[str, Any] | None) -> tuple[ClaimLine, ...]:
    """The itemised lines of a payout in its JSON form (``Payout.to_json_dict``)."""
    if not payout:
        return ()
    lines = []
    for item in payout.get("breakdown") or []:
        amount = _decimal(item.get("amount"))
        paid_by = str(item.get("paid_by_insurer_of") or "")
        if amount is None or not paid_by:
            continue
        lines.append(
            ClaimLine(
                cover=str(item.get("cover")),
                liable=paid_by,
                payee=str(item.get("payee") or ""),
                amount=amount,
            )
        )
    return tuple(lines)


def vehicle_covers(facts: Mapping[str, Any] | None, label: str) -> tuple[bool, bool]:
    """(holds 商业三者险, holds 车损险) as the party stated them in the facts document.

    商业三者险 unstated counts as held (most private cars carry it; the engine assumes the
    same); 车损险 unstated counts as not held, so no own-damage claim is filed on a guess.
    """
    vehicle = ((facts or {}).get("vehicles") or {}).get(label) or {}
    commercial = vehicle.get("commercial_third_party_cover")
    if commercial is None:
        commercial = vehicle.get("commercial_third_party_insured")
    return commercial is not False, vehicle.get("own_damage_cover") is True


def share_of(level: str) -> Decimal:
    """商业险示范条款第23条: the insurer's ratio for a liability level (unknown → 0)."""
    ratio = DEFAULT_RATIOS.get(level)  # type: ignore[call-overload]
    return Decimal(ratio) if ratio is not None else Decimal(0)


def decision_of(
    case: Case, *, determination_payout: Mapping[str, Any] | None = None
) -> Decision:
    """The decision that settled ``case``: the police determination, else the agreement.

    Args:
        case: an agreed or determined case with the engine's proposal.
        determination_payout: for a determination, the payout recomputed with the police
            levels (JSON form); an agreement uses the payout its parties signed.

    Raises:
        IllegalTransition: the case is neither agreed nor determined.
    """
    proposal = case.proposal or {}
    facts = proposal.get("facts") if isinstance(proposal.get("facts"), Mapping) else None
    losses: dict[str, Decimal | None] = {}
    for label in sorted(case.parties):
        loss = (proposal.get("loss") or {}).get(label) or {}
        losses[label] = _decimal(loss.get("amount")) if isinstance(loss, Mapping) else None
    commercial = {label: vehicle_covers(facts, label)[0] for label in sorted(case.parties)}
    own_damage = {label: vehicle_covers(facts, label)[1] for label in sorted(case.parties)}
    determination = case.determination or {}
    if case.status is CaseStatus.DETERMINED or determination.get("levels"):
        levels = {str(k): str(v) for k, v in (determination.get("levels") or {}).items()}
        document = determination.get("document") or {}
        decided = determination.get("decided_at")
        return Decision(
            source="determination",
            levels=levels,
            shares={label: share_of(level) for label, level in levels.items()},
            losses=losses,
            lines=payout_lines(determination_payout),
            commercial=commercial,
            own_damage=own_damage,
            document_number=determination_number(case),
            document_sha256=str(document.get("sha256") or ""),
            issuer=f"{district_name(case.jurisdiction)}公安交通管理部门",
            issued_at=decided if isinstance(decided, datetime) else case.updated_at,
            round=case.decision_round,
        )
    if case.status is not CaseStatus.AGREED and not (case.agreement or {}).get("document"):
        raise IllegalTransition(
            "Claims are filed only for agreed or determined cases.", status=case.status.value
        )
    levels = {str(k): str(v) for k, v in (proposal.get("liability") or {}).items()}
    document = (case.agreement or {}).get("document") or {}
    issued = document.get("issued_at")
    return Decision(
        source="agreement",
        levels=levels,
        shares={label: share_of(level) for label, level in levels.items()},
        losses=losses,
        lines=payout_lines(proposal.get("payout")),
        commercial=commercial,
        own_damage=own_damage,
        document_number=agreement_number(case),
        document_sha256=str(document.get("sha256") or ""),
        issuer="当事人自行协商",
        issued_at=issued if isinstance(issued, datetime) else case.updated_at,
    )


def determination_number(case: Case, determination: Mapping[str, Any] | None = None) -> str:
    """The 事故认定书 number of ``determination`` (the case's own when omitted, or one a
    复核 revoked): as issued, else the jurisdiction-and-case form the console prints."""
    record = case.determination if determination is None else determination
    document = (record or {}).get("document") or {}
    number = document.get("number") or (document.get("content") or {}).get("number")
    return str(number) if number else f"{case.jurisdiction}-{case.id}"


def agreement_number(case: Case) -> str:
    document = (case.agreement or {}).get("document") or {}
    number = document.get("number")
    return str(number) if number else f"XY-{case.jurisdiction}-{case.id}"


def claim_id(case_id: str, party: str, cover: Cover, round_: int = 1) -> str:
    """A claim's id: stable for its case, party, cover and decision round, so filing twice
    cannot happen; a decision made again after a 复核 files claims of its own (``.r2``)."""
    suffix = f".r{round_}" if round_ > 1 else ""
    return f"{case_id}.{party}.{COVER_SHORT[cover]}{suffix}"


def case_of_claim(claim_id_: str) -> str:
    """The case id a claim id starts with (see :func:`claim_id`; case ids hold no dots)."""
    return claim_id_.partition(".")[0]


def claim_round(claim_id_: str) -> int:
    """The decision round a claim id belongs to (see :func:`claim_id`)."""
    last = claim_id_.rpartition(".")[2]
    return int(last[1:]) if last[:1] == "r" and last[1:].isdigit() else 1


def claims_for(
    case: Case, decision: Decision, *, request_ids: Sequence[str], now: datetime
) -> list[Claim]:
    """Every claim the decision files, one per party and cover (at most 3 per party).

    ``request_ids`` supplies a fresh idempotency key per claim (at least six).
    """
    keys = iter(request_ids)
    claims: list[Claim] = []
    labels = sorted(case.parties)
    for label in labels:
        details = case.parties[label].details
        if details is None or not details.insurer_code:
            continue
        others = [o for o in labels if o != label]
        third = [decision.losses.get(o) for o in others]
        third_loss = None
        if all(v is not None for v in third):
            third_loss = sum((v or Decimal(0) for v in third), Decimal("0.00"))
        share = decision.shares.get(label, Decimal(0))
        known = bool(decision.lines)
        for cover in Cover:
            lines = tuple(
                ln for ln in decision.lines
                if ln.liable == label and _LINE_COVER.get(ln.cover) is cover
            )
            due = sum((ln.amount for ln in lines), Decimal("0.00")) if known else None
            if cover is Cover.COMMERCIAL_THIRD_PARTY:
                held = decision.commercial.get(label, False)
                if not held or (due is not None and due <= 0) or (due is None and share <= 0):
                    continue
            elif cover is Cover.OWN_DAMAGE and (not decision.own_damage.get(label) or not due):
                continue
            claims.append(
                Claim(
                    id=claim_id(case.id, label, cover, decision.round),
                    case_id=case.id,
                    party=label,
                    cover=cover,
                    insurer_code=details.insurer_code,
                    policy_number=details.policy_number,
                    status=ClaimStatus.FILED,
                    filed_at=now,
                    updated_at=now,
                    request_id=next(keys),
                    decided_by=decision.source,
                    document_number=decision.document_number,
                    liability_level=decision.levels.get(label, ""),
                    liability_share=share,
                    own_loss=decision.losses.get(label),
                    third_party_loss=third_loss,
                    amount_due=due,
                    lines=lines,
                    history=(HistoryEntry(ClaimStatus.FILED, now, decision.source),),
                    summary=Summary(details.name, details.plate, case.scene.occurred_at,
                                    case.scene.address, case.scene.description),
                )
            )
    return claims


def check_amount(amount: Decimal, name: str, ceiling: Decimal) -> None:
    """Refuse amounts no minor-accident claim has: negative, absurd, or fractions of a fen."""
    if not amount.is_finite() or amount < 0 or amount > ceiling:
        raise InvalidInput(f"{name} must be between 0 and {ceiling} yuan.", field=name)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidInput(f"{name} has more than two decimals.", field=name)
