"""Which traffic-police jurisdiction reviews an accident, from where it happened.

The table holds district centres (administrative division codes); the nearest centre
within ``MAX_DISTANCE_KM`` wins. A deployment replaces the table with its own boundaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from settlement.domain.geo import GeoPoint, haversine_m

MAX_DISTANCE_KM = 40.0
UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    latitude: float
    longitude: float


DISTRICTS: tuple[District, ...] = (
    District("440303", "深圳市罗湖区", 22.5484, 114.1315),
    District("440304", "深圳市福田区", 22.5410, 114.0550),
    District("440305", "深圳市南山区", 22.5330, 113.9300),
    District("440306", "深圳市宝安区", 22.5550, 113.8830),
    District("440307", "深圳市龙岗区", 22.7200, 114.2470),
    District("310101", "上海市黄浦区", 31.2317, 121.4846),
    District("310104", "上海市徐汇区", 31.1884, 121.4365),
    District("310115", "上海市浦东新区", 31.2215, 121.5447),
    District("110101", "北京市东城区", 39.9288, 116.4163),
    District("110105", "北京市朝阳区", 39.9215, 116.4431),
    District("110108", "北京市海淀区", 39.9597, 116.2982),
)


def jurisdiction_for(latitude: float, longitude: float) -> str:
    """The division code of the nearest district centre, or ``unassigned`` if none is near."""
    place = GeoPoint(latitude, longitude)

    def metres_to(district: District) -> float:
        return haversine_m(place, GeoPoint(district.latitude, district.longitude))

    best = min(DISTRICTS, key=metres_to)
    return UNASSIGNED if metres_to(best) > MAX_DISTANCE_KM * 1000 else best.code


# The traffic police unit that issues determinations for each district (交警大队).
AUTHORITIES: dict[str, str] = {
    "440303": "深圳市公安局交通警察支队罗湖大队",
    "440304": "深圳市公安局交通警察支队福田大队",
    "440305": "深圳市公安局交通警察支队南山大队",
    "440306": "深圳市公安局交通警察支队宝安大队",
    "440307": "深圳市公安局交通警察支队龙岗大队",
    "310101": "上海市公安局交通警察总队黄浦支队",
    "310104": "上海市公安局交通警察总队徐汇支队",
    "310115": "上海市公安局交通警察总队浦东支队",
    "110101": "北京市公安局公安交通管理局东城交通支队",
    "110105": "北京市公安局公安交通管理局朝阳交通支队",
    "110108": "北京市公安局公安交通管理局海淀交通支队",
}


def issuing_authority(code: str, configured: Mapping[str, str] | None = None) -> str:
    """The full name of the unit that issues a district's determinations.

    ``configured`` (from the deployment's settings) overrides the built-in table; an
    unknown district reads as its name plus 公安机关交通管理部门.
    """
    if configured and code in configured:
        return configured[code]
    return AUTHORITIES.get(code) or f"{district_name(code)}公安机关交通管理部门"


def district_name(code: str) -> str:
    for district in DISTRICTS:
        if district.code == code:
            return district.name
    return code


ADMISSIBLE_REASONS: frozenset[str] = frozenset({"non_motor_party", "more_than_two_vehicles"})
"""Exclusions a local rule may admit to online police determination (eligibility G15, G16)."""

EVERY_DISTRICT = "*"


@dataclass(frozen=True, slots=True)
class LocalAdmissions:
    """Which jurisdictions' local rules admit otherwise excluded cases to online police review.

    ``by_district`` maps a division code (or ``*`` for every district) to reason codes from
    :data:`ADMISSIBLE_REASONS`. Nowhere admitted is the national default.
    """

    by_district: tuple[tuple[str, frozenset[str]], ...] = ()

    def admitted(self, district: str) -> frozenset[str]:
        """The reasons admitted for cases of ``district``."""
        found: frozenset[str] = frozenset()
        for code, reasons in self.by_district:
            if code in (district, EVERY_DISTRICT):
                found |= reasons
        return found

    @classmethod
    def parse(cls, raw: str) -> LocalAdmissions:
        """Read ``"440304=non_motor_party+more_than_two_vehicles,*=non_motor_party"``.

        Raises:
            ValueError: an entry is malformed, a district is unknown or listed twice, or a
                reason is not admissible.
        """
        known = {d.code for d in DISTRICTS} | {EVERY_DISTRICT}
        entries: dict[str, frozenset[str]] = {}
        for entry in filter(None, (part.strip() for part in raw.split(","))):
            code, sep, names = entry.partition("=")
            code = code.strip()
            reasons = frozenset(filter(None, (n.strip() for n in names.split("+"))))
            if not sep or not reasons:
                raise ValueError("entries look like DISTRICT=reason+reason, separated by commas")
            if code not in known:
                raise ValueError(f"unknown district {code!r}")
            if code in entries:
                raise ValueError(f"district {code} is listed twice")
            unknown = reasons - ADMISSIBLE_REASONS
            if unknown:
                allowed = sorted(ADMISSIBLE_REASONS)
                raise ValueError(f"{sorted(unknown)} cannot be admitted; choose from {allowed}")
            entries[code] = reasons
        return cls(tuple(entries.items()))
