"""Merging the drivers' statements."""

from __future__ import annotations

from typing import Any

import pytest

from settlement.domain.facts import parse_facts
from settlement.domain.liability import decide
from settlement.domain.reconcile import Conflict, reconcile
from settlement.errors import InvalidInput
from tests.unit.domain.factsdocs import ELIGIBLE_VEHICLE

LOC = {"road_type": "urban_road", "intersection": "signalized", "time": "day"}


def _stmt(party: str, own: dict[str, Any], other: dict[str, Any] | None = None,
          **sections: Any) -> dict[str, Any]:
    return {"party": party, "vehicle": {**ELIGIBLE_VEHICLE, **own},
            "other_vehicle": other or {}, "location": sections.get("location", LOC),
            "flags": sections.get("flags", {"injuries": False})}


def test_agreeing_statements_merge_and_decide_like_a_single_document() -> None:
    a = _stmt("A", {"manoeuvre": "straight", "signal_faced": "red", "damage_location": "front"},
              {"manoeuvre": "straight", "signal_faced": "green"})
    b = _stmt("B", {"manoeuvre": "straight", "signal_faced": "green",
                    "damage_location": "right_side"}, {"signal_faced": "red"})
    result = reconcile(a, b)
    assert result.conflicts == ()
    assert not result.disputed
    determination = decide(parse_facts(result.document))
    assert determination.liability == {"A": "全部责任", "B": "无责任"}


def test_both_claiming_green_is_a_conflict_routed_to_the_police() -> None:
    a = _stmt("A", {"manoeuvre": "straight", "signal_faced": "green"}, {"signal_faced": "red"})
    b = _stmt("B", {"manoeuvre": "straight", "signal_faced": "green"}, {"signal_faced": "red"})
    result = reconcile(a, b)
    assert Conflict("vehicles.A.signal_faced", "green", "red") in result.conflicts
    assert Conflict("vehicles.B.signal_faced", "red", "green") in result.conflicts
    assert result.disputed
    assert result.document["vehicles"]["A"]["signal_faced"] == "claimed_green"
    determination = decide(parse_facts(result.document))
    assert determination.route == "online_police_determination"
    assert set(determination.liability.values()) == {"待交警认定"}


def test_location_disagreement_is_dropped_not_guessed() -> None:
    a = _stmt("A", {"manoeuvre": "straight"}, location={**LOC, "intersection": "none"})
    b = _stmt("B", {"manoeuvre": "straight"})
    result = reconcile(a, b)
    assert Conflict("location.intersection", "none", "signalized") in result.conflicts
    assert "intersection" not in result.document["location"]


def test_an_injury_stated_by_either_side_is_kept() -> None:
    a = _stmt("A", {"manoeuvre": "straight"}, flags={"injuries": True})
    b = _stmt("B", {"manoeuvre": "stationary"}, flags={"injuries": False})
    result = reconcile(a, b)
    assert result.document["flags"]["injuries"] is True
    assert not decide(parse_facts(result.document)).quick_handling_allowed


def test_fact_only_the_other_driver_states_is_adopted_and_marked() -> None:
    a = _stmt("A", {"manoeuvre": "stationary"}, {"manoeuvre": "reversing"})
    b = _stmt("B", {"damage_location": "rear"})
    result = reconcile(a, b)
    assert result.document["vehicles"]["B"]["manoeuvre"] == "reversing"
    assert [u.field for u in result.uncorroborated] == ["vehicles.B.manoeuvre"]


def test_damage_that_does_not_fit_the_manoeuvre_is_a_misfit() -> None:
    # A says B reversed into it, yet B's damage is at its front.
    a = _stmt("A", {"manoeuvre": "stationary", "damage_location": "front"})
    b = _stmt("B", {"manoeuvre": "reversing", "damage_location": "front"})
    result = reconcile(a, b)
    assert result.misfits
    assert {m.party for m in result.misfits} == {"B"}
    assert result.disputed


def test_views_of_licence_or_insurance_are_ignored() -> None:
    a = _stmt("A", {"manoeuvre": "straight"}, {"jqx_insured": False})
    b = _stmt("B", {"manoeuvre": "straight"})
    assert reconcile(a, b).document["vehicles"]["B"]["jqx_insured"] is True


@pytest.mark.parametrize(
    ("a", "b", "field"),
    [
        ([], {}, "statements.A"),
        ({"party": "B", "vehicle": {}}, {}, "statements.A.party"),
        ({"party": "A"}, {}, "statements.A.vehicle"),
        ({"party": "A", "vehicle": {"manoeuvre": "hop"}}, {}, "statements.A.vehicle.manoeuvre"),
        ({"party": "A", "vehicle": {}}, {"party": "B", "vehicle": {},
                                         "other_vehicle": {"signal_faced": "blue"}},
         "statements.B.other_vehicle.signal_faced"),
        ({"party": "A", "vehicle": {}, "location": 3}, {}, "statements.A.location"),
    ],
)
def test_malformed_statements_name_the_field(a: Any, b: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        reconcile(a, b)
    assert caught.value.details["field"] == field
