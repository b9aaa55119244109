"""Properties of the engine over generated accidents."""

from __future__ import annotations

import copy
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from settlement.domain.eligibility import _URGENCY, EXCLUSIONS, Exclusion
from settlement.domain.facts import (
    ApproachFrom,
    DamageLocation,
    Intersection,
    Manoeuvre,
    Position,
    Signal,
    parse_facts,
)
from settlement.domain.liability import decide
from settlement.domain.rules.model import MAJOR, MINOR, VALID_PAIRS
from settlement.errors import InvalidInput
from tests.unit.domain.factsdocs import doc, swap_labels

_common = settings(max_examples=300, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])


def _maybe(values: Any) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.sampled_from(list(values)))


@st.composite
def vehicles(draw: st.DrawFn) -> dict[str, Any]:
    fields = {
        "manoeuvre": draw(_maybe(get_args(Manoeuvre))),
        "damage_location": draw(_maybe(get_args(DamageLocation))),
        "signal_faced": draw(_maybe(get_args(Signal))),
        "position": draw(_maybe(get_args(Position))),
        "lane": draw(_maybe(["lane_1", "lane_2", "lane_2->lane_1", "kerbside->lane_1",
                             "left_turn_only_lane", "bus_lane", "service_road",
                             "main_road->service_road"])),
        "hazard_lights": draw(st.one_of(st.none(), st.booleans())),
        "warning_triangle": draw(st.one_of(st.none(), st.booleans())),
        "tail_lights_on": draw(st.one_of(st.none(), st.booleans())),
        "entered_junction_first": draw(st.one_of(st.none(), st.booleans())),
        "damage_estimate_cny": draw(st.integers(0, 9000)),
        "approach_from": draw(_maybe(get_args(ApproachFrom))),
        "load_shed": draw(st.one_of(st.none(), st.booleans())),
        "commercial_third_party_cover": draw(st.one_of(st.none(), st.booleans())),
        "own_damage_cover": draw(st.one_of(st.none(), st.booleans())),
        "type": draw(_maybe(["small_car", "motorcycle", "e_bike"])),
    }
    if fields["commercial_third_party_cover"] is not False:
        fields["commercial_third_party_cover_cny"] = draw(_maybe([0, 1000, 2500, 1_000_000]))
    return {k: v for k, v in fields.items() if v is not None}


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    loc = {
        "intersection": draw(st.sampled_from(get_args(Intersection))),
        "time": draw(st.sampled_from(["day", "night"])),
        "u_turn_permitted": draw(st.one_of(st.none(), st.booleans())),
        "signs": draw(st.lists(st.sampled_from(["no_u_turn", "stop_sign_for_A",
                                                "stop_sign_for_B", "no_entry_for_B_direction"]),
                               max_size=2, unique=True)),
        "vehicle_count": draw(_maybe([2, 3])),
    }
    loc = {k: v for k, v in loc.items() if v is not None}
    return doc(draw(vehicles()), draw(vehicles()), loc,
               {"dispute_on_facts": draw(st.booleans()) and draw(st.booleans())})


@_common
@given(documents())
def test_liability_levels_always_form_a_valid_pair(document: dict[str, Any]) -> None:
    d = decide(parse_facts(document))
    assert (d.liability["A"], d.liability["B"]) in VALID_PAIRS


@_common
@given(documents())
def test_main_and_minor_are_only_proposed_to_the_police(document: dict[str, Any]) -> None:
    d = decide(parse_facts(document))
    if {MAJOR, MINOR} & set(d.liability.values()):
        assert d.route == "online_police_determination"
    if d.route == "self_negotiation":
        assert d.payout is not None
        assert d.rules


@_common
@given(documents())
def test_swapping_labels_swaps_the_answer(document: dict[str, Any]) -> None:
    d = decide(parse_facts(document))
    s = decide(parse_facts(swap_labels(document)))
    assert s.liability == {"A": d.liability["B"], "B": d.liability["A"]}
    assert s.route == d.route
    assert s.quick_handling_allowed == d.quick_handling_allowed
    assert sorted(r.id for r in s.rules) == sorted(r.id for r in d.rules)
    if d.payout is not None:
        assert s.payout is not None
        swapped = {k.replace("A", "#").replace("B", "A").replace("#", "B"): v
                   for k, v in d.payout.to_json_dict().items() if k.startswith(("jqx", "comm"))}
        mine = {k: v for k, v in s.payout.to_json_dict().items() if k.startswith(("jqx", "comm"))}
        assert mine == swapped


def _apply(document: dict[str, Any], exclusion: Exclusion, which: int, party: str) -> None:
    trigger = exclusion.triggers[which % len(exclusion.triggers)]
    if trigger.scope == "flags":
        document["flags"][trigger.field] = trigger.values[0]
    elif trigger.scope == "location":
        document["location"][trigger.field] = trigger.values[which % len(trigger.values)]
    else:
        document["vehicles"][party][trigger.field] = trigger.values[0]


@_common
@given(documents(), st.sampled_from(EXCLUSIONS), st.integers(0, 3), st.sampled_from("AB"))
def test_adding_any_exclusion_always_refuses(
    document: dict[str, Any], exclusion: Exclusion, which: int, party: str
) -> None:
    document = copy.deepcopy(document)
    _apply(document, exclusion, which, party)
    if exclusion.reason == "single_vehicle":
        del document["vehicles"]["B"]
    d = decide(parse_facts(document))
    assert not d.quick_handling_allowed
    assert exclusion.reason in d.refusal_reasons
    assert _URGENCY[d.route] >= _URGENCY[exclusion.route]
    assert set(d.liability.values()) == {"待交警认定"}
    assert d.payout is None


_ENUM_FIELDS = [
    ("vehicles.A.manoeuvre", "flying"),
    ("vehicles.B.manoeuvre", 7),
    ("vehicles.B.signal_faced", "purple"),
    ("vehicles.A.damage_location", ["front"]),
    ("vehicles.B.type", "tank"),
    ("vehicles.A.plate", True),
    ("vehicles.A.jqx_insured", "yes"),
    ("vehicles.B.movable", 1),
    ("vehicles.A.damage_estimate_cny", -5),
    ("vehicles.B.damage_estimate_cny", True),
    ("vehicles.A.damage_estimate_cny", "lots"),
    ("vehicles.A.lane", "lane 1"),
    ("vehicles.B.lane", "a->b->c"),
    ("vehicles.A.position", "under"),
    ("vehicles.A.approach_from", "above"),
    ("vehicles.B.load_shed", "yes"),
    ("vehicles.A.commercial_third_party_cover_cny", "plenty"),
    ("vehicles.B.own_damage_cover", "no"),
    ("location.vehicle_count", 0),
    ("location.intersection", "spaghetti_junction"),
    ("location.road_type", 3.5),
    ("location.signs", "no_u_turn"),
    ("location.signs", ["ok", 3]),
    ("location.lanes_same_direction", 0),
    ("location.site_features", ["volcano"]),
    ("flags.injuries", "no"),
    ("flags.dispute_on_facts", 0),
]


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = document
    for key in parents:
        node = node[key]
    node[last] = value


@_common
@given(documents(), st.sampled_from(_ENUM_FIELDS))
def test_malformed_documents_name_the_field(
    document: dict[str, Any], bad: tuple[str, Any]
) -> None:
    path, value = bad
    document = copy.deepcopy(document)
    _set(document, path, value)
    with pytest.raises(InvalidInput) as caught:
        parse_facts(document)
    assert caught.value.details["field"] == path
    assert path in caught.value.message
