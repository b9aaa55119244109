"""Tiny builders for facts documents used by the domain tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parents[3] / "tests" / "data" / "liability-examples.jsonl"

ELIGIBLE_VEHICLE: dict[str, Any] = {
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

QUIET_FLAGS: dict[str, Any] = {
    "injuries": False,
    "deaths": False,
    "public_facility_damage": False,
    "party_left_scene": False,
    "intentional_evidence": False,
    "dispute_on_facts": False,
    "single_vehicle": False,
}


def doc(
    a: dict[str, Any] | None = None,
    b: dict[str, Any] | None = None,
    loc: dict[str, Any] | None = None,
    flags: dict[str, Any] | None = None,
    *,
    without_b: bool = False,
) -> dict[str, Any]:
    """An eligible two-car document on an urban road by day, with the given overrides."""
    vehicles = {"A": {**ELIGIBLE_VEHICLE, **(a or {})}}
    if not without_b:
        vehicles["B"] = {**ELIGIBLE_VEHICLE, **(b or {})}
    return {
        "location": {"road_type": "urban_road", "intersection": "none", "time": "day",
                     **(loc or {})},
        "flags": {**QUIET_FLAGS, **(flags or {})},
        "vehicles": vehicles,
    }


def swap_labels(document: dict[str, Any]) -> dict[str, Any]:
    """The same accident with A and B relabelled (signs naming a party follow it)."""
    out = copy.deepcopy(document)
    vehicles = out["vehicles"]
    vehicles["A"], vehicles["B"] = vehicles["B"], vehicles["A"]
    signs = out.get("location", {}).get("signs")
    if signs:
        swapped = []
        for sign in signs:
            if "_for_A" in sign:
                sign = sign.replace("_for_A", "_for_B")
            elif "_for_B" in sign:
                sign = sign.replace("_for_B", "_for_A")
            swapped.append(sign)
        out["location"]["signs"] = swapped
    return out


def load_examples() -> list[dict[str, Any]]:
    """Every worked example in tests/data."""
    with EXAMPLES.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
