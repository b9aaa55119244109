"""The service as an OS process, killed with SIGKILL in the middle of the exchange: while it is
sending claims to an insurer, and while insurers' calls are in flight. After a restart no
claim is lost and nothing takes effect twice, in either direction."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc
import pytest
from motor.motor_asyncio import AsyncIOMotorClient

from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.claims import MongoClaimRepository
from adapters.mongo.embedded import free_port
from adapters.simulators.insurer import InsurerSimulator
from settlement.domain.case import CaseStatus
from settlement.domain.claim import ClaimStatus, Cover, claim_id
from tests.claim_builders import settled_case
from tests.integration.grpc.claims_harness import TOKENS, make_exchange, prepare_db
from tests.integration.grpc.pki import TestPki, make_pki

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
_stub_class: Any = pb_grpc.SettlementServiceStub


@dataclass
class Service:
    env: dict[str, str]
    http_port: int
    grpc_port: int
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "settlement", "serve"], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the service exited: {self.process.returncode}"
            try:
                url = f"http://127.0.0.1:{self.http_port}/readyz"
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("the service did not become ready")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Stage:
    service: Service
    db: Any
    sims: dict[str, InsurerSimulator]
    pki: TestPki


@pytest.fixture
async def stage(mongo_uri: str, tmp_path: Path) -> AsyncIterator[Stage]:
    pki = make_pki()
    cert, key, ca = pki.write(tmp_path / "tls")
    sims = {code: InsurerSimulator(code) for code in ("PICC", "CPIC")}
    for sim in sims.values():
        await sim.start()
    name = f"crash_{uuid.uuid4().hex[:10]}"
    http_port, grpc_port = free_port(), free_port()
    env = {
        **os.environ, "PYTHONPATH": str(ROOT),
        "SETTLEMENT_MONGO_URI": mongo_uri, "SETTLEMENT_MONGO_DB": name,
        "SETTLEMENT_HTTP_PORT": str(http_port), "SETTLEMENT_GRPC_PORT": str(grpc_port),
        "SETTLEMENT_METRICS_PORT": "0", "SETTLEMENT_DATA_DIR": str(tmp_path / "data"),
        "SETTLEMENT_UPLOADS_DIR": str(tmp_path / "uploads"),
        "SETTLEMENT_COOKIE_SECRET": "crash-test",
        "SETTLEMENT_INSURER_ENDPOINTS": ",".join(f"{c}={s.target}" for c, s in sims.items()),
        "SETTLEMENT_PARTNER_INSECURE": "true",  # plaintext simulators on loopback
        "SETTLEMENT_GRPC_DEADLINE_S": "1", "SETTLEMENT_OUTBOX_LEASE_S": "3",
        "SETTLEMENT_OUTBOX_BACKOFF_BASE_S": "0.5",
        "SETTLEMENT_GRPC_TLS_CERT": str(cert), "SETTLEMENT_GRPC_TLS_KEY": str(key),
        "SETTLEMENT_GRPC_CLIENT_CA": str(ca),
        "SETTLEMENT_INSURER_TOKENS": ",".join(f"{c}={t}" for c, t in TOKENS.items()),
    }  # fmt: skip
    client: Any = AsyncIOMotorClient(mongo_uri, tz_aware=True)
    db = client[name]
    await prepare_db(db)
    # A killed process's open transactions keep their documents locked until the server
    # aborts them; our transactions last milliseconds, so a short limit is the deployment
    # advice (README) and what these tests run with.
    await client.admin.command({"setParameter": 1, "transactionLifetimeLimitSeconds": 5})
    service = Service(env, http_port, grpc_port)
    try:
        yield Stage(service, db, sims, pki)
    finally:
        service.stop()
        await client.admin.command({"setParameter": 1, "transactionLifetimeLimitSeconds": 60})
        await client.drop_database(name)
        client.close()
        for sim in sims.values():
            await sim.stop(None)


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
