"""Type aliases for Motor's generic classes (documents are plain dicts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias, TypeVar

from motor.motor_asyncio import (
    AsyncIOMotorClient,
    AsyncIOMotorClientSession,
    AsyncIOMotorCollection,
    AsyncIOMotorDatabase,
)

from settlement.ports.outbox import Transaction

T = TypeVar("T")
Document: TypeAlias = dict[str, Any]
MongoClient: TypeAlias = AsyncIOMotorClient[Document]
Database: TypeAlias = AsyncIOMotorDatabase[Document]
Collection: TypeAlias = AsyncIOMotorCollection[Document]


def motor_session(tx: Transaction | None) -> AsyncIOMotorClientSession | None:
    """The motor session behind a unit of work's transaction (None: no transaction)."""
    if tx is not None and not isinstance(tx, AsyncIOMotorClientSession):
        raise TypeError("expected a motor session with a transaction started")
    return tx


async def find_each(collection: Collection, ids: Sequence[str],
                    convert: Callable[[Document], T], missing: Callable[[str], BaseException]
                    ) -> list[T | BaseException]:  # fmt: skip
    """One result per id, in order, from one query: ``convert`` of its document, or
    ``missing(id)`` when there is none (a batch call of a Coalescer)."""
    wanted = list(dict.fromkeys(ids))
    # A limit (ids are unique) lets the server close the cursor with the first batch; a
    # batch size of exactly the count would cost an empty getMore round trip.
    cursor = collection.find({"_id": {"$in": wanted}}).limit(len(wanted)).batch_size(len(wanted))
    found = {document["_id"]: document for document in await cursor.to_list(None)}
    return [convert(found[i]) if i in found else missing(i) for i in ids]
