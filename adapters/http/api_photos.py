"""Scene photo upload (``wx.uploadFile`` compatible, streamed) and authorised reads."""

from __future__ import annotations

from typing import Any

import tornado.web

from adapters.http.api_cases import CASE_ID
from adapters.http.base import ApiHandler, driver
from adapters.http.multipart import MultipartSink, boundary_of
from settlement.config import Settings
from settlement.domain.evidence import PhotoChecklist, PhotoRecord, Reason
from settlement.domain.geo import GeoPoint
from settlement.errors import InvalidInput, MalformedBody, SettlementError
from settlement.services import schemas
from settlement.services.case_photos import PhotoUpload, Variant
from settlement.services.validation import parse_date_time, validate

FORM_OVERHEAD_BYTES = 64 * 1024
"""Room for the multipart headers and text fields around the image."""


@tornado.web.stream_request_body
class PhotosHandler(ApiHandler):
    """``POST /api/v1/cases/{id}/photos``: multipart, the image in the field ``file``.

    ``GET`` on the same path lists the case's photos and what is still missing.

    The body is streamed to a temporary file; a declared size over the limit is answered
    413 before any of it is read. Retrying with the same ``upload_id`` returns the first
    result and stores nothing new.
    """

    # The body is streamed, so the header key could not be checked against it: a retry is
    # recognised by the form's upload_id instead, which is bound to case, party and slot.
    header_idempotency = False
    sink: MultipartSink | None = None
    stream_error: SettlementError | None = None

    @classmethod
    def max_body_bytes(cls, settings: Settings) -> int:
        return settings.max_photo_bytes + FORM_OVERHEAD_BYTES

    async def prepare(self) -> None:
        super().prepare()
        if self.request.method != "POST":
            return
        # Refuse strangers before a single body byte is read.
        self.user_id = await self.services.auth.authenticate(self.bearer_token())
        self.sink = MultipartSink(
            boundary=boundary_of(self.request.headers.get("Content-Type", "")),
            file_field="file",
            max_file_bytes=self.settings_.max_photo_bytes,
        )

    def data_received(self, chunk: bytes) -> None:
        if self.sink is None or self.stream_error is not None:
            return
        try:
            self.sink.feed(chunk)
        except SettlementError as error:
            # Keep reading (and dropping) so the client gets the answer, not a reset.
            self.stream_error = error
            self.sink.discard()

    @driver
    async def post(self, case_id: str) -> None:
        if self.stream_error is not None:
            raise self.stream_error
        sink = self.sink
        assert sink is not None  # noqa: S101 - prepare() always sets it
        if not sink.finished:
            raise MalformedBody("The multipart body ended early.")
        if sink.file_path is None:
            raise InvalidInput("Put the image in the form field 'file'.", field="file")
        upload = _upload_from(sink)
        record, checklist = await self.services.photos.upload(
            self.user_id, case_id, upload, sink.file_path
        )
        self.respond({"photo": photo_view(record), "checklist": checklist_view(checklist)}, 201)

    @driver
    async def get(self, case_id: str) -> None:
        records, checklist = await self.services.photos.list(self.user_id, case_id)
        self.respond(
            {"photos": [photo_view(r) for r in records], "checklist": checklist_view(checklist)}
        )

    def on_finish(self) -> None:
        if self.sink is not None:
            self.sink.discard()

    def on_connection_close(self) -> None:
        if self.sink is not None:
            self.sink.discard()
        # Tornado's own handler fails the pending body, which ends the request; without
        # it an aborted upload would wait for its body forever.
        super().on_connection_close()


class PhotoContentHandler(ApiHandler):
    """Photo bytes for the case's parties only; never served as static files."""

    @driver
    async def get(self, case_id: str, photo_id: str, variant: str) -> None:
        content, content_type = await self.services.photos.read(
            self.user_id, case_id, photo_id, _variant(variant)
        )
        self.set_header("Content-Type", content_type)
        self.set_header("Content-Disposition", "inline")
        self.set_header("Cache-Control", "private, max-age=300")
        self.finish(content)


def _variant(raw: str) -> Variant:
    if raw == "thumbnail":
        return "thumbnail"
    if raw == "original":
        return "original"
    return "privacy"


def _upload_from(sink: MultipartSink) -> PhotoUpload:
    """The form's text fields, checked against the schema the OpenAPI document publishes."""
    form: dict[str, object] = {**sink.fields, "file": "(streamed)"}
    for name in ("latitude", "longitude"):
        if name in form:
            form[name] = _number(sink.fields[name], name)
    validate(form, schemas.PHOTO_UPLOAD_FORM)
    captured_at = sink.fields.get("captured_at")
    return PhotoUpload(
        slot=sink.fields["slot"],
        upload_id=sink.fields["upload_id"],
        captured_at=parse_date_time(captured_at) if captured_at else None,
        location=_location(form.get("latitude"), form.get("longitude")),
        nonce=sink.fields.get("nonce") or None,
        content_type=sink.file_content_type,
    )


def _number(raw: str, name: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a number.", field=name) from None


def _location(latitude: object, longitude: object) -> GeoPoint | None:
    if latitude is None and longitude is None:
        return None
    if not isinstance(latitude, float) or not isinstance(longitude, float):
        raise InvalidInput("Send latitude and longitude together.", field="latitude")
    return GeoPoint(latitude, longitude)


def photo_view(record: PhotoRecord) -> dict[str, Any]:
    """A photo as its own party sees it: reuse is reported, the other case is not named."""
    return {
        "id": record.photo_id,
        "party": record.party,
        "slot": record.slot.value,
        "sha256": record.facts.sha256,
        "received_at": record.received_at.isoformat(),
        "verdict": record.verdict.outcome.label,
        "reasons": [_reason_for_party(r) for r in record.verdict.reasons],
        "reused_elsewhere": bool(record.duplicates),
    }


_REUSE_CODES = frozenset({"DUPLICATE_OF_OTHER_CASE", "NEAR_DUPLICATE_OF_OTHER_CASE"})


def _reason_for_party(reason: Reason) -> dict[str, str]:
    if reason.code in _REUSE_CODES:
        # The reviewer sees which case; a driver must not learn other cases' ids.
        return {
            "code": reason.code,
            "outcome": reason.outcome.label,
            "zh": "这张照片与另一起事故中的照片相同或高度相似，交警将进行核查。",
            "en": "This photo matches a photo from another accident; the police will check it.",
        }
    return {"code": reason.code, "outcome": reason.outcome.label, "zh": reason.zh, "en": reason.en}


def checklist_view(checklist: PhotoChecklist) -> dict[str, Any]:
    return {
        "complete": checklist.complete,
        "missing_for_case": sorted(s.value for s in checklist.missing_for_case),
        "missing_by_party": {
            party: sorted(s.value for s in slots)
            for party, slots in sorted(checklist.missing_by_party.items())
        },
        "scene_photo_count": checklist.scene_photo_count,
        "too_few": checklist.too_few,
        "too_many": checklist.too_many,
    }


PHOTO_ID = r"([0-9a-f]{32})"

routes: list[tuple[str, type[ApiHandler], dict[str, Any] | None]] = [
    (rf"/api/v1/cases/{CASE_ID}/photos", PhotosHandler, None),
    (
        rf"/api/v1/cases/{CASE_ID}/photos/{PHOTO_ID}/(thumbnail|original|privacy)",
        PhotoContentHandler,
        None,
    ),
]
