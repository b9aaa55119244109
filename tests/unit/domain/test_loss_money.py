"""Money value object and the loss estimate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from settlement.domain.loss import DamageItem, assess_loss, default_catalogue, items_for_location
from settlement.domain.money import Money, total
from settlement.errors import InvalidInput


def test_money_rounds_half_up_to_the_fen() -> None:
    assert Money(Decimal("0.005")).amount == Decimal("0.01")
    assert Money.of("10.00").times(Decimal("0.3")) == Money.of("3.00")
    assert Money.of(100).share(Decimal(1), Decimal(3)) == Money.of("33.33")
    assert total([Money.of("0.10")] * 3) == Money.of("0.30")


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        Money.of(0.1)  # type: ignore[arg-type]


def test_money_json_is_int_when_whole() -> None:
    assert Money.of(2000).to_json() == 2000
    assert Money.of("12.5").to_json() == 12.5


def test_catalogue_loads_from_package_data() -> None:
    cat = default_catalogue()
    assert {"tier1", "tier2", "other"} <= set(cat.regions)
    assert "front_bumper_cover" in cat.parts


def test_estimate_adds_parts_labour_and_paint_per_panel() -> None:
    cat = default_catalogue()
    rates, bumper = cat.regions["tier2"], cat.parts["front_bumper_cover"]
    result = assess_loss([DamageItem("front_bumper_cover", "G3")], "tier2")
    expected = (bumper.price + rates.labour_per_hour.times(bumper.refit_hours)
                + rates.paint_per_panel)
    assert result.estimate == expected
    assert result.confidence == "medium"
    assert "hidden" in result.caveat_en
    assert result.caveat_zh


def test_regions_change_labour_but_not_parts() -> None:
    items = [DamageItem("rear_bumper_cover", "G2")]
    assert assess_loss(items, "tier1").estimate > assess_loss(items, "other").estimate


def test_cosmetic_damage_is_high_confidence_and_structural_needs_inspection() -> None:
    assert assess_loss([DamageItem("boot_lid", "G0")]).confidence == "high"
    structural = assess_loss([DamageItem("bonnet", "G4")])
    assert structural.requires_inspection
    assert structural.confidence == "low"


def test_unpainted_part_past_polish_is_replaced() -> None:
    line = assess_loss([DamageItem("headlamp_left", "G2")]).lines[0]
    assert line.operation == "replace"
    assert line.paint_panels == 0


def test_assessor_override_is_kept_beside_the_estimate() -> None:
    estimate = assess_loss(items_for_location("rear", "G1"))
    overridden = estimate.with_override(Money.of(900), "assessor-17", "bracket also cracked")
    assert overridden.estimate == estimate.estimate
    assert overridden.settled_amount == Money.of(900)
    assert estimate.settled_amount == estimate.estimate
    with pytest.raises(InvalidInput):
        estimate.with_override(Money.of(900), " ", "reason")


@pytest.mark.parametrize(
    ("items", "region", "field"),
    [
        ([DamageItem("wing_mirror_gold", "G1")], "other", "damage[0].part"),
        ([DamageItem("bonnet", "G1"), DamageItem("bonnet", "G9")], "other",  # type: ignore[arg-type]
         "damage[1].grade"),
        ([DamageItem("bonnet", "G1")], "mars", "region"),
        ([], "other", "damage"),
    ],
)
def test_bad_estimate_input_names_the_field(items: list[DamageItem], region: str,
                                            field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        assess_loss(items, region)
    assert caught.value.details["field"] == field
