"""Ports for photo evidence: byte storage, image inspection and the photo records."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from settlement.domain.evidence import DuplicateMatch, PhotoFacts, PhotoRecord, PrivacyCopy
from settlement.ports.outbox import Transaction

PhotoSource = Path | bytes
"""An upload as the HTTP layer hands it over: a spooled temp file, or bytes in tests."""


@dataclass(frozen=True, slots=True)
class DerivedImages:
    """Copies made from an original; both are freshly encoded JPEGs without metadata."""

    thumbnail: bytes  # small preview for lists
    privacy_copy: bytes  # for insurers and mediators: no EXIF, XMP, GPS or appended data
    content_type: str = "image/jpeg"


class PhotoStore(Protocol):
    """Opaque byte storage for originals and derived copies, addressed by key.

    Keys are ``/``-separated relative paths chosen by the service (never by a client).
    """

    async def put(self, key: str, data: PhotoSource, *, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing what was there, atomically.

        Raises:
            InvalidInput: ``key`` is not a safe relative key.
        """
        ...

    async def get(self, key: str) -> bytes:
        """Return the whole object.

        Raises:
            PhotoNotFound: nothing is stored under ``key``.
        """
        ...

    def open_stream(self, key: str, *, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        """Yield the object in chunks, for serving large originals without buffering.

        Raises:
            PhotoNotFound: nothing is stored under ``key`` (on first iteration).
        """
        ...

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        ...

    async def presigned_url(self, key: str, expires_s: int) -> str | None:
        """A time-limited direct download link, or None if the backend has none.

        Callers fall back to serving bytes through an authorised handler on None.
        """
        ...


class PhotoInspector(Protocol):
    """Reads an uploaded file without trusting it."""

    async def inspect(self, source: PhotoSource) -> PhotoFacts:
        """Sniff, bound, hash and extract metadata from an upload.

        Raises:
            EmptyUpload: the file has no bytes.
            PayloadTooLarge: the file is bigger than the configured byte limit.
            UnsupportedMediaType: the bytes are not JPEG, PNG or WebP (whatever the name
                or declared type says).
            ImageTooLarge: the header declares more pixels than allowed (no pixel of the
                image is decoded in that case).
            CorruptImage: the image is truncated or cannot be decoded.
        """
        ...

    async def derive(self, source: PhotoSource, facts: PhotoFacts) -> DerivedImages:
        """Make the thumbnail and the metadata-free privacy copy.

        Args:
            source: the same upload that was inspected.
            facts: what :meth:`inspect` returned for it (orientation, format).

        Raises:
            CorruptImage: the image cannot be decoded.
        """
        ...


class PhotoRepository(Protocol):
    """Persistence of photo records and the duplicate indexes over them."""

    async def record(self, photo: PhotoRecord, *, tx: Transaction | None = None) -> PhotoRecord:
        """Insert a record; idempotent on ``(uploader, upload_id)``.

        Inside ``tx`` a concurrent record with the same upload id raises ``AlreadyExists``
        instead (the transaction cannot go on after the clash; look the first one up).

        Returns:
            The stored record: ``photo`` itself, or the record a concurrent request with
            the same upload id stored first.
        """
        ...

    async def find_by_upload_id(self, uploader: str, upload_id: str) -> PhotoRecord | None:
        """The record created by an earlier request with this upload id, if any."""
        ...

    async def find_exact(
        self, sha256: str, *, exclude_case: str | None = None
    ) -> Sequence[DuplicateMatch]:
        """Photos with byte-identical content, optionally ignoring one case."""
        ...

    async def find_near(
        self, phash: int, max_distance: int, *, exclude_case: str | None = None
    ) -> Sequence[DuplicateMatch]:
        """Photos whose perceptual hash is within ``max_distance`` bits, closest first.

        Implementations must find *every* stored hash within ``max_distance`` (no
        approximate misses) and must not scan the whole collection to do it.
        """
        ...

    async def list_for_case(self, case_id: str) -> Sequence[PhotoRecord]:
        """All records of a case, oldest first."""
        ...


class EvidenceIndex(Protocol):
    """The privacy copies of a case's photos, for what partners are shown of a case."""

    async def privacy_copies(self, case_id: str) -> Sequence[PrivacyCopy]:
        """The case's privacy copies, oldest photo first."""
        ...
