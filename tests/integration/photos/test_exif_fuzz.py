"""Damaged EXIF never escapes as anything but a 4xx-mapped error: random byte flips in a
real camera-like EXIF block, through the whole inspector (structure check, exifread, tag
readers, time and GPS extraction)."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from adapters.photos.inspector import PillowExifInspector
from settlement.errors import SettlementError
from tests.integration.photos.scenes import exif_for, jpeg_bytes

_INSPECTOR = PillowExifInspector(ThreadPoolExecutor(max_workers=1), max_pixels=40_000_000)


@functools.cache
def _base() -> tuple[bytes, int, int]:
    """A small JPEG with time, offset and GPS tags, and where its TIFF block lies."""
    exif = exif_for(taken_at=datetime(2026, 11, 20, 0, 33, tzinfo=UTC), gps=(22.54, 113.93),
                    software="HUAWEI Camera")  # fmt: skip
    data = jpeg_bytes(Image.new("RGB", (64, 48), (90, 120, 150)), exif=exif)
    start = data.index(b"Exif\x00\x00") + 6
    length = int.from_bytes(data[start - 8 : start - 6], "big") - 8
    return data, start, length


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=12))
def test_flipped_exif_bytes_give_facts_or_a_clear_refusal(flips: list[tuple[int, int]]) -> None:
    data, start, length = _base()
    damaged = bytearray(data)
    for offset, value in flips:
        damaged[start + offset % length] = value
    try:
        facts = _INSPECTOR.inspect_sync(bytes(damaged))
    except SettlementError:
        return  # MalformedExif, CorruptImage …: a 4xx with a code
    assert facts.sha256
