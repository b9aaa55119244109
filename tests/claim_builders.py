"""Pure builders of settled cases for the claim tests: the engine's proposal with its facts,
losses and payout, and the police determination (主要/次要 unless told otherwise)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from settlement.domain.case import AccidentScene, Case, CaseStatus, Party, PartyDetails
from settlement.domain.facts import parse_facts
from settlement.domain.geo import GeoPoint
from settlement.domain.liability import settled_payout


def details(insurer: str, name: str, plate: str, policy: str) -> PartyDetails:
    return PartyDetails(
        name=name,
        id_number="44030519900101123X",
        phone="13800138000",
        licence_number="440305199001011234",
        licence_class="C1",
        plate=plate,
        vehicle_type="small_car",
        insurer_code=insurer,
        policy_number=policy,
    )


VEHICLE: dict[str, Any] = {
    "type": "small_car",
    "driver_licence_valid": True,
    "licence_class_matches": True,
    "alcohol_or_drugs_suspected": False,
    "plate": "valid",
    "jqx_insured": True,
    "insurance_sticker_or_e_policy": True,
    "inspection_valid": True,
    "movable": True,
    "carrying_dangerous_goods": False,
    "passenger_overload_or_severe_speeding_suspected": False,
}
QUIET: dict[str, Any] = {
    "injuries": False, "deaths": False, "public_facility_damage": False,
    "party_left_scene": False, "intentional_evidence": False, "dispute_on_facts": False,
    "single_vehicle": False,
}  # fmt: skip


def facts_document(
    losses: tuple[str | None, str | None],
    commercial: tuple[bool, bool] = (True, True),
    own_damage: tuple[bool, bool] = (False, False),
) -> dict[str, Any]:
    """The merged facts of a rear-end (A into B), with each party's loss and covers."""
    vehicles: dict[str, Any] = {}
    for i, (label, manoeuvre) in enumerate((("A", "straight"), ("B", "stopped_in_queue"))):
        vehicle = {**VEHICLE, "manoeuvre": manoeuvre, "lane": "lane_1",
                   "commercial_third_party_insured": commercial[i],
                   "commercial_third_party_cover": commercial[i],
                   "own_damage_cover": own_damage[i]}  # fmt: skip
        if losses[i] is not None:
            vehicle["damage_estimate_cny"] = str(losses[i])
        vehicles[label] = vehicle
    return {
        "location": {"road_type": "urban_road", "intersection": "none", "time": "day"},
        "flags": dict(QUIET),
        "vehicles": vehicles,
    }


def proposal_for(
    levels: dict[str, str],
    losses: tuple[str | None, str | None],
    commercial: tuple[bool, bool] = (True, True),
    own_damage: tuple[bool, bool] = (False, False),
) -> dict[str, Any]:
    """A proposal as the engine leaves it: liability, per-party loss, facts and payout."""
    facts = facts_document(losses, commercial, own_damage)
    payout = settled_payout(parse_facts(facts), levels)  # type: ignore[arg-type]
    return {
        "liability": dict(levels),
        "loss": {label: {"amount": loss, "source": "stated"}
                 for label, loss in zip(("A", "B"), losses, strict=True)},
        "facts": facts,
        "payout": payout.to_json_dict() if payout is not None else None,
    }  # fmt: skip


def settled_case(
    status: CaseStatus = CaseStatus.AGREED,
    insurers: tuple[str, str] = ("PICC", "CPIC"),
    *,
    levels: dict[str, str] | None = None,
    losses: tuple[str | None, str | None] = ("800.00", "2300.50"),
    commercial: tuple[bool, bool] = (True, True),
    own_damage: tuple[bool, bool] = (False, False),
) -> Case:
    """A two-party case as the agreement (or the police, with ``levels``) leaves it.

    The engine proposed A 全部 / B 无 (a rear-end); a determination decides ``levels``
    (主要/次要 unless given) and numbers its 认定书 ``JD-7``.
    """
    now = datetime.now(UTC)
    case_id = f"C{uuid.uuid4().hex[:16].upper()}"
    parties = {
        "A": Party("A", "u_a" + case_id, now, details(insurers[0], "张三", "粤B12345", "P-A-1")),
        "B": Party("B", "u_b" + case_id, now, details(insurers[1], "李四", "粤B54321", "P-B-2")),
    }
    scene = AccidentScene(
        occurred_at=now - timedelta(hours=1),
        address="深圳市南山区深南大道",
        location=GeoPoint(22.54, 113.93),
        weather="clear",
        road_type="urban_road",
        description="追尾",
    )
    engine = {"A": "全部责任", "B": "无责任"}
    determined = status is CaseStatus.DETERMINED
    police = levels or {"A": "主要责任", "B": "次要责任"}
    return Case(
        id=case_id,
        status=status,
        scene=scene,
        parties=parties,
        created_at=now,
        updated_at=now,
        capture_nonce="n",
        jurisdiction="440305",
        proposal=proposal_for(levels if levels and not determined else engine, losses,
                              commercial, own_damage),
        agreement={"document": {"sha256": "ab" * 32, "issued_at": now}} if not determined else {},
        determination=(
            {"levels": police, "rule": "S01", "reviewer": "officer", "decided_at": now,
             "document": {"format": "pdf", "number": "JD-7", "sha256": "cd" * 32}}
            if determined else None
        ),
    )  # fmt: skip
