"""Photo evidence: what a scene photo is for, what extraction found in it, and the verdict.

Extraction (decoding, EXIF, hashing) happens in an adapter; this module only judges the
facts it is handed. The rules follow the national 12123 quick-handling flow (交管12123
"事故快处"): the photos are taken at the scene, at the time of the accident, and show the
side-front, side-rear and point of collision plus both plates (3 to 6 scene photos).

Nothing here rejects a photo merely for lacking metadata: WeChat's compressed upload
path strips EXIF from most photos, so missing EXIF is a flag for the police reviewer,
never a refusal. Rejections are kept for facts that make a photo unusable as evidence
(taken long before the accident, far away from the reported place, or carrying a
payload that is not a photo).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from settlement.domain.geo import GeoPoint, haversine_m
from settlement.domain.timeline import plausible_instant

__all__ = [
    "CASE_SLOTS",
    "DOCUMENT_SLOTS",
    "PARTY_SLOTS",
    "CaptureContext",
    "DuplicateMatch",
    "EvidenceLimits",
    "GeoPoint",
    "Outcome",
    "PhotoChecklist",
    "PhotoFacts",
    "PhotoRecord",
    "PhotoReuse",
    "PhotoSlot",
    "PhotoVerdict",
    "Reason",
    "declared_type_matches",
    "hamming",
    "haversine_m",
    "judge_photo",
    "partner_may_receive",
    "photo_reuse",
    "required_photo_checklist",
]

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


class PhotoSlot(enum.StrEnum):
    """Which required view a photo is meant to fill (what the mini-program asked for)."""

    SIDE_FRONT = "side_front"  # 侧前方: both vehicles from the side-front
    SIDE_REAR = "side_rear"  # 侧后方: both vehicles from the side-rear
    COLLISION_POINT = "collision_point"  # 碰撞部位: close-up of where the vehicles touched
    OWN_PLATE = "own_plate"  # the uploading party's number plate
    OTHER_PLATE = "other_plate"  # the other party's number plate
    LICENCE = "licence"  # 驾驶证 (document, not a scene photo)
    REGISTRATION = "registration"  # 行驶证 (document, not a scene photo)
    SCENE_OVERVIEW = "scene_overview"  # wider view showing road markings and signals
    OTHER = "other"


CASE_SLOTS: frozenset[PhotoSlot] = frozenset(
    {PhotoSlot.SIDE_FRONT, PhotoSlot.SIDE_REAR, PhotoSlot.COLLISION_POINT}
)
"""Needed once per case; either party may take them (12123 lets one party record)."""

PARTY_SLOTS: frozenset[PhotoSlot] = frozenset({PhotoSlot.OWN_PLATE, PhotoSlot.OTHER_PLATE})
"""Needed from every party: both plates seen from each side tie both drivers to one scene."""

DOCUMENT_SLOTS: frozenset[PhotoSlot] = frozenset({PhotoSlot.LICENCE, PhotoSlot.REGISTRATION})
"""Identity documents: not scene photos, so they do not count towards the 3–6 limit."""

_NOT_SCENE_VIEWS = DOCUMENT_SLOTS | PARTY_SLOTS
"""Slots that do not count towards the 3–6 scene photos (documents and plates)."""


def party_may_see(slot: PhotoSlot, owner: str, reader: str) -> bool:
    """Whether party ``reader`` may see a photo party ``owner`` took, in any form.

    Licence and registration photos show the full ID number and address: sensitive
    personal information (PIPL arts. 28–29) the other party does not need to settle
    (art. 6, minimum necessary), so they go to their owner and to staff only.
    """
    return owner == reader or slot not in DOCUMENT_SLOTS


def partner_may_receive(slot: PhotoSlot) -> bool:
    """Whether insurers and the mediation platform receive a photo (as a privacy copy).

    They get the scene, damage and plate photos they assess and mediate on; licence and
    registration photos (full ID number, address) go to their owner and to staff only
    (PIPL art. 6, minimum necessary): insurers hold the policyholder's identity from the
    policy, and the claim names the driver and plate already.
    """
    return slot not in DOCUMENT_SLOTS


def party_may_read_original(owner: str, reader: str) -> bool:
    """Only the photo's own party gets the original; the other party gets privacy copies.

    The original keeps its EXIF (owner name, phone model serial, exact GPS): personal
    information of the uploader that the re-encoded privacy copy drops (PIPL art. 6).
    """
    return owner == reader


MIN_SCENE_PHOTOS = 3
MAX_SCENE_PHOTOS = 6


class Outcome(enum.IntEnum):
    """Ordered so that the verdict of several reasons is simply the maximum."""

    PASS = 0  # usable as is
    FLAG = 1  # stored and shown to the police reviewer with the reasons
    REJECT = 2  # refused: nothing is stored and the user is asked to retake it

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Reason:
    """One finding, with a stable code for clients and text for people."""

    code: str
    outcome: Outcome
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class PhotoVerdict:
    outcome: Outcome
    reasons: tuple[Reason, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    @classmethod
    def of(cls, reasons: Iterable[Reason]) -> PhotoVerdict:
        collected = tuple(reasons)
        outcome = max((r.outcome for r in collected), default=Outcome.PASS)
        return cls(outcome=outcome, reasons=collected)


@dataclass(frozen=True, slots=True)
class PhotoFacts:
    """What extraction found in one uploaded file. Nothing here is a judgement.

    ``exif_captured_at`` is timezone-aware: EXIF ``OffsetTimeOriginal`` when the camera
    wrote one, otherwise China Standard Time (the service only handles Chinese cases).
    ``trailing_bytes`` counts bytes after the image's end marker; ``trailing_kind`` names a
    recognised payload there ("html", "zip", "script", "pdf", "svg"), or is None.
    """

    format: str  # "JPEG" | "PNG" | "WEBP", from the magic bytes, not the client's word
    width: int
    height: int
    byte_size: int
    sha256: str  # hex digest of the exact bytes received
    phash: int  # 64-bit perceptual hash, unsigned
    exif_present: bool
    exif_captured_at: datetime | None = None
    exif_gps: GeoPoint | None = None
    software: str | None = None  # EXIF Software or XMP CreatorTool
    make: str | None = None
    model: str | None = None
    orientation: int | None = None  # EXIF Orientation 1..8
    exif_error: str | None = None  # EXIF present but unreadable within the parse budget
    trailing_bytes: int = 0
    trailing_kind: str | None = None

    @property
    def content_type(self) -> str:
        return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[self.format]


@dataclass(frozen=True, slots=True)
class CaptureContext:
    """What the case and the client say about when and where the photo was taken.

    ``expected_nonce`` is the capture nonce the server issued when the case was opened; the
    mini-program shows it on the capture screen and sends it back with every photo as
    ``presented_nonce``. A mismatch suggests the photo was not taken in this session.
    """

    reported_at: datetime  # when the accident happened, as reported (aware)
    received_at: datetime  # when the server received the upload (aware)
    reported_place: GeoPoint | None = None
    client_captured_at: datetime | None = None  # wx camera time, from the client (aware)
    client_location: GeoPoint | None = None  # wx.getLocation when the shot was taken
    expected_nonce: str | None = None
    presented_nonce: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceLimits:
    """Thresholds for :func:`judge_photo`. Defaults are starting values to tune.

    A photo may be taken a little before the reported accident time (people round the
    time they report) and up to ``max_after_report`` later (the parties photograph while
    waiting); anything taken before ``hard_before_report`` is certainly an older photo.
    """

    max_before_report: timedelta = timedelta(minutes=30)
    hard_before_report: timedelta = timedelta(hours=24)
    max_after_report: timedelta = timedelta(hours=6)
    clock_skew: timedelta = timedelta(minutes=10)  # phone clocks vs server clock
    flag_distance_m: float = 300.0  # GPS fixes in cities wander by ~100 m
    reject_distance_m: float = 5_000.0
    min_width: int = 640
    min_height: int = 480
    near_duplicate_distance: int = 6  # of 64 pHash bits
    editing_software: tuple[str, ...] = (
        "photoshop",
        "lightroom",
        "gimp",
        "snapseed",
        "picsart",
        "pixlr",
        "canva",
        "affinity",
        "facetune",
        "meitu",
        "美图",
        "醒图",
        "xingtu",
        "vsco",
        "inshot",
        "paint.net",
    )
    dangerous_trailers: frozenset[str] = frozenset({"html", "script", "zip", "pdf", "svg"})


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """An earlier photo that is the same (``distance`` 0 on sha256) or looks the same."""

    photo_id: str
    case_id: str
    party: str
    sha256: str
    distance: int  # Hamming distance of the perceptual hashes; 0 for byte-identical
    exact: bool


@dataclass(frozen=True, slots=True)
class PhotoRecord:
    """One accepted (pass or flag) photo as stored."""

    photo_id: str
    case_id: str
    party: str
    slot: PhotoSlot
    uploader: str
    upload_id: str
    facts: PhotoFacts
    verdict: PhotoVerdict
    received_at: datetime
    original_key: str
    thumbnail_key: str
    privacy_key: str
    duplicates: tuple[DuplicateMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class PrivacyCopy:
    """Where a photo's privacy copy (no metadata) is kept: all partners ever get of it."""

    photo_id: str
    privacy_key: str
    received_at: datetime
    slot: PhotoSlot


@dataclass(frozen=True, slots=True)
class PhotoChecklist:
    """Which required photos are still missing for a case."""

    missing_for_case: frozenset[PhotoSlot]
    missing_by_party: Mapping[str, frozenset[PhotoSlot]]
    scene_photo_count: int
    too_few: bool
    too_many: bool

    @property
    def complete(self) -> bool:
        return (
            not self.missing_for_case
            and not any(self.missing_by_party.values())
            and not self.too_few
            and not self.too_many
        )


# --- pure helpers ---------------------------------------------------------------------


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes."""
    return (a ^ b).bit_count()


_IMAGE_TYPES = {"image/jpeg": "JPEG", "image/jpg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# What clients send when they do not know the type; the magic bytes then decide alone.
_UNSPECIFIED_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


def declared_type_matches(declared: str | None, actual_format: str) -> bool:
    """Whether a client-declared Content-Type is compatible with the sniffed format.

    A missing or generic type is compatible with anything (WeChat may send
    ``application/octet-stream``); an image type must name the real format; anything
    else (``text/html``, ``image/svg+xml``) is not.
    """
    media = (declared or "").split(";", 1)[0].strip().lower()
    if media in _UNSPECIFIED_TYPES:
        return True
    return _IMAGE_TYPES.get(media) == actual_format


# --- judgement ------------------------------------------------------------------------


def _reason(code: str, outcome: Outcome, zh: str, en: str) -> Reason:
    return Reason(code=code, outcome=outcome, zh=zh, en=en)


def _judge_time(facts: PhotoFacts, ctx: CaptureContext, limits: EvidenceLimits) -> list[Reason]:
    reasons: list[Reason] = []
    shot = facts.exif_captured_at
    if shot is None:
        return reasons
    if shot.tzinfo is None:  # defensive: extraction should already have attached a zone
        shot = shot.replace(tzinfo=CHINA_STANDARD_TIME)
    if not (plausible_instant(shot) and plausible_instant(ctx.reported_at)):
        # Nothing to compare against (a case stored before times were range-checked, or
        # a camera clock in year 1): the times say nothing, and arithmetic would overflow.
        return [
            _reason(
                "TIME_IMPLAUSIBLE",
                Outcome.FLAG,
                "照片或事故的时间不合理，无法核对拍摄时间。",
                "The photo's or the accident's time is implausible, so it cannot be checked.",
            )
        ]
    if shot < ctx.reported_at - limits.hard_before_report:
        reasons.append(
            _reason(
                "TAKEN_BEFORE_ACCIDENT",
                Outcome.REJECT,
                "照片拍摄时间早于事故发生时间，请在现场重新拍摄。",
                "The photo was taken long before the reported accident; retake it at the scene.",
            )
        )
    elif shot < ctx.reported_at - limits.max_before_report:
        reasons.append(
            _reason(
                "TIME_BEFORE_WINDOW",
                Outcome.FLAG,
                "照片拍摄时间早于报告的事故时间。",
                "The photo was taken before the reported accident time.",
            )
        )
    elif shot > ctx.received_at + limits.clock_skew:
        reasons.append(
            _reason(
                "TIME_IN_FUTURE",
                Outcome.FLAG,
                "照片拍摄时间晚于上传时间，手机时钟可能不准。",
                "The photo's capture time is after it was received; the phone clock may be wrong.",
            )
        )
    elif shot > ctx.reported_at + limits.max_after_report:
        reasons.append(
            _reason(
                "TIME_AFTER_WINDOW",
                Outcome.FLAG,
                "照片拍摄时间距事故时间过久。",
                "The photo was taken long after the reported accident time.",
            )
        )
    if (
        ctx.client_captured_at is not None
        and abs(shot - ctx.client_captured_at) > limits.clock_skew
    ):
        reasons.append(
            _reason(
                "TIME_MISMATCH_CLIENT",
                Outcome.FLAG,
                "照片内的拍摄时间与小程序记录的拍摄时间不一致。",
                "The time in the photo differs from the capture time the app recorded.",
            )
        )
    return reasons


def _judge_place(
    label: str, point: GeoPoint, ctx: CaptureContext, limits: EvidenceLimits
) -> list[Reason]:
    if ctx.reported_place is None:
        return []
    distance = haversine_m(point, ctx.reported_place)
    if distance > limits.reject_distance_m and label == "EXIF":
        return [
            _reason(
                "FAR_FROM_SCENE",
                Outcome.REJECT,
                f"照片拍摄地点距报告的事故地点约 {distance / 1000:.1f} 公里，请在现场重新拍摄。",
                f"The photo was taken about {distance / 1000:.1f} km from the reported place; "
                "retake it at the scene.",
            )
        ]
    if distance > limits.flag_distance_m:
        return [
            _reason(
                f"{label}_LOCATION_DISTANT",
                Outcome.FLAG,
                f"拍摄位置距报告的事故地点约 {distance:.0f} 米。",
                f"The capture location is about {distance:.0f} m from the reported place.",
            )
        ]
    return []


def _judge_software(facts: PhotoFacts, limits: EvidenceLimits) -> list[Reason]:
    if not facts.software:
        return []
    lowered = facts.software.lower()
    if any(name in lowered for name in limits.editing_software):
        return [
            _reason(
                "EDITING_SOFTWARE",
                Outcome.FLAG,
                f"照片经过编辑软件处理（{facts.software}）。",
                f"The photo was processed by editing software ({facts.software}).",
            )
        ]
    return []


def _judge_container(facts: PhotoFacts, limits: EvidenceLimits) -> list[Reason]:
    reasons: list[Reason] = []
    if facts.trailing_kind in limits.dangerous_trailers:
        reasons.append(
            _reason(
                "EMBEDDED_PAYLOAD",
                Outcome.REJECT,
                "图片文件末尾附带了非图片内容，请直接用相机拍摄后上传。",
                f"The file carries a {facts.trailing_kind} payload after the image data; "
                "upload the camera photo itself.",
            )
        )
    elif facts.trailing_bytes:
        # Some phones append their own data after the image (Samsung trailers, motion
        # photos), so unknown trailing bytes are worth a look but not a refusal.
        reasons.append(
            _reason(
                "TRAILING_DATA",
                Outcome.FLAG,
                "图片文件末尾有附加数据。",
                f"The file has {facts.trailing_bytes} bytes after the end of the image.",
            )
        )
    # Compare long edge with long edge so portrait photos are not penalised.
    long_edge, short_edge = max(facts.width, facts.height), min(facts.width, facts.height)
    if long_edge < limits.min_width or short_edge < limits.min_height:
        reasons.append(
            _reason(
                "LOW_RESOLUTION",
                Outcome.FLAG,
                "照片分辨率过低，可能无法看清细节。",
                f"The photo is only {facts.width}×{facts.height} pixels.",
            )
        )
    return reasons


def _judge_duplicates(duplicates: Sequence[DuplicateMatch]) -> list[Reason]:
    reasons: list[Reason] = []
    exact_cases = sorted({d.case_id for d in duplicates if d.exact})
    near_cases = sorted({d.case_id for d in duplicates if not d.exact} - set(exact_cases))
    if exact_cases:
        cases = ", ".join(exact_cases)
        reasons.append(
            _reason(
                "DUPLICATE_OF_OTHER_CASE",
                Outcome.FLAG,
                f"同一张照片已在其他案件中使用：{cases}。",
                f"The same photo was already used in another case: {cases}.",
            )
        )
    if near_cases:
        cases = ", ".join(near_cases)
        reasons.append(
            _reason(
                "NEAR_DUPLICATE_OF_OTHER_CASE",
                Outcome.FLAG,
                f"照片与其他案件中的照片高度相似：{cases}。",
                f"The photo closely resembles a photo in another case: {cases}.",
            )
        )
    return reasons


def judge_photo(
    facts: PhotoFacts,
    context: CaptureContext,
    limits: EvidenceLimits | None = None,
    duplicates: Sequence[DuplicateMatch] = (),
) -> PhotoVerdict:
    """Decide whether a photo can serve as evidence for the case it was uploaded to.

    Args:
        facts: what extraction found in the file.
        context: the case's reported time and place and what the client sent with it.
        limits: thresholds; the defaults when None.
        duplicates: earlier photos from *other* cases that are the same or look the same.

    Returns:
        The verdict: REJECT if any reason rejects, else FLAG if any reason flags, else PASS.
        The reasons are in a stable order (container, metadata, time, place, duplicates).
    """
    limits = limits or EvidenceLimits()
    reasons = _judge_container(facts, limits)
    if not facts.exif_present:
        reasons.append(
            _reason(
                "NO_EXIF",
                Outcome.FLAG,
                "照片没有拍摄信息（EXIF），无法核对拍摄时间和地点。",
                "The photo has no EXIF data, so its capture time and place cannot be checked.",
            )
        )
    elif facts.exif_error:
        reasons.append(
            _reason(
                "EXIF_UNREADABLE",
                Outcome.FLAG,
                "照片的拍摄信息（EXIF）无法读取。",
                f"The photo's EXIF data could not be read ({facts.exif_error}).",
            )
        )
    reasons += _judge_software(facts, limits)
    reasons += _judge_time(facts, context, limits)
    if facts.exif_gps is not None:
        reasons += _judge_place("EXIF", facts.exif_gps, context, limits)
    if context.client_location is not None:
        reasons += _judge_place("CLIENT", context.client_location, context, limits)
    if context.expected_nonce is not None and context.presented_nonce != context.expected_nonce:
        reasons.append(
            _reason(
                "NONCE_MISMATCH",
                Outcome.FLAG,
                "照片未附带本案件的拍摄校验码，可能不是在本次报案中拍摄的。",
                "The photo did not come with this case's capture nonce; it may not have been "
                "taken during this report.",
            )
        )
    reasons += _judge_duplicates(duplicates)
    return PhotoVerdict.of(reasons)


# --- checklist ------------------------------------------------------------------------


def required_photo_checklist(
    slots_uploaded_by_party: Mapping[str, Collection[PhotoSlot]],
    parties: Iterable[str] = (),
) -> PhotoChecklist:
    """Work out which required photos a case still lacks.

    The requirement, following the 12123 quick-handling flow:

    * per case, from any party: ``side_front``, ``side_rear``, ``collision_point``;
    * per party: ``own_plate`` and ``other_plate``;
    * per case: between 3 and 6 scene photos in total (views of the scene: every slot
      except the plates and the ``licence``/``registration`` documents, duplicates
      included). Plates identify the vehicles: each party must give two, so counting
      them would put every two-party case over the limit.

    Args:
        slots_uploaded_by_party: for each party label, the slots of its accepted photos
            (a list with repeats when a party uploaded several photos for one slot).
        parties: parties that must be present even if they uploaded nothing yet.

    Returns:
        The missing slots per case and per party, the scene photo count and whether it
        is below 3 or above 6.
    """
    all_parties = sorted(set(parties) | set(slots_uploaded_by_party))
    uploaded_anywhere: set[PhotoSlot] = set()
    scene_count = 0
    for slots in slots_uploaded_by_party.values():
        uploaded_anywhere.update(slots)
        scene_count += sum(1 for slot in slots if slot not in _NOT_SCENE_VIEWS)
    missing_by_party = {
        party: frozenset(PARTY_SLOTS - set(slots_uploaded_by_party.get(party, ())))
        for party in all_parties
    }
    return PhotoChecklist(
        missing_for_case=frozenset(CASE_SLOTS - uploaded_anywhere),
        missing_by_party=missing_by_party,
        scene_photo_count=scene_count,
        too_few=scene_count < MIN_SCENE_PHOTOS,
        too_many=scene_count > MAX_SCENE_PHOTOS,
    )


# --- reuse across cases (the fraud gate) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhotoReuse:
    """Which other cases a case's photos come from.

    An exact copy (same bytes) of another case's photo cannot be evidence of this accident:
    the case may not be settled by the parties alone and goes to a reviewer. A near copy
    (perceptual hash close) may be a second shot of a similar scene, so it only flags.
    """

    exact_cases: tuple[str, ...]
    near_cases: tuple[str, ...]

    @property
    def blocks_self_negotiation(self) -> bool:
        return bool(self.exact_cases)

    def referral(self) -> dict[str, object]:
        """Why the case went to the police, as kept with the proposal."""
        cases = "、".join(self.exact_cases)
        return {
            "code": "photo_reused",
            "blocking": True,
            "cases": list(self.exact_cases),
            "zh": f"本案照片与其他案件（{cases}）的照片完全相同，不得自行协商，须由交警审核。",
            "en": f"A photo of this case is an exact copy of one in {', '.join(self.exact_cases)}"
            "; the parties may not settle it themselves and a reviewer must decide.",
        }


def photo_reuse(photos: Iterable[PhotoRecord]) -> PhotoReuse:
    """The other cases whose photos this case's photos copy exactly or nearly."""
    exact: set[str] = set()
    near: set[str] = set()
    for record in photos:
        for match in record.duplicates:
            if match.case_id == record.case_id:
                continue
            (exact if match.exact else near).add(match.case_id)
    return PhotoReuse(tuple(sorted(exact)), tuple(sorted(near - exact)))
