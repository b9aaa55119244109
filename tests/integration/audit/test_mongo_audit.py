"""The audit log on a real mongod: contention-free appends, the leased sealer, atomicity."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.mongo.audit import MongoAuditLog, ensure_audit_indexes
from adapters.mongo.cases import MongoCaseRepository, ensure_case_indexes
from adapters.mongo.types import Database
from adapters.system import SystemClock
from adapters.witness.files import FileWitness
from adapters.witness.keys import load_signer
from settlement.domain.audit import AuditEvent
from settlement.domain.case import AccidentScene, Case, CaseStatus, open_case
from settlement.domain.geo import GeoPoint
from settlement.services.audit import AuditTrail
from settlement.services.sealer import Sealer

ROOT = Path(__file__).resolve().parents[3]


def open_test_case() -> Case:
    now = datetime.now(UTC)
    scene = AccidentScene(occurred_at=now - timedelta(minutes=10), address="深圳市南山区",
                          location=GeoPoint(22.54, 113.93), weather="clear",
                          road_type="urban_road", description="追尾")  # fmt: skip
    return open_case(case_id=f"C{uuid.uuid4().hex[:12].upper()}", opener_id="alice",
                     scene=scene, capture_nonce="n", now=now)  # fmt: skip


def trail(db: Database, tmp_path: Path) -> tuple[AuditTrail, MongoAuditLog, FileWitness]:
    log = MongoAuditLog(db)
    witness = FileWitness(tmp_path / "witness")
    signer = load_signer(tmp_path / "key.pem", create=True)
    return AuditTrail(log, SystemClock(), seals=log, witness=witness, signer=signer), log, witness


def sealer(log: MongoAuditLog, tmp_path: Path, owner: str, **kwargs: object) -> Sealer:
    return Sealer(store=log, witness=FileWitness(tmp_path / "witness"),
                  signer=load_signer(tmp_path / "key.pem", create=True), clock=SystemClock(),
                  owner=owner, **kwargs)  # type: ignore[arg-type]  # fmt: skip


def event(i: int) -> AuditEvent:
    return AuditEvent(actor=f"staff:r{i % 7}", actor_kind="staff", action="case.view",
                      case_id=f"C{i % 13:04d}", details={"n": i})  # fmt: skip


async def test_concurrent_appends_from_many_tasks_are_all_sealed_in_order(
    mongo_db: Database, tmp_path: Path
) -> None:
    await ensure_audit_indexes(mongo_db)
    audit, log, _ = trail(mongo_db, tmp_path)
    first = sealer(log, tmp_path, "one", batch_limit=97)
    second = sealer(log, tmp_path, "two", batch_limit=97)

    async def writer(w: int) -> list[str]:
        return [(await audit.record(event(w * 1000 + i))).id for i in range(20)]

    async def seal_while(done: asyncio.Event, s: Sealer) -> None:
        while not done.is_set():
            await s.round()
            await asyncio.sleep(0.01)

    done = asyncio.Event()
    sealing = [asyncio.create_task(seal_while(done, s)) for s in (first, second)]
    ids = await asyncio.gather(*[writer(w) for w in range(50)])
    done.set()
    await asyncio.gather(*sealing)
    await first.round()
    await second.round()
    written = {i for batch in ids for i in batch}
    assert len(written) == 1000
    assert await log.count_pending() == 0
    seqs = []
    async for batch in log.batches():
        seqs.extend(e.seq for e in await log.batch_entries(batch.number))
    assert seqs == list(range(1, 1001))  # nothing lost, nothing twice, no gap
    assert {e.id for e in await log.recent(1000)} == written
    # Only one of the two sealers held the lease at a time, so the chain never forked.
    assert await first.checkpoint() is not None or await second.checkpoint() is not None
    report = await audit.verify()
    assert report.ok, report.problems
    assert (report.entries, report.pending, report.checkpoints) == (1000, 0, 1)


async def test_the_lease_keeps_a_second_sealer_out_until_it_expires(
    mongo_db: Database, tmp_path: Path
) -> None:
    await ensure_audit_indexes(mongo_db)
    audit, log, _ = trail(mongo_db, tmp_path)
    holder = sealer(log, tmp_path, "holder", lease_for=timedelta(seconds=1))
    other = sealer(log, tmp_path, "other", lease_for=timedelta(seconds=1))
    await audit.record(event(1))
    assert await holder.acquire()
    assert not await other.acquire()
    assert await other.round() == 0
    assert await holder.round() == 1
    await asyncio.sleep(1.2)  # the holder stops renewing: its lease lapses
    await audit.record(event(2))
    assert await other.round() == 1
    await audit.record(event(3))
    assert await holder.seal_pending() == 0  # fenced: it no longer holds the lease
    assert not await holder.acquire()
    assert (await audit.verify()).ok


async def test_the_sealer_stops_cleanly_sealing_what_is_left(
    mongo_db: Database, tmp_path: Path
) -> None:
    await ensure_audit_indexes(mongo_db)
    audit, log, witness = trail(mongo_db, tmp_path)
    running = sealer(log, tmp_path, "run", interval=timedelta(milliseconds=50),
                     checkpoint_every=timedelta(hours=1))  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(running.run(stop))
    for i in range(30):
        await audit.record(event(i))
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert await log.count_pending() == 0
    assert len(await witness.list()) == 1  # the final checkpoint on the way out
    assert await mongo_db["audit_lease"].count_documents({}) == 0  # the lease is released
    assert (await audit.verify()).ok


@pytest.mark.timeout(120)
async def test_a_sigkill_inside_the_transaction_leaves_neither_the_change_nor_its_entry(
    mongo_uri: str, mongo_db: Database, tmp_path: Path
) -> None:
    await ensure_case_indexes(mongo_db)
    await ensure_audit_indexes(mongo_db)
    cases = MongoCaseRepository(mongo_db)
    case = await cases.add(open_test_case())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    async def child(marker: Path, *extra: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.integration.audit.crash_child", mongo_uri,
            mongo_db.name, case.id, str(marker), *extra, cwd=ROOT, env=env,
        )  # fmt: skip

    marker = tmp_path / "inside"
    process = await child(marker)
    for _ in range(600):
        if marker.exists() or process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    assert marker.exists(), "the child never reached the inside of its transaction"
    process.send_signal(signal.SIGKILL)
    await process.wait()
    # The case save and the audit append ran before the kill, in the same transaction.
    stored = await cases.get(case.id)
    assert (stored.version, stored.status) == (case.version, case.status)
    assert await mongo_db["audit_log"].count_documents({"case_id": case.id}) == 0

    # The server would abort the dead client's transaction after its lifetime limit (60 s);
    # end it now, as that limit would, before the same change runs again to completion.
    await mongo_db.client.admin.command("killAllSessions", [])
    done = tmp_path / "done"
    process = await child(done, "--no-stall")
    assert await asyncio.wait_for(process.wait(), timeout=60) == 0
    stored = await cases.get(case.id)
    assert stored.status is CaseStatus.WITHDRAWN
    entries = await MongoAuditLog(mongo_db).for_case(case.id, 10)
    assert [e.event.action for e in entries] == ["case.withdraw"]
