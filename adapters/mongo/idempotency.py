"""Idempotency records in MongoDB: a request key, its body fingerprint and its first answer.

One implementation serves the drivers' ``Idempotency-Key`` header and the partners'
AIP-155 ``request_id`` (see :mod:`adapters.mongo.request_log`); they differ only in
collection, retention and the name the messages use for the key.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bson import Binary
from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Database
from settlement.errors import IdempotencyKeyReused, RequestInProgress
from settlement.ports.cases import StoredResponse

RETENTION = timedelta(hours=24)
"""How long a driver's key is remembered: longer than any client's retry window."""

IN_PROGRESS_TIMEOUT = timedelta(minutes=2)
"""A reservation older than this belongs to a request that died mid-way: take it over."""


class MongoIdempotencyStore:
    """One document per scope and key, removed by a TTL index after ``retention``.

    Args:
        collection: where the records live.
        retention: how long a key and its answer are kept.
        key_name: what clients call the key, for the messages they get.
    """

    def __init__(
        self,
        db: Database,
        *,
        collection: str = "idempotency_keys",
        retention: timedelta = RETENTION,
        key_name: str = "Idempotency-Key",
    ) -> None:
        self._collection = db[collection]
        self._retention = retention
        self._key_name = key_name

    async def begin(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        record_id = f"{scope}\x1f{key}"
        now = datetime.now(UTC)
        for _ in range(3):
            try:
                await self._collection.insert_one(
                    {
                        "_id": record_id,
                        "fingerprint": fingerprint,
                        "state": "in_progress",
                        "started_at": now,
                        "expire_at": now + self._retention,
                    }
                )
                return None
            except DuplicateKeyError:
                pass
            record = await self._collection.find_one({"_id": record_id})
            if record is None:  # expired between the two calls: try to insert again
                continue
            if record["fingerprint"] != fingerprint:
                raise IdempotencyKeyReused(
                    f"This {self._key_name} was already used for a different request; "
                    f"use a new {self._key_name} for a new request."
                )
            if record["state"] == "done":
                return StoredResponse(
                    status=record["status"], body=bytes(record["body"]), content_type=record["type"]
                )
            started = record.get("started_at")
            if started is not None and started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
            if started is not None and now - started > IN_PROGRESS_TIMEOUT:
                # The first attempt died without an answer; the use cases are safe to
                # re-run (their own checks make a repeated effect a no-op or a refusal).
                taken = await self._collection.update_one(
                    {"_id": record_id, "state": "in_progress", "started_at": record["started_at"]},
                    {"$set": {"started_at": now}},
                )
                if taken.modified_count == 1:
                    return None
            raise RequestInProgress(
                f"A request with this {self._key_name} is still being processed; retry shortly."
            )
        raise RequestInProgress(f"The {self._key_name} could not be reserved; retry shortly.")

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


async def ensure_idempotency_indexes(db: Database, collection: str = "idempotency_keys") -> None:
    await db[collection].create_index("expire_at", expireAfterSeconds=0)
