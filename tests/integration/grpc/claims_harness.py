"""Shared set-up for the insurer API and claim-flow tests: cases, the Claims use case on a
real Mongo replica set, and the SettlementService on a TLS port of 127.0.0.1."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
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
from adapters.mongo.claims import (
    MongoClaimFeed,
    MongoClaimRepository,
    MongoOpenCases,
    ensure_claim_indexes,
)
from adapters.mongo.outbox import MongoOutbox, ensure_outbox_indexes
from adapters.mongo.request_log import MongoRequestLog, ensure_request_log_indexes
from adapters.mongo.unit_of_work import MongoUnitOfWork
from settlement.domain.case import Case, CaseStatus
from settlement.domain.claim import Claim
from settlement.services.claim_filing import ClaimFilings
from settlement.services.exchange_support import (
    EvidenceCatalog,
    ExchangeStore,
    NotificationTemplates,
)
from settlement.services.insurer_claims import InsurerClaims
from settlement.services.mediation import MediationDesk
from tests.claim_builders import settled_case

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


async def prepare_db(db: Any) -> None:
    await ensure_case_indexes(db)
    await ensure_claim_indexes(db)
    await ensure_outbox_indexes(db)
    await ensure_request_log_indexes(db)


@dataclass
class Exchange:
    """The claim, insurer API and mediation use cases on one database."""

    claims: ClaimFilings
    insurer: InsurerClaims
    mediation: MediationDesk


def make_exchange(
    db: Any,
    *,
    mediation: Any = None,
    recipients: Any = None,
    templates: NotificationTemplates | None = None,
    photos: Any = None,
    photo_store: Any = None,
    audit: Any = None,
) -> Exchange:
    store = ExchangeStore(
        cases=MongoCaseRepository(db),
        claims=MongoClaimRepository(db),
        outbox=MongoOutbox(db),
        uow=MongoUnitOfWork(db.client),
        clock=FixedClock(),
        recipients=recipients,
        templates=templates or NotificationTemplates(),
        requests=MongoRequestLog(db),
        audit=audit,
    )
    evidence = EvidenceCatalog(photos, photo_store)
    filings = ClaimFilings(store, evidence)
    return Exchange(
        filings,
        InsurerClaims(filings, evidence, MongoClaimFeed(db)),
        MediationDesk(store, evidence, MongoOpenCases(db), mediation),
    )


async def store_settled(exchange: Exchange, db: Any, **kwargs: Any) -> Case:
    """Store a case just before agreement, then settle it through ``ClaimFilings.settle``."""
    target = settled_case(**kwargs)
    before = replace(target, status=CaseStatus.LIABILITY_PROPOSED)
    stored = await MongoCaseRepository(db).add(before)
    return await exchange.claims.settle(replace(target, version=stored.version))


async def claims_of(db: Any, case_id: str) -> dict[str, Claim]:
    """The case's claims by ``party.cover`` (e.g. ``A.compulsory``)."""
    found = await MongoClaimRepository(db).for_case(case_id)
    return {f"{c.party}.{c.cover.value}": c for c in found}


@dataclass
class InsurerApi:
    port: int
    pki: TestPki
    server: grpc.aio.Server
    exchange: Exchange

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
    async with serving(make_exchange(mongo_db), mongo_db, pki) as api:
        yield api


@contextlib.asynccontextmanager
async def serving(
    exchange: Exchange, db: Any, pki: TestPki, *, translate_error: Any = None
) -> AsyncIterator[InsurerApi]:
    """The insurer API of ``exchange`` on a mutual-TLS port of 127.0.0.1."""
    servicer = SettlementServiceServicer(exchange.insurer, MongoRequestLog(db),
                                         translate_error=translate_error)  # fmt: skip
    credentials = grpc.ssl_server_credentials(
        [(pki.server.key, pki.server.cert)], root_certificates=pki.ca.pem, require_client_auth=True
    )
    server, port = await start_grpc_server(
        address="127.0.0.1:0",
        registrars=[settlement_service_registrar(servicer)],
        interceptors=[InsurerAuthInterceptor(TOKENS)],
        credentials=credentials,
    )
    try:
        yield InsurerApi(port, pki, server, exchange)
    finally:
        await server.stop(None)
