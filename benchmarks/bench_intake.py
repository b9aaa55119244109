"""Intake throughput: create-case and get-case with concurrent clients, beside a bare handler.

Starts an embedded mongod, the WeChat simulator, the real service (``settlement serve`` in a
child process) and a bare Tornado app answering a fixed JSON document (the ceiling), then
drives each from this process with the same HTTP client. Every phase is bounded in time.
Afterwards it checks that every case opened has its ``case.open`` audit entry, and when
``wrk`` is installed (``apt-get install -y wrk``) it measures get-case and the bare handler
again with ``wrk`` (50 connections), a load generator that does not share Python's costs.
``wrk`` reads every case opened in turn, each with its owner's token (a Lua script), so the
service's short-lived case view cache cannot answer the whole run from one hot case.

    python benchmarks/bench_intake.py [--clients 50] [--seconds 5]

Prints markdown table rows (``| benchmark | figure | notes |``) for the README.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from tornado.httpclient import AsyncHTTPClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.mongo.embedded import EmbeddedMongo, free_port  # noqa: E402
from adapters.simulators.wechat import WeChatSimulator  # noqa: E402
from tests.builders import new_case  # noqa: E402

BARE_APP = """
import asyncio, sys, tornado.web
class Bare(tornado.web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.finish(b'{"id": "C0", "status": "awaiting_party"}')
async def main():
    tornado.web.Application([(r"/bare", Bare)]).listen(int(sys.argv[1]), "127.0.0.1")
    await asyncio.Event().wait()
asyncio.run(main())
"""


async def wait_ready(url: str, timeout_s: float = 60.0) -> None:
    client = AsyncHTTPClient()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            response = await client.fetch(url, raise_error=False, request_timeout=2)
            if response.code == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} not ready")


async def load(
    clients: int, seconds: float, request: Callable[[int], Awaitable[int]]
) -> tuple[float, float, float, int]:
    """Run ``clients`` loops for ``seconds``; returns (req/s, p50 ms, p99 ms, errors)."""
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def worker(index: int) -> None:
        nonlocal errors
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            status = await request(index)
            latencies.append((time.perf_counter() - started) * 1000)
            if status >= 400:
                errors += 1

    began = time.perf_counter()
    await asyncio.gather(*[worker(i) for i in range(clients)])
    elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies), p99, errors


def run_wrk(
    url: str, connections: int, seconds: float, script: Path | None = None
) -> tuple[float, float, int]:
    """(requests/s, p99 ms, answers that were not 2xx) of ``wrk`` against ``url``; bounded
    by ``seconds``."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, float(p99.group(1)) * scale, int(failed.group(1)) if failed else 0


def every_case_script(path: Path, reads: list[tuple[str, str]]) -> Path:
    """A ``wrk`` Lua script asking for each (case id, owner's token) in turn; each thread
    starts at its own place in the list."""
    rows = ",\n".join(f'{{"/api/v1/cases/{case_id}", "Bearer {token}"}}' for case_id, token in reads)
    path.write_text(
        f"local reads = {{\n{rows}\n}}\n"
        "local i = 0\n"
        "function setup(thread) thread:set(\"start\", math.random(#reads)) end\n"
        "function init(args) i = start end\n"
        "function request()\n"
        "  i = i % #reads + 1\n"
        "  return wrk.format(\"GET\", reads[i][1], {[\"Authorization\"] = reads[i][2]})\n"
        "end\n"
    )
    return path


async def main(clients: int, seconds: float) -> None:
    AsyncHTTPClient.configure(None, max_clients=clients)
    http = AsyncHTTPClient()
    workdir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    mongo = EmbeddedMongo(workdir / "db")
    await asyncio.to_thread(mongo.start)
    wechat = WeChatSimulator(app_id="wx-bench", app_secret="bench-secret")
    wechat.start()
    service_port, bare_port = free_port(), free_port()
    env = {
        **os.environ,
        "SETTLEMENT_MONGO_URI": mongo.uri,
        "SETTLEMENT_HTTP_PORT": str(service_port),
        "SETTLEMENT_GRPC_PORT": str(free_port()),
        "SETTLEMENT_DATA_DIR": str(workdir / "data"),
        "SETTLEMENT_UPLOADS_DIR": str(workdir / "uploads"),
        "SETTLEMENT_WECHAT_APP_ID": "wx-bench",
        "SETTLEMENT_WECHAT_APP_SECRET": "bench-secret",
        "SETTLEMENT_WECHAT_API_BASE": wechat.base_url,
        "SETTLEMENT_LOG_LEVEL": "ERROR",
        # Every benchmark client signs in from 127.0.0.1; the address limit is for people.
        "SETTLEMENT_LIMIT_SIGN_IN_PER_IP": "off",
    }
    service = subprocess.Popen(
        [sys.executable, "-m", "settlement", "serve"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    bare = subprocess.Popen([sys.executable, "-c", BARE_APP, str(bare_port)])
    try:
        base = f"http://127.0.0.1:{service_port}"
        await wait_ready(base + "/readyz")
        await wait_ready(f"http://127.0.0.1:{bare_port}/bare")
        tokens = []
        for _ in range(clients):
            answer = await http.fetch(
                base + "/api/v1/auth/wechat", method="POST",
                body=json.dumps({"code": wechat.login()}),
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            tokens.append(json.loads(answer.body)["token"])
        headers = [{"Authorization": f"Bearer {t}", "Content-Type": "application/json"} for t in tokens]
        case_body = json.dumps(new_case())
        case_ids: list[list[str]] = [[] for _ in range(clients)]

        async def create(index: int) -> int:
            answer = await http.fetch(
                base + "/api/v1/cases", method="POST", body=case_body,
                headers=headers[index], raise_error=False,
            )  # fmt: skip
            if answer.code == 201:
                case_ids[index].append(json.loads(answer.body)["id"])
            return answer.code

        async def get(index: int) -> int:
            ids = case_ids[index]
            case_id = ids[int(time.perf_counter() * 1000) % len(ids)]
            answer = await http.fetch(
                f"{base}/api/v1/cases/{case_id}", headers=headers[index], raise_error=False
            )
            return answer.code

        async def ceiling(_: int) -> int:
            answer = await http.fetch(f"http://127.0.0.1:{bare_port}/bare", raise_error=False)
            return answer.code

        await load(clients, 1.0, ceiling)  # warm-up
        bare_rps, bare_p50, bare_p99, _ = await load(clients, seconds, ceiling)
        create_rps, create_p50, create_p99, create_errors = await load(clients, seconds, create)
        get_rps, get_p50, get_p99, get_errors = await load(clients, seconds, get)
        print(f"intake benchmark: {clients} concurrent clients, {seconds:.0f} s per phase, "
              f"127.0.0.1, {os.cpu_count()} cores (client, service and mongod share them)")  # fmt: skip
        print(f"{'phase':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'vs bare':>10}")
        rows = [
            ("bare tornado (ceiling)", bare_rps, bare_p50, bare_p99, 0),
            ("create-case", create_rps, create_p50, create_p99, create_errors),
            ("get-case", get_rps, get_p50, get_p99, get_errors),
        ]
        for name, rps, p50, p99, errors in rows:
            print(f"{name:<22}{rps:>10.0f}{p50:>10.1f}{p99:>10.1f}{errors:>8}{rps / bare_rps:>10.2f}")
        # Every case opened must have its audit entry (written in the same transaction).
        counter: Any = AsyncMongoClient(mongo.uri)
        db = counter["settlement"]
        opened = await db["cases"].count_documents({})
        recorded = await db["audit_log"].count_documents({"action": "case.open"})
        await counter.close()
        print(f"audit: {recorded} case.open entries for {opened} cases opened")
        wrk_rows = []
        if shutil.which("wrk"):
            reads = [(case_id, tokens[owner]) for owner, ids in enumerate(case_ids)
                     for case_id in ids]  # fmt: skip
            script = every_case_script(workdir / "every-case.lua", reads)
            wrk_bare = await asyncio.to_thread(
                run_wrk, f"http://127.0.0.1:{bare_port}/bare", 50, seconds
            )
            wrk_get = await asyncio.to_thread(run_wrk, base, 50, seconds, script)
            print(f"wrk -c50: bare {wrk_bare[0]:.0f} req/s (p99 {wrk_bare[1]:.1f} ms), get-case "
                  f"{wrk_get[0]:.0f} req/s over {len(reads)} cases (p99 {wrk_get[1]:.1f} ms, "
                  f"{wrk_get[2]} errors), "
                  f"{wrk_get[0] / wrk_bare[0]:.2f} of bare")  # fmt: skip
            wrk_rows = [
                f"| wrk -c50: bare Tornado (ceiling) | {wrk_bare[0]:,.0f} req/s | "
                f"p99 {wrk_bare[1]:.0f} ms |",
                f"| wrk -c50: get-case, {len(reads):,} cases in turn | {wrk_get[0]:,.0f} req/s | "
                f"{wrk_get[0] / wrk_bare[0]:.2f} of bare, p99 {wrk_get[1]:.0f} ms, "
                f"{wrk_get[2]} errors (targets ≥ 0.25, < 100 ms) |",
            ]
        print(f"| intake, {clients} clients: bare Tornado (ceiling) | {bare_rps:,.0f} req/s | "
              f"p99 {bare_p99:.0f} ms |")  # fmt: skip
        print(f"| intake: create-case | {create_rps:,.0f} req/s | {create_rps / bare_rps:.2f} of "
              f"bare, p99 {create_p99:.0f} ms, {create_errors} errors, {recorded}/{opened} "
              f"audited (targets ≥ 0.10, < 100 ms) |")  # fmt: skip
        print(f"| intake: get-case | {get_rps:,.0f} req/s | {get_rps / bare_rps:.2f} of bare, "
              f"p99 {get_p99:.0f} ms, {get_errors} errors (targets ≥ 0.25, < 100 ms) |")  # fmt: skip
        for row in wrk_rows:
            print(row)
    finally:
        service.terminate()
        bare.terminate()
        service.wait(20)
        bare.wait(20)
        wechat.stop()
        await asyncio.to_thread(mongo.stop)
        shutil.rmtree(workdir, ignore_errors=True)  # the database files of the run


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.clients, arguments.seconds))
