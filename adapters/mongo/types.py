"""Type aliases for PyMongo's async classes (documents are plain dicts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias, TypeVar

from pymongo import AsyncMongoClient, WriteConcern
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern

from settlement.ports.outbox import Transaction

T = TypeVar("T")
Document: TypeAlias = dict[str, Any]
MongoClient: TypeAlias = AsyncMongoClient[Document]
Database: TypeAlias = AsyncDatabase[Document]
Collection: TypeAlias = AsyncCollection[Document]
Session: TypeAlias = AsyncClientSession

# Every transaction reads a snapshot of majority-committed data and commits with majority
# acknowledgement, so what it decided on cannot be rolled back by a failover under it.
SNAPSHOT = ReadConcern("snapshot")
MAJORITY = WriteConcern("majority")


def mongo_session(tx: Transaction | None) -> Session | None:
    """The session behind a unit of work's transaction (None: no transaction)."""
    if tx is not None and not isinstance(tx, AsyncClientSession):
        raise TypeError("expected a MongoDB session with a transaction started")
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
