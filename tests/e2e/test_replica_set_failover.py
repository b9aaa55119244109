"""A real three-member replica set loses its primary (SIGKILL) under load: no acknowledged
case and no audit entry of one is lost, and no request fails with a 500.

Three ``mongod`` from the wheel on loopback; elections are tuned to a 2 s timeout so the
drill stays short (about 10 s of load); the whole test is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.read_concern import ReadConcern

from adapters.mongo.embedded import find_mongod, free_port
from adapters.simulators.wechat import WeChatSimulator
from tests.builders import new_case
from tests.e2e.conftest import body, running_api

REPLICA_SET = "rsF"


class ReplicaSet:
    def __init__(self, root: Path, size: int = 3) -> None:
        self.ports = [free_port() for _ in range(size)]
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        for port in self.ports:
            dbpath = root / str(port)
            dbpath.mkdir(parents=True)
            self.processes[port] = subprocess.Popen(  # noqa: S603 - fixed argument list
                [str(find_mongod()), "--dbpath", str(dbpath), "--port", str(port),
                 "--bind_ip", "127.0.0.1", "--replSet", REPLICA_SET,
                 "--wiredTigerCacheSizeGB", "0.25",
                 "--setParameter", "diagnosticDataCollectionEnabled=false",
                 "--logpath", str(dbpath / "mongod.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip

    @property
    def uri(self) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.ports)
        return f"mongodb://{hosts}/?replicaSet={REPLICA_SET}"

    def initiate(self, timeout_s: float = 60) -> None:
        config = {
            "_id": REPLICA_SET,
            "members": [{"_id": i, "host": f"127.0.0.1:{port}", "priority": 2 if i == 0 else 1}
                        for i, port in enumerate(self.ports)],
            "settings": {"electionTimeoutMillis": 2000, "heartbeatIntervalMillis": 500},
        }  # fmt: skip
        direct = f"mongodb://127.0.0.1:{self.ports[0]}/?directConnection=true"
        deadline = time.monotonic() + timeout_s
        with MongoClient(direct, serverSelectionTimeoutMS=1000) as client:
            while True:
                try:
                    client.admin.command("replSetInitiate", config)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        self.primary(timeout_s)

    def primary(self, timeout_s: float = 60) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for port in self.ports:
                if self.processes[port].poll() is not None:
                    continue
                with contextlib.suppress(Exception), MongoClient(
                    f"mongodb://127.0.0.1:{port}/?directConnection=true",
                    serverSelectionTimeoutMS=500,
                ) as client:
                    if client.admin.command("hello").get("isWritablePrimary"):
                        return port
            time.sleep(0.2)
        raise AssertionError("no primary")

    def kill(self, port: int) -> None:
        self.processes[port].send_signal(signal.SIGKILL)
        self.processes[port].wait(10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def replica_set(tmp_path: Path) -> Iterator[ReplicaSet]:
    members = ReplicaSet(tmp_path / "rs")
    try:
        members.initiate()
        yield members
    finally:
        members.stop()


@pytest.mark.timeout(180)
async def test_killing_the_primary_under_load_loses_no_acknowledged_write(
    replica_set: ReplicaSet, wechat: WeChatSimulator, tmp_path: Path
) -> None:
    async with running_api(replica_set.uri, wechat, tmp_path) as api:
        tokens = [await api.sign_in() for _ in range(8)]
        acknowledged: list[str] = []
        statuses: Counter[int] = Counter()
        keys = itertools.count()
        stop = asyncio.Event()

        async def driver(token: str) -> None:
            key = f"k{next(keys)}"
            while not stop.is_set():
                answer = await api.call("POST", "/api/v1/cases", new_case(), token=token,
                                        headers={"Idempotency-Key": key})  # fmt: skip
                statuses[answer.code] += 1
                if answer.code == 201:
                    acknowledged.append(body(answer)["id"])
                    key = f"k{next(keys)}"
                else:  # an outage: the same request again, as a client would
                    await asyncio.sleep(0.3)

        workers = [asyncio.create_task(driver(token)) for token in tokens]
        await asyncio.sleep(2)
        before_kill = len(acknowledged)
        old_primary = replica_set.primary()
        replica_set.kill(old_primary)
        new_primary = await asyncio.to_thread(replica_set.primary, 60)
        after_election = len(acknowledged)
        await asyncio.sleep(4)  # keep writing on the new primary
        stop.set()
        await asyncio.gather(*workers)

        assert new_primary != old_primary
        assert before_kill > 0
        assert len(acknowledged) > after_election, "no writes after the election"
        assert set(statuses) <= {201, 409, 503}, statuses  # never a 500
        survivors = MongoClient(replica_set.uri, serverSelectionTimeoutMS=20_000)
        try:
            db: Any = survivors.get_database(api.runtime.settings.mongo_db,
                                             read_concern=ReadConcern("majority"))  # fmt: skip
            stored = {d["_id"] for d in db["cases"].find({"_id": {"$in": acknowledged}}, {"_id": 1})}
            assert stored == set(acknowledged), "an acknowledged case was lost"
            audited = {d["case_id"] for d in db["audit_log"].find(
                {"action": "case.open", "case_id": {"$in": acknowledged}}, {"case_id": 1})}  # fmt: skip
            assert audited == set(acknowledged), "an acknowledged case lost its audit entry"
        finally:
            survivors.close()
