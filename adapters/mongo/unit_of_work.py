"""MongoUnitOfWork: multi-document transactions for the case repository and the outbox.

Transactions need a replica set (the embedded server and the test server are one).
The yielded session is what ``MongoCaseRepository.save(session=...)`` and
``MongoOutbox.enqueue(tx=...)`` take, so a case change and the partner messages it
causes commit together or not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from pymongo.errors import OperationFailure, PyMongoError

from adapters.mongo.errors import is_outage
from adapters.mongo.types import MAJORITY, SNAPSHOT, MongoClient
from settlement.errors import ConcurrentUpdate
from settlement.ports.outbox import Transaction

_TRANSIENT = "TransientTransactionError"
_UNKNOWN_COMMIT = "UnknownTransactionCommitResult"


class MongoUnitOfWork:
    """Opens a session and a transaction per use.

    Args:
        client: the process's one MongoDB client.
    """

    def __init__(self, client: MongoClient) -> None:
        self._client = client

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._client.start_session() as session:
            try:
                async with await session.start_transaction(read_concern=SNAPSHOT,
                                                           write_concern=MAJORITY):
                    yield session
            except PyMongoError as exc:
                # A write conflict with a concurrent transaction (or a commit whose
                # result is unknown) is the database's "someone else was first": the
                # use case re-reads the case and tries again, which its version check
                # makes safe. An outage (no primary during an election) propagates as
                # itself, to be answered 503; anything else is a real failure.
                if is_outage(exc):
                    raise
                if exc.has_error_label(_TRANSIENT) or exc.has_error_label(_UNKNOWN_COMMIT):
                    raise ConcurrentUpdate(
                        "The case was changed by someone else at the same time; try again."
                    ) from exc
                if isinstance(exc, OperationFailure) and exc.code == 112:  # WriteConflict
                    raise ConcurrentUpdate(
                        "The case was changed by someone else at the same time; try again."
                    ) from exc
                raise
