"""One contract for every PhotoStore: local directory and S3 (a real moto server)."""

from __future__ import annotations

import hashlib
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from adapters.photos.local_store import LocalPhotoStore
from adapters.photos.s3_store import S3PhotoStore
from settlement.errors import InvalidInput, PhotoNotFound
from settlement.ports.photos import PhotoStore

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB, every byte value


async def test_put_then_get_round_trips_bytes(photo_store: PhotoStore) -> None:
    await photo_store.put("originals/ab/cd/photo.jpg", PAYLOAD, content_type="image/jpeg")
    assert await photo_store.get("originals/ab/cd/photo.jpg") == PAYLOAD


async def test_put_from_a_spooled_file(photo_store: PhotoStore, tmp_path: Path) -> None:
    spooled = tmp_path / "spool.bin"
    spooled.write_bytes(PAYLOAD)
    await photo_store.put("originals/from-file.jpg", spooled, content_type="image/jpeg")
    stored = await photo_store.get("originals/from-file.jpg")
    assert hashlib.sha256(stored).digest() == hashlib.sha256(PAYLOAD).digest()


async def test_put_replaces_existing_object(photo_store: PhotoStore) -> None:
    await photo_store.put("k.jpg", b"first", content_type="image/jpeg")
    await photo_store.put("k.jpg", b"second", content_type="image/jpeg")
    assert await photo_store.get("k.jpg") == b"second"


async def test_stream_yields_the_object_in_chunks(photo_store: PhotoStore) -> None:
    await photo_store.put("s.jpg", PAYLOAD, content_type="image/jpeg")
    chunks = [chunk async for chunk in photo_store.open_stream("s.jpg", chunk_size=100_000)]
    assert len(chunks) > 1
    assert b"".join(chunks) == PAYLOAD


async def test_missing_key_raises_photo_not_found(photo_store: PhotoStore) -> None:
    with pytest.raises(PhotoNotFound):
        await photo_store.get("nope.jpg")
    with pytest.raises(PhotoNotFound):
        async for _ in photo_store.open_stream("nope.jpg"):
            pass


async def test_exists_and_delete(photo_store: PhotoStore) -> None:
    assert not await photo_store.exists("d.jpg")
    await photo_store.put("d.jpg", b"x", content_type="image/jpeg")
    assert await photo_store.exists("d.jpg")
    await photo_store.delete("d.jpg")
    assert not await photo_store.exists("d.jpg")
    await photo_store.delete("d.jpg")  # deleting twice is fine


@pytest.mark.parametrize(
    "key",
    [
        "../escape.jpg",
        "a/../../etc/passwd",
        "/abs.jpg",
        "a//b.jpg",
        ".hidden",
        "a\\b.jpg",
        "",
        "a/./b",
    ],
)
async def test_unsafe_keys_are_refused(photo_store: PhotoStore, key: str) -> None:
    with pytest.raises(InvalidInput):
        await photo_store.put(key, b"x", content_type="image/jpeg")
    with pytest.raises(InvalidInput):
        await photo_store.get(key)


async def test_presigned_url(photo_store: PhotoStore) -> None:
    await photo_store.put("p.jpg", b"evidence", content_type="image/jpeg")
    url = await photo_store.presigned_url("p.jpg", expires_s=60)
    if isinstance(photo_store, LocalPhotoStore):
        assert url is None  # served through the authorised handler instead
        return
    assert url is not None
    assert "X-Amz-Signature" in url
    assert url.startswith("http://127.0.0.1:")
    # S3 honours the signed override; moto ignores it, so check it is in the signed URL.
    assert "response-content-disposition=attachment" in url
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local moto
        assert response.read() == b"evidence"


async def test_s3_objects_are_encrypted_at_rest(
    s3_client: Any, s3_bucket: str, executor: ThreadPoolExecutor
) -> None:
    store = S3PhotoStore(s3_client, s3_bucket, executor=executor, prefix="evidence/")
    await store.put("e.jpg", b"x", content_type="image/jpeg")
    head = s3_client.head_object(Bucket=s3_bucket, Key="evidence/e.jpg")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "image/jpeg"


async def test_local_writes_are_atomic_and_private(
    tmp_path: Path, executor: ThreadPoolExecutor
) -> None:
    store = LocalPhotoStore(tmp_path / "root", executor=executor)
    await store.put("a/b/c.jpg", PAYLOAD, content_type="image/jpeg")
    files = list((tmp_path / "root").rglob("*"))
    assert [p.name for p in files if p.is_file()] == ["c.jpg"]  # no temp file left over
    assert (tmp_path / "root" / "a" / "b" / "c.jpg").stat().st_mode & 0o077 == 0


async def test_local_symlink_out_of_root_is_refused(
    tmp_path: Path, executor: ThreadPoolExecutor
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (root / "link").symlink_to(tmp_path / "outside")
    store = LocalPhotoStore(root, executor=executor)
    with pytest.raises(InvalidInput):
        await store.put("link/x.jpg", b"x", content_type="image/jpeg")
