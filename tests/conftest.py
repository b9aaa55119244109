"""Shared fixtures: one real ``mongod`` replica set per test session, a database per test, and
one moto S3 server on 127.0.0.1."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer
from pymongo import AsyncMongoClient

from adapters.mongo.embedded import EmbeddedMongo
from adapters.mongo.types import Database, MongoClient


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real single-node replica set on 127.0.0.1 for the whole session."""
    server = EmbeddedMongo(tmp_path_factory.mktemp("mongod") / "db")
    server.start()
    try:
        yield server.uri
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def mongo_client(mongo_uri: str) -> AsyncIterator[MongoClient]:
    # Majority writes, as the service's client: a transaction's majority snapshot sees them.
    client: MongoClient = AsyncMongoClient(mongo_uri, tz_aware=True, w="majority")
    yield client
    await client.close()


@pytest.fixture
async def mongo_db(mongo_client: MongoClient) -> AsyncIterator[Database]:
    """A fresh database for one test, dropped afterwards (tests never see each other's data)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield mongo_client[name]
    await mongo_client.drop_database(name)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """An S3 API (moto) on 127.0.0.1 for the whole session; tests make their own buckets."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
