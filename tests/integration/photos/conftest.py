"""Fixtures for photo adapters: one thread pool, S3 on the shared moto server, stores, the
service."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from adapters.mongo.photos import MongoPhotoRepository
from adapters.photos.inspector import PillowExifInspector
from adapters.photos.local_store import LocalPhotoStore
from adapters.photos.s3_store import S3PhotoStore, build_s3_client
from settlement.ports.photos import PhotoStore
from settlement.services.evidence import EvidenceService


@pytest.fixture(scope="session")
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="photos-test")
    yield pool
    pool.shutdown(wait=False, cancel_futures=True)


@pytest.fixture
def inspector(executor: ThreadPoolExecutor) -> PillowExifInspector:
    return PillowExifInspector(executor, max_pixels=40_000_000)


@pytest.fixture
def s3_client(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return build_s3_client(endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture
def s3_bucket(s3_client: Any) -> str:
    name = f"evidence-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def local_store(tmp_path: Path, executor: ThreadPoolExecutor) -> LocalPhotoStore:
    return LocalPhotoStore(tmp_path / "uploads", executor=executor)


@pytest.fixture(params=["local", "s3"])
def photo_store(
    request: pytest.FixtureRequest, tmp_path: Path, executor: ThreadPoolExecutor
) -> PhotoStore:
    if request.param == "local":
        return LocalPhotoStore(tmp_path / "uploads", executor=executor)
    client = request.getfixturevalue("s3_client")
    bucket = request.getfixturevalue("s3_bucket")
    return S3PhotoStore(client, bucket, executor=executor)


@pytest.fixture
async def photo_repository(mongo_db: Any) -> MongoPhotoRepository:
    repository = MongoPhotoRepository(mongo_db)
    await repository.ensure_indexes()
    return repository


@pytest.fixture
def evidence(
    inspector: PillowExifInspector,
    local_store: LocalPhotoStore,
    photo_repository: MongoPhotoRepository,
) -> EvidenceService:
    return EvidenceService(inspector, local_store, photo_repository)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
