"""MongoDB persistence of photo records, with exact and near-duplicate indexes.

Near-duplicate search uses multi-index hashing: the 64-bit perceptual hash is cut into
four 16-bit bands, stored as an indexed array (a multikey index). If two hashes differ
in at most ``d`` bits, the pigeonhole principle says at least one band differs in at
most ``d // 4`` bits. So a lookup asks the index for every band value within that radius
(68 keys for ``d`` ≤ 7), fetches the few candidates and checks the true Hamming distance.
No match within ``d`` can be missed, and the work grows with the number of candidates,
not with the size of the collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import combinations

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Collection, Database, Document, mongo_session
from settlement.domain.evidence import (
    DuplicateMatch,
    Outcome,
    PhotoFacts,
    PhotoRecord,
    PhotoSlot,
    PhotoVerdict,
    PrivacyCopy,
    Reason,
    hamming,
)
from settlement.domain.geo import GeoPoint
from settlement.errors import AlreadyExists
from settlement.ports.outbox import Transaction
from settlement.services.batching import Coalescer

COLLECTION = "photos"
BANDS = 4
BAND_BITS = 64 // BANDS
_BAND_MASK = (1 << BAND_BITS) - 1
MAX_SEARCH_DISTANCE = 11  # radius 2 per band: 4 × 137 index keys; beyond that, rethink
NEAR_RESULT_LIMIT = 50


def _signed64(value: int) -> int:
    # BSON has no unsigned 64-bit integer.
    return value - (1 << 64) if value >= 1 << 63 else value


def _unsigned64(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def band_keys(phash: int) -> list[int]:
    """The indexed band values: band number in the high bits so bands never collide."""
    return [
        (band << BAND_BITS) | ((phash >> (band * BAND_BITS)) & _BAND_MASK) for band in range(BANDS)
    ]


def probe_keys(phash: int, max_distance: int) -> list[int]:
    """Every band key within ``max_distance // BANDS`` bit flips of the hash's own bands."""
    radius = max_distance // BANDS
    keys: list[int] = []
    for band in range(BANDS):
        value = (phash >> (band * BAND_BITS)) & _BAND_MASK
        for flips in range(radius + 1):
            for bits in combinations(range(BAND_BITS), flips):
                probe = value
                for bit in bits:
                    probe ^= 1 << bit
                keys.append((band << BAND_BITS) | probe)
    return keys


def _dt(value: datetime) -> datetime:
    # Clients opened without tz_aware return naive UTC datetimes.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _facts_document(facts: PhotoFacts) -> Document:
    return {
        "format": facts.format,
        "width": facts.width,
        "height": facts.height,
        "byte_size": facts.byte_size,
        "exif_present": facts.exif_present,
        # ISO text keeps the camera's own UTC offset, which a BSON date would drop.
        "exif_captured_at": facts.exif_captured_at.isoformat() if facts.exif_captured_at else None,
        "exif_gps": (
            {"lat": facts.exif_gps.latitude, "lng": facts.exif_gps.longitude}
            if facts.exif_gps
            else None
        ),
        "software": facts.software,
        "make": facts.make,
        "model": facts.model,
        "orientation": facts.orientation,
        "exif_error": facts.exif_error,
        "trailing_bytes": facts.trailing_bytes,
        "trailing_kind": facts.trailing_kind,
    }


def _facts_from(document: Document, sha256: str, phash: int) -> PhotoFacts:
    gps = document.get("exif_gps")
    captured = document.get("exif_captured_at")
    return PhotoFacts(
        format=document["format"],
        width=document["width"],
        height=document["height"],
        byte_size=document["byte_size"],
        sha256=sha256,
        phash=phash,
        exif_present=document["exif_present"],
        exif_captured_at=datetime.fromisoformat(captured) if captured else None,
        exif_gps=GeoPoint(latitude=gps["lat"], longitude=gps["lng"]) if gps else None,
        software=document.get("software"),
        make=document.get("make"),
        model=document.get("model"),
        orientation=document.get("orientation"),
        exif_error=document.get("exif_error"),
        trailing_bytes=document.get("trailing_bytes", 0),
        trailing_kind=document.get("trailing_kind"),
    )


def _match_document(match: DuplicateMatch) -> Document:
    return {
        "photo_id": match.photo_id,
        "case_id": match.case_id,
        "party": match.party,
        "sha256": match.sha256,
        "distance": match.distance,
        "exact": match.exact,
    }


def to_document(photo: PhotoRecord) -> Document:
    return {
        "_id": photo.photo_id,
        "case_id": photo.case_id,
        "party": photo.party,
        "slot": photo.slot.value,
        "uploader": photo.uploader,
        "upload_id": photo.upload_id,
        "sha256": photo.facts.sha256,
        "phash": _signed64(photo.facts.phash),
        "phash_bands": band_keys(photo.facts.phash),
        "facts": _facts_document(photo.facts),
        "verdict": {
            "outcome": photo.verdict.outcome.label,
            "reasons": [
                {"code": r.code, "outcome": r.outcome.label, "zh": r.zh, "en": r.en}
                for r in photo.verdict.reasons
            ],
        },
        "received_at": photo.received_at,
        "keys": {
            "original": photo.original_key,
            "thumbnail": photo.thumbnail_key,
            "privacy": photo.privacy_key,
        },
        "duplicates": [_match_document(d) for d in photo.duplicates],
    }


def from_document(document: Document) -> PhotoRecord:
    phash = _unsigned64(document["phash"])
    verdict = document["verdict"]
    return PhotoRecord(
        photo_id=document["_id"],
        case_id=document["case_id"],
        party=document["party"],
        slot=PhotoSlot(document["slot"]),
        uploader=document["uploader"],
        upload_id=document["upload_id"],
        facts=_facts_from(document["facts"], document["sha256"], phash),
        verdict=PhotoVerdict(
            outcome=Outcome[verdict["outcome"].upper()],
            reasons=tuple(
                Reason(
                    code=r["code"], outcome=Outcome[r["outcome"].upper()], zh=r["zh"], en=r["en"]
                )
                for r in verdict["reasons"]
            ),
        ),
        received_at=_dt(document["received_at"]),
        original_key=document["keys"]["original"],
        thumbnail_key=document["keys"]["thumbnail"],
        privacy_key=document["keys"]["privacy"],
        duplicates=tuple(DuplicateMatch(**d) for d in document.get("duplicates", ())),
    )


PHOTO_INDEXES = [
    IndexModel([("uploader", ASCENDING), ("upload_id", ASCENDING)], unique=True, name="upload_id"),
    IndexModel([("sha256", ASCENDING)], name="sha256"),
    IndexModel([("phash_bands", ASCENDING)], name="phash_bands"),
    IndexModel([("case_id", ASCENDING), ("received_at", ASCENDING)], name="case_photos"),
]


async def ensure_photo_indexes(db: Database) -> None:
    """Create the photo indexes (idempotent; run at start-up)."""
    await db[COLLECTION].create_indexes(PHOTO_INDEXES)


class MongoPhotoRepository:
    """:class:`~settlement.ports.photos.PhotoRepository` on the ``photos`` collection."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._collection: Collection = db[COLLECTION]
        self._copies: Coalescer[str, Sequence[PrivacyCopy]] = Coalescer(self._privacy_copies_of)

    async def ensure_indexes(self) -> None:
        await ensure_photo_indexes(self._db)

    async def record(self, photo: PhotoRecord, *, tx: Transaction | None = None) -> PhotoRecord:
        try:
            await self._collection.insert_one(to_document(photo), session=mongo_session(tx))
        except DuplicateKeyError:
            if tx is not None:
                raise AlreadyExists("This upload was recorded already.") from None
            # A retry of the same upload raced us; the first record is the answer.
            existing = await self.find_by_upload_id(photo.uploader, photo.upload_id)
            if existing is None:
                raise
            return existing
        return photo

    async def find_by_upload_id(self, uploader: str, upload_id: str) -> PhotoRecord | None:
        document = await self._collection.find_one({"uploader": uploader, "upload_id": upload_id})
        return from_document(document) if document is not None else None

    async def find_exact(
        self, sha256: str, *, exclude_case: str | None = None
    ) -> Sequence[DuplicateMatch]:
        query: Document = {"sha256": sha256}
        if exclude_case is not None:
            query["case_id"] = {"$ne": exclude_case}
        cursor = self._collection.find(query, _MATCH_PROJECTION).limit(NEAR_RESULT_LIMIT)
        return [_to_match(doc, distance=0, exact=True) async for doc in cursor]

    async def find_near(
        self, phash: int, max_distance: int, *, exclude_case: str | None = None
    ) -> Sequence[DuplicateMatch]:
        if not 0 <= max_distance <= MAX_SEARCH_DISTANCE:
            raise ValueError(f"max_distance must be within 0..{MAX_SEARCH_DISTANCE}")
        query: Document = {"phash_bands": {"$in": probe_keys(phash, max_distance)}}
        if exclude_case is not None:
            query["case_id"] = {"$ne": exclude_case}
        matches: list[DuplicateMatch] = []
        async for doc in self._collection.find(query, _MATCH_PROJECTION):
            distance = hamming(phash, _unsigned64(doc["phash"]))
            if distance <= max_distance:
                matches.append(_to_match(doc, distance=distance, exact=False))
        matches.sort(key=lambda m: (m.distance, m.case_id))
        return matches[:NEAR_RESULT_LIMIT]

    async def list_for_case(self, case_id: str) -> Sequence[PhotoRecord]:
        cursor = self._collection.find({"case_id": case_id}).sort("received_at", ASCENDING)
        return [from_document(doc) async for doc in cursor]

    async def privacy_copies(self, case_id: str) -> Sequence[PrivacyCopy]:
        """Concurrent callers (insurer reads) share one query."""
        return await self._copies(case_id)

    async def _privacy_copies_of(self, case_ids: Sequence[str]) -> list[Sequence[PrivacyCopy]]:
        wanted = list(dict.fromkeys(case_ids))
        found: dict[str, list[PrivacyCopy]] = {case_id: [] for case_id in wanted}
        cursor = (
            self._collection.find({"case_id": {"$in": wanted}}, _COPY_PROJECTION)
            .sort([("case_id", ASCENDING), ("received_at", ASCENDING)])
            .batch_size(1000)
        )
        for doc in await cursor.to_list(None):
            copy = PrivacyCopy(
                doc["_id"], doc["keys"]["privacy"], _dt(doc["received_at"]), PhotoSlot(doc["slot"])
            )
            found[doc["case_id"]].append(copy)
        return [tuple(found[case_id]) for case_id in case_ids]


_COPY_PROJECTION = {"_id": 1, "case_id": 1, "received_at": 1, "keys.privacy": 1, "slot": 1}
_MATCH_PROJECTION = {"_id": 1, "case_id": 1, "party": 1, "sha256": 1, "phash": 1}


def _to_match(document: Document, *, distance: int, exact: bool) -> DuplicateMatch:
    return DuplicateMatch(
        photo_id=document["_id"],
        case_id=document["case_id"],
        party=document["party"],
        sha256=document["sha256"],
        distance=distance,
        exact=exact,
    )
