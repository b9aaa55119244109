"""Evidence intake: take one uploaded scene photo from spooled file to stored record."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from settlement.domain.audit import AuditEvent
from settlement.domain.evidence import (
    CaptureContext,
    DuplicateMatch,
    EvidenceLimits,
    Outcome,
    PhotoChecklist,
    PhotoFacts,
    PhotoRecord,
    PhotoSlot,
    declared_type_matches,
    judge_photo,
    required_photo_checklist,
)
from settlement.errors import (
    AlreadyExists,
    IdempotencyKeyReused,
    PhotoRejected,
    UnsupportedMediaType,
)
from settlement.ports.claims import UnitOfWork
from settlement.ports.photos import PhotoInspector, PhotoRepository, PhotoSource, PhotoStore
from settlement.services.audit import AuditTrail

_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True, slots=True)
class IngestPhoto:
    """One photo upload, as the HTTP layer hands it over.

    ``source`` is the spooled temp file the body was streamed into; the caller owns it
    and deletes it after :meth:`EvidenceService.ingest` returns or raises.
    """

    case_id: str
    party: str  # "A" or "B"
    slot: PhotoSlot
    uploader: str  # the authenticated principal (e.g. the WeChat openid's account id)
    upload_id: str  # client-generated, one per photo, reused on retries
    source: PhotoSource
    context: CaptureContext
    declared_content_type: str | None = None


def photo_keys(facts: PhotoFacts) -> tuple[str, str, str]:
    """Content-addressed store keys: original, thumbnail and privacy copy.

    Keys derive from the original's SHA-256, so a repeated upload rewrites nothing new
    and a key can never be chosen by a client.
    """
    digest = facts.sha256
    shard = f"{digest[:2]}/{digest[2:4]}"
    return (
        f"originals/{shard}/{digest}.{_EXTENSIONS[facts.format]}",
        f"thumbnails/{shard}/{digest}.jpg",
        f"privacy/{shard}/{digest}.jpg",
    )


def _merge_duplicates(
    exact: Sequence[DuplicateMatch], near: Sequence[DuplicateMatch]
) -> tuple[DuplicateMatch, ...]:
    seen = {match.photo_id for match in exact}
    return tuple(exact) + tuple(match for match in near if match.photo_id not in seen)


class EvidenceService:
    """Accepts, judges and stores scene photos.

    Args:
        inspector: reads uploads without trusting them.
        store: where originals and derived copies go.
        repository: photo records and the duplicate indexes.
        limits: thresholds for the evidence rules.
        new_id: photo id factory (injectable for tests).
        uow / audit: when given, a new photo's record and its ``photo.upload`` audit entry
            commit in one transaction.
    """

    def __init__(
        self,
        inspector: PhotoInspector,
        store: PhotoStore,
        repository: PhotoRepository,
        *,
        limits: EvidenceLimits | None = None,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        uow: UnitOfWork | None = None,
        audit: AuditTrail | None = None,
    ) -> None:
        self._uow = uow
        self._audit = audit
        self._inspector = inspector
        self._store = store
        self._repository = repository
        self._limits = limits or EvidenceLimits()
        self._new_id = new_id

    async def ingest(self, cmd: IngestPhoto) -> PhotoRecord:
        """Inspect, judge and store one photo; idempotent on ``(uploader, upload_id)``.

        A retry with an upload id already seen returns the first record and stores
        nothing. Exact and near duplicates are looked up in *other* cases only, and
        reported in the verdict naming the case they came from. A rejected photo leaves
        no trace in the store or the repository.

        Args:
            cmd: the upload and its context.

        Returns:
            The stored record (verdict PASS or FLAG).

        Raises:
            IdempotencyKeyReused: the upload id was already used for another case, party
                or slot.
            EmptyUpload, PayloadTooLarge, UnsupportedMediaType, ImageTooLarge,
                CorruptImage: from inspection (see ``PhotoInspector.inspect``).
            UnsupportedMediaType: the declared Content-Type contradicts the real format.
            PhotoRejected: the evidence rules reject the photo; ``details["reasons"]``
                lists code, zh and en for each reason.
        """
        earlier = await self._repository.find_by_upload_id(cmd.uploader, cmd.upload_id)
        if earlier is not None:
            if (earlier.case_id, earlier.party, earlier.slot) != (cmd.case_id, cmd.party, cmd.slot):
                raise IdempotencyKeyReused(
                    "This upload id was already used for a different photo.",
                    upload_id=cmd.upload_id,
                )
            return earlier

        facts = await self._inspector.inspect(cmd.source)
        if not declared_type_matches(cmd.declared_content_type, facts.format):
            raise UnsupportedMediaType(
                "The declared content type does not match the file.",
                declared=(cmd.declared_content_type or "")[:100],
                actual=facts.content_type,
            )

        exact, near = await asyncio.gather(
            self._repository.find_exact(facts.sha256, exclude_case=cmd.case_id),
            self._repository.find_near(
                facts.phash, self._limits.near_duplicate_distance, exclude_case=cmd.case_id
            ),
        )
        duplicates = _merge_duplicates(exact, near)
        verdict = judge_photo(facts, cmd.context, self._limits, duplicates)
        if verdict.outcome is Outcome.REJECT:
            rejecting = [r for r in verdict.reasons if r.outcome is Outcome.REJECT]
            raise PhotoRejected(
                " ".join(r.en for r in rejecting),
                reasons=[{"code": r.code, "zh": r.zh, "en": r.en} for r in rejecting],
            )

        derived = await self._inspector.derive(cmd.source, facts)
        original_key, thumbnail_key, privacy_key = photo_keys(facts)
        await asyncio.gather(
            self._put_original(original_key, cmd.source, facts.content_type),
            self._store.put(thumbnail_key, derived.thumbnail, content_type=derived.content_type),
            self._store.put(privacy_key, derived.privacy_copy, content_type=derived.content_type),
        )
        record = PhotoRecord(
            photo_id=self._new_id(),
            case_id=cmd.case_id,
            party=cmd.party,
            slot=cmd.slot,
            uploader=cmd.uploader,
            upload_id=cmd.upload_id,
            facts=facts,
            verdict=verdict,
            received_at=cmd.context.received_at,
            original_key=original_key,
            thumbnail_key=thumbnail_key,
            privacy_key=privacy_key,
            duplicates=duplicates,
        )
        return await self._keep(record)

    async def _keep(self, record: PhotoRecord) -> PhotoRecord:
        """Store the record, with its audit entry in the same transaction when wired."""
        if self._uow is None or self._audit is None:
            return await self._repository.record(record)
        event = AuditEvent(
            actor=f"driver:{record.uploader}", actor_kind="driver", role=f"party_{record.party}",
            action="photo.upload", case_id=record.case_id,
            details={"photo_id": record.photo_id, "slot": record.slot.value},
        )  # fmt: skip
        try:
            async with self._uow.transaction() as tx:
                await self._repository.record(record, tx=tx)
                await self._audit.record(event, tx=tx)
        except AlreadyExists:
            # A retry of the same upload committed first: its record is the answer.
            earlier = await self._repository.find_by_upload_id(record.uploader, record.upload_id)
            if earlier is None:
                raise
            return earlier
        return record

    async def _put_original(self, key: str, source: PhotoSource, content_type: str) -> None:
        # Content-addressed: identical bytes are already there, skip rewriting megabytes.
        if not await self._store.exists(key):
            await self._store.put(key, source, content_type=content_type)

    async def checklist(self, case_id: str, parties: Iterable[str] = ("A", "B")) -> PhotoChecklist:
        """Which required photos the case still lacks (see ``required_photo_checklist``).

        Args:
            case_id: the case.
            parties: the case's party labels, so a party with no photo yet is listed.
        """
        uploaded: dict[str, list[PhotoSlot]] = {}
        for photo in await self._repository.list_for_case(case_id):
            uploaded.setdefault(photo.party, []).append(photo.slot)
        return required_photo_checklist(uploaded, parties)
