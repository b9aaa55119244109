"""Claims and insurers on a real mongod: each change is audited in its transaction, each
insurer read before the data goes out, and a change that fails leaves no entry."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from adapters.mongo.audit import MongoAuditLog, ensure_audit_indexes
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.types import Database
from adapters.system import SystemClock
from settlement.domain.case import CaseStatus
from settlement.errors import ConcurrentUpdate
from settlement.services.audit import AuditTrail
from tests.claim_builders import settled_case
from tests.integration.grpc.claims_harness import (
    claims_of,
    make_exchange,
    prepare_db,
    store_settled,
)


async def actions(db: Database, case_id: str) -> list[tuple[str, str]]:
    entries = await MongoAuditLog(db).for_case(case_id, 100)
    return sorted((e.event.actor, e.event.action) for e in entries)


async def test_filing_insurer_reads_and_assessments_are_audited(mongo_db: Database) -> None:
    await prepare_db(mongo_db)
    await ensure_audit_indexes(mongo_db)
    ex = make_exchange(mongo_db, audit=AuditTrail(MongoAuditLog(mongo_db), SystemClock()))
    case = await store_settled(ex, mongo_db)
    assert await actions(mongo_db, case.id) == [("system", "claim.file")]
    claim = next(c for c in (await claims_of(mongo_db, case.id)).values())
    insurer = claim.insurer_code
    await ex.insurer.get_claim(insurer, claim.id)
    await ex.insurer.submit_assessment(insurer, claim.id, amount=Decimal("1200.00"),
                                       assessor="定损员")  # fmt: skip
    assert await actions(mongo_db, case.id) == sorted([
        ("system", "claim.file"), (f"insurer:{insurer}", "claim.view"),
        (f"insurer:{insurer}", "claim.assess"),
    ])  # fmt: skip


async def test_a_settlement_that_fails_leaves_no_audit_entry(mongo_db: Database) -> None:
    await prepare_db(mongo_db)
    await ensure_audit_indexes(mongo_db)
    ex = make_exchange(mongo_db, audit=AuditTrail(MongoAuditLog(mongo_db), SystemClock()))
    target = settled_case()
    cases = MongoCaseRepository(mongo_db)
    stored = await cases.add(replace(target, status=CaseStatus.LIABILITY_PROPOSED))
    await cases.save(stored)  # someone else changed it meanwhile
    with pytest.raises(ConcurrentUpdate):
        await ex.claims.settle(replace(target, version=stored.version))
    assert await actions(mongo_db, target.id) == []
