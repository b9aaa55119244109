"""交强险 / 商业三者险 split, 无责代赔 and 互碰自赔 (research notes §3.5 table)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from settlement.domain.money import Money
from settlement.domain.payout import PartyPosition, PayoutNotSettled, compute_payout
from settlement.domain.rules.model import EQUAL, FULL, MAJOR, MINOR, NONE, PENDING, Level


def _pay(a: tuple[Level, int], b: tuple[Level, int], **kw: object) -> dict[str, object]:
    parties = [PartyPosition("A", a[0], Money.of(a[1])), PartyPosition("B", b[0], Money.of(b[1]))]
    return compute_payout(parties, **kw).to_json_dict()  # type: ignore[arg-type]


def test_full_v_none_with_proxy_and_commercial() -> None:
    out = _pay((FULL, 1200), (NONE, 3500))
    assert out["jqx_A_to_B"] == 2000
    assert out["commercial_A_to_B"] == 1500
    assert out["jqx_B_to_A_no_fault_via_proxy"] == 100
    assert out["A_own_or_vehicle_damage_cover"] == 1100
    assert "B_own_or_vehicle_damage_cover" not in out
    assert out["hupeng_zipei_applicable"] is False


def test_small_full_v_none_is_not_hupeng() -> None:
    out = _pay((FULL, 900), (NONE, 1600))
    assert (out["jqx_A_to_B"], out["jqx_B_to_A_no_fault_via_proxy"]) == (1600, 100)
    assert out["A_own_or_vehicle_damage_cover"] == 800
    assert out["hupeng_zipei_applicable"] is False


def test_equal_small_losses_are_hupeng_zipei() -> None:
    out = _pay((EQUAL, 1500), (EQUAL, 1800))
    assert out["hupeng_zipei_applicable"] is True
    assert out["jqx_A_own_via_hupeng_zipei"] == 1500
    assert out["jqx_B_own_via_hupeng_zipei"] == 1800
    assert not any(k.startswith("commercial") for k in out)


def test_equal_large_losses_split_half() -> None:
    out = _pay((EQUAL, 5000), (EQUAL, 3000))
    assert (out["jqx_B_to_A"], out["jqx_A_to_B"]) == (2000, 2000)
    assert (out["commercial_B_to_A"], out["commercial_A_to_B"]) == (1500, 500)
    assert (out["A_own_or_vehicle_damage_cover"], out["B_own_or_vehicle_damage_cover"]) == (
        1500, 500)


def test_main_minor_seventy_thirty() -> None:
    out = _pay((MAJOR, 4000), (MINOR, 6000))
    assert (out["jqx_A_to_B"], out["jqx_B_to_A"]) == (2000, 2000)
    assert (out["commercial_A_to_B"], out["commercial_B_to_A"]) == (2800, 600)
    assert (out["A_own_or_vehicle_damage_cover"], out["B_own_or_vehicle_damage_cover"]) == (
        1400, 1200)


def test_fixed_ratio_replaces_seventy_thirty() -> None:
    out = _pay((MAJOR, 4000), (MINOR, 6000),
               fixed_ratios={"A": Decimal("0.8"), "B": Decimal("0.2")})
    assert (out["commercial_A_to_B"], out["commercial_B_to_A"]) == (3200, 400)


def test_injury_blocks_hupeng() -> None:
    assert _pay((EQUAL, 500), (EQUAL, 600), injuries=True)["hupeng_zipei_applicable"] is False


def test_pending_liability_has_no_payout() -> None:
    with pytest.raises(PayoutNotSettled):
        _pay((PENDING, 1), (PENDING, 1))


def test_three_vehicles_share_by_limits_and_cap_each_insurer() -> None:
    # A at fault; B and C not. B's 3,000 loss is shared 2000:100 between A and C.
    parties = [PartyPosition("A", FULL, Money.of(1000)), PartyPosition("B", NONE, Money.of(3000)),
               PartyPosition("C", NONE, Money.of(0))]
    out = compute_payout(parties).to_json_dict()
    assert out["jqx_A_to_B"] == 2000  # share 2857.14 capped at A's 2,000 limit
    # C's 100 limit is split between its shares of B's loss (142.86) and A's loss (500).
    assert out["jqx_C_to_B_no_fault"] == 22.22
    assert out["jqx_C_to_A_no_fault_via_proxy"] == 77.78
    assert out["jqx_B_to_A_no_fault_via_proxy"] == 100


def test_uninsured_commercial_means_the_tortfeasor_pays() -> None:
    parties = [PartyPosition("A", FULL, Money.of(0), commercial_insured=False),
               PartyPosition("B", NONE, Money.of(5000))]
    out = compute_payout(parties).to_json_dict()
    assert out["A_pays_B_personally"] == 3000
    assert "commercial_A_to_B" not in out


# --- the covers as stated in the facts document -------------------------------------------


def _covers(a: dict[str, object], b: dict[str, object], *, a_loss: int = 1200,
            b_loss: int = 3500) -> dict[str, object]:
    from settlement.domain.facts import parse_facts
    from settlement.domain.liability import decide
    from tests.unit.domain.factsdocs import doc

    document = doc({"manoeuvre": "straight", "damage_location": "front",
                    "damage_estimate_cny": a_loss, **a},
                   {"manoeuvre": "stopped_in_queue", "damage_location": "rear",
                    "damage_estimate_cny": b_loss, **b})
    decided = decide(parse_facts(document))
    assert decided.liability == {"A": FULL, "B": NONE}
    assert decided.payout is not None
    return decided.payout.to_json_dict()


def test_covers_not_stated_keep_the_assumed_split() -> None:
    out = _covers({}, {})
    assert out["commercial_A_to_B"] == 1500
    assert out["A_own_or_vehicle_damage_cover"] == 1100
    assert "own_loss_uncovered" not in out
    assert set(out["assumptions"]) == {  # type: ignore[arg-type]
        "jqx_limits", "commercial_third_party_insured", "deductibles"}


def test_no_commercial_cover_is_the_at_fault_party_s_own_pocket() -> None:
    out = _covers({"commercial_third_party_cover": False}, {})
    assert out["jqx_A_to_B"] == 2000
    assert out["A_pays_B_personally"] == 1500
    assert "commercial_A_to_B" not in out
    assert out["assumptions"]["commercial_third_party_insured"] == {"A": False, "B": True}  # type: ignore[index]
    lines = [line for line in out["breakdown"] if line["cover"] == "tortfeasor_personally"]  # type: ignore[attr-defined]
    assert lines == [{"cover": "tortfeasor_personally", "liable_party": "A", "payee": "B",
                      "paid_by_insurer_of": "A", "amount": 1500, "basis": ["道交法第76条"]}]


@pytest.mark.parametrize(("cover", "commercial", "personal"),
                         [(1_000_000, 1500, None), (1000, 1000, 500), (1500, 1500, None)])
def test_the_sum_insured_caps_commercial_cover(cover: int, commercial: int,
                                               personal: int | None) -> None:
    out = _covers({"commercial_third_party_cover": True,
                   "commercial_third_party_cover_cny": cover}, {})
    assert out["commercial_A_to_B"] == commercial
    assert out.get("A_pays_B_personally") == personal
    assert out["assumptions"]["commercial_third_party_cover_cny"] == {"A": cover}  # type: ignore[index]


def test_a_sum_insured_of_zero_is_no_cover() -> None:
    out = _covers({"commercial_third_party_cover_cny": 0}, {})
    assert out["A_pays_B_personally"] == 1500
    assert "commercial_A_to_B" not in out


def test_the_published_key_wins_over_the_older_one() -> None:
    out = _covers({"commercial_third_party_cover": True,
                   "commercial_third_party_insured": False}, {})
    assert out["commercial_A_to_B"] == 1500


def test_no_own_damage_cover_leaves_no_own_damage_line() -> None:
    out = _covers({"own_damage_cover": False}, {"own_damage_cover": False})
    assert "A_own_or_vehicle_damage_cover" not in out
    assert not [line for line in out["breakdown"]  # type: ignore[attr-defined]
                if line["cover"] == "own_damage_or_self"]
    assert out["own_loss_uncovered"] == {"A": 1100}  # B is paid in full by A's covers
    assert out["assumptions"]["own_damage_cover"] == {"A": False, "B": False}  # type: ignore[index]


def test_own_damage_cover_stated_true_keeps_the_line() -> None:
    out = _covers({"own_damage_cover": True}, {})
    assert out["A_own_or_vehicle_damage_cover"] == 1100
    assert "own_loss_uncovered" not in out


def test_sum_insured_is_shared_pro_rata_between_victims() -> None:
    parties = [
        PartyPosition("A", FULL, Money.of(0), commercial_limit=Money.of(3000)),
        PartyPosition("B", NONE, Money.of(6000)),
        PartyPosition("C", NONE, Money.of(4000)),
    ]
    payout = compute_payout(parties)
    out = payout.to_json_dict()
    # After 交强险, A owes B 4,700 and C 3,100: its 3,000 cover is shared 47:31.
    assert out["commercial_A_to_B"] == 1807.69
    assert out["commercial_A_to_C"] == 1192.31
    assert out["A_pays_B_personally"] == 2892.31
    assert out["A_pays_C_personally"] == 1907.69
    # Every yuan of each victim's loss is paid by someone: 交强险, the cover or A itself.
    assert payout.received_by("B") == Money.of(6000)
    assert payout.received_by("C") == Money.of(4000)
