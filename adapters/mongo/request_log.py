"""MongoRequestLog: AIP-155 request ids of partner calls and the answers they got.

Partner request ids live longer than the drivers' Idempotency-Keys (the insurer API
promises 7 days, see ``settlement_service.proto``), so they have their own collection.
Records are keyed by ``scope`` (the calling insurer and method) plus the request id, so one
partner's ids can never answer another's calls.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import Binary
from pymongo.errors import DuplicateKeyError

from adapters.mongo.idempotency import MongoIdempotencyStore, ensure_idempotency_indexes
from adapters.mongo.types import Database
from settlement.errors import ConcurrentUpdate, IdempotencyKeyReused
from settlement.ports.cases import StoredResponse
from settlement.ports.claims import InboundAnswer

COLLECTION = "request_log"
RETENTION = timedelta(days=7)


class MongoRequestLog(MongoIdempotencyStore):
    """Request ids with their first answer, kept for ``retention``.

    :meth:`record` writes the answer inside the transaction of the call's effect; no
    "in progress" reservation exists, so a crash mid-call leaves nothing to wait for.
    """

    def __init__(self, db: Database, *, retention: timedelta = RETENTION) -> None:
        super().__init__(db, collection=COLLECTION, retention=retention, key_name="request_id")
        self._log = db[COLLECTION]
        self._keep = retention

    async def find(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        record = await self._log.find_one({"_id": f"{scope}\x1f{key}", "state": "done"})
        if record is None:
            return None
        if record["fingerprint"] != fingerprint:
            raise IdempotencyKeyReused(
                "This request_id was already used for a different request; "
                "use a new request_id for a new request."
            )
        return StoredResponse(record["status"], bytes(record["body"]), record["type"])

    async def record(self, answer: InboundAnswer, *, session: Any) -> None:
        now = datetime.now(UTC)
        try:
            await self._log.insert_one(
                {
                    "_id": f"{answer.scope}\x1f{answer.key}",
                    "fingerprint": answer.fingerprint,
                    "state": "done",
                    "started_at": now,
                    "expire_at": now + self._keep,
                    "status": answer.response.status,
                    "body": Binary(answer.response.body),
                    "type": answer.response.content_type,
                },
                session=session,
            )
        except DuplicateKeyError:
            raise ConcurrentUpdate("This request took effect meanwhile.") from None


async def ensure_request_log_indexes(db: Database) -> None:
    await ensure_idempotency_indexes(db, COLLECTION)
