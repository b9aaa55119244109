"""The one MongoDB client of the process, and database start-up chores.

PyMongo's native asyncio client: no thread hop per operation (Motor, which ran PyMongo's
synchronous client in a thread pool, spent twice the CPU per read). This package is the
only place that imports the driver.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from adapters.mongo.audit import ensure_audit_indexes
from adapters.mongo.cases import ensure_case_indexes
from adapters.mongo.claims import ensure_claim_indexes
from adapters.mongo.idempotency import ensure_idempotency_indexes
from adapters.mongo.limits import ensure_limit_indexes
from adapters.mongo.outbox import ensure_outbox_indexes
from adapters.mongo.photos import ensure_photo_indexes
from adapters.mongo.request_log import ensure_request_log_indexes
from adapters.mongo.review import ensure_review_indexes
from adapters.mongo.sessions import ensure_session_indexes
from adapters.mongo.staff import ensure_staff_indexes
from adapters.mongo.types import Database, MongoClient


def open_client(uri: str, *, server_selection_timeout_ms: int = 5000) -> MongoClient:
    """The process's client, with the durability the service promises spelled out.

    Majority write concern: what is acknowledged to a driver or a partner survives the
    loss of the primary. Retryable reads and writes: one transparent retry across an
    election.
    """
    return AsyncMongoClient(
        uri,
        tz_aware=True,
        serverSelectionTimeoutMS=server_selection_timeout_ms,
        appname="settlement",
        w="majority",
        retryWrites=True,
        retryReads=True,
    )


async def ensure_indexes(db: Database) -> None:
    """Create every index the adapters rely on (idempotent; run at start-up)."""
    await ensure_case_indexes(db)
    await ensure_session_indexes(db)
    await ensure_idempotency_indexes(db)
    await ensure_outbox_indexes(db)
    await ensure_request_log_indexes(db)
    await ensure_claim_indexes(db)
    await ensure_audit_indexes(db)
    await ensure_staff_indexes(db)
    await ensure_review_indexes(db)
    await ensure_photo_indexes(db)
    await ensure_limit_indexes(db)


def readiness_probe(db: Database) -> Callable[[], Awaitable[bool]]:
    async def ready() -> bool:
        try:
            await db.command("ping")
        except PyMongoError:
            return False
        return True

    return ready
