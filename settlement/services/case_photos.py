"""Scene photos of a case, as the parties upload and read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from settlement.domain.case import Case, CaseStatus
from settlement.domain.evidence import (
    CaptureContext,
    PhotoChecklist,
    PhotoRecord,
    PhotoSlot,
    party_may_read_original,
    party_may_see,
)
from settlement.domain.geo import GeoPoint
from settlement.errors import IllegalTransition, InvalidInput, NotPermitted, PhotoNotFound
from settlement.ports.identity import Clock
from settlement.ports.photos import PhotoRepository, PhotoStore
from settlement.services.evidence import EvidenceService, IngestPhoto
from settlement.services.intake import CaseIntake

PHOTO_STATES = frozenset(
    {
        CaseStatus.AWAITING_PARTY,
        CaseStatus.COLLECTING,
        CaseStatus.STATEMENTS_COMPLETE,
        CaseStatus.LIABILITY_PROPOSED,
    }
)
"""Photos are taken at the scene, before anyone has decided on them."""


@dataclass(frozen=True, slots=True)
class PhotoUpload:
    """What the mini-program sends with ``wx.uploadFile`` besides the file itself."""

    slot: str
    upload_id: str
    captured_at: datetime | None
    location: GeoPoint | None
    nonce: str | None
    content_type: str | None


Variant = Literal["thumbnail", "original", "privacy"]


class CasePhotos:
    """Upload, list and read a case's photos; only the case's parties may."""

    def __init__(
        self,
        *,
        intake: CaseIntake,
        evidence: EvidenceService,
        photos: PhotoRepository,
        store: PhotoStore,
        clock: Clock,
    ) -> None:
        self._intake = intake
        self._evidence = evidence
        self._photos = photos
        self._store = store
        self._clock = clock

    async def upload(
        self, user_id: str, case_id: str, upload: PhotoUpload, source_path: Path
    ) -> tuple[PhotoRecord, PhotoChecklist]:
        """Ingest one photo for the uploading party.

        Raises:
            CaseNotFound: not a party of this case.
            IllegalTransition: the case no longer takes photos.
            InvalidInput: unknown slot.
            and every error of :meth:`EvidenceService.ingest`.
        """
        case = await self._intake.get(user_id, case_id)
        if case.status not in PHOTO_STATES:
            raise IllegalTransition(
                f"Photos can no longer be added to a case that is {case.status.value}.",
                status=case.status.value,
            )
        try:
            slot = PhotoSlot(upload.slot)
        except ValueError:
            raise InvalidInput(
                "slot must be one of: " + ", ".join(s.value for s in PhotoSlot) + ".",
                field="slot",
            ) from None
        record = await self._evidence.ingest(
            IngestPhoto(
                case_id=case.id,
                party=case.require_party(user_id),
                slot=slot,
                uploader=user_id,
                upload_id=upload.upload_id,
                source=source_path,
                context=self._context(case, upload),
                declared_content_type=upload.content_type,
            )
        )
        return record, await self._evidence.checklist(case.id, tuple(case.parties))

    async def list(
        self, user_id: str, case_id: str
    ) -> tuple[Sequence[PhotoRecord], PhotoChecklist]:
        case = await self._intake.get(user_id, case_id)
        reader = case.require_party(user_id)
        records = [
            record
            for record in await self._photos.list_for_case(case.id)
            if party_may_see(record.slot, record.party, reader)
        ]
        return records, await self._evidence.checklist(case.id, tuple(case.parties))

    async def read(
        self, user_id: str, case_id: str, photo_id: str, variant: Variant
    ) -> tuple[bytes, str]:
        """The bytes of one photo of the user's case and their content type."""
        case = await self._intake.get(user_id, case_id)
        reader = case.require_party(user_id)
        for record in await self._photos.list_for_case(case.id):
            if record.photo_id == photo_id and party_may_see(record.slot, record.party, reader):
                if variant == "original":
                    if not party_may_read_original(record.party, reader):
                        raise NotPermitted(
                            "The other party's photos are shared as privacy copies only: "
                            "ask for the 'privacy' or 'thumbnail' variant.",
                            photo_id=photo_id,
                        )
                    return await self._store.get(record.original_key), record.facts.content_type
                key = record.thumbnail_key if variant == "thumbnail" else record.privacy_key
                return await self._store.get(key), "image/jpeg"
        raise PhotoNotFound("No such photo in this case.", photo_id=photo_id)

    def _context(self, case: Case, upload: PhotoUpload) -> CaptureContext:
        return CaptureContext(
            reported_at=case.scene.occurred_at,
            received_at=self._clock.now(),
            reported_place=case.scene.location,
            client_captured_at=upload.captured_at,
            client_location=upload.location,
            expected_nonce=case.capture_nonce,
            presented_nonce=upload.nonce,
        )
