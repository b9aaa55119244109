"""Table tests: right of way at junctions without lights or signs (实施条例第52条) and shed
loads (道交法第48条), stated in the published facts vocabulary (approach_from, load_shed)."""

from __future__ import annotations

from typing import Any

import pytest

from settlement.domain.facts import parse_facts
from settlement.domain.liability import decide
from settlement.domain.rules.model import EQUAL, FULL, NONE, PENDING
from tests.unit.domain.factsdocs import doc, swap_labels

S = "straight"
UNCONTROLLED = {"intersection": "uncontrolled_no_signs"}
A_FULL = {"A": FULL, "B": NONE}
B_FULL = {"A": NONE, "B": FULL}
POLICE = {"A": PENDING, "B": PENDING}

# (case, A's vehicle, B's vehicle, location, expected liability, rule that decides or None)
JUNCTIONS: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], dict[str, str],
                      str | None]] = [
    ("B from A's right, as B states it", {"manoeuvre": S},
     {"manoeuvre": S, "approach_from": "right"}, UNCONTROLLED, A_FULL, "S32"),
    ("A from B's left, as A states it", {"manoeuvre": S, "approach_from": "left"},
     {"manoeuvre": S}, UNCONTROLLED, A_FULL, "S32"),
    ("A from B's right", {"manoeuvre": S, "approach_from": "right"},
     {"manoeuvre": S}, UNCONTROLLED, B_FULL, "S32"),
    ("both state it, consistently", {"manoeuvre": "straight_from_minor_road",
                                     "approach_from": "right"},
     {"manoeuvre": S, "approach_from": "left"}, UNCONTROLLED, B_FULL, "S32"),
    ("both claim to come from the other's right: the police decide",
     {"manoeuvre": S, "approach_from": "right"}, {"manoeuvre": S, "approach_from": "right"},
     UNCONTROLLED, POLICE, None),
    ("oncoming, both straight: no right-hand rule", {"manoeuvre": S, "approach_from": "opposite"},
     {"manoeuvre": S, "approach_from": "opposite"}, UNCONTROLLED, POLICE, None),
    ("direction not stated: never guessed", {"manoeuvre": S}, {"manoeuvre": S},
     UNCONTROLLED, POLICE, None),
    ("turning yields to straight even to a car from its left",
     {"manoeuvre": "left_turn"}, {"manoeuvre": S, "approach_from": "left"},
     UNCONTROLLED, A_FULL, "S33"),
    ("turning from the right still yields to straight",
     {"manoeuvre": S}, {"manoeuvre": "right_turn", "approach_from": "right"},
     UNCONTROLLED, B_FULL, "S33"),
    ("right turn yields to the opposing left turn",
     {"manoeuvre": "right_turn", "approach_from": "opposite"},
     {"manoeuvre": "left_turn", "approach_from": "opposite"}, UNCONTROLLED, A_FULL, "S34"),
    ("both turning, B from A's right: A gives way",
     {"manoeuvre": "left_turn"}, {"manoeuvre": "right_turn", "approach_from": "right"},
     UNCONTROLLED, A_FULL, "S48"),
    ("both turning, A from B's right, as A states it",
     {"manoeuvre": "left_turn", "approach_from": "right"}, {"manoeuvre": "left_turn"},
     UNCONTROLLED, B_FULL, "S48"),
    ("a U-turn and a right turn, by the positions stated",
     {"manoeuvre": "right_turn", "position": "from_left"},
     {"manoeuvre": "u_turn", "position": "from_right"}, UNCONTROLLED, A_FULL, "S48"),
    ("two opposing left turns: no rule applies, the police decide",
     {"manoeuvre": "left_turn", "approach_from": "opposite"},
     {"manoeuvre": "left_turn", "approach_from": "opposite"}, UNCONTROLLED, POLICE, None),
    ("both turning, direction not stated: never guessed",
     {"manoeuvre": "left_turn"}, {"manoeuvre": "right_turn"}, UNCONTROLLED, POLICE, None),
    ("both turning at lights: the right-hand rule does not apply",
     {"manoeuvre": "left_turn"}, {"manoeuvre": "right_turn", "approach_from": "right"},
     {"intersection": "signalized"}, POLICE, None),
    ("priority signs decide, not the right-hand rule",
     {"manoeuvre": S}, {"manoeuvre": S, "approach_from": "right"},
     {"intersection": "uncontrolled_with_priority_signs", "signs": ["stop_sign_for_B"]},
     B_FULL, "S31"),
    ("traffic lights: the right-hand rule does not apply",
     {"manoeuvre": S}, {"manoeuvre": S, "approach_from": "right"},
     {"intersection": "signalized"}, POLICE, None),
]


@pytest.mark.parametrize(("case", "a", "b", "loc", "expected", "rule"), JUNCTIONS,
                         ids=[row[0] for row in JUNCTIONS])
def test_uncontrolled_junction_right_of_way(
    case: str, a: dict[str, Any], b: dict[str, Any], loc: dict[str, Any],
    expected: dict[str, str], rule: str | None,
) -> None:
    document = doc(a, b, loc)
    decided = decide(parse_facts(document))
    assert dict(decided.liability) == expected
    if rule is None:
        assert decided.route == "online_police_determination"
    else:
        assert decided.route == "self_negotiation"
        fired = [r for r in decided.rules if r.id == rule]
        assert fired, [r.id for r in decided.rules]
        at_fault = "A" if expected["A"] == FULL else "B"
        assert fired[0].party == at_fault
    # Swapping A and B swaps the answer.
    swapped = decide(parse_facts(swap_labels(document)))
    assert dict(swapped.liability) == {"A": expected["B"], "B": expected["A"]}


def test_right_of_way_cites_article_52_2_and_pays_out() -> None:
    decided = decide(parse_facts(doc({"manoeuvre": S, "damage_estimate_cny": 800},
                                     {"manoeuvre": S, "approach_from": "right",
                                      "damage_estimate_cny": 3000}, UNCONTROLLED)))
    (rule,) = decided.rules
    assert [str(ref) for ref in rule.basis] == ["实施条例第52条第(二)项"]
    assert "右方" in rule.explanation_zh
    assert "right" in rule.explanation_en
    assert decided.payout is not None
    assert decided.payout.to_json_dict()["jqx_A_to_B"] == 2000


def test_two_turning_cars_yield_to_the_right_under_article_52_2() -> None:
    decided = decide(parse_facts(doc({"manoeuvre": "right_turn", "damage_estimate_cny": 600},
                                     {"manoeuvre": "left_turn", "approach_from": "right",
                                      "damage_estimate_cny": 2500}, UNCONTROLLED)))
    (rule,) = decided.rules
    assert (rule.id, rule.party) == ("S48", "A")
    assert [str(ref) for ref in rule.basis] == ["实施条例第52条第(二)项"]
    assert "右方" in rule.explanation_zh
    assert "right" in rule.explanation_en
    assert decided.payout is not None
    assert decided.payout.to_json_dict()["jqx_A_to_B"] == 2000


def test_contradicting_approach_is_named_as_a_conflict() -> None:
    decided = decide(parse_facts(doc({"manoeuvre": S, "approach_from": "right"},
                                     {"manoeuvre": S, "approach_from": "behind"},
                                     UNCONTROLLED)))
    assert [c.field for c in decided.conflicts] == ["vehicles.B.approach_from"]


# (case, A, B, expected, rule ids that must fire, rule ids that must not)
LOADS: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str], set[str], set[str]]] = [
    ("load falls onto the car behind: not a rear-end",
     {"manoeuvre": S, "load_shed": True, "position": "ahead", "damage_location": "none"},
     {"manoeuvre": S, "position": "behind", "damage_location": "bonnet_windscreen"},
     A_FULL, {"S41"}, {"S01", "RE1"}),
    ("load falls while the carrier waits in a queue",
     {"manoeuvre": "stopped_in_queue", "load_shed": True},
     {"manoeuvre": "stopped_in_queue"}, A_FULL, {"S41"}, set()),
    ("object flies onto an oncoming car",
     {"manoeuvre": S, "load_shed": True, "approach_from": "opposite"},
     {"manoeuvre": S, "approach_from": "opposite"}, A_FULL, {"S41"}, set()),
    ("the older key load_spilled still decides",
     {"manoeuvre": S}, {"manoeuvre": S, "load_spilled": True}, B_FULL, {"S41"}, set()),
    ("both shed loads: both at fault", {"manoeuvre": S, "load_shed": True},
     {"manoeuvre": S, "load_shed": True}, {"A": EQUAL, "B": EQUAL}, {"S41", "S47"}, set()),
    ("load_shed false is no fault", {"manoeuvre": S, "load_shed": False},
     {"manoeuvre": S}, POLICE, set(), {"S41"}),
]


@pytest.mark.parametrize(("case", "a", "b", "expected", "fired", "not_fired"), LOADS,
                         ids=[row[0] for row in LOADS])
def test_shed_load(case: str, a: dict[str, Any], b: dict[str, Any], expected: dict[str, str],
                   fired: set[str], not_fired: set[str]) -> None:
    document = doc(a, b)
    decided = decide(parse_facts(document))
    assert dict(decided.liability) == expected
    ids = {r.id for r in decided.rules}
    assert fired <= ids
    assert not (not_fired & ids)
    swapped = decide(parse_facts(swap_labels(document)))
    assert dict(swapped.liability) == {"A": expected["B"], "B": expected["A"]}


def test_shed_load_cites_article_48() -> None:
    decided = decide(parse_facts(doc({"manoeuvre": S, "load_shed": True}, {"manoeuvre": S})))
    (rule,) = decided.rules
    assert [str(ref) for ref in rule.basis] == ["道交法第48条"]
    assert "遗洒" in rule.explanation_zh
    assert "load" in rule.explanation_en
