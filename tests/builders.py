"""Valid request bodies with defaults, overridable per test."""

from __future__ import annotations

from typing import Any


def new_case(**overrides: Any) -> dict[str, Any]:
    return {
        "occurred_at": "2026-11-20T08:30:00+08:00",
        "address": "深圳市南山区深南大道与科技园路口",
        "location": {"latitude": 22.5405, "longitude": 113.9345},
        "weather": "clear",
        "road_type": "urban_road",
        "description": "等红灯时被后车追尾",
        **overrides,
    }


def party_details(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "张三",
        "id_number": "44030519900101123X",
        "phone": "13800138000",
        "licence_number": "440305199001011234",
        "licence_class": "C1",
        "plate": "粤B12345",
        "vehicle_type": "small_car",
        "insurer_code": "PICC",
        "policy_number": "PDZA2026440300001",
        **overrides,
    }


def statement(
    manoeuvre: str = "straight", damage: str = "front", **overrides: Any
) -> dict[str, Any]:
    return {
        "own_vehicle": {
            "type": "small_car",
            "driver_licence_valid": True,
            "jqx_insured": True,
            "movable": True,
            "manoeuvre": manoeuvre,
            "lane": "lane_2",
            "signal_faced": "red",
            "damage_location": damage,
        },
        "other_vehicle": {"manoeuvre": "stopped_in_queue"},
        "location": {
            "road_type": "urban_road",
            "intersection": "signalized_approach",
            "time": "day",
        },
        "flags": {"injuries": False, "dispute_on_facts": False},
        "narrative": "我方直行，对方停车等候",
        **overrides,
    }
