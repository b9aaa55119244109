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
from settlement.domain.case import CaseStatus
from settlement.domain.exchange import InsurerClaimStatus

from .claims_harness import (  # noqa: F401 - fixtures
    TOKENS,
    InsurerApi,
    bearer,
    insurer_api,
    pki,
    store_settled,
)


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


async def test_each_insurer_sees_its_own_policyholder_and_nothing_else(insurer_api, mongo_db):
    both = await store_settled(insurer_api.claims, mongo_db)  # A at PICC, B at CPIC
    picc_only = await store_settled(insurer_api.claims, mongo_db, insurers=("PICC", "PINGAN"))

    picc = await call(insurer_api, "PICC", "GetClaim", pb.GetClaimRequest(claim_id=both.id))
    cpic = await call(insurer_api, "CPIC", "GetClaim", pb.GetClaimRequest(claim_id=both.id))
    assert (picc.claim.policy_number, picc.claim.plate_number) == ("P-A-1", "粤B12345")
    assert (cpic.claim.policy_number, cpic.claim.plate_number) == ("P-B-2", "粤B54321")
    assert picc.claim.liability_share == "1"
    assert cpic.claim.liability_share == "0"
    assert cpic.claim.estimated_loss.amount == "2300.50"
    assert picc.claim.status == pb.CLAIM_STATUS_FILED

    # Another insurer's claim and a claim that does not exist get the same answer.
    get = pb.GetClaimRequest
    other = await status_of(call(insurer_api, "CPIC", "GetClaim", get(claim_id=picc_only.id)))
    unknown = await status_of(call(insurer_api, "CPIC", "GetClaim", get(claim_id="c" + "0" * 16)))
    assert other == unknown == grpc.StatusCode.NOT_FOUND
    assert await status_of(
        call(insurer_api, "CPIC", "SubmitAssessment", assessment(picc_only.id))
    ) == grpc.StatusCode.NOT_FOUND

    listed = await call(insurer_api, "CPIC", "ListClaims", pb.ListClaimsRequest())
    assert [c.claim_id for c in listed.claims] == [both.id]
    listed = await call(insurer_api, "PICC", "ListClaims", pb.ListClaimsRequest(page_size=1))
    assert len(listed.claims) == 1
    assert listed.next_page_token
    rest = await call(
        insurer_api, "PICC", "ListClaims",
        pb.ListClaimsRequest(page_size=1, page_token=listed.next_page_token),
    )  # fmt: skip
    assert {listed.claims[0].claim_id, rest.claims[0].claim_id} == {both.id, picc_only.id}
    assert not rest.next_page_token


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
    case = await store_settled(insurer_api.claims, mongo_db)
    async with insurer_api.channel(client) as channel:
        stub = insurer_api.stub(channel)
        request = pb.GetClaimRequest(claim_id=case.id)
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
    case = await store_settled(insurer_api.claims, mongo_db)
    first_request = assessment(case.id, "2100.00")
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
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.loss is not None
    assert [a["action"] for a in stored.loss["audit"]] == ["assessment"]

    # Same id, different body: refused, and still one effect.
    changed = assessment(case.id, "9999.00", request_id=first_request.request_id)
    code = await status_of(call(insurer_api, "CPIC", "SubmitAssessment", changed))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    # Request ids are per insurer: PICC using CPIC's id is a different request.
    picc = await call(
        insurer_api, "PICC", "SubmitAssessment",
        assessment(case.id, "800.00", request_id=first_request.request_id),
    )  # fmt: skip
    assert picc.claim.assessment.assessed_amount.amount == "800.00"


async def test_assessment_and_payout_update_the_case(insurer_api, mongo_db):
    case = await store_settled(insurer_api.claims, mongo_db)
    reply = await call(insurer_api, "CPIC", "SubmitAssessment", assessment(case.id, "2100.00"))
    assert reply.claim.status == pb.CLAIM_STATUS_ASSESSED
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.loss is not None
    assert stored.loss["parties"]["B"]["total"] == "2300.50"  # our estimate stays beside it
    assert stored.loss["assessments"]["B"]["amount"] == "2100.00"
    assert stored.loss["audit"][0]["by"] == "insurer:CPIC"
    assert stored.exchange["claims"]["B"]["payout_due"] == "2100.00"

    stale = reply.claim.etag
    approve = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=case.id, status=pb.CLAIM_STATUS_APPROVED, etag=stale
    )
    approved = await call(insurer_api, "CPIC", "UpdateClaimStatus", approve)
    conflict = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=case.id, status=pb.CLAIM_STATUS_REJECTED, etag=stale
    )
    assert await status_of(
        call(insurer_api, "CPIC", "UpdateClaimStatus", conflict)
    ) is grpc.StatusCode.ABORTED
    no_payout = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=case.id, status=pb.CLAIM_STATUS_PAID
    )
    assert await status_of(
        call(insurer_api, "CPIC", "UpdateClaimStatus", no_payout)
    ) is grpc.StatusCode.INVALID_ARGUMENT
    paid = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()),
        claim_id=case.id,
        status=pb.CLAIM_STATUS_PAID,
        payout=pb.Payout(
            amount=pb.Money(currency_code="CNY", amount="2100.00"), transaction_reference="TX-1"
        ),
        etag=approved.claim.etag,
    )
    done = await call(insurer_api, "CPIC", "UpdateClaimStatus", paid)
    assert done.claim.payout.amount.amount == "2100.00"
    stored = await MongoCaseRepository(mongo_db).get(case.id)
    assert stored.exchange["claims"]["B"]["payout"]["transaction_reference"] == "TX-1"
    # A paid claim cannot move again.
    reopen = pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=case.id, status=pb.CLAIM_STATUS_UNDER_ASSESSMENT
    )
    assert await status_of(
        call(insurer_api, "CPIC", "UpdateClaimStatus", reopen)
    ) is grpc.StatusCode.FAILED_PRECONDITION
    assert await status_of(
        call(insurer_api, "CPIC", "SubmitAssessment", assessment(case.id))
    ) is grpc.StatusCode.FAILED_PRECONDITION
    assert stored.status is CaseStatus.AGREED  # PICC's claim is still open


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
    case = await store_settled(insurer_api.claims, mongo_db)
    code = await status_of(call(insurer_api, "CPIC", method, request_factory(case.id)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT


async def test_oversized_message_is_refused_by_the_transport(insurer_api, mongo_db):
    case = await store_settled(insurer_api.claims, mongo_db)
    huge = assessment(case.id, notes="x" * (5 * 1024 * 1024))
    code = await status_of(call(insurer_api, "CPIC", "SubmitAssessment", huge))
    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_watch_streams_the_insurers_claim_events(insurer_api, mongo_db):
    case = await store_settled(insurer_api.claims, mongo_db)
    async with insurer_api.channel("CPIC") as channel:
        stub = insurer_api.stub(channel)
        stream = stub.WatchClaimEvents(
            pb.WatchClaimEventsRequest(), metadata=bearer("CPIC"), timeout=20
        )
        await stream.initial_metadata()  # the feed is live from here on
        await insurer_api.claims.submit_assessment(
            "PICC", case.id, amount=Decimal("700"), assessor="甲"
        )  # PICC's claim: CPIC must not see this as its event
        await insurer_api.claims.submit_assessment(
            "CPIC", case.id, amount=Decimal("2000"), assessor="乙"
        )
        event = await stream.read()
        assert event.type == pb.CLAIM_EVENT_TYPE_ASSESSED
        assert event.claim.claim_id == case.id
        assert event.claim.assessment.assessed_amount.amount == "2000"
        assert event.cursor
        stream.cancel()

        # Resuming from before the change replays it.
        again = stub.WatchClaimEvents(
            pb.WatchClaimEventsRequest(cursor=event.cursor), metadata=bearer("CPIC"), timeout=5
        )
        await again.initial_metadata()
        await insurer_api.claims.update_status(
            "CPIC", case.id, status=InsurerClaimStatus.APPROVED
        )
        follow = await again.read()
        assert follow.type == pb.CLAIM_EVENT_TYPE_STATUS_CHANGED
        assert follow.claim.status == pb.CLAIM_STATUS_APPROVED
        again.cancel()

        bad = stub.WatchClaimEvents(
            pb.WatchClaimEventsRequest(cursor="zz-not-a-token"), metadata=bearer("CPIC"), timeout=5
        )
        assert await status_of(bad.read()) is grpc.StatusCode.INVALID_ARGUMENT
