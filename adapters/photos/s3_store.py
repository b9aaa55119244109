"""S3 photo store: one boto3 client, server-side encryption, presigned GET links.

boto3 is blocking, so every call runs in the given executor. Objects are written with
SSE-S3 (AES256) and an S3-side SHA-256 checksum, so the bucket itself verifies that the
bytes it stored are the bytes sent. Presigned links force ``Content-Disposition:
attachment`` so a browser never renders an upload inline (polyglot defence).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from adapters.photos.local_store import validate_key
from settlement.errors import PhotoNotFound
from settlement.ports.photos import PhotoSource

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
else:
    S3Client = Any

T = TypeVar("T")
Encryption = Literal["AES256", "aws:kms"]

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def build_s3_client(*, endpoint_url: str | None = None, region_name: str | None = None) -> S3Client:
    """Build the one S3 client of the process (clients are thread-safe, sessions are not).

    Timeouts are short and retries bounded so a slow bucket fails a request instead of
    holding executor threads for minutes.
    """
    config = Config(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 3, "mode": "standard"},
        signature_version="s3v4",
    )
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url, region_name=region_name, config=config
    )


class S3PhotoStore:
    """:class:`~settlement.ports.photos.PhotoStore` on an S3 bucket.

    Args:
        client: a boto3 S3 client, built once at start-up (see :func:`build_s3_client`).
        bucket: the bucket name (it must exist; the service does not create buckets).
        executor: the pool blocking boto3 calls run in.
        prefix: optional key prefix inside the bucket (e.g. ``"evidence/"``).
        server_side_encryption: ``"AES256"`` (SSE-S3) or ``"aws:kms"``.
    """

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        *,
        executor: ThreadPoolExecutor,
        prefix: str = "",
        server_side_encryption: Encryption = "AES256",
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._executor = executor
        self._prefix = prefix
        self._sse = server_side_encryption

    async def _run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: func(*args, **kwargs))

    def _key(self, key: str) -> str:
        return self._prefix + validate_key(key)

    async def put(self, key: str, data: PhotoSource, *, content_type: str) -> None:
        await self._run(self._put_sync, self._key(key), data, content_type)

    def _put_sync(self, key: str, data: PhotoSource, content_type: str) -> None:
        body = data if isinstance(data, bytes) else Path(data).read_bytes()
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            ServerSideEncryption=self._sse,
            ChecksumSHA256=digest,
        )

    async def get(self, key: str) -> bytes:
        return await self._run(self._get_sync, self._key(key), key)

    def _get_sync(self, object_key: str, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=object_key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise PhotoNotFound("Photo not found.", key=key) from None
            raise
        body = response["Body"]
        try:
            data: bytes = body.read()
        finally:
            body.close()
        return data

    async def open_stream(self, key: str, *, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        object_key = self._key(key)
        try:
            response = await self._run(self._client.get_object, Bucket=self._bucket, Key=object_key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise PhotoNotFound("Photo not found.", key=key) from None
            raise
        body = response["Body"]
        try:
            while chunk := await self._run(body.read, chunk_size):
                yield chunk
        finally:
            await self._run(body.close)

    async def exists(self, key: str) -> bool:
        object_key = self._key(key)
        try:
            await self._run(self._client.head_object, Bucket=self._bucket, Key=object_key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise
        return True

    async def delete(self, key: str) -> None:
        # DeleteObject succeeds for missing keys, which is the port's contract.
        await self._run(self._client.delete_object, Bucket=self._bucket, Key=self._key(key))

    async def presigned_url(self, key: str, expires_s: int) -> str | None:
        object_key = self._key(key)
        url: str = await self._run(
            self._client.generate_presigned_url,
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": object_key,
                "ResponseContentDisposition": "attachment",
            },
            ExpiresIn=expires_s,
        )
        return url
