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
