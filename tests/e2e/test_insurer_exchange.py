"""The whole service with mTLS on its gRPC port: an agreed case is filed with both insurers
by the running dispatcher, and an insurer reads and assesses its claim over the wire."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
import pytest

from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.claims import MongoClaimRepository
from adapters.simulators.insurer import InsurerSimulator
from adapters.simulators.wechat import WeChatSimulator
from settlement.bootstrap import open_runtime, run_exchange, start_servers
from settlement.domain.case import CaseStatus
from settlement.domain.claim import Cover, claim_id
from tests.claim_builders import settled_case
from tests.integration.grpc.claims_harness import TOKENS
from tests.integration.grpc.pki import make_pki

from .conftest import make_settings

pytestmark = pytest.mark.e2e
_stub_class: Any = pb_grpc.SettlementServiceStub


async def test_agreed_case_reaches_insurers_and_comes_back_assessed(
    mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path
) -> None:
    pki = make_pki()
    cert, key, ca = pki.write(tmp_path / "tls")
    sims = {code: InsurerSimulator(code) for code in ("PICC", "CPIC")}
    for sim in sims.values():
        await sim.start()
    settings = replace(
        make_settings(mongo_uri, wechat, tmp_path),
        insurer_endpoints=",".join(f"{c}={s.target}" for c, s in sims.items()),
        insurer_tokens=",".join(f"{c}={t}" for c, t in TOKENS.items()),
        grpc_tls_cert=cert,
        grpc_tls_key=key,
        grpc_client_ca=ca,
    )
    stop = asyncio.Event()
    async with open_runtime(settings) as runtime:
        servers = await start_servers(runtime)
        exchange = asyncio.create_task(run_exchange(runtime.services, stop, poll_s=0.2))
        try:
            claims = runtime.services.claims
            assert claims is not None
            target = settled_case()
            repo = MongoCaseRepository(runtime.db)
            stored = await repo.add(replace(target, status=CaseStatus.LIABILITY_PROPOSED))
            await claims.settle(replace(target, version=stored.version))

            claims_repo = MongoClaimRepository(runtime.db)
            async with asyncio.timeout(20):
                while not all(c.claim_number for c in await claims_repo.for_case(target.id)):
                    await asyncio.sleep(0.05)
            assert (await repo.get(target.id)).status is CaseStatus.CLAIMED
            assert (sims["PICC"].distinct_claims, sims["CPIC"].distinct_claims) == (2, 1)

            client = pki.clients["CPIC"]
            credentials = grpc.ssl_channel_credentials(
                pki.ca.pem, private_key=client.key, certificate_chain=client.cert
            )
            metadata = (("authorization", f"Bearer {TOKENS['CPIC']}"),)
            async with grpc.aio.secure_channel(
                f"127.0.0.1:{servers.grpc_port}", credentials
            ) as channel:
                stub = _stub_class(channel)
                b_claim = claim_id(target.id, "B", Cover.COMPULSORY)
                got = await stub.GetClaim(
                    pb.GetClaimRequest(claim_id=b_claim), metadata=metadata, timeout=10
                )
                assert got.claim.claim_number.startswith("CPIC-")
                reply = await stub.SubmitAssessment(
                    pb.SubmitAssessmentRequest(
                        request_id=str(uuid.uuid4()),
                        claim_id=b_claim,
                        assessed_amount=pb.Money(currency_code="CNY", amount="1999.00"),
                        assessor="定损员",
                        etag=got.claim.etag,
                    ),
                    metadata=metadata,
                    timeout=10,
                )
            assert reply.claim.status == pb.CLAIM_STATUS_ASSESSED
            assert reply.claim.assessment.assessed_amount.amount == "1999.00"
        finally:
            stop.set()
            await asyncio.wait_for(exchange, 10)
            await servers.stop(0.5)
            await runtime.mongo_client.drop_database(settings.mongo_db)
            for sim in sims.values():
                await sim.stop(None)
