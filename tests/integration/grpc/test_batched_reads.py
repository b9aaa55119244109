"""GetClaim under concurrency, over mTLS on 127.0.0.1 against a real mongod: claim reads,
evidence lists and the access entries of many callers share queries and inserts, yet
every caller gets exactly its own claim and evidence, every read is in the audit log
before its answer arrives, and a read whose entry cannot be stored returns nothing."""

# ruff: noqa: F811 - the pki fixture is imported from the shared harness

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from pymongo import AsyncMongoClient, monitoring

from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.mongo.audit import MongoAuditLog, ensure_audit_indexes
from adapters.mongo.claims import MongoClaimRepository
from adapters.mongo.errors import database_error
from adapters.mongo.photos import MongoPhotoRepository, ensure_photo_indexes
from adapters.photos.local_store import LocalPhotoStore
from adapters.system import SystemClock
from settlement.errors import ClaimNotFound
from settlement.services.audit import AuditTrail
from tests.integration.grpc import pki as pki_module
from tests.integration.grpc.claims_harness import (
    TOKENS,
    InsurerApi,
    bearer,
    claims_of,
    make_exchange,
    pki,  # noqa: F401 - fixture
    prepare_db,
    serving,
    store_settled,
)
from tests.integration.photos.test_mongo_photos import make_record

CASES = 12
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


@dataclass
class Fixture:
    api: InsurerApi
    claims: dict[str, tuple[str, str]]  # claim id -> (insurer, case id)
    evidence: dict[str, list[str]]  # case id -> its photo ids, oldest first


@pytest.fixture
async def audited_api(
    mongo_db: Any, pki: pki_module.TestPki, tmp_path: Path
) -> AsyncIterator[Fixture]:
    await prepare_db(mongo_db)
    await ensure_audit_indexes(mongo_db)
    await ensure_photo_indexes(mongo_db)
    photos = MongoPhotoRepository(mongo_db)
    pool = ThreadPoolExecutor(2)
    store = LocalPhotoStore(tmp_path / "photos", executor=pool)
    exchange = make_exchange(
        mongo_db, photos=photos, photo_store=store,
        audit=AuditTrail(MongoAuditLog(mongo_db), SystemClock()),
    )  # fmt: skip
    claims: dict[str, tuple[str, str]] = {}
    evidence: dict[str, list[str]] = {}
    for c in range(CASES):
        case = await store_settled(exchange, mongo_db)
        # Cases differ in how many photos they have (0 to 3), stored newest first.
        ids = [f"p{c}-{n}" for n in range(c % 4)]
        for n, photo_id in reversed(list(enumerate(ids))):
            key = f"privacy/{photo_id}.jpg"
            await store.put(key, photo_id.encode() * 100, content_type="image/jpeg")
            record = make_record(photo_id, case_id=case.id, received_at=T0 + timedelta(minutes=n))
            await photos.record(replace(record, privacy_key=key))
        evidence[case.id] = ids
        for claim in (await claims_of(mongo_db, case.id)).values():
            claims[claim.id] = (claim.insurer_code, case.id)
    async with serving(exchange, mongo_db, pki, translate_error=database_error) as api:
        yield Fixture(api, claims, evidence)
    pool.shutdown()


async def views_of(db: Any, claim_id: str) -> int:
    return int(
        await db["audit_log"].count_documents(
            {"action": "claim.view", "details.claim_id": claim_id}
        )
    )


async def test_concurrent_reads_each_get_their_own_claim_recorded_before_the_answer(
    audited_api: Fixture, mongo_db: Any
) -> None:
    api, rounds = audited_api.api, 4
    channels = {code: api.channel(code) for code in TOKENS}
    stubs = {code: api.stub(channel) for code, channel in channels.items()}

    async def reader(claim_id: str) -> None:
        insurer, case_id = audited_api.claims[claim_id]
        for done in range(1, rounds + 1):
            response = await stubs[insurer].GetClaim(
                pb.GetClaimRequest(claim_id=claim_id), metadata=bearer(insurer), timeout=20
            )
            assert response.claim.claim_id == claim_id
            assert response.claim.case_id == case_id
            assert [e.evidence_id for e in response.claim.evidence] == (
                audited_api.evidence[case_id]
            )
            # The answer is here: its access entry must be stored already.
            assert await views_of(mongo_db, claim_id) >= done

    try:
        # Three readers per claim, all at once: the shared queries carry repeated ids.
        await asyncio.gather(*(reader(c) for c in audited_api.claims for _ in range(3)))
    finally:
        for channel in channels.values():
            await channel.close()
    for claim_id in audited_api.claims:
        assert await views_of(mongo_db, claim_id) == 3 * rounds


async def test_reads_whose_access_entries_cannot_be_stored_return_nothing(
    audited_api: Fixture, mongo_db: Any
) -> None:
    # Every entry now breaks a rule of the collection, so no insert can succeed.
    rule = {"$jsonSchema": {"required": ["entry_that_never_exists"]}}
    await mongo_db.command("collMod", "audit_log", validator=rule)
    claim_ids = list(audited_api.claims)
    channels = {code: audited_api.api.channel(code) for code in TOKENS}
    try:
        calls = [
            audited_api.api.stub(channels[audited_api.claims[c][0]]).GetClaim(
                pb.GetClaimRequest(claim_id=c), metadata=bearer(audited_api.claims[c][0]),
                timeout=20,
            )
            for c in claim_ids
        ]  # fmt: skip
        results = await asyncio.gather(*calls, return_exceptions=True)
        for result in results:
            assert isinstance(result, grpc.aio.AioRpcError), result
            assert result.code() is grpc.StatusCode.INTERNAL
            assert "claim" not in (result.details() or "").lower()
        assert await mongo_db["audit_log"].count_documents({"action": "claim.view"}) == 0

        # Once entries can be stored again, the same reads succeed (nothing stuck).
        await mongo_db.command("collMod", "audit_log", validator={})
        claim_id = claim_ids[0]
        insurer = audited_api.claims[claim_id][0]
        response = await audited_api.api.stub(channels[insurer]).GetClaim(
            pb.GetClaimRequest(claim_id=claim_id), metadata=bearer(insurer), timeout=20
        )
        assert response.claim.claim_id == claim_id
        assert await views_of(mongo_db, claim_id) == 1
    finally:
        for channel in channels.values():
            await channel.close()


async def test_shared_claim_reads_tell_missing_claims_apart(mongo_db: Any) -> None:
    await prepare_db(mongo_db)
    exchange = make_exchange(mongo_db)
    case = await store_settled(exchange, mongo_db)
    present = list((await claims_of(mongo_db, case.id)).values())
    repository = MongoClaimRepository(mongo_db)
    wanted = [p.id for p in present] + [f"{case.id}.Z.cp", present[0].id]
    results = await asyncio.gather(*(repository.get(i) for i in wanted), return_exceptions=True)
    assert results[: len(present)] == present
    assert isinstance(results[len(present)], ClaimNotFound)
    assert results[-1] == present[0]


async def test_shared_evidence_lists_keep_each_case_apart_and_in_order(mongo_db: Any) -> None:
    await ensure_photo_indexes(mongo_db)
    photos = MongoPhotoRepository(mongo_db)
    for case_id, count in (("case-a", 3), ("case-b", 1)):
        for n in reversed(range(count)):
            await photos.record(make_record(f"{case_id}-{n}", case_id=case_id,
                                            received_at=T0 + timedelta(minutes=n)))  # fmt: skip
    results = await asyncio.gather(
        photos.privacy_copies("case-a"), photos.privacy_copies("case-none"),
        photos.privacy_copies("case-b"), photos.privacy_copies("case-a"),
    )  # fmt: skip
    assert [[c.photo_id for c in r] for r in results] == [
        ["case-a-0", "case-a-1", "case-a-2"], [], ["case-b-0"], ["case-a-0", "case-a-1", "case-a-2"],
    ]  # fmt: skip
    assert results[0][1].privacy_key == "privacy/case-a-1.jpg"
    assert results[0][1].received_at == T0 + timedelta(minutes=1)


async def test_another_insurers_claim_is_not_found_and_leaves_no_entry(
    audited_api: Fixture, mongo_db: Any
) -> None:
    claim_id, (owner, _) = next(iter(audited_api.claims.items()))
    stranger = next(code for code in TOKENS if code != owner)
    async with audited_api.api.channel(stranger) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await audited_api.api.stub(channel).GetClaim(
                pb.GetClaimRequest(claim_id=claim_id), metadata=bearer(stranger), timeout=20
            )
    assert refused.value.code() is grpc.StatusCode.NOT_FOUND
    assert await views_of(mongo_db, claim_id) == 0


async def test_a_claim_whose_id_does_not_name_its_case_gets_its_own_cases_evidence(
    audited_api: Fixture, mongo_db: Any
) -> None:
    # The evidence list is read ahead by the case the claim id names; a claim stored under
    # an id made some other way must still show its own case's photos.
    claim_id, (insurer, case_id) = next(
        (c, v) for c, v in audited_api.claims.items() if audited_api.evidence[v[1]]
    )
    document = await mongo_db["claims"].find_one({"_id": claim_id})
    other_case = next(c for c in audited_api.evidence if c != case_id)
    odd_id = f"{other_case}.Z.odd"
    await mongo_db["claims"].insert_one({**document, "_id": odd_id})
    view = await audited_api.api.exchange.insurer.get_claim(insurer, odd_id)
    assert view.claim.case_id == case_id
    assert [e.evidence_id for e in view.evidence] == audited_api.evidence[case_id]


class _Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_concurrent_claim_reads_cost_one_query_and_no_extra_round_trip(
    mongo_uri: str, mongo_db: Any
) -> None:
    await prepare_db(mongo_db)
    case = await store_settled(make_exchange(mongo_db), mongo_db)
    present = list((await claims_of(mongo_db, case.id)).values())
    commands = _Commands()
    client: Any = AsyncMongoClient(mongo_uri, tz_aware=True, event_listeners=[commands])
    try:
        repository = MongoClaimRepository(client[mongo_db.name])
        # Every id exists: a batch of exactly the found count must not need a getMore.
        wanted = [p.id for p in present] * 10
        results = await asyncio.gather(*(repository.get(i) for i in wanted))
    finally:
        await client.close()
    assert list(results) == present * 10
    # One query for all 30 reads, and its cursor closed with the first batch.
    assert [n for n in commands.names if n in ("find", "getMore")] == ["find"]


async def test_a_batch_mixing_own_foreign_and_missing_claims_answers_each_caller_alone(
    audited_api: Fixture, mongo_db: Any
) -> None:
    # Readers of every insurer at once, each with its own request id: the batch they share
    # answers each its own claim, refuses foreign and missing ids, and records each read
    # under the call that made it (peer address and request id).
    api = audited_api.api
    channels = {code: api.channel(code) for code in TOKENS}
    asked: list[tuple[str, str, str]] = []  # (insurer, claim id, request id)
    for n, (claim_id, (owner, _)) in enumerate(audited_api.claims.items()):
        stranger = next(code for code in TOKENS if code != owner)
        asked += [(owner, claim_id, f"own-{n}"), (stranger, claim_id, f"foreign-{n}"),
                  (owner, f"{claim_id}.missing", f"missing-{n}")]  # fmt: skip

    async def call(insurer: str, claim_id: str, request_id: str) -> Any:
        return await api.stub(channels[insurer]).GetClaim(
            pb.GetClaimRequest(claim_id=claim_id), timeout=20,
            metadata=(*bearer(insurer), ("x-request-id", request_id)),
        )  # fmt: skip

    try:
        results = await asyncio.gather(*(call(*a) for a in asked), return_exceptions=True)
    finally:
        for channel in channels.values():
            await channel.close()
    for (_, claim_id, request_id), result in zip(asked, results, strict=True):
        if request_id.startswith("own-"):
            assert not isinstance(result, BaseException), result
            assert result.claim.claim_id == claim_id
        else:
            assert isinstance(result, grpc.aio.AioRpcError), (request_id, result)
            assert result.code() is grpc.StatusCode.NOT_FOUND
    entries = [d async for d in mongo_db["audit_log"].find({"action": "claim.view"})]
    assert sorted(d["request_id"] for d in entries) == sorted(
        r for _, _, r in asked if r.startswith("own-")
    )
    by_request = {r: (i, c) for i, c, r in asked}
    for entry in entries:
        insurer, claim_id = by_request[entry["request_id"]]
        assert entry["actor"] == f"insurer:{insurer}"
        assert entry["details"]["claim_id"] == claim_id
        assert entry["case_id"] == audited_api.claims[claim_id][1]
        assert entry["origin"] == "127.0.0.1"
