"""Exchange flows over real simulators: claims filed exactly once, insurer answers recorded,
mediation round trip, driver notifications through WeChat (43101 is final)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
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
from settlement.domain.claim import ClaimStatus, Cover, claim_id
from settlement.domain.exchange import OutboxStatus, Payout, SubscriptionMessage
from settlement.domain.staff import Role, StaffSession
from settlement.errors import CaseNotFound, IllegalTransition, RecipientRefused, UpstreamUnavailable
from settlement.services.dispatcher import (
    KIND_FILE_CLAIM,
    KIND_SUBMIT_DISPUTE,
    KIND_WECHAT_MESSAGE,
    partner_handlers,
)
from settlement.services.exchange_support import NotificationTemplates
from tests.claim_builders import settled_case

from .claims_harness import MemoryRecipients, claims_of, make_exchange, prepare_db, store_settled
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


async def test_agreed_case_files_each_claim_exactly_once_through_an_outage(
    mongo_db, two_insurers
):
    await prepare_db(mongo_db)
    ex = make_exchange(mongo_db)
    gateway = GrpcInsurerGateway(
        {code: sim.target for code, sim in two_insurers.items()},
        deadline_s=2.0,
        transport_attempts=1,
    )
    picc = two_insurers["PICC"]
    picc.faults.fail_next(4)  # PICC is down for a while

    case = await store_settled(ex, mongo_db)
    # Filing again, also concurrently, changes nothing: the case already has its claims.
    await asyncio.gather(*(ex.claims.file_claims(case.id) for _ in range(3)))
    assert len(await messages(mongo_db, KIND_FILE_CLAIM)) == 3  # A: 交强险 + 商三, B: 交强险

    dispatchers = [
        make_dispatcher(MongoOutbox(mongo_db),
                        partner_handlers(insurers=gateway, on_filed=ex.claims.record_filed))
        for _ in range(2)
    ]  # fmt: skip

    async def filed() -> bool:
        return all(c.claim_number for c in (await claims_of(mongo_db, case.id)).values())

    await asyncio.gather(*(run_until(d, filed) for d in dispatchers))
    assert picc.file_claim_attempts >= 5
    assert (picc.distinct_claims, two_insurers["CPIC"].distinct_claims) == (2, 1)
    sent = picc.claim_by_id(claim_id(case.id, "A", Cover.COMPULSORY))
    assert sent is not None
    assert sent.request.policy_number == "P-A-1"
    assert sent.request.liability_share == "1"
    assert sent.request.liability_level == "全部责任"
    assert sent.request.estimated_loss.amount == "800.00"
    assert sent.request.third_party_loss.amount == "2300.50"
    assert sent.request.amount_due.amount == "2100.00"
    commercial = picc.claim_by_id(claim_id(case.id, "A", Cover.COMMERCIAL_THIRD_PARTY))
    assert commercial is not None
    assert commercial.request.amount_due.amount == "300.50"
    b = two_insurers["CPIC"].claim_by_id(claim_id(case.id, "B", Cover.COMPULSORY))
    assert b is not None
    assert b.request.estimated_loss.amount == "2300.50"

    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.status is CaseStatus.CLAIMED
    claims = await claims_of(mongo_db, case.id)
    assert claims["A.compulsory"].claim_number.startswith("PICC-")
    assert claims["A.compulsory"].status is ClaimStatus.ACKNOWLEDGED
    await gateway.close()


async def test_same_insurer_for_both_parties_files_and_numbers_each_claim(mongo_db):
    await prepare_db(mongo_db)
    sim = InsurerSimulator("PICC")
    await sim.start()
    ex = make_exchange(mongo_db)
    gateway = GrpcInsurerGateway({"PICC": sim.target}, deadline_s=2.0)
    case = await store_settled(ex, mongo_db, status=CaseStatus.DETERMINED,
                               insurers=("PICC", "PICC"), losses=("4000", "6000"))  # fmt: skip
    dispatcher = make_dispatcher(
        MongoOutbox(mongo_db), partner_handlers(insurers=gateway, on_filed=ex.claims.record_filed)
    )

    async def filed() -> bool:
        return all(c.claim_number for c in (await claims_of(mongo_db, case.id)).values())

    await run_until(dispatcher, filed)
    claims = await claims_of(mongo_db, case.id)
    assert sim.distinct_claims == len(claims) == 4
    assert len({c.claim_number for c in claims.values()}) == 4
    due = {key: sim.claim_by_id(c.id).request.amount_due.amount for key, c in claims.items()}
    assert due == {
        "A.compulsory": "2000.00", "A.commercial_third_party": "2800.00",
        "B.compulsory": "2000.00", "B.commercial_third_party": "600.00",
    }  # fmt: skip
    shares = {key: sim.claim_by_id(c.id).request.liability_share for key, c in claims.items()}
    assert shares["A.compulsory"] == "0.7"
    assert shares["B.compulsory"] == "0.3"
    assert sim.claim_by_id(claims["B.compulsory"].id).request.document_number == "JD-7"
    await gateway.close()
    await sim.stop(None)


async def test_only_agreed_or_determined_cases_file_claims(mongo_db):
    await prepare_db(mongo_db)
    ex = make_exchange(mongo_db)
    stored = await MongoCaseRepository(mongo_db).add(
        settled_case(status=CaseStatus.LIABILITY_PROPOSED)
    )
    with pytest.raises(IllegalTransition):
        await ex.claims.file_claims(stored.id)
    assert await messages(mongo_db, KIND_FILE_CLAIM) == []


async def test_a_failed_case_save_files_nothing(mongo_db):
    await prepare_db(mongo_db)
    ex = make_exchange(mongo_db)
    target = settled_case()
    stored = await MongoCaseRepository(mongo_db).add(
        replace(target, status=CaseStatus.LIABILITY_PROPOSED)
    )
    await MongoCaseRepository(mongo_db).save(stored)  # someone else changed it meanwhile
    with pytest.raises(Exception, match="changed"):
        await ex.claims.settle(replace(target, version=stored.version))
    assert await messages(mongo_db, KIND_FILE_CLAIM) == []
    assert await claims_of(mongo_db, target.id) == {}


async def test_insurer_reports_walk_the_claims_and_close_the_case_when_all_paid(
    mongo_db, two_insurers
):
    await prepare_db(mongo_db)
    ex = make_exchange(mongo_db)
    gateway = GrpcInsurerGateway(
        {code: sim.target for code, sim in two_insurers.items()}, deadline_s=2.0
    )
    case = await store_settled(ex, mongo_db)
    dispatcher = make_dispatcher(
        MongoOutbox(mongo_db), partner_handlers(insurers=gateway, on_filed=ex.claims.record_filed)
    )

    async def claimed() -> bool:
        return all(c.claim_number for c in (await claims_of(mongo_db, case.id)).values())

    await run_until(dispatcher, claimed)
    for claim in (await claims_of(mongo_db, case.id)).values():
        sim = two_insurers[claim.insurer_code]
        sim.assess(claim.claim_number, Decimal("1000"))
        await ex.claims.record_insurer_report(
            await gateway.claim_status(claim.insurer_code, claim_id=claim.id)
        )
        stored = (await claims_of(mongo_db, case.id))[f"{claim.party}.{claim.cover.value}"]
        assert stored.status is ClaimStatus.ASSESSED
        assert stored.assessment is not None
        assert stored.assessment.amount == Decimal("1000")
    for claim in (await claims_of(mongo_db, case.id)).values():
        # The insurer paid without our seeing approval: adopting it walks approved → paid.
        two_insurers[claim.insurer_code].pay(claim.claim_number, reference=f"TX-{claim.id}")
        await ex.claims.record_insurer_report(
            await gateway.claim_status(claim.insurer_code, claim_number=claim.claim_number)
        )
    claims = await claims_of(mongo_db, case.id)
    assert {c.status for c in claims.values()} == {ClaimStatus.PAID}
    assert [h.status for h in claims["B.compulsory"].history][-2:] == [
        ClaimStatus.APPROVED, ClaimStatus.PAID
    ]
    assert claims["B.compulsory"].payout == Payout(
        Decimal("1000"), claims["B.compulsory"].payout.paid_at,  # type: ignore[union-attr]
        f"TX-{claims['B.compulsory'].id}",
    )
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.status is CaseStatus.CLOSED
    await gateway.close()


async def test_dispute_goes_to_mediation_and_the_outcome_is_recorded(mongo_db):
    await prepare_db(mongo_db)
    platform = MediationSimulator()
    await platform.start()
    gateway = GrpcMediationGateway(platform.target, deadline_s=2.0, transport_attempts=1)
    ex = make_exchange(mongo_db, mediation=gateway)
    case = await store_settled(ex, mongo_db, status=CaseStatus.DETERMINED)
    b_user = case.parties["B"].user_id

    await ex.mediation.request_mediation(case.id, reason="对定损金额有异议", user_id=b_user)
    await ex.mediation.request_mediation(case.id, reason="again", user_id=b_user)  # no second
    assert len(await messages(mongo_db, KIND_SUBMIT_DISPUTE)) == 1
    platform.faults.fail_next(2)
    dispatcher = make_dispatcher(
        MongoOutbox(mongo_db),
        partner_handlers(mediation=gateway, on_submitted=ex.mediation.record_dispute_receipt),
    )

    async def registered() -> bool:
        stored = await MongoCaseRepository(mongo_db).get(case.id)
        return bool(stored.exchange["mediation"]["dispute_id"])

    await run_until(dispatcher, registered)
    dispute = platform.dispute_for_case(case.id)
    assert dispute is not None
    case_file = dispute.request.case_file
    assert {p.party_id for p in case_file.parties} == {"A", "B"}
    assert dispute.request.applicant_party_id == "B"
    # The police determination as decided: its number and 主要/次要 as 70/30.
    assert case_file.determination.document_number == "JD-7"
    shares = {s.party_id: Decimal(s.share) for s in case_file.determination.shares}
    assert shares == {"A": Decimal("0.7"), "B": Decimal("0.3")}
    assert case_file.loss.total.amount == "3100.50"
    assert all("*" in p.phone for p in case_file.parties)  # masked: the court does not call

    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.status is CaseStatus.MEDIATION
    platform.conclude_mediation(dispute.dispute_id, agreed=True, amount=Decimal("2800"))
    assert await ex.mediation.poll_mediations() == 1
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.exchange["mediation"]["outcome"]["agreed_amount"] == "2800"
    assert stored.status is CaseStatus.MEDIATION
    platform.decide_confirmation(dispute.dispute_id, confirmed=True)
    await ex.mediation.poll_mediations()
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.exchange["mediation"]["confirmation"]["confirmed"] is True
    assert stored.status is CaseStatus.CLOSED
    assert await ex.mediation.poll_mediations() == 0  # concluded disputes are not asked again
    view = await ex.claims.for_driver(case.parties["A"].user_id, case.id)
    assert view["mediation"]["state"] == "confirmed"
    assert view["mediation"]["outcome"]["agreed_amount"] == "2800"
    await gateway.close()
    await platform.stop(None)


async def test_mediation_refused_for_a_case_not_yet_settled(mongo_db):
    await prepare_db(mongo_db)
    ex = make_exchange(mongo_db)
    stored = await MongoCaseRepository(mongo_db).add(settled_case(status=CaseStatus.COLLECTING))
    with pytest.raises(IllegalTransition):
        await ex.mediation.request_mediation(
            stored.id, reason="x", user_id=stored.parties["A"].user_id
        )


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
    ex = make_exchange(
        mongo_db, recipients=recipients, templates=NotificationTemplates(claim_filed="tpl-filed")
    )
    gateway = GrpcInsurerGateway({c: s.target for c, s in two_insurers.items()}, deadline_s=2.0)
    notifier = WeChatNotifier(base_url=wechat_sim.base_url, app_id="wx-test-app", app_secret="s")
    stored = await MongoCaseRepository(mongo_db).add(
        replace(case, status=CaseStatus.LIABILITY_PROPOSED)
    )
    await ex.claims.settle(replace(case, version=stored.version))
    dispatcher = make_dispatcher(
        MongoOutbox(mongo_db),
        partner_handlers(insurers=gateway, notifier=notifier, on_filed=ex.claims.record_filed),
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
    ex = make_exchange(mongo_db)
    gateway = GrpcInsurerGateway(
        {c: s.target for c, s in two_insurers.items()}, deadline_s=2.0, transport_attempts=1
    )
    two_insurers["CPIC"].faults.fail_next(2, grpc.StatusCode.UNAVAILABLE)
    case = await store_settled(ex, mongo_db)
    dispatcher = make_dispatcher(MongoOutbox(mongo_db), partner_handlers(insurers=gateway))
    report = await dispatcher.run_once()
    assert report.delivered == 2  # PICC's two claims
    assert report.retried == 1
    assert [m["status"] for m in await messages(mongo_db, KIND_FILE_CLAIM, case.id)].count(
        "pending"
    ) == 1
    await gateway.close()


async def test_a_reviewer_refers_a_case_of_their_jurisdiction_to_mediation(mongo_db):
    await prepare_db(mongo_db)
    ex = make_exchange(mongo_db)
    case = await store_settled(ex, mongo_db, status=CaseStatus.DETERMINED)
    now = datetime.now(UTC)
    elsewhere = StaffSession("d", "officer.x", Role.REVIEWER, "110105", now, now)
    with pytest.raises(CaseNotFound):
        await ex.mediation.refer_to_mediation(case.id, elsewhere, "双方对赔偿数额争议较大")
    officer = StaffSession("d", "officer.ns", Role.REVIEWER, case.jurisdiction, now, now)
    referred = await ex.mediation.refer_to_mediation(case.id, officer, "双方对赔偿数额争议较大")
    assert referred.status is CaseStatus.MEDIATION
    mediation = referred.exchange["mediation"]
    assert (mediation["applicant"], mediation["requested_by"]) == ("police", "staff:officer.ns")
    queued = await messages(mongo_db, KIND_SUBMIT_DISPUTE)
    assert len(queued) == 1
    assert queued[0]["payload"]["determination"]["document_number"] == "JD-7"
    view = await ex.claims.for_driver(case.parties["A"].user_id, case.id)
    assert view["mediation"]["state"] == "requested"
