"""MongoDB audit trail: one document per entry, keyed by its sequence number.

The sequence number is the ``_id``, so two concurrent appends that computed the same next
number cannot both be stored: the loser gets a duplicate-key error, re-reads the last
entry and chains after it. The chain can therefore never fork, without a transaction.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Collection, Database, Document
from settlement.domain.audit import AuditEntry, AuditEvent, ChainHead, chain_next
from settlement.errors import ConcurrentUpdate

MAX_APPEND_ATTEMPTS = 100
HEAD_ID = "head"


class MongoAuditLog:
    """:class:`~settlement.ports.audit.AuditLog` on ``audit_log`` and ``audit_head``."""

    def __init__(self, db: Database) -> None:
        self._entries: Collection = db["audit_log"]
        self._head: Collection = db["audit_head"]

    async def append(self, event: AuditEvent, at: datetime) -> AuditEntry:
        for _ in range(MAX_APPEND_ATTEMPTS):
            last = await self._entries.find_one({}, sort=[("_id", DESCENDING)])
            previous = None if last is None else ChainHead(int(last["_id"]), str(last["hash"]))
            entry = chain_next(previous, event, at)
            try:
                await self._entries.insert_one(to_document(entry))
            except DuplicateKeyError:
                continue  # someone appended first: chain after their entry instead
            await self._advance_head(entry)
            return entry
        raise ConcurrentUpdate("The audit trail is too busy; try again.")

    async def _advance_head(self, entry: AuditEntry) -> None:
        # A duplicate key means the head is already past this entry: a later append won.
        with contextlib.suppress(DuplicateKeyError):
            await self._head.update_one(
                {"_id": HEAD_ID, "seq": {"$lt": entry.seq}},
                {"$set": {"seq": entry.seq, "hash": entry.hash}},
                upsert=True,
            )

    async def entries(self, from_seq: int = 1) -> AsyncIterator[AuditEntry]:
        cursor = self._entries.find({"_id": {"$gte": from_seq}}).sort("_id", ASCENDING)
        async for document in cursor.batch_size(1000):
            yield from_document(document)

    async def head(self) -> ChainHead | None:
        document = await self._head.find_one({"_id": HEAD_ID})
        return None if document is None else ChainHead(int(document["seq"]), document["hash"])

    async def for_case(self, case_id: str, limit: int) -> Sequence[AuditEntry]:
        cursor = self._entries.find({"case_id": case_id}).sort("_id", DESCENDING).limit(limit)
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
        cursor = self._entries.find(query).sort("_id", DESCENDING).limit(limit)
        return [from_document(document) async for document in cursor]


async def ensure_audit_indexes(db: Database) -> None:
    await db["audit_log"].create_index([("case_id", ASCENDING), ("_id", DESCENDING)])
    await db["audit_log"].create_index([("actor", ASCENDING), ("_id", DESCENDING)])
    await db["audit_log"].create_index([("action", ASCENDING), ("_id", DESCENDING)])


def to_document(entry: AuditEntry) -> Document:
    event = entry.event
    return {
        "_id": entry.seq,
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
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def from_document(document: dict[str, Any]) -> AuditEntry:
    at: datetime = document["at"]
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
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
    return AuditEntry(
        int(document["_id"]), at, event, document.get("prev_hash", ""), document.get("hash", "")
    )
