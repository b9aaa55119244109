"""EvidenceService end to end over the real inspector, a local store and real Mongo."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from adapters.mongo.photos import MongoPhotoRepository
from adapters.photos.local_store import LocalPhotoStore
from settlement.domain.evidence import CaptureContext, GeoPoint, Outcome, PhotoSlot
from settlement.errors import IdempotencyKeyReused, PhotoRejected
from settlement.services.evidence import EvidenceService, IngestPhoto
from tests.integration.photos.conftest import stored_files
from tests.integration.photos.scenes import exif_for, jpeg_bytes, scene

ACCIDENT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
PLACE = (31.2304, 121.4737)


def context(**overrides: object) -> CaptureContext:
    values: dict[str, object] = {
        "reported_at": ACCIDENT,
        "received_at": ACCIDENT + timedelta(minutes=15),
        "reported_place": GeoPoint(*PLACE),
        "expected_nonce": "nonce-1",
        "presented_nonce": "nonce-1",
    }
    values.update(overrides)
    return CaptureContext(**values)  # type: ignore[arg-type]


def scene_photo(seed: int, *, taken_at: datetime | None = None) -> bytes:
    exif = exif_for(taken_at=taken_at or ACCIDENT + timedelta(minutes=3), gps=PLACE)
    return jpeg_bytes(scene(seed), exif=exif)


def spool(tmp_path: Path, data: bytes, name: str = "spool.jpg") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def command(
    path: Path,
    *,
    case_id: str = "case-1",
    upload_id: str = "u-1",
    slot: PhotoSlot = PhotoSlot.SIDE_FRONT,
    party: str = "A",
    ctx: CaptureContext | None = None,
) -> IngestPhoto:
    return IngestPhoto(
        case_id=case_id,
        party=party,
        slot=slot,
        uploader=f"user-{case_id}-{party}",
        upload_id=upload_id,
        source=path,
        context=ctx or context(),
        declared_content_type="image/jpeg",
    )


async def test_scene_photo_passes_and_is_stored_three_ways(
    evidence: EvidenceService, local_store: LocalPhotoStore, tmp_path: Path
) -> None:
    data = scene_photo(1)
    record = await evidence.ingest(command(spool(tmp_path, data)))
    assert record.verdict.outcome is Outcome.PASS, record.verdict.reasons
    assert record.facts.sha256 == hashlib.sha256(data).hexdigest()
    assert record.facts.exif_gps is not None
    # The original is kept byte for byte; the copies are re-encoded JPEGs.
    assert await local_store.get(record.original_key) == data
    privacy = await local_store.get(record.privacy_key)
    with Image.open(io.BytesIO(privacy)) as image:
        assert image.getexif().get_ifd(0x8825) == {}
    assert await local_store.exists(record.thumbnail_key)


async def test_retry_with_same_upload_id_returns_first_result_and_stores_nothing_new(
    evidence: EvidenceService, photo_repository: MongoPhotoRepository, tmp_path: Path
) -> None:
    first = await evidence.ingest(command(spool(tmp_path, scene_photo(2))))
    files_before = stored_files(tmp_path / "uploads")
    # The retry carries different bytes (a re-encode on the phone): still the first result.
    again = await evidence.ingest(command(spool(tmp_path, scene_photo(3), "retry.jpg")))
    assert again == first
    assert stored_files(tmp_path / "uploads") == files_before
    assert len(await photo_repository.list_for_case("case-1")) == 1


async def test_upload_id_reused_for_another_slot_is_refused(
    evidence: EvidenceService, tmp_path: Path
) -> None:
    await evidence.ingest(command(spool(tmp_path, scene_photo(2))))
    with pytest.raises(IdempotencyKeyReused):
        await evidence.ingest(command(spool(tmp_path, scene_photo(2)), slot=PhotoSlot.SIDE_REAR))


async def test_resized_reencoded_copy_in_another_case_is_flagged_naming_the_first_case(
    evidence: EvidenceService, tmp_path: Path
) -> None:
    original = scene_photo(4)
    await evidence.ingest(command(spool(tmp_path, original), case_id="case-1"))

    with Image.open(io.BytesIO(original)) as image:
        copy = jpeg_bytes(image.resize((900, 675), Image.Resampling.BICUBIC), quality=70)
    reused = await evidence.ingest(
        command(spool(tmp_path, copy, "copy.jpg"), case_id="case-2", upload_id="u-2")
    )
    assert reused.verdict.outcome is Outcome.FLAG
    assert "NEAR_DUPLICATE_OF_OTHER_CASE" in reused.verdict.codes
    assert [d.case_id for d in reused.duplicates] == ["case-1"]
    assert "case-1" in next(
        r.en for r in reused.verdict.reasons if r.code == "NEAR_DUPLICATE_OF_OTHER_CASE"
    )

    similar = await evidence.ingest(
        command(spool(tmp_path, scene_photo(5), "other.jpg"), case_id="case-3", upload_id="u-3")
    )
    assert similar.duplicates == ()
    assert similar.verdict.outcome is Outcome.PASS


async def test_byte_identical_photo_in_another_case_is_an_exact_duplicate(
    evidence: EvidenceService, tmp_path: Path
) -> None:
    data = scene_photo(6)
    await evidence.ingest(command(spool(tmp_path, data), case_id="case-1"))
    again = await evidence.ingest(
        command(spool(tmp_path, data, "again.jpg"), case_id="case-2", upload_id="u-2")
    )
    assert "DUPLICATE_OF_OTHER_CASE" in again.verdict.codes
    assert "NEAR_DUPLICATE_OF_OTHER_CASE" not in again.verdict.codes
    assert [(d.case_id, d.exact) for d in again.duplicates] == [("case-1", True)]


async def test_same_photo_twice_in_one_case_is_not_a_cross_case_duplicate(
    evidence: EvidenceService, tmp_path: Path
) -> None:
    data = scene_photo(7)
    await evidence.ingest(command(spool(tmp_path, data)))
    second = await evidence.ingest(command(spool(tmp_path, data), upload_id="u-2", party="B"))
    assert second.duplicates == ()


async def test_old_photo_is_rejected_and_nothing_is_stored(
    evidence: EvidenceService, photo_repository: MongoPhotoRepository, tmp_path: Path
) -> None:
    old = scene_photo(8, taken_at=ACCIDENT - timedelta(days=40))
    with pytest.raises(PhotoRejected) as raised:
        await evidence.ingest(command(spool(tmp_path, old)))
    assert raised.value.details["reasons"][0]["code"] == "TAKEN_BEFORE_ACCIDENT"  # type: ignore[index]
    assert stored_files(tmp_path / "uploads") == []
    assert await photo_repository.list_for_case("case-1") == []


async def test_nonce_mismatch_and_missing_exif_are_flags(
    evidence: EvidenceService, tmp_path: Path
) -> None:
    bare = jpeg_bytes(scene(9))  # what WeChat's compressed upload usually sends
    record = await evidence.ingest(
        command(spool(tmp_path, bare), ctx=context(presented_nonce="nonce-0"))
    )
    assert record.verdict.outcome is Outcome.FLAG
    assert {"NO_EXIF", "NONCE_MISMATCH"} <= set(record.verdict.codes)


async def test_checklist_tracks_uploads_per_case_and_party(
    evidence: EvidenceService, tmp_path: Path
) -> None:
    slots = [
        ("A", PhotoSlot.SIDE_FRONT),
        ("A", PhotoSlot.SIDE_REAR),
        ("B", PhotoSlot.COLLISION_POINT),
        ("A", PhotoSlot.OWN_PLATE),
        ("A", PhotoSlot.OTHER_PLATE),
    ]
    for i, (party, slot) in enumerate(slots):
        await evidence.ingest(
            command(
                spool(tmp_path, scene_photo(20 + i), f"{i}.jpg"),
                upload_id=f"u-{i}",
                slot=slot,
                party=party,
            )
        )
    checklist = await evidence.checklist("case-1")
    assert checklist.missing_for_case == frozenset()
    assert checklist.missing_by_party == {
        "A": frozenset(),
        "B": {PhotoSlot.OWN_PLATE, PhotoSlot.OTHER_PLATE},
    }
    assert checklist.scene_photo_count == 3
    assert not checklist.complete
