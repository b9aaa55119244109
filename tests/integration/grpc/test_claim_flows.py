"""Exchange flows over real simulators: claims filed exactly once, insurer answers recorded,
mediation round trip, driver notifications through WeChat (43101 is final)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import grpc
import pytest

from adapters.grpc.insurer_client import GrpcInsurerGateway
from adapters.grpc.mediation_client import GrpcMediationGateway
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.outbox import MongoOutbox
from adapters.simulators.insurer import InsurerSimulator
from adapters.simulators.mediation import MediationSimulator
from adapters.simulators.wechat import WeChatSimulator
from adapters.wechat.notifier import WeChatNotifier
from settlement.domain.case import CaseStatus
from settlement.domain.exchange import (
    InsurerClaimStatus,
    OutboxStatus,
    Payout,
    SubscriptionMessage,
)
from settlement.errors import IllegalTransition, RecipientRefused, UpstreamUnavailable
from settlement.services.claims import NotificationTemplates
from settlement.services.dispatcher import (
    KIND_FILE_CLAIM,
    KIND_SUBMIT_DISPUTE,
    KIND_WECHAT_MESSAGE,
    partner_handlers,
)

from .claims_harness import MemoryRecipients, make_claims, prepare_db, settled_case, store_settled
from .conftest import make_dispatcher, run_until


@pytest.fixture
async def two_insurers() -> AsyncIterator[dict[str, InsurerSimulator]]:
    sims = {code: InsurerSimulator(code) for code in ("PICC", "CPIC")}
    for sim in sims.values():
        await sim.start()
    yield sims
    for sim in sims.values():
        await sim.stop(None)


@pytest.fixture
async def wechat_sim() -> AsyncIterator[WeChatSimulator]:
    sim = WeChatSimulator()
    sim.start()
    yield sim
    sim.stop()


async def messages(db: Any, kind: str, key_prefix: str = "") -> list[dict[str, Any]]:
    query: dict[str, Any] = {"kind": kind}
    if key_prefix:
        query["key"] = {"$regex": f"^{key_prefix}"}
    return [m async for m in db.outbox.find(query)]


async def test_agreed_case_files_one_claim_per_insurer_exactly_once_through_an_outage(
    mongo_db, two_insurers
):
    await prepare_db(mongo_db)
    claims = make_claims(mongo_db)
    gateway = GrpcInsurerGateway(
        {code: sim.target for code, sim in two_insurers.items()},
        deadline_s=2.0,
        transport_attempts=1,
    )
    picc = two_insurers["PICC"]
    picc.faults.fail_next(4)  # PICC is down for a while

    case = await store_settled(claims, mongo_db)
    # Filing again, also concurrently, changes nothing: the case already holds its claims.
    await asyncio.gather(*(claims.file_claims(case.id) for _ in range(3)))
    assert len(await messages(mongo_db, KIND_FILE_CLAIM)) == 2

    dispatchers = [
        make_dispatcher(MongoOutbox(mongo_db),
                        partner_handlers(insurers=gateway, on_filed=claims.record_filed))
        for _ in range(2)
    ]  # fmt: skip

    async def filed() -> bool:
        stored = await MongoCaseRepository(mongo_db).get(case.id)
        return all(c["claim_number"] for c in stored.exchange["claims"].values())

    await asyncio.gather(*(run_until(d, filed) for d in dispatchers))
    assert picc.file_claim_attempts >= 5
    assert (picc.distinct_claims, two_insurers["CPIC"].distinct_claims) == (1, 1)
    sent = picc.claim_for_case(case.id)
    assert sent is not None
    assert sent.request.policy_number == "P-A-1"
    assert sent.request.liability_share == "1"
    assert two_insurers["CPIC"].claim_for_case(case.id).request.estimated_loss.amount == "2300.50"

    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.status is CaseStatus.CLAIMED
    assert stored.exchange["claims"]["A"]["claim_number"].startswith("PICC-")
    await gateway.close()


async def test_only_agreed_or_determined_cases_file_claims(mongo_db):
    await prepare_db(mongo_db)
    claims = make_claims(mongo_db)
    stored = await MongoCaseRepository(mongo_db).add(
        settled_case(status=CaseStatus.LIABILITY_PROPOSED)
    )
    with pytest.raises(IllegalTransition):
        await claims.file_claims(stored.id)
    assert await messages(mongo_db, KIND_FILE_CLAIM) == []


async def test_a_failed_case_save_enqueues_nothing(mongo_db):
    await prepare_db(mongo_db)
    claims = make_claims(mongo_db)
    target = settled_case()
    stored = await MongoCaseRepository(mongo_db).add(
        replace(target, status=CaseStatus.LIABILITY_PROPOSED)
    )
    await MongoCaseRepository(mongo_db).save(stored)  # someone else changed it meanwhile
    with pytest.raises(Exception, match="changed"):
        await claims.settle(replace(target, version=stored.version))
    assert await messages(mongo_db, KIND_FILE_CLAIM) == []


async def test_insurer_reports_update_the_case_and_close_it_when_all_paid(mongo_db, two_insurers):
    await prepare_db(mongo_db)
    claims = make_claims(mongo_db)
    gateway = GrpcInsurerGateway(
        {code: sim.target for code, sim in two_insurers.items()}, deadline_s=2.0
    )
    case = await store_settled(claims, mongo_db)
    dispatcher = make_dispatcher(
        MongoOutbox(mongo_db), partner_handlers(insurers=gateway, on_filed=claims.record_filed)
    )

    async def claimed() -> bool:
        return (await MongoCaseRepository(mongo_db).get(case.id)).status is CaseStatus.CLAIMED

    await run_until(dispatcher, claimed)
    for code, label in (("PICC", "A"), ("CPIC", "B")):
        sim = two_insurers[code]
        sent = sim.claim_for_case(case.id)
        assert sent is not None
        sim.assess(sent.claim_number, Decimal("1000"))
        await claims.record_insurer_report(await gateway.claim_status(code, case_id=case.id))
        stored = await MongoCaseRepository(mongo_db).get(case.id)
        assert stored.exchange["claims"][label]["status"] == "assessed"
    for code in ("PICC", "CPIC"):
        await claims.update_status(code, case.id, status=InsurerClaimStatus.APPROVED)
        await claims.update_status(
            code, case.id, status=InsurerClaimStatus.PAID,
            payout=Payout(Decimal("1000"), None, f"TX-{code}"),
        )  # fmt: skip
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.status is CaseStatus.CLOSED
    await gateway.close()


async def test_dispute_goes_to_mediation_and_the_outcome_is_recorded(mongo_db):
    await prepare_db(mongo_db)
    platform = MediationSimulator()
    await platform.start()
    gateway = GrpcMediationGateway(platform.target, deadline_s=2.0, transport_attempts=1)
    claims = make_claims(mongo_db, mediation=gateway)
    case = await store_settled(claims, mongo_db, status=CaseStatus.DETERMINED)

    await claims.request_mediation(case.id, applicant="B", reason="对定损金额有异议")
    await claims.request_mediation(case.id, applicant="B", reason="again")  # no second dispute
    assert len(await messages(mongo_db, KIND_SUBMIT_DISPUTE)) == 1
    platform.faults.fail_next(2)
    dispatcher = make_dispatcher(
        MongoOutbox(mongo_db),
        partner_handlers(mediation=gateway, on_submitted=claims.record_dispute_receipt),
    )

    async def registered() -> bool:
        stored = await MongoCaseRepository(mongo_db).get(case.id)
        return bool(stored.exchange["mediation"]["dispute_id"])

    await run_until(dispatcher, registered)
    dispute = platform.dispute_for_case(case.id)
    assert dispute is not None
    case_file = dispute.request.case_file
    assert {p.party_id for p in case_file.parties} == {"A", "B"}
    assert case_file.determination.document_number == "JD-7"
    assert case_file.loss.total.amount in {"3100.50", "3100.5"}

    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.status is CaseStatus.MEDIATION
    platform.conclude_mediation(dispute.dispute_id, agreed=True, amount=Decimal("2800"))
    assert await claims.poll_mediations() == 1
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.exchange["mediation"]["outcome"]["agreed_amount"] == "2800"
    assert stored.status is CaseStatus.MEDIATION
    platform.decide_confirmation(dispute.dispute_id, confirmed=True)
    await claims.poll_mediations()
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.exchange["mediation"]["confirmation"]["confirmed"] is True
    assert stored.status is CaseStatus.CLOSED
    assert await claims.poll_mediations() == 0  # concluded disputes are not asked again
    await gateway.close()
    await platform.stop(None)


async def test_mediation_refused_for_a_case_not_yet_settled(mongo_db):
    await prepare_db(mongo_db)
    claims = make_claims(mongo_db)
    stored = await MongoCaseRepository(mongo_db).add(settled_case(status=CaseStatus.COLLECTING))
    with pytest.raises(IllegalTransition):
        await claims.request_mediation(stored.id, reason="x")


# --- WeChat -------------------------------------------------------------------------------


def notice(openid: str) -> SubscriptionMessage:
    return SubscriptionMessage(
        request_id="r1", openid=openid, template_id="tpl", page="p", data={"thing1": "x"}
    )


async def test_notifier_fetches_one_stable_token_for_many_sends(wechat_sim):
    notifier = WeChatNotifier(base_url=wechat_sim.base_url, app_id="wx-test-app", app_secret="s")
    wechat_sim.state.subscribed.add("o_driver")
    await asyncio.gather(*(notifier.send(notice("o_driver")) for _ in range(5)))
    assert wechat_sim.state.calls["stable_token"] == 1
    assert len(wechat_sim.state.messages) == 5
    assert wechat_sim.state.messages[0]["data"] == {"thing1": {"value": "x"}}


async def test_notifier_errcodes(wechat_sim):
    notifier = WeChatNotifier(base_url=wechat_sim.base_url, app_id="wx-test-app", app_secret="s")
    with pytest.raises(RecipientRefused):
        await notifier.send(notice("o_never_subscribed"))
    wechat_sim.state.subscribed.add("o_driver")
    wechat_sim.fail_next(-1)
    with pytest.raises(UpstreamUnavailable):
        await notifier.send(notice("o_driver"))
    # An access token WeChat no longer accepts is replaced once, then the send goes through.
    wechat_sim.state.access_token = "rotated"
    await notifier.send(notice("o_driver"))
    assert wechat_sim.state.calls["stable_token"] == 2


async def test_driver_notices_go_through_the_outbox_and_43101_is_final(
    mongo_db, two_insurers, wechat_sim
):
    await prepare_db(mongo_db)
    case = settled_case()
    recipients = MemoryRecipients(
        {case.parties["A"].user_id: "o_subscribed", case.parties["B"].user_id: "o_refused"}
    )
    wechat_sim.state.subscribed.add("o_subscribed")
    claims = make_claims(
        mongo_db, recipients=recipients, templates=NotificationTemplates(claim_filed="tpl-filed")
    )
    gateway = GrpcInsurerGateway({c: s.target for c, s in two_insurers.items()}, deadline_s=2.0)
    notifier = WeChatNotifier(base_url=wechat_sim.base_url, app_id="wx-test-app", app_secret="s")
    stored = await MongoCaseRepository(mongo_db).add(
        replace(case, status=CaseStatus.LIABILITY_PROPOSED)
    )
    await claims.settle(replace(case, version=stored.version))
    dispatcher = make_dispatcher(
        MongoOutbox(mongo_db),
        partner_handlers(insurers=gateway, notifier=notifier, on_filed=claims.record_filed),
    )

    async def settled() -> bool:
        notes = await messages(mongo_db, KIND_WECHAT_MESSAGE)
        return len(notes) == 2 and all(m["status"] != OutboxStatus.PENDING for m in notes)

    await run_until(dispatcher, settled)
    notes = {m["payload"]["openid"]: m for m in await messages(mongo_db, KIND_WECHAT_MESSAGE)}
    assert notes["o_subscribed"]["status"] == OutboxStatus.DELIVERED
    refused = notes["o_refused"]
    assert refused["status"] == OutboxStatus.DEAD
    assert refused["attempts"] == 1  # never retried: the driver's quota is not hammered
    assert "RECIPIENT_REFUSED" in refused["last_error"]
    assert wechat_sim.state.calls["subscribe_send"] == 2
    # No personal data in the notice: the plate is masked.
    assert "粤B***45" in notes["o_subscribed"]["payload"]["data"]["thing1"]
    await gateway.close()


async def test_insurer_api_grpc_unavailable_is_retryable_not_dead(mongo_db, two_insurers):
    await prepare_db(mongo_db)
    claims = make_claims(mongo_db)
    gateway = GrpcInsurerGateway(
        {c: s.target for c, s in two_insurers.items()}, deadline_s=2.0, transport_attempts=1
    )
    two_insurers["CPIC"].faults.fail_next(2, grpc.StatusCode.UNAVAILABLE)
    case = await store_settled(claims, mongo_db)
    dispatcher = make_dispatcher(MongoOutbox(mongo_db), partner_handlers(insurers=gateway))
    report = await dispatcher.run_once()
    assert report.delivered == 1
    assert report.retried == 1
    assert [m["status"] for m in await messages(mongo_db, KIND_FILE_CLAIM, case.id)].count(
        "pending"
    ) == 1
    await gateway.close()
