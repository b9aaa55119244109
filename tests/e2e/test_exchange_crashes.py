"""The service as an OS process, killed with SIGKILL in the middle of the exchange: while it is
sending claims to an insurer, and while insurers' calls are in flight. After a restart no
claim is lost and nothing takes effect twice, in either direction."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
import pytest

from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.claims import MongoClaimRepository
from settlement.domain.case import CaseStatus
from settlement.domain.claim import ClaimStatus, Cover, claim_id
from tests.claim_builders import settled_case
from tests.e2e.service_process import Stage, staged_service
from tests.integration.grpc.claims_harness import TOKENS, make_exchange

pytestmark = pytest.mark.e2e
_stub_class: Any = pb_grpc.SettlementServiceStub


@pytest.fixture
async def stage(mongo_uri: str, tmp_path: Path) -> AsyncIterator[Stage]:
    async with staged_service(mongo_uri, tmp_path) as staged:
        yield staged


async def _settle(db: Any, count: int) -> list[str]:
    """Settle cases from outside the service (their claims wait in the outbox)."""
    exchange = make_exchange(db)
    ids = []
    for _ in range(count):
        target = settled_case()
        stored = await MongoCaseRepository(db).add(
            replace(target, status=CaseStatus.LIABILITY_PROPOSED)
        )
        await exchange.claims.settle(replace(target, version=stored.version))
        ids.append(target.id)
    return ids


async def _all_filed(db: Any, case_ids: list[str], timeout_s: float = 60) -> None:
    claims = MongoClaimRepository(db)
    async with asyncio.timeout(timeout_s):
        while True:
            found = [c for case in case_ids for c in await claims.for_case(case)]
            if found and all(c.claim_number for c in found):
                return
            await asyncio.sleep(0.2)


async def test_sigkill_while_sending_loses_no_claim_and_files_none_twice(stage: Stage) -> None:
    picc = stage.sims["PICC"]
    picc.faults.delay_s = 1.5  # PICC answers slowly: the kill lands mid-call
    cases = await _settle(stage.db, 6)
    await asyncio.to_thread(stage.service.start)
    async with asyncio.timeout(30):
        while picc.file_claim_attempts == 0:
            await asyncio.sleep(0.05)
    await asyncio.to_thread(stage.service.kill)
    picc.faults.delay_s = 0.0
    attempts_before = picc.file_claim_attempts
    await asyncio.to_thread(stage.service.start)
    await _all_filed(stage.db, cases)
    # Each claim exists once at its insurer, although some were sent twice.
    assert picc.distinct_claims == 2 * len(cases)  # A's 交强险 and 商三
    assert stage.sims["CPIC"].distinct_claims == len(cases)  # B's 交强险
    assert picc.file_claim_attempts > attempts_before


async def test_sigkill_while_insurer_calls_are_in_flight_applies_each_once(stage: Stage) -> None:
    cases = await _settle(stage.db, 30)
    await asyncio.to_thread(stage.service.start)
    await _all_filed(stage.db, cases)
    client = stage.pki.clients["CPIC"]
    credentials = grpc.ssl_channel_credentials(
        stage.pki.ca.pem, private_key=client.key, certificate_chain=client.cert
    )
    metadata = (("authorization", f"Bearer {TOKENS['CPIC']}"),)
    requests = [
        pb.SubmitAssessmentRequest(
            request_id=str(uuid.uuid4()), claim_id=claim_id(case, "B", Cover.COMPULSORY),
            assessed_amount=pb.Money(currency_code="CNY", amount="2000.00"), assessor="定损员",
        )
        for case in cases
    ]  # fmt: skip

    target = f"127.0.0.1:{stage.service.grpc_port}"

    async def send_all(*, kill_after_first: bool = False) -> list[Any]:
        async with grpc.aio.secure_channel(target, credentials) as channel:
            stub = _stub_class(channel)
            calls = [asyncio.ensure_future(stub.SubmitAssessment(r, metadata=metadata,
                                                                 timeout=10))
                     for r in requests]  # fmt: skip
            if kill_after_first:
                # The first answer is out: the others are running or queued. Kill now.
                await asyncio.wait(calls, return_when=asyncio.FIRST_COMPLETED)
                stage.service.kill()
            return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = await send_all(kill_after_first=True)
    cut = sum(isinstance(o, BaseException) for o in outcomes)
    assert 0 < cut < len(outcomes), "the kill did not land among the calls (nothing tested)"
    await asyncio.to_thread(stage.service.start)
    # The insurer retries every call with the same request id, ABORTED ones again later
    # (the killed process's open transactions hold their documents a few seconds).
    async with asyncio.timeout(60):
        while True:
            replies = await send_all()
            failed = [r for r in replies if isinstance(r, BaseException)]
            assert all(r.code() is grpc.StatusCode.ABORTED for r in failed), failed
            if not failed:
                break
            await asyncio.sleep(1.0)
    claims = MongoClaimRepository(stage.db)
    for case in cases:
        claim = await claims.get(claim_id(case, "B", Cover.COMPULSORY))
        assert [h.status for h in claim.history].count(ClaimStatus.ASSESSED) == 1
