"""MongoDB audit trail: unsealed appends, the sealer's batches and lease, checkpoint records.

Collections:

* ``audit_log``: one document per entry. Appended with ``pending: true`` and no sequence
  number (an insert that cannot conflict, inside the caller's transaction when given);
  the sealer sets ``seq`` and ``batch`` and removes ``pending``.
* ``audit_batches``: one header per batch, ``_id`` = batch number (so two sealers can
  never both write batch n), with the batch's leaf hashes.
* ``audit_lease``: the sealer's lease (one document).
* ``audit_checkpoints``: number -> digest of each checkpoint written to the witness, so a
  checkpoint later removed from the witness is noticed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from adapters.mongo.types import MAJORITY, SNAPSHOT, Collection, Database, Document, mongo_session
from settlement.domain.audit import AuditEntry, AuditEvent, Batch
from settlement.ports.outbox import Transaction
from settlement.services.batching import Coalescer

LEASE_ID = "sealer"


class MongoAuditLog:
    """:class:`~settlement.ports.audit.AuditLog` and ``AuditSealStore`` on MongoDB."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._entries: Collection = db["audit_log"]
        self._batches: Collection = db["audit_batches"]
        self._lease: Collection = db["audit_lease"]
        self._checkpoints: Collection = db["audit_checkpoints"]
        # Appends outside a transaction that arrive together share one insert_many; each
        # caller returns once its own entry is stored (with the client's write concern).
        self._appends: Coalescer[Document, None] = Coalescer(
            functools.partial(_insert_entries, self._entries), limit=1000, in_flight=2
        )

    # --- appends and reads (request path) -----------------------------------------------

    async def append(self, entry: AuditEntry, *, tx: Transaction | None = None) -> None:
        if tx is None:
            await self._appends(to_document(entry))
        else:
            await self._entries.insert_one(to_document(entry), session=mongo_session(tx))

    async def append_all(self, entries: Sequence[AuditEntry], *, tx: Transaction) -> None:
        documents = [to_document(entry) for entry in entries]
        if documents:
            await self._entries.insert_many(documents, session=mongo_session(tx))

    async def get(self, entry_id: str) -> AuditEntry | None:
        document = await self._entries.find_one({"_id": entry_id})
        return None if document is None else from_document(document)

    async def for_case(self, case_id: str, limit: int) -> Sequence[AuditEntry]:
        cursor = self._entries.find({"case_id": case_id}).sort("at", DESCENDING).limit(limit)
        return [from_document(document) async for document in cursor]

    async def recent(self, limit: int) -> Sequence[AuditEntry]:
        cursor = self._entries.find({}).sort("_id", DESCENDING).limit(limit)
        return [from_document(document) async for document in cursor]

    async def search(
        self, *, case_id: str = "", actor: str = "", action: str = "", limit: int = 100
    ) -> Sequence[AuditEntry]:
        query: dict[str, Any] = {}
        if case_id:
            query["case_id"] = case_id
        if actor:
            query["actor"] = actor
        if action:
            query["action"] = (
                {"$regex": f"^{re.escape(action)}"} if action.endswith(".") else action
            )
        cursor = self._entries.find(query).sort("at", DESCENDING).limit(limit)
        return [from_document(document) async for document in cursor]

    # --- the sealer --------------------------------------------------------------------------

    async def acquire_lease(self, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew the sealer's lease; False while someone else holds it."""
        try:
            await self._lease.find_one_and_update(
                {"_id": LEASE_ID, "$or": [{"owner": owner}, {"until": {"$lte": now}}]},
                {"$set": {"owner": owner, "until": now + ttl}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the lease document exists and is someone else's, still valid
        return True

    async def release_lease(self, owner: str) -> None:
        await self._lease.delete_one({"_id": LEASE_ID, "owner": owner})

    async def pending(self, limit: int) -> Sequence[AuditEntry]:
        cursor = self._entries.find({"pending": True}).sort("_id", ASCENDING).limit(limit)
        return [from_document(document) async for document in cursor]

    async def count_pending(self) -> int:
        return await self._entries.count_documents({"pending": True})

    async def count_sealed(self) -> int:
        return await self._entries.count_documents({"seq": {"$exists": True}})

    async def last_batch(self) -> Batch | None:
        document = await self._batches.find_one({}, sort=[("_id", DESCENDING)])
        return None if document is None else batch_from_document(document)

    async def commit_batch(self, owner: str, batch: Batch, entries: Sequence[AuditEntry],
                           now: datetime) -> bool:  # fmt: skip
        """Number the entries and store the batch in one transaction, fenced by the lease.

        Returns:
            False when the lease was lost or an entry was sealed by someone else meanwhile
            (nothing is written then).
        """
        async with self._db.client.start_session() as session:
            try:
                async with await session.start_transaction(read_concern=SNAPSHOT,
                                                           write_concern=MAJORITY):
                    held = await self._lease.update_one(
                        {"_id": LEASE_ID, "owner": owner, "until": {"$gt": now}},
                        {"$set": {"sealed_at": now}}, session=session,
                    )  # fmt: skip
                    if held.matched_count != 1:
                        raise _Abort
                    numbered = [
                        UpdateOne(
                            {"_id": e.id, "pending": True},
                            {"$set": {"seq": e.seq, "batch": e.batch}, "$unset": {"pending": ""}},
                        )
                        for e in entries
                    ]
                    result = await self._entries.bulk_write(
                        numbered,
                        ordered=False,
                        session=session,
                    )
                    if result.matched_count != len(entries):
                        raise _Abort
                    await self._batches.insert_one(batch_to_document(batch), session=session)
            except (_Abort, DuplicateKeyError):
                return False
            except OperationFailure as exc:
                if exc.has_error_label("TransientTransactionError"):
                    return False
                raise
        return True

    async def batches(self, from_number: int = 1) -> AsyncIterator[Batch]:
        cursor = self._batches.find({"_id": {"$gte": from_number}}).sort("_id", ASCENDING)
        async for document in cursor.batch_size(50):
            yield batch_from_document(document)

    async def batch(self, number: int) -> Batch | None:
        document = await self._batches.find_one({"_id": number})
        return None if document is None else batch_from_document(document)

    async def batch_entries(self, number: int) -> Sequence[AuditEntry]:
        cursor = self._entries.find({"batch": number}).batch_size(2000)
        found = [from_document(document) async for document in cursor]
        return sorted(found, key=lambda entry: entry.seq or 0)

    async def record_checkpoint(self, number: int, digest: str) -> None:
        await self._checkpoints.update_one(
            {"_id": number}, {"$setOnInsert": {"digest": digest}}, upsert=True
        )

    async def recorded_checkpoints(self) -> dict[int, str]:
        return {int(d["_id"]): str(d["digest"]) async for d in self._checkpoints.find({})}


async def _insert_entries(collection: Collection, documents: Sequence[Document]
                          ) -> list[BaseException | None]:  # fmt: skip
    """Insert a batch of entries; a write error fails its own entry, a write concern error
    (nothing known to be durable) every entry."""
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        failed = {int(e["index"]) for e in exc.details.get("writeErrors", [])}
        every = bool(exc.details.get("writeConcernErrors"))
        return [exc if every or i in failed else None for i in range(len(documents))]
    return [None] * len(documents)


class _Abort(Exception):
    """Leave the sealing transaction without writing."""


async def ensure_audit_indexes(db: Database) -> None:
    entries = db["audit_log"]
    await entries.create_index([("case_id", ASCENDING), ("at", DESCENDING)])
    await entries.create_index([("actor", ASCENDING), ("at", DESCENDING)])
    await entries.create_index([("action", ASCENDING), ("at", DESCENDING)])
    await entries.create_index(
        [("pending", ASCENDING), ("_id", ASCENDING)],
        partialFilterExpression={"pending": True},
        name="pending_by_id",
    )
    # Sealing touches as few indexes as it can (it is the one writer that must keep up):
    # a batch's entries are found by batch number and sorted in memory (at most a batch).
    # Sequence numbers need no unique index: only the lease holder numbers entries, in the
    # transaction that inserts the batch header under its unique number.
    await entries.create_index("batch", sparse=True)


def to_document(entry: AuditEntry) -> Document:
    event = entry.event
    document: Document = {
        "_id": entry.id,
        "at": entry.at,
        "actor": event.actor,
        "actor_kind": event.actor_kind,
        "role": event.role,
        "action": event.action,
        "outcome": event.outcome,
        "case_id": event.case_id,
        "details": dict(event.details),
        "origin": event.origin,
        "request_id": event.request_id,
    }
    if entry.seq is None:
        document["pending"] = True
    else:
        document["seq"], document["batch"] = entry.seq, entry.batch
    return document


def from_document(document: Mapping[str, Any]) -> AuditEntry:
    event = AuditEvent(
        actor=document.get("actor", ""),
        actor_kind=document.get("actor_kind", "system"),
        role=document.get("role", ""),
        action=document.get("action", ""),
        outcome=document.get("outcome", "success"),
        case_id=document.get("case_id"),
        details=document.get("details") or {},
        origin=document.get("origin", ""),
        request_id=document.get("request_id", ""),
    )
    seq, batch = document.get("seq"), document.get("batch")
    return AuditEntry(
        str(document["_id"]), _utc(document["at"]), event,
        None if seq is None else int(seq), None if batch is None else int(batch),
    )  # fmt: skip


def batch_to_document(batch: Batch) -> Document:
    return {
        "_id": batch.number,
        "first_seq": batch.first_seq,
        "size": batch.size,
        "root": batch.root,
        "prev": batch.prev,
        "sealed_at": batch.sealed_at,
        "hash": batch.hash,
        "leaves": list(batch.leaves),
    }


def batch_from_document(document: Mapping[str, Any]) -> Batch:
    return Batch(
        number=int(document["_id"]),
        first_seq=int(document.get("first_seq", 0)),
        size=int(document.get("size", 0)),
        root=str(document.get("root", "")),
        prev=str(document.get("prev", "")),
        sealed_at=_utc(document["sealed_at"]),
        hash=str(document.get("hash", "")),
        leaves=tuple(str(leaf) for leaf in document.get("leaves") or ()),
    )


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
