"""One minimal accident per catalogue rule: it must fire that rule and give its result."""

from __future__ import annotations

from typing import Any

import pytest

from settlement.domain.facts import parse_facts
from settlement.domain.liability import decide
from settlement.domain.rules.catalogue import CATALOGUE, CATALOGUE_VERSION
from settlement.domain.rules.evaluate import RuleSet, compile_condition
from settlement.domain.rules.model import FULL, NONE, PENDING, Cond, LegalRef, Rule
from tests.unit.domain.factsdocs import doc

S, R = "straight", "stationary"
SCENARIOS: dict[str, dict[str, Any]] = {
    "S45": doc({"manoeuvre": "deliberate_sudden_braking", "damage_location": "rear"},
               {"manoeuvre": S, "damage_location": "front"}, flags={"intentional_evidence": True}),
    "S44": doc({"manoeuvre": S, "left_scene": True}, {"manoeuvre": R},
               flags={"party_left_scene": True}),
    "S43": doc({"manoeuvre": S}, flags={"single_vehicle": True}, without_b=True),
    "S01": doc({"manoeuvre": S, "lane": "lane_1", "damage_location": "front"},
               {"manoeuvre": "stopped_in_queue", "lane": "lane_1", "damage_location": "rear"}),
    "RE1": doc({"manoeuvre": S, "damage_location": "front"},
               {"manoeuvre": S, "damage_location": "rear"}),
    "RE2": doc({"manoeuvre": S, "damage_location": "front"},
               {"manoeuvre": "stopped_in_queue", "damage_location": "rear",
                "tail_lights_on": False}, loc={"time": "night"}),
    "RE3": doc({"manoeuvre": S, "damage_location": "front"},
               {"manoeuvre": "stopped_broken_down_in_lane", "damage_location": "rear",
                "hazard_lights": False, "warning_triangle": False}),
    "RE4": doc({"manoeuvre": S, "damage_location": "front"},
               {"manoeuvre": "stopped_broken_down_in_lane", "damage_location": "rear",
                "hazard_lights": True, "warning_triangle": True}),
    "RE5": doc({"manoeuvre": S, "damage_location": "front"},
               {"manoeuvre": S, "damage_location": "rear", "over_length_unmarked": True}),
    "RE6": doc({"manoeuvre": "reversing", "damage_location": "rear"},
               {"manoeuvre": R, "damage_location": "front"}),
    "S02": doc({"manoeuvre": "reversing", "damage_location": "rear"},
               {"manoeuvre": S, "damage_location": "right_side"}),
    "S03": doc({"manoeuvre": "rolling_back", "damage_location": "rear"},
               {"manoeuvre": S, "damage_location": "left_side"}),
    "S04": doc({"manoeuvre": "door_opening", "damage_location": "left_front_door"},
               {"manoeuvre": S, "damage_location": "right_side"}),
    "S05": doc({"manoeuvre": "wrong_way"}, {"manoeuvre": S}),
    "S06": doc({"manoeuvre": S, "signal_faced": "red"}, {"manoeuvre": S, "signal_faced": "green"},
               loc={"intersection": "signalized"}),
    "S07": doc({"manoeuvre": "u_turn"}, {"manoeuvre": S}, loc={"u_turn_permitted": False}),
    "S08": doc({"manoeuvre": "lane_change_into_bus_lane"},
               {"manoeuvre": S, "type": "bus", "lane": "bus_lane"},
               loc={"dedicated_lane": "bus_lane_in_force"}),
    "S09": doc({"manoeuvre": S, "lane": "left_turn_only_lane"}, {"manoeuvre": S},
               loc={"intersection": "signalized_with_guide_lanes"}),
    "S10": doc({"manoeuvre": S}, {"manoeuvre": S}, loc={"signs": ["no_entry_for_A_direction"]}),
    "S11": doc({"manoeuvre": S, "ignored_police_direction": True}, {"manoeuvre": S}),
    "S12": doc({"manoeuvre": S, "crossed_solid_line": True}, {"manoeuvre": S}),
    "S13": doc({"manoeuvre": S}, {"manoeuvre": S, "emergency_vehicle_on_duty": True}),
    "S14": doc({"manoeuvre": "lane_change_left", "lane": "lane_2->lane_1"},
               {"manoeuvre": S, "lane": "lane_1"}),
    "S15": doc({"manoeuvre": "lane_change_left"}, {"manoeuvre": "lane_change_right"}),
    "S16": doc({"manoeuvre": S, "obstacle_on_own_side": True}, {"manoeuvre": S},
               loc={"narrow_section": "obstacle_section"}),
    "S17": doc({"manoeuvre": S, "slope_direction": "downhill"},
               {"manoeuvre": S, "slope_direction": "uphill"},
               loc={"narrow_section": "narrow_slope"}),
    "S18": doc({"manoeuvre": S, "mountain_side": True}, {"manoeuvre": S, "mountain_side": False},
               loc={"narrow_section": "narrow_mountain_road"}),
    "S19": doc({"manoeuvre": "overtaking"}, {"manoeuvre": "left_turn"}),
    "S20": doc({"manoeuvre": "overtaking"}, {"manoeuvre": "u_turn"}),
    "S21": doc({"manoeuvre": "overtaking", "position": "behind"},
               {"manoeuvre": "overtaking", "position": "ahead"}),
    "S22": doc({"manoeuvre": "overtaking", "position": "oncoming"},
               {"manoeuvre": S, "position": "oncoming"}),
    "S23": doc({"manoeuvre": "overtaking"}, {"manoeuvre": S}, loc={"site_features": ["tunnel"]}),
    "S24": doc({"manoeuvre": "u_turn"}, {"manoeuvre": S}, loc={"u_turn_permitted": True}),
    "S25": doc({"manoeuvre": "merging_from_ramp"}, {"manoeuvre": "straight_on_major_road"},
               loc={"intersection": "on_ramp_merge", "road_type": "urban_expressway"}),
    "S26": doc({"manoeuvre": S, "lane": "service_road"},
               {"manoeuvre": S, "lane": "main_road->service_road"}),
    "S27": doc({"manoeuvre": "entering_road_from_private_access"}, {"manoeuvre": S},
               loc={"intersection": "private_access"}),
    "S28": doc({"manoeuvre": "pulling_out_from_parking"}, {"manoeuvre": S}),
    "S29": doc({"manoeuvre": "entering_roundabout"}, {"manoeuvre": "circulating_in_roundabout"},
               loc={"intersection": "roundabout"}),
    "S30": doc({"manoeuvre": S, "signal_faced": "green"},
               {"manoeuvre": S, "signal_faced": "red", "entered_junction_first": True},
               loc={"intersection": "signalized"}),
    "S31": doc({"manoeuvre": S}, {"manoeuvre": S},
               loc={"intersection": "uncontrolled_with_priority_signs",
                    "signs": ["stop_sign_for_A"]}),
    "S32": doc({"manoeuvre": S, "position": "from_left"},
               {"manoeuvre": S, "position": "from_right"},
               loc={"intersection": "uncontrolled_no_signs"}),
    "S33": doc({"manoeuvre": "left_turn"}, {"manoeuvre": S},
               loc={"intersection": "uncontrolled_no_signs"}),
    "S34": doc({"manoeuvre": "right_turn", "position": "oncoming"},
               {"manoeuvre": "left_turn", "position": "oncoming"},
               loc={"intersection": "uncontrolled_no_signs"}),
    "S48": doc({"manoeuvre": "left_turn"}, {"manoeuvre": "right_turn", "approach_from": "right"},
               loc={"intersection": "uncontrolled_no_signs"}),
    "S35": doc({"manoeuvre": S}, {"manoeuvre": R, "works_vehicle_operating": True}),
    "S36": doc({"manoeuvre": "right_turn", "signal_faced": "red"},
               {"manoeuvre": S, "signal_faced": "green"}, loc={"intersection": "signalized"}),
    "S37": doc({"manoeuvre": "left_turn", "signal_faced": "green"},
               {"manoeuvre": S, "signal_faced": "green"},
               loc={"intersection": "signalized_no_arrow"}),
    "S38": doc({"manoeuvre": "cutting_into_queue"}, {"manoeuvre": "stopped_in_queue"}),
    "S39": doc({"manoeuvre": "overtaking_on_right"}, {"manoeuvre": S}),
    "S40": doc({"manoeuvre": S}, {"manoeuvre": "parked_lawfully_unattended"}),
    "S41": doc({"manoeuvre": S, "load_spilled": True}, {"manoeuvre": S}),
    "S42": doc({"manoeuvre": S, "load_improper": True}, {"manoeuvre": S}),
    "S46": doc({"manoeuvre": S}, {"manoeuvre": S}, flags={"unavoidable_event": True}),
    "S47": doc({"manoeuvre": "reversing"}, {"manoeuvre": "rolling_back"}),
}


def _expected(rule: Rule) -> dict[str, str]:
    levels = {"A": rule.result[0], "B": rule.result[1]}
    return {"A": levels["A"]} if rule.id == "S43" else levels


def test_every_rule_has_a_scenario_and_every_scenario_a_rule() -> None:
    assert {r.id for r in CATALOGUE.rules} == set(SCENARIOS)


def test_catalogue_covers_s01_to_s47_and_the_rear_end_refinements() -> None:
    ids = {r.id for r in CATALOGUE.rules}
    assert {f"S{i:02d}" for i in range(1, 48)} <= ids
    assert {f"RE{i}" for i in range(1, 7)} <= ids
    assert CATALOGUE.version == CATALOGUE_VERSION


@pytest.mark.parametrize("rule", CATALOGUE.rules, ids=[r.id for r in CATALOGUE.rules])
def test_rule_cites_statute_and_explains_itself(rule: Rule) -> None:
    assert rule.basis
    assert all(isinstance(ref, LegalRef) for ref in rule.basis)
    assert all(str(ref) for ref in rule.basis)
    for text in (rule.explanation_zh, rule.explanation_en, rule.title_zh, rule.title_en):
        assert text


@pytest.mark.parametrize("rule", CATALOGUE.rules, ids=[r.id for r in CATALOGUE.rules])
def test_rule_fires_on_its_scenario_with_its_result(rule: Rule) -> None:
    determination = decide(parse_facts(SCENARIOS[rule.id]))
    if rule.kind == "decisive":
        # Intent, flight and single-vehicle cases are refused; the police get the proposal.
        assert not determination.quick_handling_allowed
        assert set(determination.liability.values()) == {PENDING}
        assert determination.proposed_liability == _expected(rule)
        fired = {r.id for r in determination.proposed_rules}
    else:
        assert determination.quick_handling_allowed
        assert dict(determination.liability) == _expected(rule)
        fired = {r.id for r in determination.rules}
        graded = rule.kind == "graded"
        assert determination.route == (
            "online_police_determination" if graded else "self_negotiation"
        )
    assert rule.id in fired


@pytest.mark.parametrize(
    "rule",
    [r for r in CATALOGUE.rules if r.kind == "fault" and r.result[0] == FULL],
    ids=lambda r: r.id,
)
def test_fault_rule_names_the_other_party_when_labels_are_swapped(rule: Rule) -> None:
    from tests.unit.domain.factsdocs import swap_labels

    determination = decide(parse_facts(swap_labels(SCENARIOS[rule.id])))
    assert determination.liability == {"A": rule.result[1], "B": rule.result[0]}


def test_graded_proposal_is_never_self_negotiated() -> None:
    for rule_id in ("RE2", "RE3", "RE5"):
        determination = decide(parse_facts(SCENARIOS[rule_id]))
        assert determination.route == "online_police_determination"
        assert determination.payout is None or not determination.payout.hupeng_zipei_applicable


def test_unknown_condition_path_is_rejected_when_compiling() -> None:
    with pytest.raises(ValueError, match="unknown condition path"):
        compile_condition(Cond("in", "self.colour", frozenset({"red"})))


def test_no_rule_matched_goes_to_the_police_without_guessing() -> None:
    determination = decide(parse_facts(doc({"manoeuvre": S}, {"manoeuvre": S})))
    assert determination.route == "online_police_determination"
    assert set(determination.liability.values()) == {PENDING}


def test_a_second_catalogue_version_can_run_beside_the_default() -> None:
    from settlement.domain.rules.model import Catalogue

    trimmed = Catalogue("test/1", tuple(r for r in CATALOGUE.rules if r.id != "S05"))
    facts = parse_facts(SCENARIOS["S05"])
    assert decide(facts, RuleSet(trimmed)).liability == {"A": PENDING, "B": PENDING}
    assert decide(facts, RuleSet(trimmed)).catalogue_version == "test/1"


def test_nobody_at_fault_is_cited_once_although_it_reads_true_from_both_sides() -> None:
    determination = decide(parse_facts(SCENARIOS["S46"]))
    assert [r.id for r in determination.rules] == ["S46"]
    assert dict(determination.liability) == {"A": NONE, "B": NONE}
