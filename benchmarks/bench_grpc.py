"""Insurer gRPC API benchmark: GetClaim and SubmitAssessment against an empty-method ceiling.

Run: ``python benchmarks/bench_grpc.py`` (about half a minute; needs the embedded mongod).

Everything runs in one process on 127.0.0.1: a real ``mongod`` (single-node replica set
in a temp dir), the SettlementService wired as ``settlement serve`` wires it (the service's
Mongo client with majority writes, photo records in Mongo, every insurer read recorded in
the audit log before it is answered, the audit sealer running), behind mTLS and the
insurer auth interceptor, and 50 concurrent callers on one client channel. The ceiling is
an empty unary method on the *same* server and channel (TLS included, no auth, no Mongo),
so the ratios show what the service's own work (auth, Mongo reads and transactional
writes, audit entries, request log) costs. At the end the run checks that every GetClaim
answered has its audit entry and that the sealed log verifies.
Evidence streaming is measured on an 8 MiB privacy copy from a local photo store.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.grpc.auth import InsurerAuthInterceptor
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.grpc.pb.accident.settlement.v1 import (
    settlement_service_pb2_grpc as pb_grpc,
)
from adapters.grpc.server import start_grpc_server
from adapters.grpc.settlement_servicer import (
    SettlementServiceServicer,
    settlement_service_registrar,
)
from adapters.mongo.audit import MongoAuditLog
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.client import ensure_indexes, open_client
from adapters.mongo.embedded import EmbeddedMongo
from adapters.mongo.photos import MongoPhotoRepository
from adapters.mongo.request_log import MongoRequestLog
from adapters.photos.local_store import LocalPhotoStore
from adapters.system import SystemClock
from adapters.witness.files import FileWitness
from adapters.witness.keys import load_signer
from settlement.domain.case import CaseStatus
from settlement.domain.claim import Cover, claim_id
from settlement.services.audit import AuditTrail
from settlement.services.sealer import Sealer
from tests.claim_builders import settled_case
from tests.integration.grpc.claims_harness import TOKENS, make_exchange
from tests.integration.grpc.pki import make_pki
from tests.integration.photos.test_mongo_photos import make_record

_stub_class: Any = pb_grpc.SettlementServiceStub
CALLERS = 50
GET_CALLS = 5000
ASSESS_CALLS = 2000
EMPTY_CALLS = 10000
STREAMS = 20
EVIDENCE_BYTES = 8 * 1024 * 1024
EMPTY_METHOD = "/bench.Empty/Ping"
ROUNDS = 5
PHOTOS_PER_CASE = 4


@dataclass
class Result:
    calls: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    @property
    def p99_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98] * 1000


def _median(results: list[Result]) -> Result:
    return sorted(results, key=lambda r: r.rate)[len(results) // 2]


async def hammer(total: int, call: Callable[[int, int], Awaitable[Any]]) -> Result:
    """``total`` calls spread over CALLERS concurrent callers (bounded loops)."""
    latencies: list[float] = []
    per_caller = total // CALLERS

    async def caller(index: int) -> None:
        for i in range(per_caller):
            started = time.perf_counter()
            await call(index, i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(caller(i) for i in range(CALLERS)))
    return Result(per_caller * CALLERS, time.perf_counter() - started, latencies)


class _EmptyHandler(grpc.GenericRpcHandler):  # type: ignore[misc]
    def service(self, details: Any) -> Any:
        if details.method != EMPTY_METHOD:
            return None

        async def ping(request: bytes, context: Any) -> bytes:
            return b""

        return grpc.unary_unary_rpc_method_handler(ping)


async def run(workdir: Path) -> None:
    mongod = EmbeddedMongo(workdir / "mongo")
    await asyncio.to_thread(mongod.start)
    client: Any = open_client(mongod.uri)
    db = client["bench"]
    pool = ThreadPoolExecutor(4)
    stop = asyncio.Event()
    sealing: asyncio.Task[None] | None = None
    try:
        await ensure_indexes(db)
        store = LocalPhotoStore(workdir / "photos", executor=pool)
        key = "privacy/ab/bench.jpg"
        await store.put(key, os.urandom(EVIDENCE_BYTES), content_type="image/jpeg")
        photos = MongoPhotoRepository(db)
        clock = SystemClock()
        audit_log = MongoAuditLog(db)
        signer = load_signer(workdir / "audit-key.pem", create=True)
        witness = FileWitness(workdir / "witness")
        audit = AuditTrail(audit_log, clock, seals=audit_log, witness=witness, signer=signer)
        sealer = Sealer(store=audit_log, witness=witness, signer=signer, clock=clock,
                        owner="bench")  # fmt: skip
        sealing = asyncio.create_task(sealer.run(stop))
        exchange = make_exchange(db, photos=photos, photo_store=store, audit=audit)
        claim_ids = []  # CPIC's claim (party B's 交强险) of each case
        evidence_ids = []  # the 8 MiB item of each case (its scene photos share one copy)
        for c in range(CALLERS):
            target = settled_case()
            stored = await MongoCaseRepository(db).add(
                replace(target, status=CaseStatus.LIABILITY_PROPOSED)
            )
            for p in range(PHOTOS_PER_CASE):
                record = make_record(f"ev{c}-{p}", case_id=target.id, party="AB"[p % 2],
                                     received_at=datetime.now(UTC))  # fmt: skip
                await photos.record(replace(record, privacy_key=key))
            evidence_ids.append(f"ev{c}-0")
            await exchange.claims.settle(replace(target, version=stored.version))
            claim_ids.append(claim_id(target.id, "B", Cover.COMPULSORY))

        pki = make_pki()
        servicer = SettlementServiceServicer(exchange.insurer, MongoRequestLog(db))
        credentials = grpc.ssl_server_credentials(
            [(pki.server.key, pki.server.cert)], root_certificates=pki.ca.pem,
            require_client_auth=True,
        )  # fmt: skip
        server, port = await start_grpc_server(
            address="127.0.0.1:0",
            registrars=[settlement_service_registrar(servicer)],
            interceptors=[InsurerAuthInterceptor(TOKENS)],
            credentials=credentials,
        )
        server.add_generic_rpc_handlers((_EmptyHandler(),))
        picc = pki.clients["CPIC"]
        channel = grpc.aio.secure_channel(
            f"127.0.0.1:{port}",
            grpc.ssl_channel_credentials(pki.ca.pem, picc.key, picc.cert),
            options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)],
        )
        stub: Any = _stub_class(channel)
        empty = channel.unary_unary(EMPTY_METHOD)
        metadata = (("authorization", f"Bearer {TOKENS['CPIC']}"),)

        async def call_empty(c: int, i: int) -> None:
            await empty(b"", timeout=10)

        async def call_get(c: int, i: int) -> None:
            await stub.GetClaim(pb.GetClaimRequest(claim_id=claim_ids[c]), metadata=metadata,
                                timeout=10)  # fmt: skip

        async def call_assess(c: int, i: int) -> None:
            await stub.SubmitAssessment(
                pb.SubmitAssessmentRequest(
                    request_id=str(uuid.uuid4()),
                    claim_id=claim_ids[c],
                    assessed_amount=pb.Money(currency_code="CNY", amount=f"{1000 + i}.00"),
                    assessor="bench",
                ),
                metadata=metadata,
                timeout=10,
            )

        await hammer(CALLERS * 4, call_empty)  # warm up the channel and the loop
        await hammer(CALLERS * 2, call_get)
        # Ceiling and GetClaim alternate in rounds, so load from anything else on the machine
        # hits both alike; each figure is the median round.
        ceilings, gets = [], []
        for _ in range(ROUNDS):
            ceilings.append(await hammer(EMPTY_CALLS // ROUNDS, call_empty))
            gets.append(await hammer(GET_CALLS // ROUNDS, call_get))
        ceiling = _median(ceilings)
        get = _median(gets)
        get_ratio = statistics.median(g.rate / c.rate for g, c in zip(gets, ceilings, strict=True))
        assess = await hammer(ASSESS_CALLS, call_assess)

        async def one_stream(c: int, i: int) -> None:
            size = 0
            async for part in stub.StreamEvidence(
                pb.StreamEvidenceRequest(claim_id=claim_ids[c], evidence_id=evidence_ids[c]),
                metadata=metadata,
                timeout=60,
            ):
                if part.HasField("chunk"):
                    size += len(part.chunk.data)
            assert size == EVIDENCE_BYTES

        started = time.perf_counter()
        for i in range(STREAMS):  # one stream at a time: per-stream throughput
            await one_stream(i % CALLERS, i)
        single = STREAMS * EVIDENCE_BYTES / (time.perf_counter() - started) / 1e6
        started = time.perf_counter()
        await asyncio.gather(*(one_stream(i, i) for i in range(8)))
        parallel = 8 * EVIDENCE_BYTES / (time.perf_counter() - started) / 1e6

        # Every GetClaim answered was recorded, and the sealed log verifies.
        stop.set()
        await asyncio.wait_for(sealing, timeout=60)
        sealing = None
        viewed = await db["audit_log"].count_documents({"action": "claim.view"})
        expected_views = CALLERS * 2 + GET_CALLS // ROUNDS // CALLERS * CALLERS * ROUNDS
        if viewed != expected_views:
            raise SystemExit(
                f"{viewed} claim reads recorded in the audit log, {expected_views} made"
            )
        report = await audit.verify()
        if not report.ok or report.pending:
            raise SystemExit(f"the audit log does not verify after the run: {report}")

        print(f"{CALLERS} concurrent callers, one mTLS channel, real mongod")
        print(f"{'method':<22}{'calls/s':>10}{'p99 ms':>10}{'of ceiling':>12}")
        for name, result in (
            ("empty (ceiling)", ceiling),
            ("GetClaim", get),
            ("SubmitAssessment", assess),
        ):
            print(
                f"{name:<22}{result.rate:>10.0f}{result.p99_ms:>10.1f}"
                f"{(get_ratio if result is get else result.rate / ceiling.rate):>11.1%}"
            )
        print(f"StreamEvidence {EVIDENCE_BYTES >> 20} MiB copies: {single:.0f} MB/s one stream, "
              f"{parallel:.0f} MB/s with 8 concurrent streams")  # fmt: skip
        print()
        print("| insurer gRPC API (mTLS, 50 callers, one channel) | calls/s | p99 ms | of the empty-method ceiling |")
        print("|---|---|---|---|")
        for name, result in (
            ("empty method (ceiling)", ceiling),
            ("`GetClaim`", get),
            ("`SubmitAssessment` (transaction + request log)", assess),
        ):
            ratio = get_ratio if result is get else result.rate / ceiling.rate
            print(f"| {name} | {result.rate:,.0f} | {result.p99_ms:.1f} | {ratio:.0%} |")
        print(f"| `StreamEvidence` {EVIDENCE_BYTES >> 20} MiB | {single:.0f} MB/s one stream, "
              f"{parallel:.0f} MB/s 8 streams | | |")  # fmt: skip
        await channel.close()
        await server.stop(None)
    finally:
        stop.set()
        if sealing is not None:
            await asyncio.wait_for(sealing, timeout=60)
        await client.close()
        pool.shutdown()
        await asyncio.to_thread(mongod.stop)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-grpc-") as tmp:
        asyncio.run(run(Path(tmp)))


if __name__ == "__main__":
    main()
