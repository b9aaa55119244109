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


def test_the_new_vocabulary_is_read() -> None:
    facts = parse_facts(doc(
        {"type": "e_bike", "approach_from": "right", "load_shed": True,
         "commercial_third_party_cover": True, "commercial_third_party_cover_cny": "1500000",
         "own_damage_cover": False},
        {"type": "motorcycle", "approach_from": "left"},
        loc={"vehicle_count": 4}))
    a, b = facts.vehicles["A"], facts.vehicles["B"]
    assert (a.type, a.approach_from, a.load_shed, a.own_damage_cover) == (
        "e_bike", "right", True, False)
    assert a.commercial_third_party_cover is True
    assert a.commercial_third_party_cover_cny == Decimal(1_500_000)
    assert (b.type, b.approach_from, b.load_shed, b.own_damage_cover) == (
        "motorcycle", "left", None, None)
    assert facts.location.vehicle_count == 4


@pytest.mark.parametrize("vehicle_type", ["e_bike", "bicycle", "pedestrian_none", "motorcycle"])
def test_every_new_vehicle_type_parses(vehicle_type: str) -> None:
    assert parse_facts(doc({"type": vehicle_type})).vehicles["A"].type == vehicle_type


@pytest.mark.parametrize(
    ("vehicle", "loc", "field", "message"),
    [
        ({"approach_from": "above"}, {}, "vehicles.A.approach_from",
         "expected one of ['behind', 'left', 'opposite', 'right', 'same_direction']"),
        ({"type": "tram"}, {}, "vehicles.A.type", "'pedestrian_none'"),
        ({"load_shed": "yes"}, {}, "vehicles.A.load_shed", "true or false"),
        ({"own_damage_cover": 1}, {}, "vehicles.A.own_damage_cover", "true or false"),
        ({"commercial_third_party_cover": "none"}, {},
         "vehicles.A.commercial_third_party_cover", "true or false"),
        ({"commercial_third_party_cover_cny": -1}, {},
         "vehicles.A.commercial_third_party_cover_cny", "between 0 and 100,000,000 yuan"),
        ({"commercial_third_party_cover_cny": True}, {},
         "vehicles.A.commercial_third_party_cover_cny", "number of yuan"),
        ({"commercial_third_party_cover": False, "commercial_third_party_cover_cny": 500000},
         {}, "vehicles.A.commercial_third_party_cover_cny", "commercial_third_party_cover is false"),
        ({}, {"vehicle_count": 0}, "location.vehicle_count", "from 1 to 50"),
        ({}, {"vehicle_count": "3"}, "location.vehicle_count", "from 1 to 50"),
        ({}, {"vehicle_count": 2.5}, "location.vehicle_count", "from 1 to 50"),
    ],
)
def test_new_fields_are_validated_with_the_field_named(
    vehicle: dict[str, Any], loc: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_facts(doc(vehicle, {}, loc))
    assert caught.value.details["field"] == field
    assert message in caught.value.message


def test_no_cover_stated_with_zero_sum_insured_is_consistent() -> None:
    facts = parse_facts(doc({"commercial_third_party_cover": False,
                             "commercial_third_party_cover_cny": 0}))
    assert facts.vehicles["A"].commercial_third_party_cover is False
