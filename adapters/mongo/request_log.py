"""MongoRequestLog: AIP-155 request ids of partner calls and the answers they got.

Partner request ids live longer than the drivers' Idempotency-Keys (the insurer API
promises 7 days, see ``settlement_service.proto``), so they have their own collection.
Records are keyed by ``scope`` (the calling insurer and method) plus the request id, so one
partner's ids can never answer another's calls.
"""

from __future__ import annotations

from datetime import timedelta

from adapters.mongo.idempotency import MongoIdempotencyStore, ensure_idempotency_indexes
from adapters.mongo.types import Database

COLLECTION = "request_log"
RETENTION = timedelta(days=7)


class MongoRequestLog(MongoIdempotencyStore):
    """Request ids with their first answer, kept for ``retention``."""

    def __init__(self, db: Database, *, retention: timedelta = RETENTION) -> None:
        super().__init__(db, collection=COLLECTION, retention=retention, key_name="request_id")


async def ensure_request_log_indexes(db: Database) -> None:
    await ensure_idempotency_indexes(db, COLLECTION)
