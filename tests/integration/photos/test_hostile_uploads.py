"""Hostile uploads: each is refused with the right error, quickly, leaving nothing behind."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from adapters.mongo.photos import MongoPhotoRepository
from adapters.photos.inspector import PillowExifInspector, exif_structure_problem
from adapters.photos.local_store import LocalPhotoStore
from settlement.domain.evidence import CaptureContext, Outcome, PhotoSlot
from settlement.errors import (
    CorruptImage,
    EmptyUpload,
    ImageTooLarge,
    MalformedExif,
    PayloadTooLarge,
    PhotoRejected,
    SettlementError,
    UnsupportedMediaType,
)
from settlement.services.evidence import EvidenceService, IngestPhoto
from tests.integration.photos.conftest import stored_files
from tests.integration.photos.scenes import (
    HTML_TRAILER,
    SVG,
    hostile_tiff,
    hostile_tiff_huge_counts,
    jpeg_bytes,
    jpeg_with_raw_exif,
    png_bytes,
    png_claiming,
    scene,
    zip_trailer,
)

NOW = datetime(2026, 3, 1, 2, 10, tzinfo=UTC)


def _jpeg() -> bytes:
    return jpeg_bytes(scene(11, (800, 600)))


def _truncated_jpeg() -> bytes:
    data = _jpeg()
    return data[: len(data) * 2 // 3]


def _truncated_png() -> bytes:
    data = png_bytes(scene(12, (400, 300)))
    return data[: len(data) // 2]


HOSTILE: list[tuple[str, Callable[[], bytes], str | None, type[SettlementError]]] = [
    ("png_20000x20000", lambda: png_claiming(20_000, 20_000), None, ImageTooLarge),
    ("png_48_megapixels", lambda: png_claiming(8_000, 6_000), None, ImageTooLarge),
    ("truncated_jpeg", _truncated_jpeg, None, CorruptImage),
    ("truncated_png", _truncated_png, None, CorruptImage),
    ("jpeg_plus_html", lambda: _jpeg() + HTML_TRAILER, None, PhotoRejected),
    ("jpeg_plus_zip", lambda: _jpeg() + zip_trailer(), None, PhotoRejected),
    ("svg", lambda: SVG, "image/svg+xml", UnsupportedMediaType),
    ("html", lambda: HTML_TRAILER, "image/jpeg", UnsupportedMediaType),
    ("zip", zip_trailer, None, UnsupportedMediaType),
    ("jpeg_declared_png", _jpeg, "image/png", UnsupportedMediaType),
    ("jpeg_declared_html", _jpeg, "text/html", UnsupportedMediaType),
    ("zero_bytes", lambda: b"", "image/jpeg", EmptyUpload),
    ("gif", lambda: b"GIF89a" + b"\x00" * 100, None, UnsupportedMediaType),
    ("exif_ifd_loop", lambda: jpeg_with_raw_exif(hostile_tiff()), None, MalformedExif),
    (
        "exif_huge_counts",
        lambda: jpeg_with_raw_exif(hostile_tiff_huge_counts()),
        None,
        MalformedExif,
    ),
]


def _context() -> CaptureContext:
    return CaptureContext(reported_at=NOW - timedelta(minutes=10), received_at=NOW)


def _command(path: Path, declared: str | None, upload_id: str = "u-1") -> IngestPhoto:
    return IngestPhoto(
        case_id="case-1",
        party="A",
        slot=PhotoSlot.COLLISION_POINT,
        uploader="user-1",
        upload_id=upload_id,
        source=path,
        context=_context(),
        declared_content_type=declared,
    )


@pytest.mark.parametrize(
    ("make", "declared", "error"),
    [pytest.param(make, declared, error, id=name) for name, make, declared, error in HOSTILE],
)
async def test_hostile_upload_is_refused_fast_and_nothing_is_stored(
    make: Callable[[], bytes],
    declared: str | None,
    error: type[SettlementError],
    evidence: EvidenceService,
    local_store: LocalPhotoStore,
    photo_repository: MongoPhotoRepository,
    tmp_path: Path,
) -> None:
    spooled = tmp_path / "spool.bin"
    spooled.write_bytes(make())
    started = time.perf_counter()
    with pytest.raises(error) as raised:
        await evidence.ingest(_command(spooled, declared))
    assert time.perf_counter() - started < 1.0
    assert type(raised.value) is error
    assert stored_files(tmp_path / "uploads") == []
    assert await photo_repository.list_for_case("case-1") == []


async def test_polyglot_rejection_names_the_payload(
    evidence: EvidenceService, tmp_path: Path
) -> None:
    spooled = tmp_path / "spool.jpg"
    spooled.write_bytes(_jpeg() + HTML_TRAILER)
    with pytest.raises(PhotoRejected) as raised:
        await evidence.ingest(_command(spooled, "image/jpeg"))
    reasons = raised.value.details["reasons"]
    assert isinstance(reasons, list)
    assert [r["code"] for r in reasons] == ["EMBEDDED_PAYLOAD"]
    assert "html" in raised.value.message


async def test_oversized_file_is_payload_too_large(
    executor: ThreadPoolExecutor,
    local_store: LocalPhotoStore,
    photo_repository: MongoPhotoRepository,
    tmp_path: Path,
) -> None:
    small_limit = PillowExifInspector(executor, max_bytes=10_000)
    service = EvidenceService(small_limit, local_store, photo_repository)
    spooled = tmp_path / "big.jpg"
    spooled.write_bytes(_jpeg())
    with pytest.raises(PayloadTooLarge):
        await service.ingest(_command(spooled, None))
    assert stored_files(tmp_path / "uploads") == []


def test_pixel_flood_is_refused_from_the_header_without_decoding(
    inspector: PillowExifInspector,
) -> None:
    bomb = png_claiming(20_000, 20_000)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        with pytest.raises(ImageTooLarge) as raised:
            inspector.inspect_sync(bomb)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 0.1
    assert peak < 20 * 1024 * 1024  # 400 MP of RGB would be 1.2 GB
    assert raised.value.code == "IMAGE_TOO_LARGE"


def test_pillow_bomb_warning_is_an_error_even_with_a_generous_own_limit(
    executor: ThreadPoolExecutor,
) -> None:
    # With our own limit out of the way, Pillow's warning (turned into an error) still
    # stops a 100 MP header before decoding.
    lenient = PillowExifInspector(executor, max_pixels=10**10)
    with pytest.raises(ImageTooLarge):
        lenient.inspect_sync(png_claiming(10_000, 10_000))


@pytest.mark.parametrize(
    "tiff", [hostile_tiff(), hostile_tiff_huge_counts()], ids=["ifd_loop", "huge_counts"]
)
async def test_hostile_exif_is_refused_within_bounds(
    tiff: bytes, inspector: PillowExifInspector
) -> None:
    data = jpeg_with_raw_exif(tiff)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        with pytest.raises(MalformedExif) as raised:
            await inspector.inspect(data)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 32 * 1024 * 1024
    assert raised.value.details["problem"]


def test_ifd_cycle_is_named() -> None:
    # IFD0 at offset 8 with no entries whose "next IFD" points back at itself.
    looped = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 0) + struct.pack("<I", 8)
    assert exif_structure_problem(looped) == "IFD loop"


def test_camera_exif_is_structurally_sane() -> None:
    from tests.integration.photos.scenes import exif_for

    block = exif_for(taken_at=NOW, gps=(31.2304, 121.4737), software="HUAWEI").tobytes()
    assert exif_structure_problem(block[6:] if block.startswith(b"Exif") else block) is None


def test_exif_budget_stops_a_runaway_parse(executor: ThreadPoolExecutor) -> None:
    # A budget this small trips on any EXIF block: the point is that the parse ends,
    # and ends as a flag rather than an exception or a hang.
    from tests.integration.photos.scenes import exif_for

    starved = PillowExifInspector(executor, exif_max_reads=5)
    photo = jpeg_bytes(scene(11, (800, 600)), exif=exif_for(taken_at=NOW, gps=(31.23, 121.47)))
    facts = starved.inspect_sync(photo)
    assert facts.exif_error is not None
    assert "budget" in facts.exif_error


async def test_exif_over_budget_is_flagged_not_hung(
    executor: ThreadPoolExecutor,
    local_store: LocalPhotoStore,
    photo_repository: MongoPhotoRepository,
    tmp_path: Path,
) -> None:
    from tests.integration.photos.scenes import exif_for

    starved = PillowExifInspector(executor, exif_max_reads=5)
    service = EvidenceService(starved, local_store, photo_repository)
    spooled = tmp_path / "exif.jpg"
    spooled.write_bytes(
        jpeg_bytes(scene(11, (800, 600)), exif=exif_for(taken_at=NOW, gps=(31.23, 121.47)))
    )
    record = await service.ingest(_command(spooled, "image/jpeg"))
    assert record.verdict.outcome is Outcome.FLAG
    assert "EXIF_UNREADABLE" in record.verdict.codes


def test_derived_copies_are_reencoded_without_metadata_or_payload(
    inspector: PillowExifInspector,
) -> None:
    from tests.integration.photos.scenes import exif_for

    exif = exif_for(taken_at=NOW, gps=(31.2304, 121.4737), software="HUAWEI")
    original = jpeg_bytes(scene(5, (1600, 1200)), exif=exif)
    polyglot = original + HTML_TRAILER
    facts = inspector.inspect_sync(polyglot)
    assert facts.exif_gps is not None
    derived = inspector.derive_sync(polyglot, facts)
    for copy in (derived.privacy_copy, derived.thumbnail):
        assert b"<html" not in copy
        assert b"Exif" not in copy
        assert b"http://ns.adobe.com/xap" not in copy
        with Image.open(io.BytesIO(copy)) as image:
            assert image.format == "JPEG"
            assert image.getexif().get_ifd(0x8825) == {}
            assert "exif" not in image.info
            assert "xmp" not in image.info
    with Image.open(io.BytesIO(derived.thumbnail)) as thumb:
        assert max(thumb.size) <= 320
