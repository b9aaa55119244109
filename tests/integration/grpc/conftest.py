"""Simulator servers on 127.0.0.1, gRPC gateways pointed at them, and a Mongo outbox."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from adapters.grpc.insurer_client import GrpcInsurerGateway
from adapters.grpc.mediation_client import GrpcMediationGateway
from adapters.mongo.outbox import MongoOutbox, ensure_outbox_indexes
from adapters.simulators.insurer import InsurerSimulator
from adapters.simulators.mediation import MediationSimulator
from settlement.domain.exchange import (
    ClaimFiling,
    DisputeFiling,
    DisputeParty,
    EvidenceRef,
    LiabilityDetermination,
    LossItem,
    PartyRole,
)
from settlement.ports.outbox import Outbox
from settlement.services.dispatcher import Dispatcher, Handler, RetryPolicy

INSURER = "PICC"


@pytest.fixture
async def insurer() -> AsyncIterator[InsurerSimulator]:
    simulator = InsurerSimulator(INSURER)
    await simulator.start()
    yield simulator
    await simulator.stop(None)


@pytest.fixture
async def mediation_platform() -> AsyncIterator[MediationSimulator]:
    simulator = MediationSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop(None)


@pytest.fixture
async def insurers(insurer: InsurerSimulator) -> AsyncIterator[GrpcInsurerGateway]:
    # One transport attempt per delivery, so simulator counts equal outbox attempts.
    gateway = GrpcInsurerGateway({INSURER: insurer.target}, deadline_s=2.0, transport_attempts=1)
    yield gateway
    await gateway.close()


@pytest.fixture
async def mediation(mediation_platform: MediationSimulator) -> AsyncIterator[GrpcMediationGateway]:
    gateway = GrpcMediationGateway(mediation_platform.target, deadline_s=2.0, transport_attempts=1)
    yield gateway
    await gateway.close()


@pytest.fixture
async def outbox(mongo_db: Any) -> MongoOutbox:
    await ensure_outbox_indexes(mongo_db)
    return MongoOutbox(mongo_db)


FAST = RetryPolicy(max_attempts=8, base_delay_s=0.01, max_delay_s=0.05)


def make_dispatcher(
    outbox: Outbox, handlers: Mapping[str, Handler], *, owner: str | None = None, **overrides: Any
) -> Dispatcher:
    options: dict[str, Any] = {
        "policy": FAST,
        "lease_for": timedelta(seconds=5),
        "handler_timeout_s": 3.0,
        "poll_interval_s": 0.01,
    }
    options.update(overrides)
    return Dispatcher(
        outbox=outbox, handlers=handlers, owner=owner or f"test-{uuid.uuid4().hex[:6]}", **options
    )


async def run_until(
    dispatcher: Dispatcher, done: Callable[[], Awaitable[bool]], timeout: float = 15.0
) -> None:
    """Dispatch rounds until ``done()`` holds (fails the test on timeout)."""
    async with asyncio.timeout(timeout):
        while not await done():
            report = await dispatcher.run_once()
            if report.handled == 0:
                await asyncio.sleep(0.01)


def make_filing(case_id: str | None = None, **overrides: Any) -> ClaimFiling:
    case_id = case_id or f"case-{uuid.uuid4().hex[:8]}"
    values: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "insurer_code": INSURER,
        "case_id": case_id,
        "claim_id": f"{case_id}.A.jqx",
        "party": "A",
        "cover": "compulsory",
        "amount_due": Decimal("2000.00"),
        "policy_number": "P-2026-0001",
        "policyholder_name": "张三",
        "phone_masked": "138****1234",
        "plate_number": "京A12345",
        "occurred_at": datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        "location": "北京市朝阳区建国路",
        "description": "追尾，后车全责",
        "liability_share": Decimal("1"),
        "estimated_loss": Decimal("2300.50"),
        "evidence": (
            EvidenceRef("ev-1", "image/jpeg", 123456, "ab" * 32, datetime(2026, 3, 1, tzinfo=UTC)),
        ),
    }
    values.update(overrides)
    return ClaimFiling(**values)


def make_dispute(case_id: str | None = None) -> DisputeFiling:
    case_id = case_id or f"case-{uuid.uuid4().hex[:8]}"
    return DisputeFiling(
        request_id=str(uuid.uuid4()),
        case_id=case_id,
        applicant_party_id="p1",
        court_region_code="110105",
        reason="对赔偿金额有异议",
        parties=(
            DisputeParty("p1", PartyRole.DRIVER, "张三", plate_number="京A12345"),
            DisputeParty("p2", PartyRole.DRIVER, "李四", plate_number="京B54321"),
        ),
        occurred_at=datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        location="北京市朝阳区建国路",
        facts="追尾",
        determination=LiabilityDetermination(
            document_number="JD-1",
            issuer="朝阳交通支队",
            issued_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
            shares={"p1": Decimal("0"), "p2": Decimal("1")},
            rule="rear-end",
        ),
        loss_items=(LossItem("后保险杠", Decimal("1500")), LossItem("尾灯", Decimal("800.50"))),
        evidence=(EvidenceRef("ev-1", "image/jpeg", 10, "cd" * 32),),
    )
