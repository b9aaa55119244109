"""Type aliases for Motor's generic classes (documents are plain dicts)."""

from __future__ import annotations

from typing import Any, TypeAlias

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorCollection, AsyncIOMotorDatabase

Document: TypeAlias = dict[str, Any]
MongoClient: TypeAlias = AsyncIOMotorClient[Document]
Database: TypeAlias = AsyncIOMotorDatabase[Document]
Collection: TypeAlias = AsyncIOMotorCollection[Document]
