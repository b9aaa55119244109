"""The reviewer console's read side over the ``cases`` and ``photos`` collections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING

from adapters.mongo.cases import from_document as case_from_document
from adapters.mongo.photos import from_document as photo_from_document
from adapters.mongo.types import Database
from settlement.domain.case import PARTY_LABELS, Case, CaseStatus
from settlement.domain.evidence import PhotoRecord
from settlement.domain.staff import ALL_JURISDICTIONS


def _scope(jurisdiction: str) -> dict[str, Any]:
    return {} if jurisdiction == ALL_JURISDICTIONS else {"jurisdiction": jurisdiction}


class MongoReviewQueries:
    """:class:`~settlement.ports.review.ReviewQueries` with MongoDB queries."""

    def __init__(self, db: Database) -> None:
        self._cases = db["cases"]
        self._photos = db["photos"]

    async def queue(self, jurisdiction: str, limit: int) -> Sequence[Case]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"status": CaseStatus.POLICE_REVIEW.value, **_scope(jurisdiction)}},
            # A claim changes updated_at; the queue keeps the time the case entered it.
            {"$addFields": {"_queued": {"$ifNull": ["$review.queued_at", "$updated_at"]}}},
            {"$sort": {"_queued": 1, "_id": 1}},
            {"$limit": limit},
            {"$project": {"_queued": 0}},
        ]
        return [case_from_document(d) async for d in await self._cases.aggregate(pipeline)]

    async def cases_since(self, jurisdiction: str, since: datetime, limit: int) -> Sequence[Case]:
        cursor = (
            self._cases.find({"created_at": {"$gte": since}, **_scope(jurisdiction)})
            .sort("created_at", ASCENDING)
            .limit(limit)
        )
        return [case_from_document(d) async for d in cursor]

    async def reused_photos(self, case_ids: Sequence[str]) -> Sequence[PhotoRecord]:
        if not case_ids:
            return []
        cursor = self._photos.find(
            {"case_id": {"$in": list(case_ids)}, "duplicates.0": {"$exists": True}}
        ).sort("received_at", ASCENDING)
        return [photo_from_document(d) async for d in cursor]


    async def search(
        self,
        jurisdiction: str,
        *,
        case_id: str = "",
        plate: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> Sequence[Case]:
        query: dict[str, Any] = dict(_scope(jurisdiction))
        if case_id:
            query["_id"] = case_id
        if plate:
            query["$or"] = [{f"parties.{label}.details.plate": plate} for label in ("A", "B")]
        occurred: dict[str, datetime] = {}
        if since is not None:
            occurred["$gte"] = since
        if until is not None:
            occurred["$lt"] = until
        if occurred:
            query["scene.occurred_at"] = occurred
        cursor = self._cases.find(query).sort("scene.occurred_at", DESCENDING).limit(limit)
        return [case_from_document(d) async for d in cursor]

    async def decided(self, jurisdiction: str, limit: int) -> Sequence[Case]:
        cursor = (
            self._cases.find({"review.decided_at": {"$ne": None}, **_scope(jurisdiction)})
            .sort("review.decided_at", DESCENDING)
            .limit(limit)
        )
        return [case_from_document(d) async for d in cursor]

    async def reconsiderations(self, jurisdiction: str, limit: int) -> Sequence[Case]:
        asked = [{f"determination.reconsideration_requests.{p}": {"$exists": True}}
                 for p in PARTY_LABELS]  # fmt: skip
        cursor = (
            self._cases.find(
                # A determined case is CLAIMED once an insurer holds one of its claims.
                {"status": {"$in": [CaseStatus.DETERMINED.value, CaseStatus.CLAIMED.value]},
                 "$or": asked, **_scope(jurisdiction)}
            )
            .sort([("determination.decided_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [case_from_document(d) async for d in cursor]


async def ensure_review_indexes(db: Database) -> None:
    await db["cases"].create_index([("status", 1), ("jurisdiction", 1), ("updated_at", 1)])
    await db["cases"].create_index([("jurisdiction", 1), ("created_at", 1)])
    await db["cases"].create_index([("jurisdiction", 1), ("review.decided_at", -1)])
    await db["cases"].create_index([("parties.A.details.plate", 1)])
    await db["cases"].create_index([("parties.B.details.plate", 1)])
