"""The case aggregate's state machine and invariants, without any I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from settlement.domain.case import (
    TRANSITIONS,
    AccidentScene,
    CaseStatus,
    PartyDetails,
    Statement,
    open_case,
)
from settlement.domain.geo import GeoPoint
from settlement.domain.jurisdiction import UNASSIGNED, jurisdiction_for
from settlement.errors import CaseNotFound, IllegalTransition, NotPermitted, PreconditionFailed

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
SCENE = AccidentScene(
    occurred_at=NOW - timedelta(minutes=20),
    address="深圳市南山区科技园",
    location=GeoPoint(22.54, 113.93),
    weather="clear",
    road_type="urban_road",
    description="rear-end",
)
DETAILS = PartyDetails(
    name="张三", id_number="44030519900101123X", phone="13800138000",
    licence_number="440305199001011234", licence_class="C1", plate="粤B12345",
    vehicle_type="small_car", insurer_code="PICC", policy_number="P1",
)  # fmt: skip
STATEMENT = Statement(
    own_vehicle={"manoeuvre": "straight"}, other_vehicle={}, location={}, flags={}, narrative=""
)


def joined_case():  # type: ignore[no-untyped-def]
    case = open_case(case_id="C1", opener_id="alice", scene=SCENE, capture_nonce="n", now=NOW)
    case = case.invite("digest", NOW + timedelta(minutes=15), NOW)
    return case.join("bob", NOW)


def test_opening_assigns_party_a_and_the_jurisdiction() -> None:
    case = open_case(case_id="C1", opener_id="alice", scene=SCENE, capture_nonce="n", now=NOW)
    assert case.status is CaseStatus.AWAITING_PARTY
    assert case.label_of("alice") == "A"
    assert case.jurisdiction == "440305"
    assert case.missing() == ["party_B", "details_A", "statement_A"]


def test_both_complete_parties_make_statements_complete_and_editing_reopens() -> None:
    case = joined_case()
    assert case.status is CaseStatus.COLLECTING
    for user in ("alice", "bob"):
        case = case.with_details(user, DETAILS, NOW).with_statement(user, STATEMENT, NOW)
    assert case.status is CaseStatus.STATEMENTS_COMPLETE
    assert case.missing() == []


def test_strangers_cannot_change_a_case() -> None:
    with pytest.raises(NotPermitted):
        joined_case().with_details("mallory", DETAILS, NOW)


def test_opener_cannot_join_twice() -> None:
    case = open_case(case_id="C1", opener_id="alice", scene=SCENE, capture_nonce="n", now=NOW)
    case = case.invite("digest", NOW + timedelta(minutes=15), NOW)
    with pytest.raises(PreconditionFailed):
        case.join("alice", NOW)


def test_only_party_a_withdraws_and_withdrawn_is_final() -> None:
    case = joined_case()
    with pytest.raises(NotPermitted):
        case.withdraw("bob", NOW)
    withdrawn = case.withdraw("alice", NOW)
    assert withdrawn.status is CaseStatus.WITHDRAWN
    with pytest.raises(IllegalTransition):
        withdrawn.with_statement("alice", STATEMENT, NOW)


@pytest.mark.parametrize("source", list(CaseStatus))
@pytest.mark.parametrize("target", list(CaseStatus))
def test_transition_table_is_the_only_way(source: CaseStatus, target: CaseStatus) -> None:
    case = joined_case()
    from dataclasses import replace

    case = replace(case, status=source)
    if target in TRANSITIONS[source]:
        assert case.transition(target, NOW).status is target
    else:
        with pytest.raises(IllegalTransition):
            case.transition(target, NOW)


def test_terminal_states_have_no_way_out() -> None:
    for status in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN, CaseStatus.ON_SCENE):
        assert not TRANSITIONS[status]


def test_strangers_are_told_the_case_does_not_exist() -> None:
    case = joined_case()
    assert case.seen_by("bob") is case
    with pytest.raises(CaseNotFound) as raised:
        case.seen_by("mallory")
    assert raised.value.message == "No case with this id among your cases."


def test_places_far_from_every_district_are_unassigned() -> None:
    assert jurisdiction_for(22.5405, 113.9345) == "440305"
    assert jurisdiction_for(31.2317, 121.4846) == "310101"
    assert jurisdiction_for(45.75, 126.63) == UNASSIGNED  # Harbin: no district in the table
