"""Fixed-window attempt counts in MongoDB: one atomic upsert per attempt, TTL clean-up."""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Database


class MongoRateCounter:
    """One document per key and window in ``rate_limits``; MongoDB deletes it after the window.

    ``find_one_and_update`` with ``$inc`` and ``upsert`` is one atomic operation, so every
    process sees the same count; two first hits racing to create the window's document
    collide on ``_id`` and the loser simply increments the winner's.
    """

    def __init__(self, db: Database, collection: str = "rate_limits") -> None:
        self._collection = db[collection]

    async def hit(self, key: str, window_start: datetime, expire_at: datetime) -> int:
        window_id = f"{key}|{int(window_start.timestamp())}"
        for _ in range(2):
            try:
                document = await self._collection.find_one_and_update(
                    {"_id": window_id},
                    {"$inc": {"count": 1}, "$setOnInsert": {"expire_at": expire_at}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue
            if document is not None:  # an upsert returning AFTER always finds one
                return int(document["count"])
        raise RuntimeError("rate limit window could not be counted")  # pragma: no cover


async def ensure_limit_indexes(db: Database, collection: str = "rate_limits") -> None:
    await db[collection].create_index("expire_at", expireAfterSeconds=0)
