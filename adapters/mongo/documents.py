"""Issued documents in MongoDB: one small document per PDF, keyed by its content hash.

Agreements and determinations are a few tens of kilobytes, far below the 16 MB document
limit, so the bytes live beside their hashes instead of in GridFS.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bson.binary import Binary

from adapters.mongo.types import Collection, Database, mongo_session
from settlement.errors import NotFound
from settlement.ports.documents import IssuedDocument, RenderedDocument
from settlement.ports.outbox import Transaction


class MongoDocumentStore:
    """:class:`~settlement.ports.documents.DocumentStore` on the ``documents`` collection."""

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db["documents"]

    async def put(self, case_id: str, document: RenderedDocument, issued_at: datetime,
                  *, tx: Transaction | None = None) -> IssuedDocument:
        record = {
            "file_sha256": document.file_sha256,
            "kind": document.kind,
            "case_id": case_id,
            "issued_at": issued_at,
            "size": len(document.pdf),
            "pdf": Binary(document.pdf),
        }
        # An upsert, not an insert: inside a transaction a duplicate key would abort the
        # whole change. Same content, same hash: the first issue is kept.
        session = mongo_session(tx)
        await self._collection.update_one(
            {"_id": document.sha256}, {"$setOnInsert": record}, upsert=True, session=session
        )
        existing = await self._collection.find_one(
            {"_id": document.sha256}, {"pdf": 0}, session=session
        )
        return _issued(existing if existing is not None else {"_id": document.sha256, **record})

    async def pdf(self, sha256: str) -> bytes:
        found = await self._collection.find_one({"_id": sha256}, {"pdf": 1})
        if found is None:
            raise NotFound("No document with this hash was issued.", sha256=sha256)
        return bytes(found["pdf"])

    async def find(self, sha256: str) -> IssuedDocument | None:
        found = await self._collection.find_one(
            {"$or": [{"_id": sha256}, {"file_sha256": sha256}]}, {"pdf": 0}
        )
        return None if found is None else _issued(found)


async def ensure_document_indexes(db: Database) -> None:
    await db["documents"].create_index("file_sha256")
    await db["documents"].create_index("case_id")


def _issued(record: Mapping[str, Any]) -> IssuedDocument:
    issued_at: datetime = record["issued_at"]
    return IssuedDocument(
        sha256=record["_id"],
        file_sha256=record["file_sha256"],
        kind=record["kind"],
        case_id=record["case_id"],
        issued_at=issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=UTC),
        size=record["size"],
    )
