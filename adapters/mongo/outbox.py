"""MongoOutbox: the Outbox port on the ``outbox`` collection.

``enqueue`` accepts the caller's session, with a transaction started, so the state
change and the message that announces it commit together (transactions need a replica
set; the embedded server is one). Leasing is one ``find_one_and_update`` per message,
which is atomic, so concurrent dispatchers never lease the same message twice.
Dead letters stay in the same collection with ``status: "dead"``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Database, mongo_session
from settlement.domain.exchange import (
    NewOutboxMessage,
    OutboxMessage,
    OutboxStatus,
    PartnerBacklog,
    partner_of,
)
from settlement.errors import AlreadyExists, OutboxMessageNotFound
from settlement.ports.outbox import Transaction

COLLECTION = "outbox"

_PENDING = OutboxStatus.PENDING.value
_DELIVERED = OutboxStatus.DELIVERED.value
_DEAD = OutboxStatus.DEAD.value
_NO_LEASE = {"lease_owner": None, "lease_expires_at": None}


async def ensure_outbox_indexes(db: Database) -> None:
    """Indexes the outbox relies on; idempotent, run at start-up."""
    coll = db[COLLECTION]
    # Leasing: due pending messages in order.
    await coll.create_index(
        [("status", ASCENDING), ("next_attempt_at", ASCENDING), ("created_at", ASCENDING)],
        name="lease_due",
    )
    # One message per logical operation: enqueuing the same request twice is a bug.
    await coll.create_index(
        [("kind", ASCENDING), ("request_id", ASCENDING)], name="kind_request_id", unique=True
    )
    # Reconciliation: delivered, not yet acknowledged, by due time.
    await coll.create_index(
        [("kind", ASCENDING), ("ack_due_at", ASCENDING)],
        name="ack_due",
        partialFilterExpression={"status": _DELIVERED, "acked_at": None},
    )
    await coll.create_index([("kind", ASCENDING), ("key", ASCENDING)], name="kind_key")
    await coll.create_index(
        [("dead_at", DESCENDING)], name="dead", partialFilterExpression={"status": _DEAD}
    )
    # Recovery and the backlog report: one partner's pending messages.
    await coll.create_index(
        [("partner", ASCENDING), ("status", ASCENDING), ("next_attempt_at", ASCENDING)],
        name="partner_status",
    )


class MongoOutbox:
    def __init__(self, db: Database) -> None:
        self._coll = db[COLLECTION]

    async def enqueue(
        self,
        message: NewOutboxMessage,
        *,
        tx: Transaction | None = None,
        now: datetime | None = None,
    ) -> str:
        now = now or datetime.now(UTC)
        message_id = uuid.uuid4().hex
        document = {
            "_id": message_id,
            "kind": message.kind,
            "key": message.key,
            "payload": dict(message.payload),
            "request_id": message.request_id,
            "status": _PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
            **_NO_LEASE,
            "last_error": None,
            "delivered_at": None,
            "result": None,
            "ack_within_s": message.ack_within_s,
            "ack_due_at": None,
            "acked_at": None,
            "dead_at": None,
            "replays": 0,
            "partner": partner_of(message.kind, message.payload),
        }
        try:
            await self._coll.insert_one(document, session=mongo_session(tx))
        except DuplicateKeyError:
            raise AlreadyExists(
                "this message is already in the outbox",
                kind=message.kind,
                request_id=message.request_id,
            ) from None
        return message_id

    async def lease_due(
        self,
        *,
        owner: str,
        kinds: Collection[str],
        now: datetime,
        lease_for: timedelta,
        limit: int,
    ) -> Sequence[OutboxMessage]:
        leased: list[OutboxMessage] = []
        query = {
            "status": _PENDING,
            "kind": {"$in": list(kinds)},
            "next_attempt_at": {"$lte": now},
            "$or": [{"lease_expires_at": None}, {"lease_expires_at": {"$lte": now}}],
        }
        update = {
            "$set": {"lease_owner": owner, "lease_expires_at": now + lease_for},
            "$inc": {"attempts": 1},
        }
        for _ in range(limit):
            doc = await self._coll.find_one_and_update(
                query,
                update,
                sort=[("next_attempt_at", ASCENDING), ("created_at", ASCENDING)],
                return_document=ReturnDocument.AFTER,
            )
            if doc is None:
                break
            leased.append(_from_document(doc))
        return leased

    async def mark_delivered(
        self, message_id: str, *, now: datetime, result: Mapping[str, Any] | None = None
    ) -> bool:
        # A pipeline update, so the acknowledgement deadline derives from the stored
        # ack_within_s in the same atomic write.
        outcome = await self._coll.update_one(
            {"_id": message_id, "status": _PENDING},
            [
                {
                    "$set": {
                        "status": _DELIVERED,
                        "delivered_at": now,
                        "result": {"$literal": dict(result) if result is not None else None},
                        "lease_owner": None,
                        "lease_expires_at": None,
                        "ack_due_at": {
                            "$cond": [
                                {"$eq": [{"$ifNull": ["$ack_within_s", None]}, None]},
                                None,
                                {"$add": [now, {"$multiply": ["$ack_within_s", 1000]}]},
                            ]
                        },
                    }
                }
            ],
        )
        return bool(outcome.modified_count)

    async def mark_failed(
        self, message_id: str, *, owner: str, error: str, retry_at: datetime
    ) -> bool:
        outcome = await self._coll.update_one(
            {"_id": message_id, "status": _PENDING, "lease_owner": owner},
            {"$set": {"next_attempt_at": retry_at, "last_error": error, **_NO_LEASE}},
        )
        return bool(outcome.modified_count)

    async def mark_dead(self, message_id: str, *, owner: str, error: str, now: datetime) -> bool:
        outcome = await self._coll.update_one(
            {"_id": message_id, "status": _PENDING, "lease_owner": owner},
            {"$set": {"status": _DEAD, "dead_at": now, "last_error": error, **_NO_LEASE}},
        )
        return bool(outcome.modified_count)

    async def get(self, message_id: str) -> OutboxMessage:
        doc = await self._coll.find_one({"_id": message_id})
        if doc is None:
            raise OutboxMessageNotFound("no such outbox message", message_id=message_id)
        return _from_document(doc)

    async def list_dead(self, *, limit: int = 100) -> Sequence[OutboxMessage]:
        cursor = self._coll.find({"status": _DEAD}).sort("dead_at", DESCENDING).limit(limit)
        return [_from_document(doc) async for doc in cursor]

    async def replay(self, message_id: str, *, now: datetime, tx: Transaction | None = None
                     ) -> OutboxMessage:  # fmt: skip
        doc = await self._coll.find_one_and_update(
            {"_id": message_id, "status": _DEAD},
            {
                "$set": {
                    "status": _PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "dead_at": None,
                    **_NO_LEASE,
                },
                "$inc": {"replays": 1},
            },
            return_document=ReturnDocument.AFTER,
            session=mongo_session(tx),
        )
        if doc is None:
            raise OutboxMessageNotFound(
                "no dead outbox message with this id", message_id=message_id
            )
        return _from_document(doc)

    async def unacknowledged(
        self, *, kind: str, now: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        cursor = (
            self._coll.find(
                {"kind": kind, "status": _DELIVERED, "acked_at": None, "ack_due_at": {"$lte": now}}
            )
            .sort("ack_due_at", ASCENDING)
            .limit(limit)
        )
        return [_from_document(doc) async for doc in cursor]

    async def acknowledge(
        self, message_id: str, *, now: datetime, result: Mapping[str, Any] | None = None
    ) -> bool:
        outcome = await self._coll.update_one(
            {"_id": message_id, "status": _DELIVERED, "acked_at": None},
            {"$set": {"acked_at": now, "ack_result": dict(result) if result else None}},
        )
        return bool(outcome.modified_count)

    async def acknowledge_key(self, *, kind: str, key: str, now: datetime) -> int:
        outcome = await self._coll.update_many(
            {"kind": kind, "key": key, "status": _DELIVERED, "acked_at": None},
            {"$set": {"acked_at": now}},
        )
        return int(outcome.modified_count)

    async def requeue(self, message_id: str, *, now: datetime, reason: str) -> bool:
        outcome = await self._coll.update_one(
            {"_id": message_id, "status": _DELIVERED},
            {
                "$set": {
                    "status": _PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "delivered_at": None,
                    "ack_due_at": None,
                    "last_error": reason,
                    **_NO_LEASE,
                },
                "$inc": {"replays": 1},
            },
        )
        return bool(outcome.modified_count)


    async def retry_now(self, partner: str, *, now: datetime) -> int:
        outcome = await self._coll.update_many(
            {"partner": partner, "status": _PENDING, "next_attempt_at": {"$gt": now}},
            {"$set": {"next_attempt_at": now}},
        )
        return int(outcome.modified_count)

    async def backlog(self, *, now: datetime) -> Sequence[PartnerBacklog]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"status": {"$in": [_PENDING, _DEAD]}}},
            {
                "$group": {
                    "_id": {"$ifNull": ["$partner", "$kind"]},
                    "pending": {"$sum": {"$cond": [{"$eq": ["$status", _PENDING]}, 1, 0]}},
                    "dead": {"$sum": {"$cond": [{"$eq": ["$status", _DEAD]}, 1, 0]}},
                    "oldest": {
                        "$min": {"$cond": [{"$eq": ["$status", _PENDING]}, "$created_at", None]}
                    },
                }
            },
            {"$sort": {"_id": 1}},
        ]
        out = []
        async for row in await self._coll.aggregate(pipeline):
            oldest = _aware(row.get("oldest"))
            age = (now - oldest).total_seconds() if oldest is not None else 0.0
            out.append(PartnerBacklog(str(row["_id"]), int(row["pending"]), max(age, 0.0),
                                      int(row["dead"])))  # fmt: skip
        return out

    async def replay_all_dead(self, *, now: datetime, tx: Transaction | None = None) -> int:
        outcome = await self._coll.update_many(
            {"status": _DEAD},
            {
                "$set": {"status": _PENDING, "attempts": 0, "next_attempt_at": now,
                         "dead_at": None, **_NO_LEASE},
                "$inc": {"replays": 1},
            },
            session=mongo_session(tx),
        )  # fmt: skip
        return int(outcome.modified_count)

    async def cancel(self, message_id: str, *, now: datetime, reason: str,
                     tx: Transaction | None = None) -> OutboxMessage:  # fmt: skip
        doc = await self._coll.find_one_and_update(
            {"_id": message_id, "status": {"$in": [_PENDING, _DEAD]},
             "$or": [{"lease_expires_at": None}, {"lease_expires_at": {"$lte": now}}]},
            {"$set": {"status": OutboxStatus.CANCELLED.value, "cancelled_at": now,
                      "last_error": f"cancelled: {reason}", **_NO_LEASE}},
            return_document=ReturnDocument.AFTER, session=mongo_session(tx),
        )  # fmt: skip
        if doc is None:
            raise OutboxMessageNotFound(
                "no pending (and not being sent right now) or dead message with this id",
                message_id=message_id,
            )
        return _from_document(doc)


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    # Clients opened without tz_aware=True hand back naive UTC datetimes.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _from_document(doc: Mapping[str, Any]) -> OutboxMessage:
    created_at = _aware(doc["created_at"])
    next_attempt_at = _aware(doc["next_attempt_at"])
    if created_at is None or next_attempt_at is None:
        raise ValueError(f"outbox document {doc['_id']} lacks its timestamps")
    return OutboxMessage(
        id=str(doc["_id"]),
        kind=str(doc["kind"]),
        key=str(doc["key"]),
        payload=doc["payload"],
        request_id=str(doc["request_id"]),
        status=OutboxStatus(doc["status"]),
        attempts=int(doc["attempts"]),
        created_at=created_at,
        next_attempt_at=next_attempt_at,
        lease_owner=doc.get("lease_owner"),
        lease_expires_at=_aware(doc.get("lease_expires_at")),
        last_error=doc.get("last_error"),
        delivered_at=_aware(doc.get("delivered_at")),
        result=doc.get("result"),
        ack_due_at=_aware(doc.get("ack_due_at")),
        acked_at=_aware(doc.get("acked_at")),
        partner=str(doc.get("partner") or partner_of(str(doc["kind"]), doc["payload"])),
        dead_at=_aware(doc.get("dead_at")),
        replays=int(doc.get("replays") or 0),
    )
