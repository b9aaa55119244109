"""Points on the map and the distance between them."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


@dataclass(frozen=True, slots=True)
class GeoPoint:
    latitude: float
    longitude: float


def haversine_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in metres between two WGS-84 points.

    GCJ-02 coordinates from WeChat differ from WGS-84 EXIF fixes by a few hundred metres;
    callers must convert to one datum first or allow for it in the thresholds.
    """
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlng = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
