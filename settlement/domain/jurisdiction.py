"""Which traffic-police jurisdiction reviews an accident, from where it happened.

The table holds district centres (administrative division codes); the nearest centre
within ``MAX_DISTANCE_KM`` wins. A deployment replaces the table with its own boundaries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    radius = 6371.0088
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def jurisdiction_for(latitude: float, longitude: float) -> str:
    """The division code of the nearest district centre, or ``unassigned`` if none is near."""
    best = min(DISTRICTS, key=lambda d: distance_km(latitude, longitude, d.latitude, d.longitude))
    if distance_km(latitude, longitude, best.latitude, best.longitude) > MAX_DISTANCE_KM:
        return UNASSIGNED
    return best.code


def district_name(code: str) -> str:
    for district in DISTRICTS:
        if district.code == code:
            return district.name
    return code
