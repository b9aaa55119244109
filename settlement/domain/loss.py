"""Vehicle-damage loss estimate (定损) for minor collisions, research notes §6.1.

The estimate follows the insurers' cost structure — parts + labour hours × regional rate +
paint priced per panel — over a parts catalogue kept as data in
``settlement/domain/data/loss_catalogue.json`` (read once with :mod:`importlib.resources`).
Damage is graded G0–G4 (§6.1 item 4, a working scale, not a standard):

* G0 cosmetic scratch → polish; G1 through the paint → repaint the panel;
* G2 dent → panel beating plus paint; G3 bolt-on part → replace (plus paint if painted);
* G4 structural, welded or airbag → no online figure; a physical inspection is required.

Unpainted parts (lamps, glass, mirrors) cannot be beaten or repainted, so G1/G2 on them is
priced as a replacement. Every estimate carries the caveat that hidden damage found once the
car is stripped may add a supplement (追加定损). An insurer assessor's own figure can be kept
beside the estimate (:meth:`LossAssessment.with_override`); storing it is not this module's job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Literal, cast, get_args

from settlement.domain.money import Money, total
from settlement.errors import InvalidInput

Grade = Literal["G0", "G1", "G2", "G3", "G4"]
GRADES: tuple[Grade, ...] = get_args(Grade)
Operation = Literal["polish", "repaint", "repair_and_paint", "replace", "inspect"]
Confidence = Literal["high", "medium", "low"]

CAVEAT_ZH = "本估损基于照片和当事人陈述；拆检后发现隐损的，保险公司可追加定损。"
CAVEAT_EN = (
    "This estimate rests on photos and the parties' statements; hidden damage found when the "
    "car is stripped may add a supplement to the assessment."
)


@dataclass(frozen=True, slots=True)
class PartSpec:
    """One catalogue part: replacement price, hours to refit and to beat, painted or not."""

    part_id: str
    name_zh: str
    price: Money
    refit_hours: Decimal
    beat_hours: Decimal
    painted: bool


@dataclass(frozen=True, slots=True)
class RegionRates:
    """Labour rate per hour and paint price per panel in one region."""

    region: str
    labour_per_hour: Money
    paint_per_panel: Money


@dataclass(frozen=True, slots=True)
class LossCatalogue:
    """Parts, regional rates and the damage-location → parts map, with a version."""

    version: str
    parts: Mapping[str, PartSpec]
    regions: Mapping[str, RegionRates]
    location_parts: Mapping[str, tuple[str, ...]]
    grade_hours: Mapping[Grade, Decimal]


@dataclass(frozen=True, slots=True)
class DamageItem:
    """One damaged part and how badly."""

    part: str
    grade: Grade


@dataclass(frozen=True, slots=True)
class LineItem:
    """One priced line of the estimate."""

    part: str
    grade: Grade
    operation: Operation
    parts_cost: Money
    labour_hours: Decimal
    labour_cost: Money
    paint_panels: Decimal
    paint_cost: Money

    @property
    def total(self) -> Money:
        """Parts + labour + paint."""
        return self.parts_cost + self.labour_cost + self.paint_cost


@dataclass(frozen=True, slots=True)
class AssessorOverride:
    """An insurer assessor's own figure, kept beside the estimate (never replacing it)."""

    amount: Money
    assessor: str
    reason: str


@dataclass(frozen=True, slots=True)
class LossAssessment:
    """The estimate for one vehicle.

    Attributes:
        lines: priced lines, in the order given.
        estimate: sum of the lines.
        confidence: ``high`` (cosmetic only), ``medium`` (beating or parts), ``low`` (G4).
        requires_inspection: a G4 item needs a physical inspection before any figure.
        caveat_zh / caveat_en: the hidden-damage supplement warning.
        region / catalogue_version: what the prices came from.
        override: the assessor's figure, if one was recorded.
    """

    lines: tuple[LineItem, ...]
    estimate: Money
    confidence: Confidence
    requires_inspection: bool
    region: str
    catalogue_version: str
    caveat_zh: str = CAVEAT_ZH
    caveat_en: str = CAVEAT_EN
    override: AssessorOverride | None = None

    @property
    def settled_amount(self) -> Money:
        """The assessor's figure when there is one, else the estimate."""
        return self.override.amount if self.override else self.estimate

    def with_override(self, amount: Money, assessor: str, reason: str) -> LossAssessment:
        """A copy carrying the assessor's figure beside the unchanged estimate.

        Raises:
            InvalidInput: negative amount, or empty assessor or reason.
        """
        if amount.amount < 0:
            raise InvalidInput("override amount must not be negative", field="override.amount")
        if not assessor.strip():
            raise InvalidInput("override needs the assessor's identity", field="override.assessor")
        if not reason.strip():
            raise InvalidInput("override needs a reason", field="override.reason")
        return replace(self, override=AssessorOverride(amount, assessor, reason))


def _load(raw: Mapping[str, object]) -> LossCatalogue:
    parts_raw = cast(Mapping[str, Mapping[str, object]], raw["parts"])
    regions_raw = cast(Mapping[str, Mapping[str, str]], raw["regions"])
    grades_raw = cast(Mapping[str, Mapping[str, str]], raw["grades"])
    parts = {
        pid: PartSpec(
            pid,
            str(spec["name_zh"]),
            Money.of(str(spec["price"])),
            Decimal(str(spec["refit_hours"])),
            Decimal(str(spec["beat_hours"])),
            bool(spec["painted"]),
        )
        for pid, spec in parts_raw.items()
    }
    regions = {
        name: RegionRates(name, Money.of(r["labour_per_hour"]), Money.of(r["paint_per_panel"]))
        for name, r in regions_raw.items()
    }
    location_parts = {
        loc: tuple(ids) for loc, ids in cast(Mapping[str, list[str]], raw["location_parts"]).items()
    }
    for ids in location_parts.values():
        missing = set(ids) - set(parts)
        if missing:
            raise ValueError(f"location map names unknown parts {sorted(missing)}")
    fixed_hours = {
        cast(Grade, g): Decimal(spec["labour_hours"])
        for g, spec in grades_raw.items()
        if spec["labour_hours"] not in ("beat", "refit")
    }
    return LossCatalogue(str(raw["version"]), parts, regions, location_parts, fixed_hours)


@cache
def default_catalogue() -> LossCatalogue:
    """The packaged catalogue (read once per process)."""
    text = resources.files("settlement.domain.data").joinpath("loss_catalogue.json").read_text(
        encoding="utf-8"
    )
    return _load(json.loads(text))


def items_for_location(
    location: str, grade: Grade, catalogue: LossCatalogue | None = None
) -> tuple[DamageItem, ...]:
    """The usual parts hit at a facts-document ``damage_location``, all at ``grade``.

    Raises:
        InvalidInput: unknown location (field ``damage_location``).
    """
    cat = catalogue or default_catalogue()
    if location not in cat.location_parts:
        raise InvalidInput(f"unknown damage location {location!r}", field="damage_location")
    return tuple(DamageItem(part, grade) for part in cat.location_parts[location])


def _price(item: DamageItem, spec: PartSpec, rates: RegionRates,
           hours: Mapping[Grade, Decimal]) -> LineItem:
    grade = item.grade
    zero = Money.zero()
    if grade == "G4":
        return LineItem(item.part, grade, "inspect", zero, Decimal(0), zero, Decimal(0), zero)
    # A lamp or a glass cannot be beaten or repainted: anything past polish is a new part.
    if grade == "G3" or (grade in ("G1", "G2") and not spec.painted):
        panels = Decimal(1) if spec.painted else Decimal(0)
        return LineItem(item.part, grade, "replace", spec.price, spec.refit_hours,
                        rates.labour_per_hour.times(spec.refit_hours), panels,
                        rates.paint_per_panel.times(panels))
    if grade == "G2":
        return LineItem(item.part, grade, "repair_and_paint", zero, spec.beat_hours,
                        rates.labour_per_hour.times(spec.beat_hours), Decimal(1),
                        rates.paint_per_panel)
    labour = hours[grade]
    panels = Decimal(1) if grade == "G1" else Decimal(0)
    operation: Operation = "repaint" if grade == "G1" else "polish"
    return LineItem(item.part, grade, operation, zero, labour, rates.labour_per_hour.times(labour),
                    panels, rates.paint_per_panel.times(panels))


def assess_loss(
    items: Sequence[DamageItem], region: str = "other", catalogue: LossCatalogue | None = None
) -> LossAssessment:
    """Estimate one vehicle's repair cost.

    Args:
        items: the damaged parts and their grades (at least one).
        region: a region key of the catalogue (``tier1``, ``tier2``, ``other``).
        catalogue: the parts catalogue; the packaged one by default.

    Returns:
        Line items, their total, a confidence and the hidden-damage caveat.

    Raises:
        InvalidInput: no items, unknown region, part or grade (field named, e.g.
            ``damage[1].part``).
    """
    cat = catalogue or default_catalogue()
    if region not in cat.regions:
        raise InvalidInput(f"unknown region {region!r}; expected one of {sorted(cat.regions)}",
                           field="region")
    if not items:
        raise InvalidInput("at least one damaged part is needed", field="damage")
    rates = cat.regions[region]
    lines: list[LineItem] = []
    for index, item in enumerate(items):
        if item.part not in cat.parts:
            raise InvalidInput(f"unknown part {item.part!r}", field=f"damage[{index}].part")
        if item.grade not in GRADES:
            raise InvalidInput(f"unknown grade {item.grade!r}", field=f"damage[{index}].grade")
        lines.append(_price(item, cat.parts[item.part], rates, cat.grade_hours))
    grades = {line.grade for line in lines}
    confidence: Confidence = (
        "low" if "G4" in grades else "medium" if grades & {"G2", "G3"} else "high"
    )
    return LossAssessment(
        lines=tuple(lines),
        estimate=total([line.total for line in lines]),
        confidence=confidence,
        requires_inspection="G4" in grades,
        region=region,
        catalogue_version=cat.version,
    )
