"""The insurer API over real mTLS on 127.0.0.1: who may see what, and idempotent changes."""

# ruff: noqa: F811 - the fixtures are imported from the shared harness

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import grpc
import pytest

from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.claims import MongoClaimRepository
from settlement.domain.case import CaseStatus
from settlement.domain.claim import ClaimStatus, Cover, claim_id

from .claims_harness import (  # noqa: F401 - fixtures
    TOKENS,
    InsurerApi,
    bearer,
    insurer_api,
    pki,
    store_settled,
)


def a_jqx(case: Any) -> str:
    return claim_id(case.id, "A", Cover.COMPULSORY)


def b_jqx(case: Any) -> str:
    return claim_id(case.id, "B", Cover.COMPULSORY)


async def call(api: InsurerApi, insurer: str, method: str, request: Any, **kw: Any) -> Any:
    async with api.channel(insurer) as channel:
        rpc = getattr(api.stub(channel), method)
        return await rpc(request, metadata=bearer(insurer), timeout=10, **kw)


async def status_of(awaitable: Any) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await awaitable
    return info.value.code()


def assessment(claim_id: str, amount: str = "2100.00", **kw: Any) -> Any:
    values: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "claim_id": claim_id,
        "assessed_amount": pb.Money(currency_code="CNY", amount=amount),
        "assessor": "王定损",
        "notes": "后保险杠更换",
    }
    values.update(kw)
    return pb.SubmitAssessmentRequest(**values)


async def test_each_insurer_sees_its_own_policyholders_claims_and_nothing_else(
    insurer_api, mongo_db
):
    both = await store_settled(insurer_api.exchange, mongo_db)  # A at PICC, B at CPIC
    picc_only = await store_settled(
        insurer_api.exchange, mongo_db, insurers=("PICC", "PINGAN")
    )

    get = pb.GetClaimRequest
    picc = await call(insurer_api, "PICC", "GetClaim", get(claim_id=a_jqx(both)))
    cpic = await call(insurer_api, "CPIC", "GetClaim", get(claim_id=b_jqx(both)))
    assert (picc.claim.policy_number, picc.claim.plate_number) == ("P-A-1", "粤B12345")
    assert (cpic.claim.policy_number, cpic.claim.plate_number) == ("P-B-2", "粤B54321")
    assert (picc.claim.case_id, picc.claim.party, picc.claim.cover) == (
        both.id, "A", pb.COVER_COMPULSORY
    )
    assert picc.claim.liability_share == "1"
    assert cpic.claim.liability_share == "0"
    assert cpic.claim.estimated_loss.amount == "2300.50"
    assert cpic.claim.third_party_loss.amount == "800.00"
    # A's 交强险 pays B's car 2,000 and A's own car 100 on B's behalf (无责代赔).
    assert picc.claim.amount_due.amount == "2100.00"
    assert picc.claim.status == pb.CLAIM_STATUS_FILED
    assert [h.status for h in picc.claim.history] == [pb.CLAIM_STATUS_FILED]

    # Another insurer's claim, the case id and a missing claim get the same answer.
    for probe in (a_jqx(picc_only), both.id, "c" + "0" * 16):
        code = await status_of(call(insurer_api, "CPIC", "GetClaim", get(claim_id=probe)))
        assert code == grpc.StatusCode.NOT_FOUND
    assert await status_of(
        call(insurer_api, "CPIC", "SubmitAssessment", assessment(a_jqx(picc_only)))
    ) == grpc.StatusCode.NOT_FOUND

    listed = await call(insurer_api, "CPIC", "ListClaims", pb.ListClaimsRequest())
    assert [c.claim_id for c in listed.claims] == [b_jqx(both)]
    seen: list[str] = []
    token = ""
    while True:
        page = await call(insurer_api, "PICC", "ListClaims",
                          pb.ListClaimsRequest(page_size=1, page_token=token))  # fmt: skip
        seen += [c.claim_id for c in page.claims]
        token = page.next_page_token
        if not token:
            break
    # A's compulsory and commercial claims of both cases, B's compulsory one of picc_only? No:
    # PINGAN insures B there.
    assert sorted(seen) == sorted(
        [a_jqx(both), claim_id(both.id, "A", Cover.COMMERCIAL_THIRD_PARTY),
         a_jqx(picc_only), claim_id(picc_only.id, "A", Cover.COMMERCIAL_THIRD_PARTY)]
    )  # fmt: skip


async def test_same_insurer_sees_both_parties_claims_separately(insurer_api, mongo_db):
    case = await store_settled(insurer_api.exchange, mongo_db, insurers=("PICC", "PICC"))
    listed = await call(insurer_api, "PICC", "ListClaims", pb.ListClaimsRequest())
    by_party = {(c.party, c.cover): c for c in listed.claims}
    assert set(by_party) == {
        ("A", pb.COVER_COMPULSORY), ("A", pb.COVER_COMMERCIAL_THIRD_PARTY),
        ("B", pb.COVER_COMPULSORY),
    }  # fmt: skip
    assert by_party[("B", pb.COVER_COMPULSORY)].policy_number == "P-B-2"
    # Assessing B's claim leaves A's alone: each claim has its own version.
    reply = await call(insurer_api, "PICC", "SubmitAssessment", assessment(b_jqx(case), "0.00"))
    assert reply.claim.party == "B"
    a = await call(insurer_api, "PICC", "GetClaim", pb.GetClaimRequest(claim_id=a_jqx(case)))
    assert a.claim.status == pb.CLAIM_STATUS_FILED


async def test_two_insurers_working_on_one_case_never_abort_each_other(insurer_api, mongo_db):
    case = await store_settled(insurer_api.exchange, mongo_db)
    async def work(insurer: str, cid: str) -> None:
        # Each insurer works through its claim step by step, both at the same time.
        for i in range(15):
            await call(insurer_api, insurer, "SubmitAssessment", assessment(cid, f"{100 + i}.00"))

    await asyncio.gather(work("PICC", a_jqx(case)), work("CPIC", b_jqx(case)))
    claims = {c.id: c for c in await MongoClaimRepository(mongo_db).for_case(case.id)}
    # Every assessment is in its claim's history: none was lost to the other insurer.
    for cid in (a_jqx(case), b_jqx(case)):
        assert [h.status for h in claims[cid].history].count(ClaimStatus.ASSESSED) == 15


@pytest.mark.parametrize(
    ("client", "metadata", "expected"),
    [
        ("PICC", (), grpc.StatusCode.UNAUTHENTICATED),
        ("PICC", (("authorization", "Bearer forged-token"),), grpc.StatusCode.UNAUTHENTICATED),
        ("PICC", (("authorization", f"Basic {TOKENS['PICC']}"),), grpc.StatusCode.UNAUTHENTICATED),
        ("PICC", (("authorization", "Bearer " + "x" * 5000),), grpc.StatusCode.UNAUTHENTICATED),
        # A certificate from our CA that names no insurer we know.
        ("UNKNOWN", bearer("PICC"), grpc.StatusCode.UNAUTHENTICATED),
        # Authenticated as PICC, holding CPIC's token.
        ("PICC", bearer("CPIC"), grpc.StatusCode.PERMISSION_DENIED),
    ],
    ids=["no-token", "forged-token", "wrong-scheme", "oversized-token", "unknown-cert", "swap"],
)
async def test_bad_credentials_are_refused(insurer_api, mongo_db, client, metadata, expected):
    case = await store_settled(insurer_api.exchange, mongo_db)
    async with insurer_api.channel(client) as channel:
        stub = insurer_api.stub(channel)
        request = pb.GetClaimRequest(claim_id=a_jqx(case))
        assert await status_of(stub.GetClaim(request, metadata=metadata, timeout=10)) == expected
        stream = stub.WatchClaimEvents(pb.WatchClaimEventsRequest(), metadata=metadata, timeout=10)
        assert await status_of(stream.read()) == expected


@pytest.mark.parametrize("who", ["no-certificate", "untrusted-ca"])
async def test_clients_without_a_trusted_certificate_fail_the_handshake(insurer_api, who):
    # The TLS layer refuses them before any RPC exists; the client sees UNAVAILABLE.
    rogue = insurer_api.pki.rogue_picc
    channel = (
        insurer_api.channel_with(None, None)
        if who == "no-certificate"
        else insurer_api.channel_with(rogue.cert, rogue.key)
    )
    async with channel:
        stub = insurer_api.stub(channel)
        code = await status_of(
            stub.GetClaim(pb.GetClaimRequest(claim_id="x"), metadata=bearer("PICC"), timeout=5)
        )
    assert code is grpc.StatusCode.UNAVAILABLE


async def test_replayed_request_id_returns_the_first_answer_with_one_effect(
    insurer_api, mongo_db
):
    case = await store_settled(insurer_api.exchange, mongo_db)
    first_request = assessment(b_jqx(case), "2100.00")
    first = await call(insurer_api, "CPIC", "SubmitAssessment", first_request)
    # The same request again, twice concurrently: one answer, no second effect.
    again = await asyncio.gather(
        *(call(insurer_api, "CPIC", "SubmitAssessment", first_request) for _ in range(2)),
        return_exceptions=True,
    )
    for reply in again:
        if isinstance(reply, grpc.aio.AioRpcError):  # a repeat racing the first: retry later
            assert reply.code() is grpc.StatusCode.ABORTED
        else:
            assert reply == first
    stored = await MongoClaimRepository(mongo_db).get(b_jqx(case))
    assert [h.status for h in stored.history].count(ClaimStatus.ASSESSED) == 1

    # Same id, different body: refused, and still one effect.
    changed = assessment(b_jqx(case), "9999.00", request_id=first_request.request_id)
    code = await status_of(call(insurer_api, "CPIC", "SubmitAssessment", changed))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    # Request ids are per insurer: PICC using CPIC's id is a different request.
    picc = await call(
        insurer_api, "PICC", "SubmitAssessment",
        assessment(a_jqx(case), "800.00", request_id=first_request.request_id),
    )  # fmt: skip
    assert picc.claim.assessment.assessed_amount.amount == "800.00"


async def test_assessment_approval_and_payout_close_the_case(insurer_api, mongo_db):
    case = await store_settled(insurer_api.exchange, mongo_db)
    cid = b_jqx(case)
    reply = await call(insurer_api, "CPIC", "SubmitAssessment", assessment(cid, "2100.00"))
    assert reply.claim.status == pb.CLAIM_STATUS_ASSESSED
    assert reply.claim.estimated_loss.amount == "2300.50"  # our figure stays beside it
    assert reply.claim.history[-1].actor == "insurer:CPIC"

    stale = reply.claim.etag
    approve = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_APPROVED, etag=stale
    )
    approved = await call(insurer_api, "CPIC", "UpdateClaimStatus", approve)
    conflict = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_REJECTED, etag=stale
    )
    assert await status_of(
        call(insurer_api, "CPIC", "UpdateClaimStatus", conflict)
    ) is grpc.StatusCode.ABORTED
    no_payout = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_PAID
    )
    assert await status_of(
        call(insurer_api, "CPIC", "UpdateClaimStatus", no_payout)
    ) is grpc.StatusCode.INVALID_ARGUMENT
    paid = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()),
        claim_id=cid,
        status=pb.CLAIM_STATUS_PAID,
        payout=pb.Payout(
            amount=pb.Money(currency_code="CNY", amount="2100.00"), transaction_reference="TX-1"
        ),
        etag=approved.claim.etag,
    )
    done = await call(insurer_api, "CPIC", "UpdateClaimStatus", paid)
    assert done.claim.payout.amount.amount == "2100.00"
    assert [h.status for h in done.claim.history] == [
        pb.CLAIM_STATUS_FILED, pb.CLAIM_STATUS_ASSESSED, pb.CLAIM_STATUS_APPROVED,
        pb.CLAIM_STATUS_PAID,
    ]  # fmt: skip
    # A paid claim cannot move again.
    reopen = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_ACKNOWLEDGED
    )
    assert await status_of(
        call(insurer_api, "CPIC", "UpdateClaimStatus", reopen)
    ) is grpc.StatusCode.FAILED_PRECONDITION
    assert await status_of(
        call(insurer_api, "CPIC", "SubmitAssessment", assessment(cid))
    ) is grpc.StatusCode.FAILED_PRECONDITION
    # Paid before approval is refused: the table has no such step.
    skip = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=a_jqx(case), status=pb.CLAIM_STATUS_PAID,
        payout=pb.Payout(amount=pb.Money(currency_code="CNY", amount="1"))
    )  # fmt: skip
    assert await status_of(
        call(insurer_api, "PICC", "UpdateClaimStatus", skip)
    ) is grpc.StatusCode.FAILED_PRECONDITION
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.status is CaseStatus.CLAIMED  # PICC's claims are still open

    # PICC rejects both of its claims: every claim is finished, the case closes.
    for cover in (Cover.COMPULSORY, Cover.COMMERCIAL_THIRD_PARTY):
        await call(insurer_api, "PICC", "UpdateClaimStatus", pb.UpdateClaimStatusRequest(
            request_id=str(uuid.uuid4()), claim_id=claim_id(case.id, "A", cover),
            status=pb.CLAIM_STATUS_REJECTED, reason="保单已失效"))  # fmt: skip
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.status is CaseStatus.CLOSED


@pytest.mark.parametrize(
    ("request_factory", "method"),
    [
        (lambda cid: assessment(cid, notes="备注" * 2000), "SubmitAssessment"),
        (lambda cid: assessment(cid, amount="12.345"), "SubmitAssessment"),
        (lambda cid: assessment(cid, amount="-5"), "SubmitAssessment"),
        (lambda cid: assessment(cid, amount="NaN"), "SubmitAssessment"),
        (lambda cid: assessment(cid, amount="1e400"), "SubmitAssessment"),
        (lambda cid: assessment(cid, request_id="not-a-uuid"), "SubmitAssessment"),
        (lambda cid: assessment("x" * 10_000), "SubmitAssessment"),
        (lambda cid: pb.GetClaimRequest(claim_id="../../etc/passwd"), "GetClaim"),
        (lambda cid: pb.ListClaimsRequest(page_token="garbage!"), "ListClaims"),
        (lambda cid: pb.ListClaimsRequest(page_size=-1), "ListClaims"),
        (
            lambda cid: pb.UpdateClaimStatusRequest(request_id=str(uuid.uuid4()), claim_id=cid),
            "UpdateClaimStatus",
        ),
    ],
)
async def test_hostile_input_gets_invalid_argument(insurer_api, mongo_db, request_factory, method):
    case = await store_settled(insurer_api.exchange, mongo_db)
    code = await status_of(call(insurer_api, "CPIC", method, request_factory(b_jqx(case))))
    assert code is grpc.StatusCode.INVALID_ARGUMENT


async def test_oversized_message_is_refused_by_the_transport(insurer_api, mongo_db):
    case = await store_settled(insurer_api.exchange, mongo_db)
    huge = assessment(b_jqx(case), notes="x" * (5 * 1024 * 1024))
    code = await status_of(call(insurer_api, "CPIC", "SubmitAssessment", huge))
    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_watch_streams_the_insurers_claim_events(insurer_api, mongo_db):
    case = await store_settled(insurer_api.exchange, mongo_db)
    api = insurer_api.exchange.insurer
    async with insurer_api.channel("CPIC") as channel:
        stub = insurer_api.stub(channel)
        stream = stub.WatchClaimEvents(
            pb.WatchClaimEventsRequest(), metadata=bearer("CPIC"), timeout=20
        )
        await stream.initial_metadata()  # the feed is live from here on
        await api.submit_assessment(
            "PICC", a_jqx(case), amount=Decimal("700"), assessor="甲"
        )  # PICC's claim: CPIC must not see this as its event
        await api.submit_assessment("CPIC", b_jqx(case), amount=Decimal("2000"), assessor="乙")
        event = await stream.read()
        assert event.type == pb.CLAIM_EVENT_TYPE_ASSESSED
        assert event.claim.claim_id == b_jqx(case)
        assert event.claim.assessment.assessed_amount.amount == "2000"
        assert event.cursor
        stream.cancel()

        # Resuming from that event gives what came after it.
        again = stub.WatchClaimEvents(
            pb.WatchClaimEventsRequest(cursor=event.cursor), metadata=bearer("CPIC"), timeout=5
        )
        await again.initial_metadata()
        await api.update_status("CPIC", b_jqx(case), status=ClaimStatus.APPROVED)
        follow = await again.read()
        assert follow.type == pb.CLAIM_EVENT_TYPE_STATUS_CHANGED
        assert follow.claim.status == pb.CLAIM_STATUS_APPROVED
        again.cancel()

        bad = stub.WatchClaimEvents(
            pb.WatchClaimEventsRequest(cursor="zz-not-a-token"), metadata=bearer("CPIC"), timeout=5
        )
        assert await status_of(bad.read()) is grpc.StatusCode.INVALID_ARGUMENT


async def test_a_retry_after_a_lost_answer_gets_the_first_answer_not_a_second_effect(
    insurer_api, mongo_db
):
    """The effect and the request id commit together: an insurer whose answer was lost
    (our process died after the commit) retries and gets the first answer; a retried
    PAID is not refused as an illegal move."""
    case = await store_settled(insurer_api.exchange, mongo_db)
    cid = b_jqx(case)
    await call(insurer_api, "CPIC", "SubmitAssessment", assessment(cid, "2100.00"))
    approve = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_APPROVED
    )
    await call(insurer_api, "CPIC", "UpdateClaimStatus", approve)
    paid = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_PAID,
        payout=pb.Payout(amount=pb.Money(currency_code="CNY", amount="2100.00"),
                         transaction_reference="TX-9"),
    )  # fmt: skip
    # The call takes effect, then our side fails before answering (as a crash would).
    store = insurer_api.exchange.claims.store
    acknowledge = store.outbox.acknowledge_key

    async def die(**_: Any) -> int:
        store.outbox.acknowledge_key = acknowledge  # type: ignore[method-assign]
        raise RuntimeError("process died")

    store.outbox.acknowledge_key = die  # type: ignore[method-assign]
    assert await status_of(
        call(insurer_api, "CPIC", "UpdateClaimStatus", paid)
    ) is grpc.StatusCode.INTERNAL
    retried = await call(insurer_api, "CPIC", "UpdateClaimStatus", paid)
    assert retried.claim.status == pb.CLAIM_STATUS_PAID
    stored = await MongoClaimRepository(mongo_db).get(cid)
    assert [h.status for h in stored.history].count(ClaimStatus.PAID) == 1
    assert retried.claim.etag == f"v{stored.version}"


async def test_a_call_that_fails_records_nothing_and_may_be_retried(insurer_api, mongo_db):
    case = await store_settled(insurer_api.exchange, mongo_db)
    cid = b_jqx(case)
    stale = assessment(cid, "100.00", etag="v99")
    assert await status_of(
        call(insurer_api, "CPIC", "SubmitAssessment", stale)
    ) is grpc.StatusCode.ABORTED
    assert await mongo_db.request_log.count_documents({}) == 0
    fixed = assessment(cid, "100.00")
    reply = await call(insurer_api, "CPIC", "SubmitAssessment", fixed)
    assert reply.claim.status == pb.CLAIM_STATUS_ASSESSED
    assert await mongo_db.request_log.count_documents({}) == 1
