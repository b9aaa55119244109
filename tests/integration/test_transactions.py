"""Transactions as the service runs them, against a real mongod: they read a snapshot of
majority-committed data and commit with majority acknowledgement (so nothing they decided
on can be rolled back by a failover), and a write conflict is "someone else was first"."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from adapters.mongo.unit_of_work import MongoUnitOfWork
from settlement.errors import ConcurrentUpdate


class _Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.seen.append((event.command_name, dict(event.command)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_a_transaction_reads_a_majority_snapshot_and_commits_by_majority(
    mongo_uri: str, mongo_db: Any
) -> None:
    commands = _Commands()
    # A client with no write concern of its own: the transaction must ask for majority.
    client: Any = AsyncMongoClient(mongo_uri, tz_aware=True, event_listeners=[commands])
    try:
        db = client[mongo_db.name]
        await mongo_db["cases"].insert_one({"_id": "c1", "version": 1})
        async with MongoUnitOfWork(client).transaction() as tx:
            found = await db["cases"].find_one({"_id": "c1"}, session=tx)
            await db["cases"].update_one({"_id": "c1"}, {"$set": {"version": 2}}, session=tx)
        assert found is not None
    finally:
        await client.close()
    first = next(body for name, body in commands.seen if name == "find")
    assert first["readConcern"] == {"level": "snapshot"}
    assert first["startTransaction"] is True
    commit = next(body for name, body in commands.seen if name == "commitTransaction")
    assert commit["writeConcern"]["w"] == "majority"


async def test_two_transactions_writing_one_document_the_second_is_told_to_retry(
    mongo_db: Any,
) -> None:
    await mongo_db["cases"].insert_one({"_id": "c2", "version": 1})
    uow = MongoUnitOfWork(mongo_db.client)
    first_wrote = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with uow.transaction() as tx:
            await mongo_db["cases"].update_one({"_id": "c2"}, {"$inc": {"version": 1}},
                                               session=tx)  # fmt: skip
            first_wrote.set()
            await release.wait()

    holder = asyncio.create_task(first())
    await first_wrote.wait()
    with pytest.raises(ConcurrentUpdate):
        async with uow.transaction() as tx:
            await mongo_db["cases"].update_one({"_id": "c2"}, {"$inc": {"version": 10}},
                                               session=tx)  # fmt: skip
    release.set()
    await holder
    stored = await mongo_db["cases"].find_one({"_id": "c2"})
    assert stored["version"] == 2
