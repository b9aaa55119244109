"""Type aliases for Motor's generic classes (documents are plain dicts)."""

from __future__ import annotations

from typing import Any, TypeAlias

from motor.motor_asyncio import (
    AsyncIOMotorClient,
    AsyncIOMotorClientSession,
    AsyncIOMotorCollection,
    AsyncIOMotorDatabase,
)

from settlement.ports.outbox import Transaction

Document: TypeAlias = dict[str, Any]
MongoClient: TypeAlias = AsyncIOMotorClient[Document]
Database: TypeAlias = AsyncIOMotorDatabase[Document]
Collection: TypeAlias = AsyncIOMotorCollection[Document]


def motor_session(tx: Transaction | None) -> AsyncIOMotorClientSession | None:
    """The motor session behind a unit of work's transaction (None: no transaction)."""
    if tx is not None and not isinstance(tx, AsyncIOMotorClientSession):
        raise TypeError("expected a motor session with a transaction started")
    return tx
