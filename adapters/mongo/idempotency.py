"""Idempotency records in MongoDB: a request key, its body fingerprint and its first answer.

One implementation serves the drivers' ``Idempotency-Key`` header and the partners'
AIP-155 ``request_id`` (see :mod:`adapters.mongo.request_log`); they differ only in
collection, retention and the name the messages use for the key.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

from bson import Binary
from pymongo.errors import DuplicateKeyError, PyMongoError

from adapters.mongo.errors import is_unavailable
from adapters.mongo.types import Database
from settlement.errors import IdempotencyKeyReused, RequestInProgress
from settlement.ports.cases import StoredResponse

RETENTION = timedelta(hours=24)
"""How long a driver's key is remembered: longer than any client's retry window."""

IN_PROGRESS_TIMEOUT = timedelta(minutes=2)
"""A reservation older than this belongs to a request that died mid-way: take it over."""

log = logging.getLogger(__name__)


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
        # Reservations this process holds (record id -> its started_at, which tells it
        # apart from a later reservation of the same key), and the ones whose release
        # failed because the database was unavailable: released on the key's next use
        # or by a background retry, so a failover never leaves a key stuck.
        self._held: dict[str, datetime] = {}
        self._unreleased: dict[str, datetime] = {}
        self._retries: set[asyncio.Task[None]] = set()

    async def begin(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        record_id = f"{scope}\x1f{key}"
        if record_id in self._unreleased:
            await self._release(record_id, self._unreleased[record_id])
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
                self._held[record_id] = now
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
                    self._held[record_id] = now
                    return None
            raise RequestInProgress(
                f"A request with this {self._key_name} is still being processed; retry shortly."
            )
        raise RequestInProgress(f"The {self._key_name} could not be reserved; retry shortly.")

    async def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        self._held.pop(f"{scope}\x1f{key}", None)
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
        """Release the reservation; if the database is unavailable, release it later.

        Never raises for an outage: it runs while another error is on its way to the
        client, and that error is the one to report.
        """
        record_id = f"{scope}\x1f{key}"
        started = self._held.pop(record_id, None)
        if started is None:
            return
        try:
            await self._release(record_id, started)
        except PyMongoError as exc:
            if not is_unavailable(exc):
                raise
            log.warning("idempotency key release deferred: database unavailable")
            self._unreleased[record_id] = started
            task = asyncio.create_task(self._release_later(record_id, started))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)

    async def _release(self, record_id: str, started: datetime) -> None:
        await self._collection.delete_one(
            {"_id": record_id, "state": "in_progress", "started_at": started}
        )
        self._unreleased.pop(record_id, None)

    async def _release_later(self, record_id: str, started: datetime) -> None:
        deadline = time.monotonic() + IN_PROGRESS_TIMEOUT.total_seconds()
        delay = 0.5
        while record_id in self._unreleased and time.monotonic() < deadline:
            await asyncio.sleep(delay)
            try:
                await self._release(record_id, started)
            except PyMongoError:
                delay = min(delay * 2, 5.0)


async def ensure_idempotency_indexes(db: Database, collection: str = "idempotency_keys") -> None:
    await db[collection].create_index("expire_at", expireAfterSeconds=0)
