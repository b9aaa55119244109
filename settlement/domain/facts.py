"""The accident facts document: parsing, validation and the typed value it becomes.

The liability engine decides from one JSON document describing a two-party accident (see
``accident-facts.md`` in the shared domain notes). :func:`parse_facts` turns the decoded JSON
(a ``dict``) into frozen dataclasses, or raises :class:`~settlement.errors.InvalidInput` naming
the first offending field as a dotted path (``details["field"]``, e.g. ``"vehicles.B.manoeuvre"``).

Contract:
    * Extra keys are ignored, so newer clients can send more than this version reads.
    * A missing optional key means "not stated" and becomes ``None`` (or an empty set); the
      engine never reads an unstated fact as ``False``.
    * ``vehicles.A`` is always required; ``vehicles.B`` is required unless
      ``flags.single_vehicle`` is ``true``.

Besides the published vocabulary, a few optional keys are read because some catalogue
scenarios (emergency and works vehicles, narrow roads, loads, overtaking order, priority from
the right) cannot be expressed otherwise. They are listed in ``VEHICLE_EXTENSION_KEYS``,
``LOCATION_EXTENSION_KEYS`` and ``FLAG_EXTENSION_KEYS`` and validated the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from typing import Any, Literal, cast, get_args

from settlement.errors import InvalidInput

# --- vocabulary ----------------------------------------------------------------------

PartyLabel = Literal["A", "B"]
PARTIES: tuple[PartyLabel, PartyLabel] = ("A", "B")

RoadType = Literal[
    "urban_road",
    "suburban_road",
    "highway",
    "urban_expressway",
    "urban_one_way_street",
    "two_way_road",
    "parking_lot",
    "roadside_marked_parking",
]
Intersection = Literal[
    "none",
    "signalized",
    "signalized_approach",
    "signalized_no_arrow",
    "signalized_with_guide_lanes",
    "uncontrolled_no_signs",
    "uncontrolled_with_priority_signs",
    "roundabout",
    "side_road_junction",
    "on_ramp_merge",
    "lane_reduction",
    "private_access",
]
TimeOfDay = Literal["day", "night"]
Gradient = Literal["uphill"]
CentreLine = Literal["broken", "double_solid_yellow"]
LaneLine = Literal["broken"]
DedicatedLane = Literal["bus_lane_in_force"]
NarrowSection = Literal["obstacle_section", "narrow_slope", "narrow_mountain_road"]
SiteFeature = Literal[
    "narrow_bridge",
    "sharp_bend",
    "steep_slope",
    "tunnel",
    "level_crossing",
    "crosswalk",
    "busy_urban_section",
]

VehicleType = Literal[
    "small_car",
    "light_truck",
    "bus",
    "hazmat_tanker",
    "motorcycle",
    "e_bike",
    "bicycle",
    "pedestrian_none",
]
# Parties that are not motor vehicles: quick handling covers two motor vehicles only.
NON_MOTOR_TYPES: frozenset[str] = frozenset({"e_bike", "bicycle", "pedestrian_none"})
Plate = Literal["valid", "none", "forged"]
Manoeuvre = Literal[
    "straight",
    "straight_on_major_road",
    "straight_from_minor_road",
    "stationary",
    "stopped_in_queue",
    "stopped_broken_down_in_lane",
    "parked_lawfully_unattended",
    "reversing",
    "reversing_out_of_bay",
    "rolling_back",
    "door_opening",
    "lane_change_left",
    "lane_change_right",
    "lane_change_into_bus_lane",
    "cutting_into_queue",
    "overtaking",
    "overtaking_on_right",
    "overtaking_across_centre_line",
    "left_turn",
    "right_turn",
    "u_turn",
    "wrong_way",
    "entering_roundabout",
    "circulating_in_roundabout",
    "merging_from_ramp",
    "entering_road_from_private_access",
    "pulling_out_from_parking",
    "parking_in",
    "deliberate_sudden_braking",
]
Signal = Literal["green", "red", "green_arrow_left", "stop_sign", "none", "claimed_green"]
Indicator = Literal["left", "right"]
DamageLocation = Literal[
    "front",
    "rear",
    "left_front",
    "right_front",
    "left_rear",
    "right_rear",
    "left_side",
    "right_side",
    "left_front_corner",
    "left_front_door",
    "right_rear_door",
    "left_side_and_front",
    "front_structural",
    "bonnet_windscreen",
    "none",
]
# Where this vehicle was relative to the other one just before the collision.
Position = Literal[
    "behind", "ahead", "alongside_left", "alongside_right", "oncoming", "from_left", "from_right"
]
SlopeDirection = Literal["uphill", "downhill"]
# Where this vehicle came from, seen from the other party's driving seat (让右方来车先行).
ApproachFrom = Literal["right", "left", "opposite", "behind", "same_direction"]
# How the other party states the same approach: "from your right" is "from my left".
APPROACH_COMPLEMENT: Mapping[str, str] = {"right": "left", "left": "right", "opposite": "opposite"}

def _allowed(literal: object) -> frozenset[str]:
    return frozenset(cast(tuple[str, ...], get_args(literal)))


_ROAD_TYPES = _allowed(RoadType)
_INTERSECTIONS = _allowed(Intersection)
_TIMES = _allowed(TimeOfDay)
_GRADIENTS = _allowed(Gradient)
_CENTRE_LINES = _allowed(CentreLine)
_LANE_LINES = _allowed(LaneLine)
_DEDICATED_LANES = _allowed(DedicatedLane)
_NARROW_SECTIONS = _allowed(NarrowSection)
_SITE_FEATURES = _allowed(SiteFeature)
_VEHICLE_TYPES = _allowed(VehicleType)
_PLATES = _allowed(Plate)
_MANOEUVRES = _allowed(Manoeuvre)
_SIGNALS = _allowed(Signal)
_INDICATORS = _allowed(Indicator)
_DAMAGE_LOCATIONS = _allowed(DamageLocation)
_POSITIONS = _allowed(Position)
_SLOPE_DIRECTIONS = _allowed(SlopeDirection)
_APPROACHES = _allowed(ApproachFrom)

VEHICLE_EXTENSION_KEYS: frozenset[str] = frozenset(
    {
        "position",
        "tail_lights_on",
        "over_length_unmarked",
        "entered_junction_first",
        "entered_narrow_section_first",
        "obstacle_on_own_side",
        "slope_direction",
        "mountain_side",
        "emergency_vehicle_on_duty",
        "works_vehicle_operating",
        "load_spilled",
        "load_improper",
        "ignored_police_direction",
        "crossed_solid_line",
        "left_scene",
        "intentional",
        "commercial_third_party_insured",
    }
)
LOCATION_EXTENSION_KEYS: frozenset[str] = frozenset({"narrow_section", "site_features"})
FLAG_EXTENSION_KEYS: frozenset[str] = frozenset({"unavoidable_event", "crime_suspected"})

# A lane is a label or a move "from->to"; labels are short snake_case words.
_LANE_LABEL = re.compile(r"[a-z0-9_]{1,40}")
# A sign names its party as "..._for_A" or "..._for_A_direction"; other signs apply to all.
_LIST_ENTRY = re.compile(r"[A-Za-z0-9_]{1,60}")
_PARTY_SIGN = re.compile(r"(?P<base>[a-z0-9_]+?)_for_(?P<party>[AB])(?:_direction)?")
_MAX_DAMAGE_ESTIMATE = Decimal(10_000_000)
_MAX_COVER = Decimal(100_000_000)
MAX_VEHICLE_COUNT = 50


# --- the typed document ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location:
    """Where the collision happened. Every field is ``None`` (or empty) when not stated.

    ``signs_for_A``/``signs_for_B`` hold the signs that bind each party, with the party
    marker removed (``stop_sign_for_A`` → ``stop_sign`` for A) plus every sign that names
    no party.
    """

    road_type: RoadType | None = None
    intersection: Intersection | None = None
    time: TimeOfDay | None = None
    street_lighting: bool | None = None
    gradient: Gradient | None = None
    centre_line: CentreLine | None = None
    lane_line: LaneLine | None = None
    lanes_same_direction: int | None = None
    dedicated_lane: DedicatedLane | None = None
    markings: frozenset[str] = frozenset()
    signs: tuple[str, ...] = ()
    u_turn_permitted: bool | None = None
    narrow_section: NarrowSection | None = None
    site_features: frozenset[str] = frozenset()
    signs_for_A: frozenset[str] = frozenset()
    signs_for_B: frozenset[str] = frozenset()
    vehicle_count: int | None = None


@dataclass(frozen=True, slots=True)
class Flags:
    """Scene-level facts that decide eligibility. ``None`` means not stated."""

    injuries: bool | None = None
    deaths: bool | None = None
    public_facility_damage: bool | None = None
    party_left_scene: bool | None = None
    intentional_evidence: bool | None = None
    dispute_on_facts: bool | None = None
    single_vehicle: bool | None = None
    unavoidable_event: bool | None = None
    crime_suspected: bool | None = None


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One party's vehicle, driver and manoeuvre. ``None`` means not stated.

    ``lane_from``/``lane_to`` split a ``from->to`` lane move; for a plain label both equal it.
    """

    label: PartyLabel
    type: VehicleType | None = None
    driver_licence_valid: bool | None = None
    licence_class_matches: bool | None = None
    alcohol_or_drugs_suspected: bool | None = None
    plate: Plate | None = None
    jqx_insured: bool | None = None
    insurance_sticker_or_e_policy: bool | None = None
    inspection_valid: bool | None = None
    movable: bool | None = None
    carrying_dangerous_goods: bool | None = None
    passenger_overload_or_severe_speeding_suspected: bool | None = None
    owner_present: bool | None = None
    manoeuvre: Manoeuvre | None = None
    lane: str | None = None
    lane_from: str | None = None
    lane_to: str | None = None
    signal_faced: Signal | None = None
    indicator: Indicator | None = None
    hazard_lights: bool | None = None
    warning_triangle: bool | None = None
    dashcam: bool | None = None
    damage_location: DamageLocation | None = None
    damage_estimate_cny: Decimal | None = None
    approach_from: ApproachFrom | None = None
    load_shed: bool | None = None
    commercial_third_party_cover: bool | None = None
    commercial_third_party_cover_cny: Decimal | None = None
    own_damage_cover: bool | None = None
    position: Position | None = None
    tail_lights_on: bool | None = None
    over_length_unmarked: bool | None = None
    entered_junction_first: bool | None = None
    entered_narrow_section_first: bool | None = None
    obstacle_on_own_side: bool | None = None
    slope_direction: SlopeDirection | None = None
    mountain_side: bool | None = None
    emergency_vehicle_on_duty: bool | None = None
    works_vehicle_operating: bool | None = None
    load_spilled: bool | None = None
    load_improper: bool | None = None
    ignored_police_direction: bool | None = None
    crossed_solid_line: bool | None = None
    left_scene: bool | None = None
    intentional: bool | None = None
    commercial_third_party_insured: bool | None = None


@dataclass(frozen=True, slots=True)
class AccidentFacts:
    """A validated facts document. ``vehicles`` always has ``"A"``; ``"B"`` unless single."""

    location: Location
    flags: Flags
    vehicles: Mapping[PartyLabel, Vehicle]
    # The labels present, in order (("A",) or ("A", "B")); computed once, read on hot paths.
    parties: tuple[PartyLabel, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parties", tuple(p for p in PARTIES if p in self.vehicles))


# --- field readers --------------------------------------------------------------------


def _fail(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", field=field)


def _mapping(raw: object, field: str) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise _fail(field, "must be an object")
    return cast(Mapping[str, object], raw)


def _bool(raw: Mapping[str, object], key: str, prefix: str) -> bool | None:
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise _fail(f"{prefix}.{key}", "must be true or false")


def _choice(
    raw: Mapping[str, object], key: str, allowed: frozenset[str], prefix: str
) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value in allowed:
        return value
    raise _fail(f"{prefix}.{key}", f"unknown value {value!r}; expected one of {sorted(allowed)}")


def _choice_set(
    raw: Mapping[str, object], key: str, allowed: frozenset[str] | None, prefix: str
) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    field = f"{prefix}.{key}"
    if not isinstance(value, list):
        raise _fail(field, "must be a list of strings")
    for item in value:
        if not isinstance(item, str) or not _LIST_ENTRY.fullmatch(item):
            raise _fail(field, f"invalid entry {item!r}")
        if allowed is not None and item not in allowed:
            raise _fail(field, f"unknown value {item!r}; expected one of {sorted(allowed)}")
    return tuple(cast(list[str], value))


def _positive_int(
    raw: Mapping[str, object], key: str, prefix: str, maximum: int = 20
) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= maximum:
        return value
    raise _fail(f"{prefix}.{key}", f"must be an integer from 1 to {maximum}")


def _amount(
    raw: Mapping[str, object], key: str, prefix: str, maximum: Decimal = _MAX_DAMAGE_ESTIMATE
) -> Decimal | None:
    value = raw.get(key)
    if value is None:
        return None
    field = f"{prefix}.{key}"
    # bool is an int subclass; "true" yuan is a type error, not 1 yuan.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(field, "must be a number of yuan")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _fail(field, "must be a number of yuan") from None
    if not amount.is_finite() or amount < 0 or amount > maximum:
        raise _fail(field, f"must be between 0 and {maximum:,} yuan")
    return amount


def _cover(obj: Mapping[str, object], prefix: str) -> tuple[bool | None, Decimal | None]:
    """商业三者险: whether there is one and its sum insured, which must not contradict."""
    has_cover = _bool(obj, "commercial_third_party_cover", prefix)
    amount = _amount(obj, "commercial_third_party_cover_cny", prefix, _MAX_COVER)
    if has_cover is False and amount:
        raise _fail(f"{prefix}.commercial_third_party_cover_cny",
                    "states a sum insured although commercial_third_party_cover is false")
    return has_cover, amount


def _lane(raw: Mapping[str, object], prefix: str) -> tuple[str | None, str | None, str | None]:
    value = raw.get("lane")
    if value is None:
        return None, None, None
    field = f"{prefix}.lane"
    if not isinstance(value, str):
        raise _fail(field, "must be a lane label or a move 'from->to'")
    parts = value.split("->")
    if len(parts) > 2 or not all(_LANE_LABEL.fullmatch(p) for p in parts):
        raise _fail(field, f"invalid lane {value!r}; use a label or 'from->to'")
    return value, parts[0], parts[-1]


_VEHICLE_BOOLS: tuple[str, ...] = (
    "driver_licence_valid",
    "licence_class_matches",
    "alcohol_or_drugs_suspected",
    "jqx_insured",
    "insurance_sticker_or_e_policy",
    "inspection_valid",
    "movable",
    "carrying_dangerous_goods",
    "passenger_overload_or_severe_speeding_suspected",
    "owner_present",
    "hazard_lights",
    "warning_triangle",
    "dashcam",
    "tail_lights_on",
    "over_length_unmarked",
    "entered_junction_first",
    "entered_narrow_section_first",
    "obstacle_on_own_side",
    "mountain_side",
    "emergency_vehicle_on_duty",
    "works_vehicle_operating",
    "load_spilled",
    "load_improper",
    "ignored_police_direction",
    "crossed_solid_line",
    "left_scene",
    "intentional",
    "commercial_third_party_insured",
    "load_shed",
    "own_damage_cover",
)
_VEHICLE_CHOICES: tuple[tuple[str, frozenset[str]], ...] = (
    ("type", _VEHICLE_TYPES),
    ("plate", _PLATES),
    ("manoeuvre", _MANOEUVRES),
    ("signal_faced", _SIGNALS),
    ("indicator", _INDICATORS),
    ("damage_location", _DAMAGE_LOCATIONS),
    ("position", _POSITIONS),
    ("slope_direction", _SLOPE_DIRECTIONS),
    ("approach_from", _APPROACHES),
)
_FLAG_KEYS: tuple[str, ...] = (
    "injuries",
    "deaths",
    "public_facility_damage",
    "party_left_scene",
    "intentional_evidence",
    "dispute_on_facts",
    "single_vehicle",
    "unavoidable_event",
    "crime_suspected",
)


def parse_vehicle(raw: object, label: PartyLabel, prefix: str) -> Vehicle:
    """Validate one vehicle object.

    Args:
        raw: the decoded JSON object for the vehicle.
        label: the party letter the vehicle belongs to.
        prefix: dotted path used in error messages, e.g. ``"vehicles.A"``.

    Raises:
        InvalidInput: a field has the wrong type or an unknown value (``details["field"]``).
    """
    obj = _mapping(raw, prefix)
    kwargs: dict[str, object] = {"label": label}
    for key in _VEHICLE_BOOLS:
        kwargs[key] = _bool(obj, key, prefix)
    for key, allowed in _VEHICLE_CHOICES:
        kwargs[key] = _choice(obj, key, allowed, prefix)
    kwargs["lane"], kwargs["lane_from"], kwargs["lane_to"] = _lane(obj, prefix)
    kwargs["damage_estimate_cny"] = _amount(obj, "damage_estimate_cny", prefix)
    if kwargs["load_shed"] is None and kwargs["load_spilled"] is True:
        kwargs["load_shed"] = True  # the older extension key says the same thing
    cover = _cover(obj, prefix)
    kwargs["commercial_third_party_cover"], kwargs["commercial_third_party_cover_cny"] = cover
    return Vehicle(**kwargs)  # type: ignore[arg-type]  # keys and types checked above


def parse_location(raw: object, prefix: str = "location") -> Location:
    """Validate the ``location`` object (see :func:`parse_vehicle` for the error contract)."""
    obj = _mapping(raw, prefix)
    signs = _choice_set(obj, "signs", None, prefix)
    general: set[str] = set()
    by_party: dict[str, set[str]] = {"A": set(), "B": set()}
    for sign in signs:
        match = _PARTY_SIGN.fullmatch(sign)
        if match is None:
            general.add(sign)
        else:
            by_party[match["party"]].add(match["base"])
    return Location(
        road_type=cast(RoadType | None, _choice(obj, "road_type", _ROAD_TYPES, prefix)),
        intersection=cast(
            Intersection | None, _choice(obj, "intersection", _INTERSECTIONS, prefix)
        ),
        time=cast(TimeOfDay | None, _choice(obj, "time", _TIMES, prefix)),
        street_lighting=_bool(obj, "street_lighting", prefix),
        gradient=cast(Gradient | None, _choice(obj, "gradient", _GRADIENTS, prefix)),
        centre_line=cast(CentreLine | None, _choice(obj, "centre_line", _CENTRE_LINES, prefix)),
        lane_line=cast(LaneLine | None, _choice(obj, "lane_line", _LANE_LINES, prefix)),
        lanes_same_direction=_positive_int(obj, "lanes_same_direction", prefix),
        dedicated_lane=cast(
            DedicatedLane | None, _choice(obj, "dedicated_lane", _DEDICATED_LANES, prefix)
        ),
        markings=frozenset(_choice_set(obj, "markings", None, prefix)),
        signs=signs,
        u_turn_permitted=_bool(obj, "u_turn_permitted", prefix),
        narrow_section=cast(
            NarrowSection | None, _choice(obj, "narrow_section", _NARROW_SECTIONS, prefix)
        ),
        site_features=frozenset(_choice_set(obj, "site_features", _SITE_FEATURES, prefix)),
        signs_for_A=frozenset(general | by_party["A"]),
        signs_for_B=frozenset(general | by_party["B"]),
        vehicle_count=_positive_int(obj, "vehicle_count", prefix, MAX_VEHICLE_COUNT),
    )


def parse_flags(raw: object, prefix: str = "flags") -> Flags:
    """Validate the ``flags`` object (see :func:`parse_vehicle` for the error contract)."""
    obj = _mapping(raw, prefix)
    return Flags(**{key: _bool(obj, key, prefix) for key in _FLAG_KEYS})


def parse_facts(document: object) -> AccidentFacts:
    """Validate a decoded facts document and return it as :class:`AccidentFacts`.

    Args:
        document: the JSON-decoded document (normally a ``dict``).

    Returns:
        The typed facts. The input is not modified.

    Raises:
        InvalidInput: the document is not an object, a vehicle is missing, or a field has
            the wrong type or an unknown value. ``details["field"]`` names the field.
    """
    root = _mapping(document, "$")
    location = parse_location(root.get("location", {}))
    flags = parse_flags(root.get("flags", {}))
    if "vehicles" not in root:
        raise _fail("vehicles", "is required")
    raw_vehicles = _mapping(root["vehicles"], "vehicles")
    vehicles: dict[PartyLabel, Vehicle] = {}
    for label in PARTIES:
        prefix = f"vehicles.{label}"
        if label not in raw_vehicles:
            if label == "B" and flags.single_vehicle:
                continue
            raise _fail(prefix, "is required")
        vehicles[label] = parse_vehicle(raw_vehicles[label], label, prefix)
    return AccidentFacts(location=location, flags=flags, vehicles=vehicles)


def attribute_reader(names: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function reading every (dotted) attribute in ``names`` of an object at once, as a
    tuple: one C call for all of them, for checks that look at many facts per decision."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()


def other_party(label: PartyLabel) -> PartyLabel:
    """The other party's letter."""
    return "B" if label == "A" else "A"
