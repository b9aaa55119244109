"""Audit appends: 50 concurrent writers in two processes, with the leased sealer running.

Starts a real embedded ``mongod`` (single-node replica set in a temp dir), a sealer in this
process (sealing every 250 ms, as ``settlement serve`` does) and two writer processes with
25 asyncio tasks each. Every task appends audit entries for ``--seconds`` (each append is one
insert: no sequence number, nothing read first). Afterwards it measures how long the sealer
needs to seal what is left, then verifies the whole log (every leaf, root, link and the
signed checkpoint).

    python benchmarks/bench_audit.py [--seconds 10] [--writers 50] [--processes 2]
    python benchmarks/bench_audit.py --transactional   # each append in its own transaction
    python benchmarks/bench_audit.py --rate 2000       # offered load capped: does sealing keep up?

By default it runs twice: uncapped (what appends reach), then with the offered load capped
at 2,000 entries/s (whether sealing keeps up). Prints markdown table rows
(``| benchmark | figure | notes |``) for the README.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.mongo.audit import MongoAuditLog, ensure_audit_indexes  # noqa: E402
from adapters.mongo.client import open_client  # noqa: E402
from adapters.mongo.embedded import EmbeddedMongo  # noqa: E402
from adapters.mongo.unit_of_work import MongoUnitOfWork  # noqa: E402
from adapters.system import SystemClock  # noqa: E402
from adapters.witness.files import FileWitness  # noqa: E402
from adapters.witness.keys import load_signer  # noqa: E402
from settlement.domain.audit import AuditEvent  # noqa: E402
from settlement.services.audit import AuditTrail  # noqa: E402
from settlement.services.sealer import Sealer  # noqa: E402

DB = "bench_audit"


async def write(
    uri: str, tasks: int, seconds: float, process: int, transactional: bool, interval: float
) -> dict[str, Any]:
    """One writer process: ``tasks`` loops appending until the time is up."""
    client = open_client(uri)
    audit = AuditTrail(MongoAuditLog(client[DB]), SystemClock())
    uow = MongoUnitOfWork(client)
    latencies: list[float] = []
    failures = 0
    stop_at = time.perf_counter() + seconds

    async def loop(task: int) -> None:
        nonlocal failures
        n = 0
        next_at = time.perf_counter()
        while time.perf_counter() < stop_at:
            if interval:  # a capped offered load: each task appends every ``interval`` s
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            event = AuditEvent(actor=f"staff:p{process}t{task}", actor_kind="staff",
                               action="case.view", case_id=f"C{process}{task:03d}{n % 50:04d}",
                               details={"n": n}, origin="127.0.0.1", request_id=f"{n}")  # fmt: skip
            started = time.perf_counter()
            try:
                if transactional:
                    async with uow.transaction() as tx:
                        await audit.record(event, tx=tx)
                else:
                    await audit.record(event)
            except Exception:  # counted: the benchmark's claim is "no failure"
                failures += 1
            latencies.append((time.perf_counter() - started) * 1000)
            n += 1

    began = time.perf_counter()
    await asyncio.gather(*[loop(t) for t in range(tasks)])
    elapsed = time.perf_counter() - began
    await client.close()
    latencies.sort()
    return {
        "appends": len(latencies) - failures, "failures": failures, "elapsed": elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }  # fmt: skip


async def main(seconds: float, writers: int, processes: int, transactional: bool,
               offered: float) -> None:  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    mongo = EmbeddedMongo(workdir / "db")
    await asyncio.to_thread(mongo.start)
    client = open_client(mongo.uri)
    try:
        db = client[DB]
        await ensure_audit_indexes(db)
        log = MongoAuditLog(db)
        witness = FileWitness(workdir / "witness")
        signer = load_signer(workdir / "key.pem", create=True)
        clock = SystemClock()
        sealer = Sealer(store=log, witness=witness, signer=signer, clock=clock, owner="bench",
                        checkpoint_every=timedelta(seconds=5))  # fmt: skip
        stop = asyncio.Event()
        sealing = asyncio.create_task(sealer.run(stop))
        max_pending = 0

        async def watch() -> None:
            nonlocal max_pending
            while not stop.is_set():
                max_pending = max(max_pending, await log.count_pending())
                await asyncio.sleep(0.5)

        watching = asyncio.create_task(watch())
        per_process = writers // processes
        children = [
            await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--writer", mongo.uri, str(per_process),
                str(seconds), str(p), "1" if transactional else "0",
                str(writers / offered if offered else 0.0),
                stdout=asyncio.subprocess.PIPE, cwd=ROOT,
            )
            for p in range(processes)
        ]  # fmt: skip
        results = []
        for child in children:
            out, _ = await asyncio.wait_for(child.communicate(), timeout=seconds + 120)
            results.append(json.loads(out.decode().strip().splitlines()[-1]))
        writers_done = time.perf_counter()
        for _ in range(1200):  # at most a minute
            if not await log.count_pending():
                break
            await asyncio.sleep(0.05)
        drain_s = time.perf_counter() - writers_done
        stop.set()
        await asyncio.wait_for(asyncio.gather(sealing, watching), timeout=60)
        audit = AuditTrail(log, clock, seals=log, witness=witness, signer=signer)
        verify_started = time.perf_counter()
        report = await audit.verify()
        verify_s = time.perf_counter() - verify_started
        batches = report.batches
    finally:
        await client.close()
        await asyncio.to_thread(mongo.stop)
        shutil.rmtree(workdir, ignore_errors=True)  # the database files of the run

    appends = sum(r["appends"] for r in results)
    failures = sum(r["failures"] for r in results)
    elapsed = max(r["elapsed"] for r in results)
    rate = appends / elapsed
    p99 = max(r["p99"] for r in results)
    p50 = statistics.median(r["p50"] for r in results)
    mode = "each in its own transaction" if transactional else "plain inserts"
    if offered:
        mode += f", offered load capped at {offered:.0f}/s"
    print(f"audit benchmark: {writers} writers in {processes} processes, {seconds:.0f} s, "
          f"{mode}, 127.0.0.1, {os.cpu_count()} cores shared by writers, sealer and mongod")  # fmt: skip
    print(f"appended {appends} entries ({rate:.0f}/s), {failures} failures, "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")  # fmt: skip
    print(f"sealer: {batches} batches, at most {max_pending} entries waiting during the run, "
          f"the rest sealed {drain_s:.2f} s after the writers stopped")  # fmt: skip
    print(f"verify: {'intact' if report.ok else 'BROKEN'} — {report.entries} entries, "
          f"{report.checkpoints} checkpoints, {verify_s:.1f} s; {report.problem}")  # fmt: skip
    label = "audit appends" + (" (in transactions)" if transactional else "")
    if offered:
        label += f" (offered {offered:,.0f}/s)"
    print(f"| {label}, {writers} writers in {processes} processes | {rate:,.0f} entries/s | "
          f"{failures} failures, p99 {p99:.0f} ms (target ≥ 2,000/s, no failure) |")  # fmt: skip
    print(f"| audit sealing{label.removeprefix('audit appends')} | {batches} batches, "
          f"≤ {max_pending:,} waiting | "
          f"all sealed {drain_s:.1f} s after the writers stopped; verify "
          f"{'intact' if report.ok else 'BROKEN'} in {verify_s:.1f} s |")  # fmt: skip
    if failures or not report.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--writer":
        uri, tasks, secs, proc, tx, every = sys.argv[2:8]
        outcome = asyncio.run(
            write(uri, int(tasks), float(secs), int(proc), tx == "1", float(every))
        )
        print(json.dumps(outcome), flush=True)
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--transactional", action="store_true")
    parser.add_argument("--rate", type=float, default=None,
                        help="cap the offered entries/s (default: uncapped, then 2,000/s)")  # fmt: skip
    arguments = parser.parse_args()
    # Uncapped shows what appends reach; 2,000/s offered shows sealing keeping up with it.
    for offered in [0.0, 2000.0] if arguments.rate is None else [arguments.rate]:
        asyncio.run(main(arguments.seconds, arguments.writers, arguments.processes,
                         arguments.transactional, offered))  # fmt: skip
