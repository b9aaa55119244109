"""What evidence an insurer receives, over real mTLS on 127.0.0.1: privacy copies of the
scene, damage and plate photos; never the parties' licence or registration photos, neither
in the filing, nor listed on the claim, nor streamed by id."""

# ruff: noqa: F811 - the fixtures are imported from the shared harness

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.photos import MongoPhotoRepository
from adapters.photos.local_store import LocalPhotoStore
from settlement.domain.case import Case, CaseStatus
from settlement.domain.claim import Cover, claim_id
from settlement.domain.evidence import (
    Outcome,
    PhotoFacts,
    PhotoRecord,
    PhotoSlot,
    PhotoVerdict,
)
from tests.claim_builders import settled_case

from .claims_harness import (  # noqa: F401 - fixtures
    InsurerApi,
    bearer,
    make_exchange,
    pki,
    prepare_db,
    serving,
)

SLOTS = (PhotoSlot.SIDE_FRONT, PhotoSlot.COLLISION_POINT, PhotoSlot.OWN_PLATE,
         PhotoSlot.LICENCE, PhotoSlot.REGISTRATION)  # fmt: skip
IDENTITY = {PhotoSlot.LICENCE, PhotoSlot.REGISTRATION}


@pytest.fixture
async def with_photos(mongo_db: Any, pki: Any, tmp_path: Path
                      ) -> AsyncIterator[tuple[InsurerApi, MongoPhotoRepository,
                                               LocalPhotoStore]]:  # fmt: skip
    await prepare_db(mongo_db)
    photos = MongoPhotoRepository(mongo_db)
    await photos.ensure_indexes()
    with ThreadPoolExecutor(max_workers=2) as pool:
        store = LocalPhotoStore(tmp_path / "uploads", executor=pool)
        exchange = make_exchange(mongo_db, photos=photos, photo_store=store)
        async with serving(exchange, mongo_db, pki) as api:
            yield api, photos, store


async def _photo(photos: MongoPhotoRepository, store: LocalPhotoStore, case_id: str,
                 party: str, slot: PhotoSlot) -> PhotoRecord:  # fmt: skip
    photo_id = f"p{hashlib.sha256(f'{case_id}{party}{slot}'.encode()).hexdigest()[:20]}"
    privacy = f"privacy copy of {slot} by {party}".encode() * 50
    facts = PhotoFacts(format="JPEG", width=1600, height=1200, byte_size=len(privacy),
                       sha256=hashlib.sha256(photo_id.encode()).hexdigest(), phash=0,
                       exif_present=False)  # fmt: skip
    record = PhotoRecord(
        photo_id=photo_id, case_id=case_id, party=party, slot=slot, uploader=f"u_{party}",
        upload_id=f"up-{photo_id}", facts=facts, verdict=PhotoVerdict(Outcome.PASS, ()),
        received_at=datetime.now(UTC), original_key=f"originals/{photo_id}.jpg",
        thumbnail_key=f"thumbnails/{photo_id}.jpg", privacy_key=f"privacy/{photo_id}.jpg",
    )  # fmt: skip
    await store.put(record.privacy_key, privacy, content_type="image/jpeg")
    return await photos.record(record)


async def _settled_with_photos(api: InsurerApi, db: Any, photos: MongoPhotoRepository,
                               store: LocalPhotoStore) -> tuple[Case, list[PhotoRecord]]:  # fmt: skip
    target = settled_case()
    records = [await _photo(photos, store, target.id, party, slot)
               for party in ("A", "B") for slot in SLOTS]  # fmt: skip
    stored = await MongoCaseRepository(db).add(replace(target, status=CaseStatus.LIABILITY_PROPOSED))
    case = await api.exchange.claims.settle(replace(target, version=stored.version))
    return case, records


async def _stream(api: InsurerApi, insurer: str, claim: str, evidence_id: str) -> bytes:
    async with api.channel(insurer) as channel:
        parts = api.stub(channel).StreamEvidence(
            pb.StreamEvidenceRequest(claim_id=claim, evidence_id=evidence_id),
            metadata=bearer(insurer), timeout=10,
        )  # fmt: skip
        return b"".join([part.chunk.data async for part in parts])


async def _refusal(api: InsurerApi, claim: str, evidence_id: str) -> tuple[Any, str]:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _stream(api, "PICC", claim, evidence_id)
    return refused.value.code(), refused.value.details() or ""


async def test_insurers_never_receive_identity_document_photos(with_photos: Any,
                                                               mongo_db: Any) -> None:  # fmt: skip
    api, photos, store = with_photos
    case, records = await _settled_with_photos(api, mongo_db, photos, store)
    scene = [r for r in records if r.slot not in IDENTITY]
    identity = [r for r in records if r.slot in IDENTITY]
    claim = claim_id(case.id, "A", Cover.COMPULSORY)

    # The filing sent to the insurer lists the scene photos only.
    filing = await mongo_db["outbox"].find_one({"payload.claim_id": claim})
    assert filing is not None
    filed = {e["evidence_id"] for e in filing["payload"]["evidence"]}
    assert filed == {r.photo_id for r in scene}

    async with api.channel("PICC") as channel:
        got = await api.stub(channel).GetClaim(pb.GetClaimRequest(claim_id=claim),
                                               metadata=bearer("PICC"), timeout=10)  # fmt: skip
    assert {e.evidence_id for e in got.claim.evidence} == {r.photo_id for r in scene}

    damage = next(r for r in scene if r.slot is PhotoSlot.COLLISION_POINT)
    assert await _stream(api, "PICC", claim, damage.photo_id) == await store.get(
        damage.privacy_key
    )

    # An identity document's id is refused exactly like an id from another case.
    _, other_records = await _settled_with_photos(api, mongo_db, photos, store)
    foreign = await _refusal(api, claim, other_records[0].photo_id)
    assert foreign[0] == grpc.StatusCode.NOT_FOUND
    for record in identity:
        assert await _refusal(api, claim, record.photo_id) == foreign
