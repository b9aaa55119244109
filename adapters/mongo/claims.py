"""Insurer-side reads over the ``cases`` collection: claim queries and the change feed.

The feed is a MongoDB change stream (the server is a replica set). It was chosen over an
in-process event bus because it sees changes made by *every* process sharing the
database (HTTP workers, dispatchers, other gRPC replicas), and its resume tokens give
insurers a cursor that survives reconnects and our restarts, which a bus cannot.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import OperationFailure

from adapters.mongo.cases import from_document
from adapters.mongo.types import Collection, Database, Document
from settlement.domain.case import Case, CaseStatus
from settlement.errors import InvalidInput
from settlement.ports.claims import CaseChange, ClaimPage

LABELS = ("A", "B")
_TOKEN = re.compile(r"[0-9A-Fa-f]{2,1024}")
IDLE_POLL_MS = 250
"""How long one change-stream getMore waits for news: bounds the delay of opening."""


def _insurer_filter(insurer_code: str, claim_status: str | None, prefix: str = "") -> Document:
    terms = []
    for label in LABELS:
        term: Document = {f"{prefix}exchange.claims.{label}.insurer_code": insurer_code}
        if claim_status is not None:
            term[f"{prefix}exchange.claims.{label}.status"] = claim_status
        terms.append(term)
    return {"$or": terms}


class MongoClaimQueries:
    """:class:`~settlement.ports.claims.ClaimQueries` on the ``cases`` collection."""

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db["cases"]

    async def list_for_insurer(
        self,
        insurer_code: str,
        *,
        limit: int,
        after: ClaimPage | None = None,
        claim_status: str | None = None,
        updated_after: datetime | None = None,
    ) -> Sequence[Case]:
        clauses: list[Document] = [_insurer_filter(insurer_code, claim_status)]
        if updated_after is not None:
            clauses.append({"updated_at": {"$gte": updated_after}})
        if after is not None:
            clauses.append(
                {
                    "$or": [
                        {"updated_at": {"$lt": after.updated_at}},
                        {"updated_at": after.updated_at, "_id": {"$lt": after.case_id}},
                    ]
                }
            )
        cursor = (
            self._collection.find({"$and": clauses})
            .sort([("updated_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return [from_document(document) async for document in cursor]

    async def in_status(self, status: CaseStatus, *, limit: int) -> Sequence[Case]:
        cursor = (
            self._collection.find({"status": status.value})
            .sort("updated_at", ASCENDING)
            .limit(limit)
        )
        return [from_document(document) async for document in cursor]


class MongoCaseFeed:
    """:class:`~settlement.ports.claims.CaseFeed` as a change stream on ``cases``.

    Cursors are the change stream's resume tokens (the hex ``_data`` string).
    """

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db["cases"]

    @contextlib.asynccontextmanager
    async def watch(
        self, insurer_code: str, *, cursor: str = ""
    ) -> AsyncIterator[AsyncIterator[CaseChange]]:
        resume: Document | None = None
        if cursor:
            if not _TOKEN.fullmatch(cursor):
                raise InvalidInput("The cursor is malformed.", field="cursor")
            resume = {"_data": cursor}
        pipeline = [
            {
                "$match": {
                    "operationType": {"$in": ["insert", "update", "replace"]},
                    **_insurer_filter(insurer_code, None, prefix="fullDocument."),
                }
            }
        ]
        stream: Any = self._collection.watch(
            pipeline,
            full_document="updateLookup",
            resume_after=resume,
            max_await_time_ms=IDLE_POLL_MS,
        )
        try:
            # Open the stream now, so changes after entering are never missed; keep
            # whatever the first round trip returned.
            try:
                first = await stream.try_next()
            except OperationFailure as exc:
                raise InvalidInput(
                    "The cursor is too old or not ours; start again with an empty cursor.",
                    field="cursor",
                ) from exc
            yield _changes(stream, first)
        finally:
            await stream.close()


async def _changes(stream: Any, first: Document | None) -> AsyncIterator[CaseChange]:
    pending = first
    while True:
        change = pending if pending is not None else await stream.try_next()
        pending = None
        if change is None:
            continue
        document = change.get("fullDocument")
        if document is None:  # deleted before the lookup
            continue
        yield CaseChange(cursor=str(change["_id"]["_data"]), case=from_document(document))


async def ensure_claim_indexes(db: Database) -> None:
    cases = db["cases"]
    for label in LABELS:
        await cases.create_index(
            [
                (f"exchange.claims.{label}.insurer_code", ASCENDING),
                ("updated_at", DESCENDING),
                ("_id", DESCENDING),
            ],
            name=f"claims_{label}_by_insurer",
            partialFilterExpression={f"exchange.claims.{label}.insurer_code": {"$exists": True}},
        )
