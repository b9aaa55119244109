"""MongoRequestLog: AIP-155 request ids of partner calls and the answers they got.

It implements the :class:`~settlement.ports.cases.IdempotencyStore` port on its own
collection because partner request ids live longer than the drivers' Idempotency-Keys:
the insurer API promises 7 days (see ``settlement_service.proto``). Records are keyed by
``scope`` (the calling insurer and method) plus the request id, so one partner's ids can
never answer another's calls.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bson import Binary
from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Database
from settlement.errors import IdempotencyKeyReused, RequestInProgress
from settlement.ports.cases import StoredResponse

COLLECTION = "request_log"
RETENTION = timedelta(days=7)
IN_PROGRESS_TIMEOUT = timedelta(minutes=2)
"""A reservation older than this belongs to a request that died mid-way: take it over."""


class MongoRequestLog:
    """Request ids with their first answer, kept for ``retention``."""

    def __init__(self, db: Database, *, retention: timedelta = RETENTION) -> None:
        self._collection = db[COLLECTION]
        self._retention = retention

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
                    "This request_id was already used for a different request; "
                    "use a new request_id for a new request."
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
                "A request with this request_id is still being processed; retry shortly."
            )
        raise RequestInProgress("The request_id could not be reserved; retry shortly.")

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


async def ensure_request_log_indexes(db: Database) -> None:
    await db[COLLECTION].create_index("expire_at", expireAfterSeconds=0)
