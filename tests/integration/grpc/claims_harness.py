"""Shared set-up for the insurer API and claim-flow tests: cases, the Claims use case on a
real Mongo replica set, and the SettlementService on a TLS port of 127.0.0.1."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from adapters.grpc.auth import InsurerAuthInterceptor
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from adapters.grpc.server import start_grpc_server
from adapters.grpc.settlement_servicer import (
    SettlementServiceServicer,
    settlement_service_registrar,
)
from adapters.mongo.cases import MongoCaseRepository, ensure_case_indexes
from adapters.mongo.claims import MongoCaseFeed, MongoClaimQueries, ensure_claim_indexes
from adapters.mongo.outbox import MongoOutbox, ensure_outbox_indexes
from adapters.mongo.request_log import MongoRequestLog, ensure_request_log_indexes
from adapters.mongo.unit_of_work import MongoUnitOfWork
from settlement.domain.case import AccidentScene, Case, CaseStatus, Party, PartyDetails
from settlement.domain.geo import GeoPoint
from settlement.services.claims import Claims

from .pki import TestPki, make_pki

_stub_class: Any = pb_grpc.SettlementServiceStub
TOKENS = {"PICC": "tok-picc-0123456789", "CPIC": "tok-cpic-9876543210"}


class FixedClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class MemoryRecipients:
    def __init__(self, mapping: dict[str, str] | None = None) -> None:
        self.mapping = mapping or {}

    async def openid_for(self, user_id: str) -> str | None:
        return self.mapping.get(user_id)


def details(insurer: str, name: str, plate: str, policy: str) -> PartyDetails:
    return PartyDetails(
        name=name,
        id_number="44030519900101123X",
        phone="13800138000",
        licence_number="440305199001011234",
        licence_class="C1",
        plate=plate,
        vehicle_type="small_car",
        insurer_code=insurer,
        policy_number=policy,
    )


def settled_case(
    status: CaseStatus = CaseStatus.AGREED, insurers: tuple[str, str] = ("PICC", "CPIC")
) -> Case:
    """A two-party case as the agreement (or the police) leaves it, version 1 in the store."""
    now = datetime.now(UTC)
    case_id = f"c{uuid.uuid4().hex[:16]}"
    parties = {
        "A": Party("A", "u_a" + case_id, now, details(insurers[0], "张三", "粤B12345", "P-A-1")),
        "B": Party("B", "u_b" + case_id, now, details(insurers[1], "李四", "粤B54321", "P-B-2")),
    }
    scene = AccidentScene(
        occurred_at=now - timedelta(hours=1),
        address="深圳市南山区深南大道",
        location=GeoPoint(22.54, 113.93),
        weather="clear",
        road_type="urban_road",
        description="追尾",
    )
    return Case(
        id=case_id,
        status=status,
        scene=scene,
        parties=parties,
        created_at=now,
        updated_at=now,
        capture_nonce="n",
        jurisdiction="440305",
        proposal={"liability": {"A": "全部责任", "B": "无责任"}},
        determination=(
            {"document_number": "JD-7", "issuer": "南山交警大队", "issued_at": now,
             "liability": {"A": "主要责任", "B": "次要责任"}}
            if status is CaseStatus.DETERMINED else None
        ),
        loss={"parties": {"A": {"total": "800.00"}, "B": {"total": "2300.50"}}},
    )  # fmt: skip


async def prepare_db(db: Any) -> None:
    await ensure_case_indexes(db)
    await ensure_claim_indexes(db)
    await ensure_outbox_indexes(db)
    await ensure_request_log_indexes(db)


def make_claims(db: Any, **extra: Any) -> Claims:
    return Claims(
        cases=MongoCaseRepository(db),
        queries=MongoClaimQueries(db),
        feed=MongoCaseFeed(db),
        outbox=MongoOutbox(db),
        uow=MongoUnitOfWork(db.client),
        clock=FixedClock(),
        **extra,
    )


async def store_settled(claims: Claims, db: Any, **kwargs: Any) -> Case:
    """Store a case just before agreement, then agree it through ``Claims.settle``."""
    target = settled_case(**kwargs)
    before = replace(target, status=CaseStatus.LIABILITY_PROPOSED)
    stored = await MongoCaseRepository(db).add(before)
    return await claims.settle(replace(target, version=stored.version))


@dataclass
class InsurerApi:
    port: int
    pki: TestPki
    server: grpc.aio.Server
    claims: Claims

    def channel(self, client: str | None, *, root: bytes | None = None) -> grpc.aio.Channel:
        pem = None if client is None else self.pki.clients[client]
        return self.channel_with(pem.cert if pem else None, pem.key if pem else None, root=root)

    def channel_with(
        self, cert: bytes | None, key: bytes | None, *, root: bytes | None = None
    ) -> grpc.aio.Channel:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=root or self.pki.ca.pem, private_key=key, certificate_chain=cert
        )
        return grpc.aio.secure_channel(f"127.0.0.1:{self.port}", credentials)

    def stub(self, channel: grpc.aio.Channel) -> Any:
        return _stub_class(channel)


def bearer(insurer: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {TOKENS[insurer]}"),)


@pytest.fixture(scope="session")
def pki() -> TestPki:
    return make_pki()


@pytest.fixture
async def insurer_api(mongo_db: Any, pki: TestPki) -> AsyncIterator[InsurerApi]:
    await prepare_db(mongo_db)
    claims = make_claims(mongo_db)
    servicer = SettlementServiceServicer(claims, MongoRequestLog(mongo_db))
    credentials = grpc.ssl_server_credentials(
        [(pki.server.key, pki.server.cert)], root_certificates=pki.ca.pem, require_client_auth=True
    )
    server, port = await start_grpc_server(
        address="127.0.0.1:0",
        registrars=[settlement_service_registrar(servicer)],
        interceptors=[InsurerAuthInterceptor(TOKENS)],
        credentials=credentials,
    )
    yield InsurerApi(port, pki, server, claims)
    await server.stop(None)
