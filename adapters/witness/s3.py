"""A witness bucket: one S3 object per signed checkpoint, written once, and the latest head.

Keys, under an optional prefix: ``checkpoint-<number, 12 digits>.json`` for each checkpoint
(written with ``If-None-Match: *``, so S3 itself refuses to replace one) and ``head.json``,
the newest checkpoint again, replaced each time. Put the bucket in another account than the
database's operators, ideally with S3 Object Lock (compliance mode) and versioning, so that
neither checkpoints nor earlier heads can be rewritten unnoticed.

boto3 is blocking: every call runs in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from settlement.errors import AlreadyExists

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
else:
    S3Client = Any

PREFIX, SUFFIX = "checkpoint-", ".json"
HEAD = "head.json"
_EXISTS = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"})
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
_READERS = 8
"""Checkpoint objects fetched at once when listing (verification reads them all)."""


class S3Witness:
    """:class:`~settlement.ports.audit.Witness` on an S3 bucket.

    Args:
        client: a boto3 S3 client (built once by the composition root).
        bucket: the bucket (it must exist; the service does not create buckets).
        prefix: key prefix inside the bucket, e.g. ``"audit/"``.
    """

    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def key(self, number: int) -> str:
        return f"{self._prefix}{PREFIX}{number:012d}{SUFFIX}"

    async def put(self, number: int, checkpoint: Mapping[str, Any]) -> None:
        body = json.dumps(dict(checkpoint), ensure_ascii=False, sort_keys=True).encode()
        await asyncio.to_thread(self._put, number, body)

    def _put(self, number: int, body: bytes) -> None:
        try:
            self._client.put_object(Bucket=self._bucket, Key=self.key(number), Body=body,
                                    ContentType="application/json",
                                    IfNoneMatch="*")  # fmt: skip
        except ClientError as exc:
            if _code(exc) in _EXISTS:
                raise AlreadyExists("This checkpoint was already witnessed.",
                                    number=number) from None  # fmt: skip
            raise
        # Only after the write-once object exists: a head never names a missing checkpoint.
        self._client.put_object(Bucket=self._bucket, Key=self._prefix + HEAD, Body=body,
                                ContentType="application/json")  # fmt: skip

    async def list(self) -> Sequence[tuple[str, Mapping[str, Any] | None]]:
        return await asyncio.to_thread(self._list)

    def _list(self) -> Sequence[tuple[str, Mapping[str, Any] | None]]:
        numbered: list[tuple[int, str]] = []
        pages = self._client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self._bucket, Prefix=self._prefix + PREFIX):
            for item in page.get("Contents", []):
                key = item.get("Key", "")
                digits = key.removeprefix(self._prefix + PREFIX).removesuffix(SUFFIX)
                if key.endswith(SUFFIX) and digits.isdigit():
                    numbered.append((int(digits), key))
        numbered.sort()
        with ThreadPoolExecutor(max_workers=_READERS) as pool:
            bodies = list(pool.map(self._read, [key for _, key in numbered]))
        return [(str(number), data) for (number, _), data in zip(numbered, bodies, strict=True)]

    async def head(self) -> Mapping[str, Any] | None:
        """The latest head as written; {} when it is missing or unreadable."""
        return await asyncio.to_thread(self._head)

    def _head(self) -> Mapping[str, Any]:
        try:
            raw = self._client.get_object(Bucket=self._bucket, Key=self._prefix + HEAD)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return {}
            raise
        return _parsed(raw["Body"].read())

    def _read(self, key: str) -> Mapping[str, Any] | None:
        try:
            raw = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None  # deleted between listing and reading: unreadable
            raise
        return _parsed(raw["Body"].read()) or None


def _parsed(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
