"""``settlement serve`` as an OS process on loopback, with insurer simulators and its own
database: what the fault tests (SIGKILL, poison messages) run against."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from adapters.mongo.embedded import free_port
from adapters.simulators.insurer import InsurerSimulator
from tests.integration.grpc.claims_harness import TOKENS, prepare_db
from tests.integration.grpc.pki import TestPki, make_pki

ROOT = Path(__file__).resolve().parents[2]


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Wait until the service on ``port`` answers ``/readyz``; fail if it exits first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the service exited with {process.returncode}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("the service did not become ready")


@dataclass
class Service:
    env: dict[str, str]
    http_port: int
    grpc_port: int
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "settlement", "serve"], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_ready(self.http_port, self.process, 60)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def command(self, *argv: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
        """``python -m settlement ARGV`` as another process on the service's database."""
        return subprocess.run(  # noqa: S603 - our own CLI, arguments from the test
            [sys.executable, "-m", "settlement", *argv], env=self.env, capture_output=True,
            text=True, timeout=timeout_s, check=False,
        )  # fmt: skip


@dataclass
class Stage:
    service: Service
    db: Any
    sims: dict[str, InsurerSimulator]
    pki: TestPki


@contextlib.asynccontextmanager
async def staged_service(mongo_uri: str, tmp_path: Path) -> AsyncIterator[Stage]:
    """PICC and CPIC simulators, a fresh database and the service's environment (not started:
    tests start it when they have set the scene)."""
    pki = make_pki()
    cert, key, ca = pki.write(tmp_path / "tls")
    sims = {code: InsurerSimulator(code) for code in ("PICC", "CPIC")}
    for sim in sims.values():
        await sim.start()
    name = f"crash_{uuid.uuid4().hex[:10]}"
    http_port, grpc_port = free_port(), free_port()
    env = {
        **os.environ, "PYTHONPATH": str(ROOT),
        "SETTLEMENT_MONGO_URI": mongo_uri, "SETTLEMENT_MONGO_DB": name,
        "SETTLEMENT_HTTP_PORT": str(http_port), "SETTLEMENT_GRPC_PORT": str(grpc_port),
        "SETTLEMENT_METRICS_PORT": "0", "SETTLEMENT_DATA_DIR": str(tmp_path / "data"),
        "SETTLEMENT_UPLOADS_DIR": str(tmp_path / "uploads"),
        "SETTLEMENT_COOKIE_SECRET": "crash-test",
        "SETTLEMENT_INSURER_ENDPOINTS": ",".join(f"{c}={s.target}" for c, s in sims.items()),
        "SETTLEMENT_PARTNER_INSECURE": "true",  # plaintext simulators on loopback
        "SETTLEMENT_GRPC_DEADLINE_S": "1", "SETTLEMENT_OUTBOX_LEASE_S": "3",
        "SETTLEMENT_OUTBOX_BACKOFF_BASE_S": "0.5",
        "SETTLEMENT_GRPC_TLS_CERT": str(cert), "SETTLEMENT_GRPC_TLS_KEY": str(key),
        "SETTLEMENT_GRPC_CLIENT_CA": str(ca),
        "SETTLEMENT_INSURER_TOKENS": ",".join(f"{c}={t}" for c, t in TOKENS.items()),
    }  # fmt: skip
    client: Any = AsyncMongoClient(mongo_uri, tz_aware=True, w="majority")
    db = client[name]
    await prepare_db(db)
    # A killed process's open transactions keep their documents locked until the server
    # aborts them; our transactions last milliseconds, so a short limit is the deployment
    # advice (README) and what these tests run with.
    limit = {"getParameter": 1, "transactionLifetimeLimitSeconds": 1}
    before = (await client.admin.command(limit))["transactionLifetimeLimitSeconds"]
    await client.admin.command({"setParameter": 1, "transactionLifetimeLimitSeconds": 5})
    service = Service(env, http_port, grpc_port)
    try:
        yield Stage(service, db, sims, pki)
    finally:
        service.stop()
        await client.admin.command(
            {"setParameter": 1, "transactionLifetimeLimitSeconds": before}
        )
        await client.drop_database(name)
        await client.close()
        for sim in sims.values():
            await sim.stop(None)
