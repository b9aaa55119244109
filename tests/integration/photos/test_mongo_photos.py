"""MongoPhotoRepository against a real replica set: idempotency and the near-dup index."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.mongo.photos import (
    MongoPhotoRepository,
    band_keys,
    probe_keys,
)
from settlement.domain.evidence import (
    GeoPoint,
    Outcome,
    PhotoFacts,
    PhotoRecord,
    PhotoSlot,
    PhotoVerdict,
    Reason,
    hamming,
)

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def make_record(
    photo_id: str,
    *,
    case_id: str = "case-1",
    phash: int = 0,
    sha256: str | None = None,
    uploader: str = "user-1",
    upload_id: str | None = None,
    party: str = "A",
    received_at: datetime = T0,
) -> PhotoRecord:
    facts = PhotoFacts(
        format="JPEG",
        width=4000,
        height=3000,
        byte_size=1234,
        sha256=sha256 or photo_id.rjust(64, "0"),
        phash=phash,
        exif_present=True,
        exif_captured_at=datetime(2026, 3, 1, 10, 5, tzinfo=UTC),
        exif_gps=GeoPoint(latitude=31.23, longitude=121.47),
        software="P60",
    )
    return PhotoRecord(
        photo_id=photo_id,
        case_id=case_id,
        party=party,
        slot=PhotoSlot.SIDE_FRONT,
        uploader=uploader,
        upload_id=upload_id or f"up-{photo_id}",
        facts=facts,
        verdict=PhotoVerdict(Outcome.FLAG, (Reason("NO_EXIF", Outcome.FLAG, "没有", "none"),)),
        received_at=received_at,
        original_key=f"originals/{photo_id}.jpg",
        thumbnail_key=f"thumbnails/{photo_id}.jpg",
        privacy_key=f"privacy/{photo_id}.jpg",
    )


def flip(value: int, bits: list[int]) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


async def test_record_round_trips(photo_repository: MongoPhotoRepository) -> None:
    record = make_record("p1", phash=(1 << 63) | 12345)  # top bit set: needs signed storage
    assert await photo_repository.record(record) == record
    assert await photo_repository.find_by_upload_id("user-1", "up-p1") == record
    assert await photo_repository.find_by_upload_id("user-2", "up-p1") is None


async def test_same_upload_id_keeps_the_first_record(
    photo_repository: MongoPhotoRepository,
) -> None:
    first = make_record("p1", upload_id="same")
    second = make_record("p2", upload_id="same")
    await photo_repository.record(first)
    assert await photo_repository.record(second) == first
    assert [p.photo_id for p in await photo_repository.list_for_case("case-1")] == ["p1"]


async def test_list_for_case_is_oldest_first(photo_repository: MongoPhotoRepository) -> None:
    for i, offset in enumerate([30, 10, 20]):
        await photo_repository.record(
            make_record(f"p{i}", received_at=T0 + timedelta(seconds=offset))
        )
    await photo_repository.record(make_record("other", case_id="case-2"))
    photos = await photo_repository.list_for_case("case-1")
    assert [p.photo_id for p in photos] == ["p1", "p2", "p0"]


async def test_find_exact_reports_the_other_case(photo_repository: MongoPhotoRepository) -> None:
    await photo_repository.record(make_record("p1", case_id="case-1", sha256="f" * 64))
    await photo_repository.record(make_record("p2", case_id="case-2", sha256="f" * 64))
    matches = await photo_repository.find_exact("f" * 64, exclude_case="case-2")
    assert [(m.case_id, m.exact, m.distance) for m in matches] == [("case-1", True, 0)]


@pytest.mark.parametrize("distance", [0, 1, 3, 6, 7])
async def test_find_near_finds_every_hash_within_distance(
    photo_repository: MongoPhotoRepository, distance: int
) -> None:
    rng = random.Random(distance)
    probe = rng.getrandbits(64)
    # Worst case for banding: spread the differing bits over all four bands.
    bits = [(i % 4) * 16 + i // 4 for i in range(distance)]
    await photo_repository.record(make_record("near", case_id="case-1", phash=flip(probe, bits)))
    await photo_repository.record(
        make_record("far", case_id="case-9", phash=flip(probe, list(range(0, 64, 4))))
    )
    matches = await photo_repository.find_near(probe, 7, exclude_case="case-2")
    assert [(m.photo_id, m.case_id, m.distance) for m in matches] == [("near", "case-1", distance)]


async def test_find_near_agrees_with_brute_force(photo_repository: MongoPhotoRepository) -> None:
    rng = random.Random(7)
    centres = [rng.getrandbits(64) for _ in range(20)]
    hashes: list[int] = []
    for centre in centres:  # clusters, so there is something to find at every distance
        for _ in range(10):
            hashes.append(flip(centre, rng.sample(range(64), rng.randint(0, 12))))
    for i, value in enumerate(hashes):
        await photo_repository.record(make_record(f"p{i}", case_id=f"c{i % 5}", phash=value))
    for max_distance in (4, 7, 11):
        for query in centres[:5]:
            found = {m.photo_id for m in await photo_repository.find_near(query, max_distance)}
            expected = {
                f"p{i}" for i, value in enumerate(hashes) if hamming(value, query) <= max_distance
            }
            assert found == expected


async def test_find_near_excludes_the_uploading_case(
    photo_repository: MongoPhotoRepository,
) -> None:
    await photo_repository.record(make_record("mine", case_id="case-1", phash=42))
    assert await photo_repository.find_near(42, 6, exclude_case="case-1") == []


async def test_near_lookup_uses_the_band_index(
    photo_repository: MongoPhotoRepository, mongo_db: Any
) -> None:
    await photo_repository.record(make_record("p1", phash=99))
    plan = await mongo_db.command(
        "explain",
        {"find": "photos", "filter": {"phash_bands": {"$in": probe_keys(99, 7)}}},
        verbosity="queryPlanner",
    )
    winning = str(plan["queryPlanner"]["winningPlan"])
    assert "IXSCAN" in winning
    assert "phash_bands" in winning
    assert "COLLSCAN" not in winning


def test_band_keys_are_disjoint_per_band() -> None:
    keys = band_keys(0xFFFF_0000_FFFF_0000)
    assert keys == [0x00000, 0x1FFFF, 0x20000, 0x3FFFF]
    assert len(probe_keys(0, 7)) == 4 * 17
    assert len(probe_keys(0, 3)) == 4


async def test_find_near_refuses_radius_it_cannot_guarantee(
    photo_repository: MongoPhotoRepository,
) -> None:
    with pytest.raises(ValueError, match="max_distance"):
        await photo_repository.find_near(0, 12)
