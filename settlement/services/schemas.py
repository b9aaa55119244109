"""Request and response schemas of the drivers' API (JSON Schema 2020-12).

The validator enforces these and the OpenAPI document publishes them. The statement
vocabulary is that of the accident facts document the liability engine reads.
"""

from __future__ import annotations

from typing import Any, get_args

from settlement.domain import facts
from settlement.domain.case import CaseStatus
from settlement.domain.evidence import PhotoSlot
from settlement.domain.timeline import YEAR_PATTERN

Schema = dict[str, Any]


def _values(literal: object) -> list[str]:
    return [str(value) for value in get_args(literal)]


# The statement vocabulary is the facts document's own (settlement.domain.facts).
ROAD_TYPES = _values(facts.RoadType)
INTERSECTIONS = _values(facts.Intersection)
WEATHER = ["clear", "cloudy", "rain", "heavy_rain", "snow", "fog", "haze", "wind"]
VEHICLE_TYPES = _values(facts.VehicleType)
MANOEUVRES = _values(facts.Manoeuvre)
SIGNALS = _values(facts.Signal)
DAMAGE_LOCATIONS = _values(facts.DamageLocation)
APPROACHES = _values(facts.ApproachFrom)
LICENCE_CLASSES = ["A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "D", "E"]


def _string(max_length: int = 200, pattern: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "minLength": 1, "maxLength": max_length}
    if pattern is not None:
        # JSON Schema patterns match anywhere unless anchored.
        schema["pattern"] = f"^(?:{pattern})$"
    return schema


def _boolean() -> Schema:
    return {"type": "boolean"}


def _enum(values: list[str]) -> Schema:
    return {"type": "string", "enum": values}


GEO_POINT: Schema = {
    "type": "object",
    "required": ["latitude", "longitude"],
    "additionalProperties": False,
    "properties": {
        "latitude": {"type": "number", "minimum": -90, "maximum": 90},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
    },
}

WECHAT_LOGIN: Schema = {
    "type": "object",
    "required": ["code"],
    "additionalProperties": False,
    "properties": {"code": _string(128, pattern=r"[A-Za-z0-9_\-]+")},
}

CREATE_CASE: Schema = {
    "type": "object",
    "required": ["occurred_at", "address", "location", "weather", "road_type", "description"],
    "additionalProperties": False,
    "properties": {
        # The pattern publishes the plausible years the validator enforces.
        "occurred_at": {
            "type": "string", "format": "date-time", "maxLength": 40,
            "pattern": f"^{YEAR_PATTERN}-",
        },
        "address": _string(200),
        "location": GEO_POINT,
        "weather": _enum(WEATHER),
        "road_type": _enum(ROAD_TYPES),
        "description": _string(2000),
    },
}

PHONE_CODE: Schema = WECHAT_LOGIN
"""A ``getPhoneNumber`` button code has the shape of a login code."""

RECONSIDERATION_REQUEST: Schema = {
    "type": "object",
    "required": ["reason"],
    "additionalProperties": False,
    # 程序规定第七十一条: the request states what is asked and why.
    "properties": {"reason": _string(1000, pattern=r"[\s\S]*\S[\s\S]*")},
}

MEDIATION_REQUEST: Schema = {
    "type": "object",
    "required": ["reason"],
    "additionalProperties": False,
    # What is disputed about the compensation, for the court's mediator.
    "properties": {"reason": _string(500, pattern=r"[\s\S]*\S[\s\S]*")},
}

JOIN_CASE: Schema = {
    "type": "object",
    "required": ["code"],
    "additionalProperties": False,
    "properties": {"code": _string(16, pattern=r"[0-9]{6,12}")},
}

PARTY_DETAILS: Schema = {
    "type": "object",
    "required": [
        "name",
        "id_number",
        "phone",
        "licence_number",
        "licence_class",
        "plate",
        "vehicle_type",
        "insurer_code",
        "policy_number",
    ],
    "additionalProperties": False,
    "properties": {
        "name": _string(40),
        "id_number": _string(18, pattern=r"[0-9]{17}[0-9Xx]"),
        "phone": _string(11, pattern=r"1[3-9][0-9]{9}"),
        "licence_number": _string(18, pattern=r"[0-9A-Za-z]{12,18}"),
        "licence_class": _enum(LICENCE_CLASSES),
        # The plate's shape (province character, letter, 5–6 characters) is checked by
        # the service: a CJK range in a published pattern breaks common generators.
        "plate": {"type": "string", "minLength": 7, "maxLength": 8},
        "vehicle_type": _enum(VEHICLE_TYPES),
        "insurer_code": _string(32, pattern=r"[A-Za-z0-9_\-]+"),
        "policy_number": _string(40, pattern=r"[A-Za-z0-9\-]+"),
    },
}

VEHICLE_FACTS: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "type": _enum(VEHICLE_TYPES),
        "driver_licence_valid": _boolean(),
        "licence_class_matches": _boolean(),
        "alcohol_or_drugs_suspected": _boolean(),
        "plate": _enum(["valid", "none"]),
        "jqx_insured": _boolean(),
        "insurance_sticker_or_e_policy": _boolean(),
        "inspection_valid": _boolean(),
        "movable": _boolean(),
        "carrying_dangerous_goods": _boolean(),
        "passenger_overload_or_severe_speeding_suspected": _boolean(),
        "owner_present": _boolean(),
        "manoeuvre": _enum(MANOEUVRES),
        "lane": _string(60, pattern=r"[a-z0-9_]+(->[a-z0-9_]+)?"),
        "signal_faced": _enum(SIGNALS),
        "indicator": _enum(_values(facts.Indicator)),
        "hazard_lights": _boolean(),
        "warning_triangle": _boolean(),
        "dashcam": _boolean(),
        "damage_location": _enum(DAMAGE_LOCATIONS),
        "damage_estimate_cny": {"type": "number", "minimum": 0, "maximum": 10_000_000},
        "approach_from": _enum(APPROACHES),
        "load_shed": _boolean(),
        "commercial_third_party_cover": _boolean(),
        "commercial_third_party_cover_cny": {
            "type": "number", "minimum": 0, "maximum": 100_000_000
        },
        "own_damage_cover": _boolean(),
    },
}

SCENE_FACTS: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "road_type": _enum(ROAD_TYPES),
        "intersection": _enum(INTERSECTIONS),
        "time": _enum(_values(facts.TimeOfDay)),
        "street_lighting": _boolean(),
        "gradient": _enum(["uphill"]),
        "centre_line": _enum(["broken", "double_solid_yellow"]),
        "lane_line": _enum(["broken"]),
        "lanes_same_direction": {"type": "integer", "minimum": 1, "maximum": 12},
        "dedicated_lane": _enum(["bus_lane_in_force"]),
        "markings": {"type": "array", "maxItems": 10, "items": _string(60)},
        "signs": {"type": "array", "maxItems": 10, "items": _string(60)},
        "u_turn_permitted": _boolean(),
        "vehicle_count": {"type": "integer", "minimum": 1, "maximum": facts.MAX_VEHICLE_COUNT},
    },
}

FLAGS: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        name: _boolean()
        for name in (
            "injuries",
            "deaths",
            "public_facility_damage",
            "party_left_scene",
            "intentional_evidence",
            "dispute_on_facts",
            "single_vehicle",
        )
    },
}

STATEMENT: Schema = {
    "type": "object",
    "required": ["own_vehicle", "flags"],
    "additionalProperties": False,
    "properties": {
        "own_vehicle": VEHICLE_FACTS,
        "other_vehicle": VEHICLE_FACTS,
        "location": SCENE_FACTS,
        "flags": FLAGS,
        "narrative": {"type": "string", "maxLength": 2000},
    },
}

PROBLEM: Schema = {
    "type": "object",
    "required": ["type", "title", "status", "code", "message"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "object"},
        "request_id": {"type": "string"},
    },
}

CASE_STATUSES = [status.value for status in CaseStatus]

SIGN_AGREEMENT: Schema = {
    "type": "object",
    "required": ["confirmation", "terms_sha256"],
    "additionalProperties": False,
    "properties": {
        # The one-time confirmation from POST .../signature-request (URL-safe base64).
        "confirmation": _string(100, pattern=r"[A-Za-z0-9_\-]{16,100}"),
        # The hash of the terms shown to the party: a signature binds to exactly these.
        "terms_sha256": _string(64, pattern=r"[0-9a-f]{64}"),
    },
}

DECLINE_PROPOSAL: Schema = {
    "type": "object",
    "required": ["reason"],
    "additionalProperties": False,
    "properties": {"reason": _string(500)},
}


PHOTO_UPLOAD_FORM: Schema = {
    # wx.uploadFile's multipart form: the image in ``file``, the rest as text fields.
    "type": "object",
    "required": ["file", "slot", "upload_id"],
    "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "JPEG, PNG or WebP; read by its bytes, not its name or type"},
        "slot": _enum([slot.value for slot in PhotoSlot]),
        "upload_id": {**_string(128, pattern=r"[A-Za-z0-9_\-]+"),
                      "description": "one per photo, reused on retries"},
        "captured_at": {"type": "string", "format": "date-time", "maxLength": 40,
                        "pattern": f"^{YEAR_PATTERN}-"},
        "latitude": {"type": "number", "minimum": -90, "maximum": 90},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        "nonce": {"type": "string", "maxLength": 1000},
    },
}  # fmt: skip

