"""Idempotency-Key records in MongoDB (one document per scope and key)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bson import Binary
from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Database
from settlement.errors import IdempotencyKeyReused, RequestInProgress
from settlement.ports.cases import StoredResponse

RETENTION = timedelta(hours=24)
"""How long a key is remembered: longer than any client's retry window."""


class MongoIdempotencyStore:
    def __init__(self, db: Database) -> None:
        self._collection = db["idempotency_keys"]

    async def begin(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        record_id = f"{scope}\x1f{key}"
        try:
            await self._collection.insert_one(
                {
                    "_id": record_id,
                    "fingerprint": fingerprint,
                    "state": "in_progress",
                    "expire_at": datetime.now(UTC) + RETENTION,
                }
            )
            return None
        except DuplicateKeyError:
            pass
        record = await self._collection.find_one({"_id": record_id})
        if record is None:  # expired between the two calls: treat as new
            return await self.begin(scope, key, fingerprint)
        if record["fingerprint"] != fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used for a different request; "
                "use a new key for a new request."
            )
        if record["state"] != "done":
            raise RequestInProgress(
                "A request with this Idempotency-Key is still being processed; retry shortly."
            )
        return StoredResponse(
            status=record["status"], body=bytes(record["body"]), content_type=record["type"]
        )

    async def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        await self._collection.update_one(
            {"_id": f"{scope}\x1f{key}"},
            {
                "$set": {
                    "state": "done",
                    "status": response.status,
                    "body": Binary(response.body),
                    "type": response.content_type,
                }
            },
        )

    async def abandon(self, scope: str, key: str) -> None:
        await self._collection.delete_one({"_id": f"{scope}\x1f{key}", "state": "in_progress"})


async def ensure_idempotency_indexes(db: Database) -> None:
    await db["idempotency_keys"].create_index("expire_at", expireAfterSeconds=0)
