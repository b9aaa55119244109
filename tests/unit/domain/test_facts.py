"""Parsing and validating the facts document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from settlement.domain.facts import parse_facts
from settlement.errors import InvalidInput
from tests.unit.domain.factsdocs import doc


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ([], "$"),
        ({}, "vehicles"),
        ({"vehicles": []}, "vehicles"),
        ({"vehicles": {"B": {}}}, "vehicles.A"),
        ({"vehicles": {"A": {}}}, "vehicles.B"),
        ({"vehicles": {"A": "car", "B": {}}}, "vehicles.A"),
        ({"location": [], "vehicles": {"A": {}, "B": {}}}, "location"),
        ({"flags": "none", "vehicles": {"A": {}, "B": {}}}, "flags"),
    ],
)
def test_structural_errors_name_the_field(document: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_facts(document)
    assert caught.value.details["field"] == field


def test_extra_keys_are_ignored_and_missing_keys_mean_not_stated() -> None:
    document = doc({"manoeuvre": "straight", "colour": "red"}, {})
    document["weather"] = "rain"
    del document["vehicles"]["B"]["movable"]
    facts = parse_facts(document)
    assert facts.vehicles["A"].manoeuvre == "straight"
    assert facts.vehicles["B"].manoeuvre is None
    assert facts.vehicles["B"].movable is None


def test_single_vehicle_may_omit_b() -> None:
    facts = parse_facts(doc({"manoeuvre": "straight"}, flags={"single_vehicle": True},
                            without_b=True))
    assert facts.parties == ("A",)


def test_lane_move_and_party_signs_are_split() -> None:
    facts = parse_facts(doc({"lane": "lane_2->lane_1"}, {},
                            loc={"signs": ["stop_sign_for_A", "no_u_turn",
                                           "no_entry_for_B_direction"]}))
    a = facts.vehicles["A"]
    assert (a.lane_from, a.lane_to) == ("lane_2", "lane_1")
    assert facts.location.signs_for_A == {"stop_sign", "no_u_turn"}
    assert facts.location.signs_for_B == {"no_entry", "no_u_turn"}


def test_damage_estimate_is_exact_decimal() -> None:
    facts = parse_facts(doc({"damage_estimate_cny": 1234.56}, {"damage_estimate_cny": "99.9"}))
    assert facts.vehicles["A"].damage_estimate_cny == Decimal("1234.56")
    assert facts.vehicles["B"].damage_estimate_cny == Decimal("99.9")
