"""The database failing under the service: 503 with Retry-After, keys released, restarts clean.

These tests run their own ``mongod`` (with test commands enabled, for fail points) so the
shared session server is never stepped down.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from adapters.mongo.embedded import TRANSACTION_LIFETIME_S, EmbeddedMongo, free_port, orphan_pid
from adapters.simulators.wechat import WeChatSimulator
from tests.builders import new_case
from tests.e2e.conftest import Api, body, running_api
from tests.e2e.service_process import wait_ready


@pytest.fixture(scope="module")
def own_mongod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedMongo]:
    server = EmbeddedMongo(
        tmp_path_factory.mktemp("faults") / "db",
        extra_args=["--setParameter", "enableTestCommands=1"],
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def faulty_api(
    own_mongod: EmbeddedMongo, wechat: WeChatSimulator, tmp_path: Path
) -> AsyncIterator[tuple[Api, str]]:
    """The service on its own mongod, and a signed-in driver's token."""
    async with running_api(own_mongod.uri, wechat, tmp_path) as api:
        yield api, await api.sign_in()


def _admin(server: EmbeddedMongo) -> MongoClient[dict[str, Any]]:
    return MongoClient(server.uri, serverSelectionTimeoutMS=20_000)


def _fail_point(server: EmbeddedMongo, mode: Any, data: dict[str, Any] | None = None) -> None:
    with _admin(server) as client:
        command: dict[str, Any] = {"configureFailPoint": "failCommand", "mode": mode}
        if data is not None:
            command["data"] = data
        client.admin.command(command)


async def _await_primary(server: EmbeddedMongo, timeout_s: float = 30) -> None:
    def primary() -> bool:
        with MongoClient(
            f"mongodb://127.0.0.1:{server.port}/?directConnection=true",
            serverSelectionTimeoutMS=1000,
        ) as client:
            return bool(client.admin.command("hello").get("isWritablePrimary"))

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(primary):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("no primary again")


async def test_an_election_answers_503_and_the_same_key_then_succeeds(
    faulty_api: tuple[Api, str], own_mongod: EmbeddedMongo
) -> None:
    api, token = faulty_api
    headers = {"Idempotency-Key": "election-1"}
    # The only member steps down and may not stand again for 8 s: an election with no
    # primary, as after the primary's loss.
    with MongoClient(
        f"mongodb://127.0.0.1:{own_mongod.port}/?directConnection=true"
    ) as client:
        client.admin.command("replSetStepDown", 8, secondaryCatchUpPeriodSecs=0, force=True)
    started = time.monotonic()
    during = await api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
    assert during.code == 503, during.body
    assert time.monotonic() - started < 8
    assert int(during.headers["Retry-After"]) >= 1
    problem = body(during)
    assert problem["code"] == "DATABASE_UNAVAILABLE"
    assert during.headers["Content-Type"] == "application/problem+json"
    await _await_primary(own_mongod)
    after = await api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
    assert after.code == 201, after.body
    again = await api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
    assert again.code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert await api.runtime.db["cases"].count_documents({}) == 1


async def test_a_key_whose_release_failed_is_released_when_it_comes_back(
    faulty_api: tuple[Api, str], own_mongod: EmbeddedMongo
) -> None:
    api, token = faulty_api
    headers = {"Idempotency-Key": "release-1"}
    # The key's reservation (the first insert) goes through; then the case's insert and
    # the reservation's release both fail as they do while no primary is elected.
    _fail_point(own_mongod, {"skip": 1}, {
        "failCommands": ["insert", "delete"], "errorCode": 10107,  # NotWritablePrimary
        "appName": "settlement",
    })  # fmt: skip
    try:
        during = await api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
    finally:
        _fail_point(own_mongod, "off")
    assert during.code == 503, during.body
    assert body(during)["code"] == "DATABASE_UNAVAILABLE"
    reserved = await api.runtime.db["idempotency_keys"].count_documents({"state": "in_progress"})
    assert reserved == 1  # the release really failed
    after = await api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
    assert after.code == 201, after.body
    assert await api.runtime.db["cases"].count_documents({}) == 1


async def test_the_client_asks_for_majority_writes_and_retries() -> None:
    from adapters.mongo.client import open_client

    client = open_client("mongodb://127.0.0.1:1/")
    try:
        assert client.write_concern.document == {"w": "majority"}
        assert client.options.retry_writes is True
        assert client.options.retry_reads is True
    finally:
        await client.close()



def test_the_embedded_database_aborts_a_dead_process_s_transaction_within_seconds(
    own_mongod: EmbeddedMongo,
) -> None:
    # A SIGKILLed service leaves its open transaction holding document locks until the
    # server's lifetime limit aborts it; 60 s by default would stall claims for a minute.
    with _admin(own_mongod) as admin:
        answer = admin.admin.command({"getParameter": 1, "transactionLifetimeLimitSeconds": 1})
    assert answer["transactionLifetimeLimitSeconds"] == TRANSACTION_LIFETIME_S <= 10

def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SETTLEMENT_DATA_DIR": str(data_dir), "SETTLEMENT_HTTP_PORT": str(port),
           "SETTLEMENT_GRPC_PORT": "0", "SETTLEMENT_METRICS_PORT": "0",
           "SETTLEMENT_UPLOADS_DIR": str(data_dir / "uploads"),
           "SETTLEMENT_COOKIE_SECRET": "restart-test"}  # fmt: skip
    env.pop("SETTLEMENT_MONGO_URI", None)
    return subprocess.Popen(
        [sys.executable, "-m", "settlement", "serve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_the_embedded_database_survives_a_sigkill_of_the_service(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    first = _serve(data_dir, port)
    try:
        wait_ready(port, first, 90)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    mongo_dir = data_dir / "mongo"
    orphan = orphan_pid(mongo_dir)
    assert orphan is not None, "the killed service left no mongod behind (nothing tested)"
    second = _serve(data_dir, port)
    try:
        wait_ready(port, second, 90)
        assert orphan_pid(mongo_dir) != orphan
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(60)
        leftover = orphan_pid(mongo_dir)
        if leftover is not None:  # never leave a server running after the test
            os.kill(leftover, signal.SIGKILL)
    assert leftover is None
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
