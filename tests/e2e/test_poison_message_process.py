"""A poison message against the service as an OS process: an insurer refuses one claim for
good, the message ends in the dead letters, ``python -m settlement outbox`` (another process
on the same database) lists and shows it, and once the insurer's fault is cleared one replay
delivers it exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import grpc
import pytest

from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.claims import MongoClaimRepository
from settlement.domain.case import CaseStatus
from settlement.domain.claim import Cover, claim_id
from tests.claim_builders import settled_case
from tests.e2e.service_process import Stage, staged_service
from tests.integration.grpc.claims_harness import make_exchange

pytestmark = pytest.mark.e2e


@pytest.fixture
async def stage(mongo_uri: str, tmp_path: Path) -> AsyncIterator[Stage]:
    async with staged_service(mongo_uri, tmp_path) as staged:
        yield staged


async def _dead_letters(stage: Stage) -> list[dict[str, object]]:
    return [d async for d in stage.db["outbox"].find({"status": "dead"})]


async def test_a_poison_message_is_dead_lettered_listed_and_replayed_once(stage: Stage) -> None:
    picc, cpic = stage.sims["PICC"], stage.sims["CPIC"]
    # CPIC refuses every filing with a final answer until the fault is cleared.
    cpic.faults.reject_next(10**6, grpc.StatusCode.INVALID_ARGUMENT, "policy number unknown")
    target = settled_case()
    stored = await MongoCaseRepository(stage.db).add(
        replace(target, status=CaseStatus.LIABILITY_PROPOSED)
    )
    await make_exchange(stage.db).claims.settle(replace(target, version=stored.version))
    poisoned = claim_id(target.id, "B", Cover.COMPULSORY)  # B is insured with CPIC

    await asyncio.to_thread(stage.service.start)
    async with asyncio.timeout(30):
        while not (dead := await _dead_letters(stage)):
            await asyncio.sleep(0.1)
    assert [d["key"] for d in dead] == [poisoned]
    assert dead[0]["attempts"] == 1  # a final answer is not retried
    message_id = str(dead[0]["_id"])
    # A's claims went through; B's never reached CPIC.
    claims = MongoClaimRepository(stage.db)
    async with asyncio.timeout(30):
        while not all(c.claim_number for c in await claims.for_case(target.id)
                      if c.insurer_code == "PICC"):  # fmt: skip
            await asyncio.sleep(0.1)
    assert picc.distinct_claims == 2
    assert cpic.distinct_claims == 0
    assert not (await claims.get(poisoned)).claim_number

    listed = await asyncio.to_thread(stage.service.command, "outbox", "dead")
    assert listed.returncode == 0, listed.stderr
    line = next(ln for ln in listed.stdout.splitlines() if message_id in ln)
    assert "insurer:CPIC" in line
    assert "policy number unknown" in line or "INVALID_ARGUMENT" in line
    status = await asyncio.to_thread(stage.service.command, "outbox", "status")
    assert status.returncode == 0, status.stderr
    assert "insurer:CPIC" in status.stdout
    shown = await asyncio.to_thread(stage.service.command, "outbox", "show", message_id)
    assert shown.returncode == 0, shown.stderr
    assert poisoned in shown.stdout
    assert '"status": "dead"' in shown.stdout

    # While the fault stands nothing retries the dead letter on its own.
    attempts = cpic.file_claim_attempts
    await asyncio.sleep(2.0)
    assert cpic.file_claim_attempts == attempts

    cpic.faults.recover()
    replayed = await asyncio.to_thread(stage.service.command, "outbox", "replay", message_id)
    assert replayed.returncode == 0, replayed.stderr
    assert f"replayed {message_id}" in replayed.stdout
    async with asyncio.timeout(30):
        while not (await claims.get(poisoned)).claim_number:
            await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # time for a wrong second delivery to show
    assert cpic.distinct_claims == 1
    assert cpic.file_claim_attempts == attempts + 1
    assert (await claims.get(poisoned)).claim_number == cpic.claim_by_id(poisoned).claim_number
    assert await _dead_letters(stage) == []
    after = await stage.db["outbox"].find_one({"_id": message_id})
    assert after is not None
    assert after["status"] == "delivered"
    assert after["replays"] == 1
    # The operator's replay is in the audit trail, under the account that ran the command.
    [replay] = [e async for e in stage.db["audit_log"].find({"action": "outbox.replay"})]
    assert replay["actor"].startswith("operator:")
    assert (replay["details"]["message_id"], replay["outcome"]) == (message_id, "success")

    # A second replay finds no dead letter; the listing says so.
    again = await asyncio.to_thread(stage.service.command, "outbox", "replay", message_id)
    assert again.returncode == 1, again.stdout
    empty = await asyncio.to_thread(stage.service.command, "outbox", "dead")
    assert "no dead letters" in empty.stdout
