"""Which traffic-police jurisdiction reviews an accident, from where it happened.

The table holds district centres (administrative division codes); the nearest centre
within ``MAX_DISTANCE_KM`` wins. A deployment replaces the table with its own boundaries.
"""

from __future__ import annotations

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


def district_name(code: str) -> str:
    for district in DISTRICTS:
        if district.code == code:
            return district.name
    return code
