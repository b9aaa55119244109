"""Who pays whom, under which cover, once liability is settled (research notes §3).

Order of payment (民法典第1213条; 道交法第76条): 交强险 first, within its property-damage limits
(¥2,000 for an insured vehicle at fault, ¥100 not at fault; 交强险条例第23条); then
商业三者险 by the insured side's liability ratio (全部 100%, 主要 70%, 同等 50%, 次要 30%, 无 0 —
商业险示范条款第23条 — unless the police or a court fixed another ratio); whatever is left
stays with each party's own-damage cover (车损险) or the party itself.

Special cases:
    * 无责代赔: a no-fault vehicle's ≤¥100 share of an at-fault vehicle's loss is paid by the
      at-fault vehicle's own insurer on its behalf, when every vehicle holds 交强险.
    * 互碰自赔: when every vehicle is at fault, insured, no one is hurt, nothing outside the
      vehicles is damaged and each loss is ≤¥2,000, each insurer pays its own insured's car.
    * Several vehicles: each victim's loss is shared among the others in proportion to their
      limits, and an insurer whose shares exceed its limit pays them scaled down (交强险理赔实务
      规程; 交通事故解释第18条).

Covers, as the parties state them (facts document; :func:`positions_from_facts`):
    * no 商业三者险 → the at-fault party pays what 交强险 leaves out of its own pocket, on a
      line of its own (``tortfeasor_personally``); a stated sum insured caps 商业三者险 and the
      excess is the party's own pocket too;
    * no 车损险 → no own-damage remainder line: what nobody else pays stays with the party
      (reported as ``own_loss_uncovered``);
    * a cover not stated is assumed held (the worked examples' assumption).

Assumptions (reported with every payout): 2020 limits, no deductibles (the 2020 reform dropped
the liability-based ones), depreciation and loss of use excluded (商业险示范条款第26条).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from settlement.domain.facts import AccidentFacts, PartyLabel, Vehicle
from settlement.domain.money import Money, total
from settlement.domain.rules.model import EQUAL, FULL, MAJOR, MINOR, NONE, LegalRef, Level

JQX_PROPERTY_AT_FAULT = Money.of(2000)
JQX_PROPERTY_NO_FAULT = Money.of(100)
HUPENG_MAX_LOSS = Money.of(2000)
JQX_LIMITS_LABEL = "2020 (property: at-fault 2000, no-fault 100)"

# 商业险示范条款(2014) 第23条: ratios used when no authority fixed one.
DEFAULT_RATIOS: Mapping[Level, Decimal] = {
    FULL: Decimal(1),
    MAJOR: Decimal("0.7"),
    EQUAL: Decimal("0.5"),
    MINOR: Decimal("0.3"),
    NONE: Decimal(0),
}

Cover = Literal[
    "jqx_at_fault",
    "jqx_no_fault",
    "jqx_no_fault_proxy",
    "jqx_hupeng_zipei",
    "uninsured_within_jqx_limit",
    "commercial_third_party",
    "tortfeasor_personally",
    "own_damage_or_self",
]

_BASIS: Mapping[Cover, tuple[LegalRef, ...]] = {
    "jqx_at_fault": (LegalRef("交强险条例", "第21条"), LegalRef("交强险条例", "第23条")),
    "jqx_no_fault": (LegalRef("交强险条例", "第23条"),),
    "jqx_no_fault_proxy": (LegalRef("交强险理赔实务规程", "无责代赔"),),
    "jqx_hupeng_zipei": (LegalRef("互碰自赔办法", ""),),
    "uninsured_within_jqx_limit": (LegalRef("交强险条例", "第23条"),),
    "commercial_third_party": (LegalRef("商业险示范条款", "第23条"), LegalRef("道交法", "第76条")),
    "tortfeasor_personally": (LegalRef("道交法", "第76条"),),
    "own_damage_or_self": (LegalRef("商业险示范条款", "第19条"),),
}


_RATIO_MIN, _RATIO_MAX = Decimal(0), Decimal(1)
_ZERO_AMOUNT = Money.zero().amount


class PayoutNotSettled(ValueError):
    """Payout was asked for while some party's liability is still pending."""


@dataclass(frozen=True, slots=True)
class PartyPosition:
    """What the payout needs to know about one party.

    Attributes:
        label: the party letter.
        liability: the settled liability level (never 待交警认定).
        loss: the party's own vehicle loss.
        jqx_insured: holds compulsory insurance (交强险).
        commercial_insured: holds commercial third-party cover (商业三者险).
        commercial_limit: the 商业三者险 sum insured; ``None``: not stated, no cap applied.
        own_damage_insured: holds own-damage cover (车损险); ``None``: not stated, and the
            remainder is shown as "own-damage cover or self".
    """

    label: str
    liability: Level
    loss: Money
    jqx_insured: bool = True
    commercial_insured: bool = True
    commercial_limit: Money | None = None
    own_damage_insured: bool | None = None


@dataclass(frozen=True, slots=True)
class PayoutLine:
    """One payment: ``liable``'s cover pays ``payee`` ``amount``; ``paid_by`` hands it over.

    For 无责代赔 ``liable`` is the no-fault party and ``paid_by`` the payee's own insurer.
    """

    cover: Cover
    liable: str
    payee: str
    paid_by: str
    amount: Money

    @property
    def key(self) -> str:
        """The flat JSON key used in determinations, e.g. ``jqx_A_to_B``."""
        a, b = self.liable, self.payee
        return {
            "jqx_at_fault": f"jqx_{a}_to_{b}",
            "jqx_no_fault": f"jqx_{a}_to_{b}_no_fault",
            "jqx_no_fault_proxy": f"jqx_{a}_to_{b}_no_fault_via_proxy",
            "jqx_hupeng_zipei": f"jqx_{b}_own_via_hupeng_zipei",
            "uninsured_within_jqx_limit": f"{a}_to_{b}_within_jqx_limit_uninsured",
            "commercial_third_party": f"commercial_{a}_to_{b}",
            "tortfeasor_personally": f"{a}_pays_{b}_personally",
            "own_damage_or_self": f"{b}_own_or_vehicle_damage_cover",
        }[self.cover]


@dataclass(frozen=True, slots=True)
class Payout:
    """The breakdown for one accident.

    Attributes:
        lines: every payment, in the order insurers settle them.
        hupeng_zipei_applicable: 互碰自赔 applies.
        note: why 互碰自赔 does or does not apply (short English sentence).
        ratios: liability ratio used per party.
        commercial_insured: which parties were assumed to hold 商业三者险.
        commercial_limits: the stated 商业三者险 sums insured (parties that stated one).
        own_damage_insured: the stated 车损险 cover (parties that stated it).
        uncovered: per party without 车损险, the own loss nobody else pays.
    """

    lines: tuple[PayoutLine, ...]
    hupeng_zipei_applicable: bool
    note: str
    ratios: Mapping[str, Decimal]
    commercial_insured: Mapping[str, bool] = field(default_factory=dict)
    commercial_limits: Mapping[str, Money] = field(default_factory=dict)
    own_damage_insured: Mapping[str, bool] = field(default_factory=dict)
    uncovered: Mapping[str, Money] = field(default_factory=dict)

    def received_by(self, label: str) -> Money:
        """Everything paid to ``label`` by others' covers (own-damage cover excluded)."""
        return total([ln.amount for ln in self.lines
                      if ln.payee == label and ln.cover != "own_damage_or_self"])

    def to_json_dict(self) -> dict[str, object]:
        """Flat keys as in the worked examples, plus an itemised ``breakdown``."""
        assumptions: dict[str, object] = {
            "jqx_limits": JQX_LIMITS_LABEL,
            "commercial_third_party_insured": dict(self.commercial_insured),
            "deductibles": "none",
        }
        if self.commercial_limits:
            assumptions["commercial_third_party_cover_cny"] = {
                label: limit.to_json() for label, limit in self.commercial_limits.items()
            }
        if self.own_damage_insured:
            assumptions["own_damage_cover"] = dict(self.own_damage_insured)
        out: dict[str, object] = {"assumptions": assumptions}
        for line in self.lines:
            if line.cover == "own_damage_or_self" and line.amount.is_zero:
                continue
            out[line.key] = line.amount.to_json()
        if self.uncovered:
            out["own_loss_uncovered"] = {
                label: amount.to_json() for label, amount in self.uncovered.items()
            }
        out["hupeng_zipei_applicable"] = self.hupeng_zipei_applicable
        out["note"] = self.note
        out["liability_ratio_percent"] = {
            label: int(ratio * 100) for label, ratio in self.ratios.items()
        }
        out["breakdown"] = [
            {
                "cover": line.cover,
                "liable_party": line.liable,
                "payee": line.payee,
                "paid_by_insurer_of": line.paid_by,
                "amount": line.amount.to_json(),
                "basis": [str(ref) for ref in _BASIS[line.cover]],
            }
            for line in self.lines
        ]
        return out


def _hupeng_blocker(
    parties: Sequence[PartyPosition],
    at_fault: Mapping[str, bool],
    all_jqx: bool,
    beyond_the_cars: bool,
) -> str | None:
    if len(parties) < 2:
        return "互碰自赔 needs at least two vehicles."
    if not all_jqx:
        return "互碰自赔 needs every vehicle insured under 交强险."
    if beyond_the_cars:
        return "互碰自赔 covers vehicle damage only, with no injury and no damage outside the cars."
    if not all(at_fault.values()):
        return "互碰自赔 needs every party at fault; a 全部/无 case uses 无责代赔 instead."
    if any(p.loss.amount > HUPENG_MAX_LOSS.amount for p in parties):
        return "互碰自赔 needs every vehicle's loss to be 2,000 yuan or less."
    return None


def compute_payout(
    parties: Sequence[PartyPosition],
    *,
    injuries: bool = False,
    outside_property_damage: bool = False,
    fixed_ratios: Mapping[str, Decimal] | None = None,
) -> Payout:
    """Split the vehicle losses between 交强险, 商业三者险 and each party's own cover.

    Args:
        parties: every vehicle involved, with settled liability and its own loss.
        injuries: someone was hurt (rules out 互碰自赔).
        outside_property_damage: property outside the vehicles was damaged.
        fixed_ratios: ratios fixed by the police or a court, replacing 70/50/30.

    Returns:
        The payout breakdown. Amounts are exact to the fen.

    Raises:
        PayoutNotSettled: a party's liability is 待交警认定.
        ValueError: duplicate party labels or a ratio outside 0..1.
    """
    ratios = _ratios(parties, fixed_ratios or {})
    at_fault = {label: ratio > _RATIO_MIN for label, ratio in ratios.items()}
    insured: dict[str, bool] = {}
    limits: dict[str, Money] = {}
    own_damage: dict[str, bool] = {}
    for p in parties:
        insured[p.label] = p.commercial_insured
        if p.commercial_limit is not None and p.commercial_insured:
            limits[p.label] = p.commercial_limit
        if p.own_damage_insured is not None:
            own_damage[p.label] = p.own_damage_insured

    all_jqx = all(p.jqx_insured for p in parties)
    blocker = _hupeng_blocker(parties, at_fault, all_jqx, injuries or outside_property_damage)
    if blocker is None:
        lines = tuple(
            PayoutLine("jqx_hupeng_zipei", p.label, p.label, p.label, p.loss) for p in parties
        )
        return Payout(lines, True, "互碰自赔 applies: each insurer pays its own insured's car.",
                      ratios, insured, limits, own_damage)

    proxy = all_jqx and any(at_fault.values()) and not all(at_fault.values())
    by_label = {p.label: p for p in parties}
    # What each victim has been paid so far (exact sums of fen amounts, so order is free).
    paid = dict.fromkeys(by_label, _ZERO_AMOUNT)
    lines_out: list[PayoutLine] = []
    for payer, payee, amount in _jqx_shares(parties, at_fault):
        if not by_label[payer].jqx_insured:
            lines_out.append(
                PayoutLine("uninsured_within_jqx_limit", payer, payee, payer, amount))
        elif at_fault[payer]:
            lines_out.append(PayoutLine("jqx_at_fault", payer, payee, payer, amount))
        elif proxy and at_fault[payee]:
            lines_out.append(PayoutLine("jqx_no_fault_proxy", payer, payee, payee, amount))
        else:
            lines_out.append(PayoutLine("jqx_no_fault", payer, payee, payer, amount))
        paid[payee] += amount.amount

    # What 交强险 leaves of each victim's loss, shared by ratio among the parties at fault.
    shares: list[tuple[str, str, Money]] = []
    for victim in parties:
        remainder = _at_least_zero(victim.loss.amount - paid[victim.label])
        for liable in parties:
            if liable.label != victim.label and at_fault[liable.label]:
                shares.append((liable.label, victim.label, remainder.times(ratios[liable.label])))
    for liable_label, victim_label, share in shares:
        liable = by_label[liable_label]
        if not liable.commercial_insured:
            # No 商业三者险: the liable party's own pocket, on a line of its own.
            lines_out.append(PayoutLine("tortfeasor_personally", liable_label, victim_label,
                                        liable_label, share))
            paid[victim_label] += share.amount
            continue
        limit = liable.commercial_limit
        covered = share if limit is None else _commercial_part(liable_label, limit, share, shares)
        lines_out.append(PayoutLine("commercial_third_party", liable_label, victim_label,
                                    liable_label, covered))
        paid[victim_label] += covered.amount
        if covered is not share and covered.amount != share.amount:
            # Beyond the sum insured: the rest is the liable party's own pocket.
            lines_out.append(PayoutLine("tortfeasor_personally", liable_label, victim_label,
                                        liable_label, share - covered))
            paid[victim_label] += share.amount - covered.amount
    uncovered: dict[str, Money] = {}
    for victim in parties:
        left = _at_least_zero(victim.loss.amount - paid[victim.label])
        if victim.own_damage_insured is False:
            if not left.is_zero:
                uncovered[victim.label] = left
            continue
        lines_out.append(PayoutLine("own_damage_or_self", victim.label, victim.label,
                                    victim.label, left))
    return Payout(tuple(lines_out), False, blocker, ratios, insured, limits, own_damage,
                  uncovered)


def _ratios(
    parties: Sequence[PartyPosition], fixed: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Each party's liability ratio: fixed by an authority, else by its level."""
    if len({p.label for p in parties}) != len(parties):
        raise ValueError("party labels must be unique")
    ratios: dict[str, Decimal] = {}
    for p in parties:
        if p.liability not in DEFAULT_RATIOS:
            raise PayoutNotSettled(f"liability of {p.label} is not settled")
        ratio = fixed.get(p.label, DEFAULT_RATIOS[p.liability])
        if not _RATIO_MIN <= ratio <= _RATIO_MAX:
            raise ValueError(f"ratio for {p.label} must be between 0 and 1")
        ratios[p.label] = ratio
    return ratios


def _at_least_zero(amount: Decimal) -> Money:
    """A difference of fen amounts as Money (exact already), or zero if negative."""
    return Money.exact(amount) if amount > 0 else Money.zero()


def _commercial_part(
    liable: str, limit: Money, share: Money, shares: Sequence[tuple[str, str, Money]]
) -> Money:
    """What a sum insured of ``limit`` pays of ``share``: all, or its pro-rata part."""
    claimed = total([amount for payer, _, amount in shares if payer == liable])
    if claimed <= limit:
        return share
    # Several victims beyond the sum insured share it in proportion to their claims.
    return share.share(limit.amount, claimed.amount)


def positions_from_facts(
    facts: AccidentFacts, liability: Mapping[PartyLabel, Level]
) -> list[PartyPosition] | None:
    """Each party's payout position from the facts document, covers as stated.

    Args:
        facts: the validated facts (losses in ``damage_estimate_cny``, covers per vehicle).
        liability: the settled levels.

    Returns:
        The positions, or ``None`` when some party's loss is not stated (an unstated loss is
        not a zero loss).
    """
    positions: list[PartyPosition] = []
    for label in facts.parties:
        vehicle = facts.vehicles[label]
        if vehicle.damage_estimate_cny is None:
            return None
        limit = vehicle.commercial_third_party_cover_cny
        positions.append(
            PartyPosition(
                label=label,
                liability=liability[label],
                loss=Money(vehicle.damage_estimate_cny),
                jqx_insured=vehicle.jqx_insured is not False,
                commercial_insured=_has_commercial_cover(vehicle),
                commercial_limit=Money(limit) if limit else None,
                own_damage_insured=vehicle.own_damage_cover,
            )
        )
    return positions


def _has_commercial_cover(vehicle: Vehicle) -> bool:
    """商业三者险 as stated: the published keys first, then the older extension key."""
    cover, limit = vehicle.commercial_third_party_cover, vehicle.commercial_third_party_cover_cny
    if limit is not None and limit == 0:
        return False  # a sum insured of 0 yuan is no cover
    if cover is not None:
        return cover
    if limit is not None:
        return True
    return vehicle.commercial_third_party_insured is not False


def _jqx_shares(
    parties: Sequence[PartyPosition], at_fault: Mapping[str, bool]
) -> list[tuple[str, str, Money]]:
    """交强险 property payments (payer, payee, amount), payer by payer, with the multi-vehicle
    allocation."""
    if len(parties) == 2:
        # Two vehicles: each insurer pays the other's loss up to its own limit.
        first, second = parties
        return [(first.label, second.label, second.loss.at_most(_jqx_limit(first, at_fault))),
                (second.label, first.label, first.loss.at_most(_jqx_limit(second, at_fault)))]
    limit = {p.label: _jqx_limit(p, at_fault).amount for p in parties}
    # payer → [(victim, raw share)]: each victim's loss split among the others by their limits.
    raw: dict[str, list[tuple[str, Decimal]]] = {p.label: [] for p in parties}
    for victim in parties:
        others = [p.label for p in parties if p.label != victim.label]
        pool = sum((limit[o] for o in others), Decimal(0))
        for other in others:
            raw[other].append((victim.label, victim.loss.amount * limit[other] / pool))
    out: list[tuple[str, str, Money]] = []
    for payer, mine in raw.items():
        claimed = sum((share for _, share in mine), Decimal(0))
        cap = limit[payer]
        for payee, share in mine:
            # An insurer never pays more than its limit in total: scale every victim down alike.
            out.append((payer, payee, Money(share if claimed <= cap else cap * share / claimed)))
    return out


def _jqx_limit(party: PartyPosition, at_fault: Mapping[str, bool]) -> Money:
    """The party's 交强险 property limit: ¥2,000 at fault, ¥100 not (交强险条例第23条)."""
    return JQX_PROPERTY_AT_FAULT if at_fault[party.label] else JQX_PROPERTY_NO_FAULT
