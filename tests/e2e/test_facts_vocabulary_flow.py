"""Two drivers over real HTTP state where they came from, their covers and a non-motor party:
the proposal decides right of way from the right with the covers as stated, and an e-bike
leaves self-negotiation with its reason."""

from __future__ import annotations

from typing import Any

from tests.builders import new_case, statement
from tests.e2e.conftest import Api, body
from tests.e2e.test_liability_flow import _case_with_statements

JUNCTION = {"road_type": "urban_road", "intersection": "uncontrolled_no_signs", "time": "day"}


def _junction() -> tuple[dict[str, Any], dict[str, Any]]:
    a = statement("straight", "front", location=JUNCTION,
                  other_vehicle={"manoeuvre": "straight", "approach_from": "right"})
    a["own_vehicle"].update(signal_faced="none", lane="own_lane", damage_estimate_cny=2600,
                            commercial_third_party_cover=False, own_damage_cover=False)
    b = statement("straight", "left_side", location=JUNCTION,
                  other_vehicle={"manoeuvre": "straight"})
    b["own_vehicle"].update(signal_faced="none", lane="own_lane", damage_estimate_cny=5400,
                            approach_from="right", commercial_third_party_cover=True,
                            commercial_third_party_cover_cny=2_000_000)
    return a, b


async def test_right_of_way_from_the_right_with_the_stated_covers(api: Api) -> None:
    case_id, alice, bob = await _case_with_statements(api, *_junction())
    proposed = await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)
    assert proposed.code == 200, proposed.body
    proposal = body(proposed)["proposal"]
    assert proposal["route"] == "self_negotiation"
    assert proposal["liability"] == {"A": "全部责任", "B": "无责任"}
    assert [r["id"] for r in proposal["rules"]] == ["S32"]
    assert proposal["rules"][0]["legal_basis"] == ["实施条例第52条第(二)项"]
    payout = proposal["payout"]
    # A has no 商业三者险: beyond 交强险 it pays B itself; without 车损险 no own-damage line.
    assert payout["jqx_A_to_B"] == 2000
    assert payout["A_pays_B_personally"] == 3400
    assert "commercial_A_to_B" not in payout
    assert "A_own_or_vehicle_damage_cover" not in payout
    assert payout["own_loss_uncovered"] == {"A": 2500}
    # B sees the same proposal.
    seen = body(await api.call("GET", f"/api/v1/cases/{case_id}/proposal", token=bob))
    assert seen["proposal"]["payout"]["A_pays_B_personally"] == 3400


async def test_an_e_bike_leaves_self_negotiation_with_its_reason(api: Api) -> None:
    a = statement("straight", "front")
    a["own_vehicle"]["damage_estimate_cny"] = 800
    b = statement("stopped_in_queue", "rear", other_vehicle={"manoeuvre": "straight"})
    b["own_vehicle"].update(type="e_bike", damage_estimate_cny=600)
    case_id, alice, _ = await _case_with_statements(api, a, b)
    proposed = await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)
    assert proposed.code == 200, proposed.body
    view = body(proposed)
    assert view["status"] == "on_scene"
    assert view["proposal"]["refusal_reasons"] == ["non_motor_party"]
    assert view["proposal"]["route"] == "move_then_report_police"
    assert view["proposal"]["proposed_liability"] == {"A": "全部责任", "B": "无责任"}


async def test_an_unknown_approach_is_refused_naming_the_field(api: Api) -> None:
    _, b = _junction()
    b["own_vehicle"]["approach_from"] = "above"
    alice = await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    answer = await api.call("POST", f"/api/v1/cases/{case_id}/statement", b, token=alice)
    assert answer.code == 422, answer.body
    problem = body(answer)
    assert "approach_from" in problem["details"]["field"]
