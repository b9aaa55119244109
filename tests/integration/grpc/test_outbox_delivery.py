"""Reliable delivery end to end: MongoDB outbox, dispatcher, gRPC gateway, simulator."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from adapters.mongo.outbox import MongoOutbox
from settlement.domain.exchange import (
    ClaimFiling,
    NewOutboxMessage,
    OutboxStatus,
    SubscriptionMessage,
    wechat_errcode_is_final,
)
from settlement.errors import OutboxMessageNotFound, RecipientRefused, UpstreamUnavailable
from settlement.ports.outbox import Outbox
from settlement.services.dispatcher import (
    KIND_FILE_CLAIM,
    KIND_SUBMIT_DISPUTE,
    KIND_WECHAT_MESSAGE,
    RetryPolicy,
    file_claim_handler,
    partner_handlers,
)
from settlement.services.reconciliation import reconcile_claims, reconcile_disputes

from .conftest import make_dispatcher, make_dispute, make_filing, run_until


def claim_message(filing: ClaimFiling, **extra: Any) -> NewOutboxMessage:
    return NewOutboxMessage(
        kind=KIND_FILE_CLAIM,
        key=filing.case_id,
        payload=filing.to_payload(),
        request_id=filing.request_id,
        **extra,
    )


async def enqueue_with_case(mongo_db: Any, outbox: MongoOutbox, filing: ClaimFiling) -> str:
    """The use-case shape: the case change and its message commit in one transaction."""
    async with mongo_db.client.start_session() as session, await session.start_transaction():
        await mongo_db.cases.update_one(
            {"_id": filing.case_id},
            {"$set": {"status": "claim_filed"}},
            upsert=True,
            session=session,
        )
        return str(await outbox.enqueue(claim_message(filing), tx=session))


async def all_delivered(outbox: Outbox, ids: list[str]) -> bool:
    return all([(await outbox.get(i)).status is OutboxStatus.DELIVERED for i in ids])


async def test_aborted_transaction_leaves_no_message(mongo_db, outbox):
    filing = make_filing()

    async def use_case_failing_after_enqueue(session: Any) -> None:
        async with await session.start_transaction():
            await outbox.enqueue(claim_message(filing), tx=session)
            raise RuntimeError("use case failed after enqueue")

    async with mongo_db.client.start_session() as session:
        with pytest.raises(RuntimeError):
            await use_case_failing_after_enqueue(session)
    assert await mongo_db.outbox.count_documents({}) == 0


async def test_insurer_down_for_a_while_gets_every_claim_exactly_once(
    mongo_db, outbox, insurer, insurers
):
    filings = [make_filing() for _ in range(3)]
    ids = [await enqueue_with_case(mongo_db, outbox, f) for f in filings]
    insurer.faults.fail_next(5)  # UNAVAILABLE for the first 5 FileClaim calls
    dispatcher = make_dispatcher(outbox, {KIND_FILE_CLAIM: file_claim_handler(insurers)})

    first = await dispatcher.run_once()
    assert first.retried == 3
    failed = await outbox.get(ids[0])
    assert failed.status is OutboxStatus.PENDING
    assert failed.last_error is not None
    assert "UPSTREAM_UNAVAILABLE" in failed.last_error

    await run_until(dispatcher, lambda: all_delivered(outbox, ids))

    assert insurer.distinct_claims == 3
    assert insurer.file_claim_attempts == 5 + 3
    for filing, message_id in zip(filings, ids, strict=True):
        message = await outbox.get(message_id)
        claim = insurer.claim_for_case(filing.case_id)
        assert claim is not None
        assert message.result is not None
        assert message.result["claim_number"] == claim.claim_number


async def test_outage_until_recovery_then_backlog_drains(outbox, insurer, insurers):
    filings = [make_filing() for _ in range(4)]
    ids = [await outbox.enqueue(claim_message(f)) for f in filings]
    insurer.faults.fail_until_recovered()
    dispatcher = make_dispatcher(outbox, {KIND_FILE_CLAIM: file_claim_handler(insurers)})
    for _ in range(3):
        await dispatcher.run_once()
        await asyncio.sleep(0.06)  # past the (tiny) backoff ceiling
    assert insurer.distinct_claims == 0
    assert insurer.file_claim_attempts == 12

    insurer.faults.recover()
    await run_until(dispatcher, lambda: all_delivered(outbox, ids))
    assert insurer.distinct_claims == 4
    assert insurer.file_claim_attempts == 16


async def test_backoff_schedules_the_next_attempt_in_the_future(outbox, insurer, insurers):
    filing = make_filing()
    message_id = await outbox.enqueue(claim_message(filing))
    insurer.faults.fail_until_recovered()
    slow = RetryPolicy(max_attempts=5, base_delay_s=60, max_delay_s=600)
    dispatcher = make_dispatcher(
        outbox, {KIND_FILE_CLAIM: file_claim_handler(insurers)}, policy=slow
    )
    before = datetime.now(UTC)
    await dispatcher.run_once()
    message = await outbox.get(message_id)
    assert before <= message.next_attempt_at <= before + timedelta(seconds=61)
    assert (await dispatcher.run_once()).handled == 0  # not due yet
    assert insurer.file_claim_attempts == 1


async def test_dispatcher_killed_after_commit_before_send_delivers_after_restart(
    mongo_db, outbox, insurer, insurers
):
    filing = make_filing()
    message_id = await enqueue_with_case(mongo_db, outbox, filing)
    leased = asyncio.Event()
    never = asyncio.Event()
    real = file_claim_handler(insurers)

    async def hangs_before_sending(message):
        leased.set()
        await never.wait()  # the process "dies" here
        return await real(message)

    doomed = make_dispatcher(
        outbox,
        {KIND_FILE_CLAIM: hangs_before_sending},
        lease_for=timedelta(seconds=1.2),
        handler_timeout_s=1.0,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(doomed.run_forever(stop))
    await asyncio.wait_for(leased.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    restarted = make_dispatcher(outbox, {KIND_FILE_CLAIM: real})
    assert (await restarted.run_once()).handled == 0  # the dead owner's lease still holds
    await run_until(restarted, lambda: all_delivered(outbox, [message_id]))
    assert insurer.distinct_claims == 1
    assert insurer.file_claim_attempts == 1
    assert (await outbox.get(message_id)).attempts == 2


async def test_dispatcher_killed_after_send_before_marking_delivers_once(outbox, insurer, insurers):
    filing = make_filing()
    message_id = await outbox.enqueue(claim_message(filing))
    sent = asyncio.Event()
    never = asyncio.Event()
    real = file_claim_handler(insurers)

    async def dies_after_sending(message):
        result = await real(message)
        sent.set()
        await never.wait()  # the process "dies" before mark_delivered
        return result

    doomed = make_dispatcher(
        outbox,
        {KIND_FILE_CLAIM: dies_after_sending},
        lease_for=timedelta(seconds=1.2),
        handler_timeout_s=1.0,
    )
    task = asyncio.create_task(doomed.run_once())
    await asyncio.wait_for(sent.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    restarted = make_dispatcher(outbox, {KIND_FILE_CLAIM: real})
    await run_until(restarted, lambda: all_delivered(outbox, [message_id]))
    # Sent twice, one claim: the insurer deduplicated on request_id.
    assert insurer.file_claim_attempts == 2
    assert insurer.distinct_claims == 1
    claim = insurer.claim_for_case(filing.case_id)
    assert (await outbox.get(message_id)).result["claim_number"] == claim.claim_number


async def test_two_dispatchers_never_send_the_same_message_twice(outbox, insurer, insurers):
    ids = [await outbox.enqueue(claim_message(make_filing())) for _ in range(10)]
    handlers = {KIND_FILE_CLAIM: file_claim_handler(insurers)}
    a = make_dispatcher(outbox, handlers, batch_size=3)
    b = make_dispatcher(outbox, handlers, batch_size=3)
    await asyncio.gather(
        run_until(a, lambda: all_delivered(outbox, ids)),
        run_until(b, lambda: all_delivered(outbox, ids)),
    )
    assert insurer.distinct_claims == 10
    assert insurer.file_claim_attempts == 10


async def test_poison_message_goes_dead_and_replay_delivers_it_once(outbox, insurer, insurers):
    filing = make_filing()
    message_id = await outbox.enqueue(claim_message(filing))
    insurer.faults.fail_until_recovered(grpc.StatusCode.INTERNAL)
    dispatcher = make_dispatcher(
        outbox,
        {KIND_FILE_CLAIM: file_claim_handler(insurers)},
        policy=RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02),
    )

    async def is_dead() -> bool:
        return (await outbox.get(message_id)).status is OutboxStatus.DEAD

    await run_until(dispatcher, is_dead)
    assert insurer.file_claim_attempts == 3
    dead = await outbox.list_dead()
    assert [m.id for m in dead] == [message_id]
    assert "UPSTREAM_UNAVAILABLE" in (dead[0].last_error or "")
    await asyncio.sleep(0.05)
    assert (await dispatcher.run_once()).handled == 0  # dead letters are never retried

    insurer.faults.recover()
    replayed = await outbox.replay(message_id, now=datetime.now(UTC))
    assert replayed.status is OutboxStatus.PENDING
    assert replayed.request_id == filing.request_id
    await run_until(dispatcher, lambda: all_delivered(outbox, [message_id]))
    assert insurer.distinct_claims == 1
    assert insurer.file_claim_attempts == 4
    assert await outbox.list_dead() == []
    with pytest.raises(OutboxMessageNotFound):
        await outbox.replay(message_id, now=datetime.now(UTC))


async def test_final_rejection_goes_dead_without_retry(outbox, insurer, insurers):
    message_id = await outbox.enqueue(claim_message(make_filing()))
    insurer.faults.reject_next(1, grpc.StatusCode.FAILED_PRECONDITION, "policy expired")
    dispatcher = make_dispatcher(outbox, {KIND_FILE_CLAIM: file_claim_handler(insurers)})
    report = await dispatcher.run_once()
    assert report.dead == 1
    message = await outbox.get(message_id)
    assert message.status is OutboxStatus.DEAD
    assert "policy expired" in (message.last_error or "")
    assert insurer.file_claim_attempts == 1


async def test_handler_bug_is_retried_then_dead_lettered(outbox):
    message_id = await outbox.enqueue(
        NewOutboxMessage(kind=KIND_FILE_CLAIM, key="c", payload={"garbage": 1}, request_id="r-1")
    )
    calls = 0

    async def broken(message):
        nonlocal calls
        calls += 1
        raise KeyError("insurer_code")

    dispatcher = make_dispatcher(
        outbox,
        {KIND_FILE_CLAIM: broken},
        policy=RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02),
    )

    async def is_dead() -> bool:
        return (await outbox.get(message_id)).status is OutboxStatus.DEAD

    await run_until(dispatcher, is_dead)
    assert calls == 3
    assert "KeyError" in ((await outbox.get(message_id)).last_error or "")


class FakeNotifier:
    """Stands in for the WeChat adapter: answers with the scripted errors in order."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[SubscriptionMessage] = []
        self.calls = 0

    async def send(self, message: SubscriptionMessage) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(message)


def wechat_message(request_id: str) -> NewOutboxMessage:
    message = SubscriptionMessage(
        request_id=request_id,
        openid="o-123",
        template_id="tmpl-status",
        page="pages/case/detail?id=c1",
        data={"thing1": {"value": "已受理"}.__str__()},
        miniprogram_state="trial",
    )
    return NewOutboxMessage(
        kind=KIND_WECHAT_MESSAGE, key="c1", payload=message.to_payload(), request_id=request_id
    )


async def test_wechat_43101_is_final(outbox):
    assert wechat_errcode_is_final(43101)
    assert not wechat_errcode_is_final(-1)
    notifier = FakeNotifier(RecipientRefused("user refuse to accept the msg", errcode=43101))
    message_id = await outbox.enqueue(wechat_message("w-1"))
    dispatcher = make_dispatcher(outbox, partner_handlers(notifier=notifier))

    report = await dispatcher.run_once()
    assert report.dead == 1
    await asyncio.sleep(0.05)
    assert (await dispatcher.run_once()).handled == 0
    assert notifier.calls == 1
    message = await outbox.get(message_id)
    assert message.status is OutboxStatus.DEAD
    assert message.attempts == 1
    assert "RECIPIENT_REFUSED" in (message.last_error or "")


async def test_wechat_busy_is_retried(outbox):
    notifier = FakeNotifier(UpstreamUnavailable("system busy", errcode=-1))
    message_id = await outbox.enqueue(wechat_message("w-2"))
    dispatcher = make_dispatcher(outbox, partner_handlers(notifier=notifier))
    await run_until(dispatcher, lambda: all_delivered(outbox, [message_id]))
    assert notifier.calls == 2
    assert notifier.sent[0].miniprogram_state == "trial"


async def test_reconciliation_requeries_unacknowledged_claims(outbox, insurer, insurers):
    kept, lost = make_filing(), make_filing()
    ids = [await outbox.enqueue(claim_message(f, ack_within_s=0)) for f in (kept, lost)]
    dispatcher = make_dispatcher(outbox, {KIND_FILE_CLAIM: file_claim_handler(insurers)})
    await run_until(dispatcher, lambda: all_delivered(outbox, ids))
    insurer.forget(lost.case_id)  # the insurer lost this one

    reports = []

    async def collect(report: Any) -> None:
        reports.append(report)

    result = await reconcile_claims(outbox, insurers, now=datetime.now(UTC), on_report=collect)
    assert result.acknowledged == [ids[0]]
    assert result.requeued == [ids[1]]
    assert [r.case_id for r in reports] == [kept.case_id]
    assert (await outbox.get(ids[0])).acked_at is not None

    await run_until(dispatcher, lambda: all_delivered(outbox, ids))
    assert insurer.claim_for_case(lost.case_id) is not None
    assert insurer.distinct_claims == 2
    assert (await outbox.get(ids[1])).request_id == lost.request_id

    # Nothing overdue any more for the acknowledged one; the re-sent one is due again.
    again = await reconcile_claims(outbox, insurers, now=datetime.now(UTC))
    assert again.acknowledged == [ids[1]]
    assert again.requeued == []


async def test_reconciliation_leaves_unreachable_partners_for_the_next_run(
    outbox, insurer, insurers
):
    filing = make_filing()
    message_id = await outbox.enqueue(claim_message(filing, ack_within_s=0))
    dispatcher = make_dispatcher(outbox, {KIND_FILE_CLAIM: file_claim_handler(insurers)})
    await run_until(dispatcher, lambda: all_delivered(outbox, [message_id]))
    insurer.faults.fail_until_recovered()
    result = await reconcile_claims(outbox, insurers, now=datetime.now(UTC))
    assert result.unreachable == [message_id]
    assert (await outbox.get(message_id)).acked_at is None


async def test_acknowledgement_by_key_stops_reconciliation(outbox, insurer, insurers):
    filing = make_filing()
    message_id = await outbox.enqueue(claim_message(filing, ack_within_s=0))
    dispatcher = make_dispatcher(outbox, {KIND_FILE_CLAIM: file_claim_handler(insurers)})
    await run_until(dispatcher, lambda: all_delivered(outbox, [message_id]))
    now = datetime.now(UTC)
    assert await outbox.acknowledge_key(kind=KIND_FILE_CLAIM, key=filing.case_id, now=now) == 1
    result = await reconcile_claims(outbox, insurers, now=now)
    assert result.acknowledged == []


async def test_disputes_are_delivered_and_reconciled(outbox, mediation_platform, mediation):
    filing = make_dispute()
    message_id = await outbox.enqueue(
        NewOutboxMessage(
            kind=KIND_SUBMIT_DISPUTE,
            key=filing.case_id,
            payload=filing.to_payload(),
            request_id=filing.request_id,
            ack_within_s=0,
        )
    )
    mediation_platform.faults.fail_next(2)
    dispatcher = make_dispatcher(outbox, partner_handlers(mediation=mediation))
    await run_until(dispatcher, lambda: all_delivered(outbox, [message_id]))
    assert len(mediation_platform.disputes) == 1
    assert mediation_platform.submit_attempts == 3

    mediation_platform.auto_progress = True
    stages = []

    async def collect(report: Any) -> None:
        stages.append(report.stage)

    result = await reconcile_disputes(outbox, mediation, now=datetime.now(UTC), on_report=collect)
    assert result.acknowledged == [message_id]
    assert [s.value for s in stages] == ["mediating"]


async def test_duplicate_enqueue_is_refused(outbox):
    from settlement.errors import AlreadyExists

    filing = make_filing()
    await outbox.enqueue(claim_message(filing))
    with pytest.raises(AlreadyExists):
        await outbox.enqueue(claim_message(filing))
