"""Replaying or cancelling a dead letter commits with its audit entry, against a real mongod:
when the entry cannot be stored nothing changes, and a refused action records no success."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.mongo.audit import MongoAuditLog, ensure_audit_indexes
from adapters.mongo.outbox import MongoOutbox, ensure_outbox_indexes
from adapters.mongo.unit_of_work import MongoUnitOfWork
from adapters.system import SystemClock
from settlement.domain.exchange import NewOutboxMessage
from settlement.errors import OutboxMessageNotFound
from settlement.services.audit import AuditTrail
from settlement.services.dispatcher import KIND_FILE_CLAIM
from settlement.services.outbox_admin import OutboxDesk, operator_event


async def _dead_letter(outbox: MongoOutbox, case_id: str) -> str:
    now = datetime.now(UTC)
    message_id = await outbox.enqueue(NewOutboxMessage(
        kind=KIND_FILE_CLAIM, key=f"{case_id}.A.jqx", payload={"case_id": case_id},
        request_id=f"req-{case_id}",
    ))  # fmt: skip
    [leased] = await outbox.lease_due(owner="t", kinds=[KIND_FILE_CLAIM], now=now,
                                      lease_for=timedelta(seconds=30), limit=1)  # fmt: skip
    assert await outbox.mark_dead(leased.id, owner="t", error="INVALID_ARGUMENT", now=now)
    return message_id


@pytest.fixture
async def desk(mongo_db: Any) -> OutboxDesk:
    await ensure_outbox_indexes(mongo_db)
    await ensure_audit_indexes(mongo_db)
    return OutboxDesk(MongoOutbox(mongo_db), SystemClock(), MongoUnitOfWork(mongo_db.client),
                      AuditTrail(MongoAuditLog(mongo_db), SystemClock()))  # fmt: skip


async def _entries(db: Any, action: str) -> list[dict[str, Any]]:
    return [d async for d in db["audit_log"].find({"action": action})]


async def test_a_replay_and_a_cancel_are_recorded_with_who_did_them(
    desk: OutboxDesk, mongo_db: Any
) -> None:
    assert isinstance(desk.outbox, MongoOutbox)
    first = await _dead_letter(desk.outbox, "case-one")
    second = await _dead_letter(desk.outbox, "case-two")
    by = operator_event("ops.li")
    replayed = await desk.replay(first, by=by)
    assert replayed.status.value == "pending"
    cancelled = await desk.cancel(second, "policy replaced", by=by)
    assert cancelled.status.value == "cancelled"
    [replay] = await _entries(mongo_db, "outbox.replay")
    assert (replay["actor"], replay["role"], replay["case_id"]) == ("operator:ops.li", "operator",
                                                                    "case-one")  # fmt: skip
    assert replay["details"]["message_id"] == first
    [cancel] = await _entries(mongo_db, "outbox.cancel")
    assert cancel["details"]["reason"] == "policy replaced"
    assert cancel["case_id"] == "case-two"


async def test_nothing_changes_when_the_audit_entry_cannot_be_stored(
    desk: OutboxDesk, mongo_db: Any
) -> None:
    assert isinstance(desk.outbox, MongoOutbox)
    message_id = await _dead_letter(desk.outbox, "case-three")
    rule = {"$jsonSchema": {"required": ["entry_that_never_exists"]}}
    await mongo_db.command("collMod", "audit_log", validator=rule)
    by = operator_event("ops.li")
    for attempt in (desk.replay(message_id, by=by), desk.replay_all(by=by),
                    desk.cancel(message_id, "duplicate", by=by)):  # fmt: skip
        with pytest.raises(Exception, match="validation"):
            await attempt
    stored = await mongo_db["outbox"].find_one({"_id": message_id})
    assert stored["status"] == "dead"
    assert stored.get("replays", 0) == 0
    await mongo_db.command("collMod", "audit_log", validator={})
    assert (await desk.replay(message_id, by=by)).status.value == "pending"
    assert len(await _entries(mongo_db, "outbox.replay")) == 1


async def test_a_replay_of_no_dead_letter_records_no_success(
    desk: OutboxDesk, mongo_db: Any
) -> None:
    with pytest.raises(OutboxMessageNotFound):
        await desk.replay("no-such-message", by=operator_event("ops.li"))
    assert await _entries(mongo_db, "outbox.replay") == []
