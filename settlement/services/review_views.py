"""What the reviewer sees: the queue, search and history, the review page, photos and the
issued document, and reveals of masked fields (each read is audited)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from settlement.domain.agreement import determination_content
from settlement.domain.case import Case, PartyDetails, Statement
from settlement.domain.evidence import PhotoRecord, PhotoSlot
from settlement.domain.geo import haversine_m
from settlement.domain.jurisdiction import district_name, issuing_authority
from settlement.domain.privacy import mask_document_number, mask_id_number, mask_phone
from settlement.domain.staff import (
    StaffSession,
)
from settlement.errors import (
    CaseNotFound,
    InvalidInput,
    NotFound,
    PhotoNotFound,
)
from settlement.services.audit import RequestOrigin
from settlement.services.review_access import (
    ReviewBase,
    content_hash,
    engine_levels,
    staff_event,
    valid_reason,
)

QUEUE_LIMIT = 200
SEARCH_LIMIT = 100
CHINA = timezone(timedelta(hours=8))
_CASE_ID = re.compile(r"C[0-9A-Z]{1,40}")
REVEALABLE = ("id_number", "phone", "licence_number", "policy_number")


@dataclass(frozen=True, slots=True)
class QueueItem:
    case: Case
    waiting: timedelta
    sla_left: timedelta
    why: Sequence[WhyItem] = ()
    """Why the case is here (photos: only copies of other cases' photos are known here)."""

    @property
    def overdue(self) -> bool:
        return self.sla_left <= timedelta(0)


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One statement key shown for both parties, and whether their accounts conflict."""

    section: str
    key: str
    a: str
    b: str
    conflict: bool
    a_raw: object = None
    b_raw: object = None


@dataclass(frozen=True, slots=True)
class PartyView:
    label: str
    details: Mapping[str, str]  # masked unless revealed
    revealed: frozenset[str]
    statement: Statement | None


@dataclass(frozen=True, slots=True)
class WhyItem:
    """One reason the case is in front of the police, for the top of the review page.

    ``code`` names a message of the console's catalogue (``why.<code>``); ``party``,
    ``words`` (a driver's own words, shown as typed), ``detail_zh``/``detail_en`` and
    ``cases`` (other cases to link) fill it in. ``blocking`` marks what must be resolved
    before anyone settles the case (an exact photo reused from another case).
    """

    code: str
    party: str = ""
    words: str = ""
    detail_zh: str = ""
    detail_en: str = ""
    cases: tuple[str, ...] = ()
    count: int = 0
    blocking: bool = False
    at: datetime | None = None
    """When the party said it (a 复核 request)."""


@dataclass(frozen=True, slots=True)
class ReconsiderationItem:
    """One party's 复核 request of a determined case, for the reviewer's queue."""

    case: Case
    party: str
    at: datetime
    reason: str
    status: str


def reconsideration_requests(case: Case) -> list[ReconsiderationItem]:
    """The parties' 复核 requests of the case's determination, earliest first."""
    asked = (case.determination or {}).get("reconsideration_requests") or {}
    items = [
        ReconsiderationItem(case, str(party), r["at"], str(r.get("reason") or ""),
                            str(r.get("status") or "pending"))
        for party, r in sorted(asked.items())
        if isinstance(r, Mapping) and isinstance(r.get("at"), datetime)
    ]  # fmt: skip
    return sorted(items, key=lambda item: item.at)


def referral_reasons(
    case: Case, rows: Sequence[StatementRow], photos: Sequence[PhotoRecord]
) -> list[WhyItem]:
    """Why the case waits for the police: a 复核 request, a decline, disputed facts, photos,
    retakes."""
    items = [WhyItem("reconsideration", party=r.party, words=r.reason, at=r.at)
             for r in reconsideration_requests(case)]  # fmt: skip
    if case.determination is None and case.revoked_determinations:
        # A 复核 revoked the determination: the supervisor's reason is why it is back.
        revoked = case.revoked_determinations[-1]
        at = revoked.get("revoked_at")
        items.append(WhyItem("redetermination", words=str(revoked.get("revoked_reason") or ""),
                             at=at if isinstance(at, datetime) else None))  # fmt: skip
    declined = (case.agreement or {}).get("declined")
    if isinstance(declined, Mapping):
        items.append(WhyItem("declined", party=str(declined.get("by", "")),
                             words=str(declined.get("reason") or "")))  # fmt: skip
    proposal = case.proposal or {}
    referral = proposal.get("referral")
    if isinstance(referral, Mapping):
        items.append(WhyItem(str(referral.get("code", "referred")),
                             detail_zh=str(referral.get("zh", "")),
                             detail_en=str(referral.get("en", "")),
                             cases=tuple(referral.get("cases") or ()),
                             blocking=bool(referral.get("blocking"))))  # fmt: skip
    for rule in proposal.get("rules") or []:
        if isinstance(rule, Mapping) and rule.get("id") == "G12":
            items.append(WhyItem("disputed", detail_zh=str(rule.get("explanation_zh", "")),
                                 detail_en=str(rule.get("explanation_en", ""))))  # fmt: skip
    proposed = engine_levels(proposal)
    if proposal.get("route") == "online_police_determination" and proposed:
        items.append(WhyItem("graded"))
    conflicts = [row for row in rows if row.conflict]
    if conflicts:
        items.append(WhyItem("conflicts", count=len(conflicts)))
    exact = sorted({d.case_id for p in photos for d in p.duplicates if d.exact})
    near = sorted({d.case_id for p in photos for d in p.duplicates if not d.exact} - set(exact))
    if exact and not (isinstance(referral, Mapping) and referral.get("code") == "photo_reused"):
        items.append(WhyItem("photo_reused", cases=tuple(exact), blocking=True))
    if near:
        items.append(WhyItem("photo_near", cases=tuple(near)))
    flagged = [p for p in photos if p.verdict.outcome.label == "flag"]
    if flagged:
        items.append(WhyItem("photo_flags", count=len(flagged)))
    requests = (case.review or {}).get("requests") or []
    if requests:
        items.append(WhyItem("retakes", count=len(requests)))
    return items


@dataclass(frozen=True, slots=True)
class ReviewView:
    case: Case
    district: str
    parties: Sequence[PartyView]
    statement_rows: Sequence[StatementRow]
    photos: Sequence[PhotoRecord]
    photos_available: bool
    proposal: Mapping[str, Any] | None
    loss: Mapping[str, Any] | None
    waiting: timedelta
    sla_left: timedelta
    claimed_by_me: bool
    slots: Sequence[str] = field(default_factory=lambda: [s.value for s in PhotoSlot])
    why: Sequence[WhyItem] = ()
    distances: Mapping[str, int] = field(default_factory=dict)
    """Metres from the reported place to where each photo says it was taken (EXIF GPS)."""


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """The issued 事故认定书 and whether it still matches the hash recorded at issue.

    ``format`` is ``pdf`` (rendered by the document service; ``content`` is None and the
    bytes come from :meth:`ReviewConsole.document_pdf`) or ``html`` (``content`` is shown
    as a page and re-hashed).
    """

    case: Case
    format: str
    sha256: str
    verified: bool
    record: Mapping[str, Any]
    content: Mapping[str, Any]


def masked_details(details: PartyDetails, revealed: frozenset[str] = frozenset()) -> dict[str, str]:
    """A party's details for the console: ID, phone and document numbers masked by default."""
    shown = {
        "name": details.name,
        "id_number": mask_id_number(details.id_number),
        "phone": mask_phone(details.phone),
        "licence_number": mask_document_number(details.licence_number),
        "licence_class": details.licence_class,
        "plate": details.plate,
        "vehicle_type": details.vehicle_type,
        "insurer_code": details.insurer_code,
        "policy_number": mask_document_number(details.policy_number),
    }
    for name in revealed:
        shown[name] = str(getattr(details, name))
    return shown


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def statement_rows(a: Statement | None, b: Statement | None) -> list[StatementRow]:
    """Both statements key by key; a row conflicts when the parties describe it differently.

    What A says about its own vehicle is compared with what B says about the other
    vehicle (and the other way round); scene keys and flags are compared directly. Only
    keys both parties state can conflict: silence is not a contradiction.
    """
    rows: list[StatementRow] = []

    def both(section: str, key: str, va: object, vb: object) -> None:
        sa, sb = _value(va), _value(vb)
        rows.append(StatementRow(section, key, sa, sb, bool(sa and sb and sa != sb), va, vb))

    sa = a or Statement({}, {}, {}, {}, "")
    sb = b or Statement({}, {}, {}, {}, "")
    for key in sorted(set(sa.own_vehicle) | set(sb.other_vehicle)):
        both("vehicle_A", key, sa.own_vehicle.get(key), sb.other_vehicle.get(key))
    for key in sorted(set(sb.own_vehicle) | set(sa.other_vehicle)):
        both("vehicle_B", key, sa.other_vehicle.get(key), sb.own_vehicle.get(key))
    for key in sorted(set(sa.location) | set(sb.location)):
        both("location", key, sa.location.get(key), sb.location.get(key))
    for key in sorted(set(sa.flags) | set(sb.flags)):
        both("flags", key, sa.flags.get(key), sb.flags.get(key))
    rows.append(StatementRow("narrative", "narrative", sa.narrative, sb.narrative, False,
                             sa.narrative, sb.narrative))
    return rows


class ReviewViews(ReviewBase):
    """The reviewer's reads."""

    async def queue(self, staff: StaffSession, origin: RequestOrigin) -> list[QueueItem]:
        """Cases waiting in the reviewer's jurisdiction, oldest first, with SLA clocks."""
        now = self._clock.now()
        cases = await self._queries.queue(staff.jurisdiction, QUEUE_LIMIT)
        await self._audit.record(
            staff_event(staff, "queue.view", origin, details={"count": len(cases)})
        )
        reused: dict[str, list[PhotoRecord]] = {}
        for photo in await self._queries.reused_photos([c.id for c in cases]) if cases else []:
            reused.setdefault(photo.case_id, []).append(photo)
        items = []
        for c in cases:
            a, b = c.parties.get("A"), c.parties.get("B")
            rows = statement_rows(a.statement if a else None, b.statement if b else None)
            items.append(QueueItem(c, now - c.queued_at, self.sla_target - (now - c.queued_at),
                                   referral_reasons(c, rows, reused.get(c.id, []))))  # fmt: skip
        return items

    async def reconsiderations(self, staff: StaffSession) -> list[ReconsiderationItem]:
        """The 复核 requests of determined cases in the reviewer's jurisdiction, earliest
        first (part of the queue page, whose view is audited)."""
        cases = await self._queries.reconsiderations(staff.jurisdiction, QUEUE_LIMIT)
        items = [item for c in cases for item in reconsideration_requests(c)
                 if item.status == "pending"]  # fmt: skip
        return sorted(items, key=lambda item: item.at)

    async def search(
        self, staff: StaffSession, query: str, day: str, origin: RequestOrigin
    ) -> list[Case]:
        """Cases of the reviewer's jurisdiction by id, plate or accident date (China time).

        Raises:
            InvalidInput: the date is not ``YYYY-MM-DD``.
        """
        text = query.strip().upper()[:40]
        case_id = text if _CASE_ID.fullmatch(text) else ""
        plate = "" if case_id else text
        since = until = None
        if day.strip():
            try:
                start = datetime.strptime(day.strip()[:10], "%Y-%m-%d").replace(tzinfo=CHINA)
            except ValueError:
                raise InvalidInput("Give the date as YYYY-MM-DD.", field="date") from None
            since, until = start, start + timedelta(days=1)
        if not (case_id or plate or since):
            return []
        found = await self._queries.search(
            staff.jurisdiction, case_id=case_id, plate=plate, since=since, until=until,
            limit=SEARCH_LIMIT,
        )  # fmt: skip
        by = "id" if case_id else "plate" if plate else "date"
        await self._audit.record(staff_event(staff, "case.search", origin,
                                             details={"by": by, "count": len(found)}))  # fmt: skip
        return list(found)

    async def history(self, staff: StaffSession, origin: RequestOrigin) -> list[Case]:
        """The most recently decided (or refused) cases of the reviewer's jurisdiction."""
        found = await self._queries.decided(staff.jurisdiction, SEARCH_LIMIT)
        await self._audit.record(staff_event(staff, "history.view", origin,
                                             details={"count": len(found)}))  # fmt: skip
        return list(found)

    async def review(
        self,
        staff: StaffSession,
        case_id: str,
        origin: RequestOrigin,
        revealed: Mapping[str, frozenset[str]] | None = None,
    ) -> ReviewView:
        """Everything the review page shows about one case (audited as ``case.view``).

        Raises:
            CaseNotFound: no such case, or not in the reviewer's jurisdiction.
        """
        case = await self._visible(staff, case_id, origin, "case.view")
        await self._audit.record(staff_event(staff, "case.view", origin, case_id=case.id))
        return await self._view(staff, case, revealed or {})

    async def _view(
        self, staff: StaffSession, case: Case, revealed: Mapping[str, frozenset[str]]
    ) -> ReviewView:
        now = self._clock.now()
        parties = [
            PartyView(
                label,
                masked_details(p.details, revealed.get(label, frozenset())) if p.details else {},
                revealed.get(label, frozenset()),
                p.statement,
            )
            for label, p in sorted(case.parties.items())
        ]
        a, b = case.parties.get("A"), case.parties.get("B")
        photos: Sequence[PhotoRecord] = []
        if self._photos is not None:
            photos = await self._photos.list_for_case(case.id)
        waiting = now - case.queued_at
        rows = statement_rows(a.statement if a else None, b.statement if b else None)
        return ReviewView(
            case=case,
            district=district_name(case.jurisdiction),
            parties=parties,
            statement_rows=rows,
            why=referral_reasons(case, rows, photos),
            distances={
                p.photo_id: round(haversine_m(p.facts.exif_gps, case.scene.location))
                for p in photos
                if p.facts.exif_gps is not None
            },
            photos=photos,
            photos_available=self._photos is not None,
            proposal=case.proposal,
            # The engine keeps its estimate inside the proposal until an assessor adds one.
            loss=case.loss or (case.proposal or {}).get("loss"),
            waiting=waiting,
            sla_left=self.sla_target - waiting,
            claimed_by_me=case.claimed_by == staff.username,
        )

    async def photo(
        self, staff: StaffSession, case_id: str, photo_id: str, size: str, origin: RequestOrigin
    ) -> tuple[bytes, str]:
        """A photo of a case: ``thumb`` (no audit entry: part of the page view) or ``full``.

        Raises:
            CaseNotFound: not the reviewer's case. PhotoNotFound: not a photo of it.
        """
        case = await self._visible(staff, case_id, origin, "photo.view")
        if self._photos is None or self._photo_store is None:
            raise PhotoNotFound("Photo evidence is not available in this installation.")
        record = next(
            (p for p in await self._photos.list_for_case(case.id) if p.photo_id == photo_id), None
        )
        if record is None:
            raise PhotoNotFound("No such photo in this case.", photo_id=photo_id[:64])
        if size == "thumb":
            return await self._photo_store.get(record.thumbnail_key), "image/jpeg"
        await self._audit.record(
            staff_event(staff, "photo.view", origin, case_id=case.id,
                         details={"photo_id": photo_id})
        )  # fmt: skip
        return await self._photo_store.get(record.original_key), record.facts.content_type

    async def document(
        self, staff: StaffSession, case_id: str, origin: RequestOrigin
    ) -> IssuedDocument:
        """The issued 事故认定书, re-hashed to show it is unchanged since issue.

        Raises:
            CaseNotFound: not the reviewer's case, or no document was issued for it.
        """
        case = await self._visible(staff, case_id, origin, "document.view")
        record = (case.determination or {}).get("document") or {}
        if not record.get("sha256"):
            raise CaseNotFound("No determination was issued for this case.", case_id=case_id)
        await self._audit.record(staff_event(staff, "document.view", origin, case_id=case.id))
        sha = str(record["sha256"])
        content = record.get("content")
        if isinstance(content, Mapping):
            return IssuedDocument(case, "html", sha, content_hash(content) == sha, record, content)
        pdf = await self._pdf(sha)
        verified = pdf is not None and (
            hashlib.sha256(pdf).hexdigest() == record.get("file_sha256")
        )
        shown = determination_content(
            case, None, issuing_authority(case.jurisdiction, self._authorities)
        )
        return IssuedDocument(case, "pdf", sha, verified, record, shown)

    async def document_pdf(
        self, staff: StaffSession, case_id: str, origin: RequestOrigin
    ) -> bytes:
        """The PDF of the issued 事故认定书 (audited as ``document.download``).

        Raises:
            CaseNotFound: not the reviewer's case, or no PDF was issued for it.
        """
        case = await self._visible(staff, case_id, origin, "document.download")
        record = (case.determination or {}).get("document") or {}
        pdf = await self._pdf(str(record.get("sha256", ""))) if record.get("sha256") else None
        if pdf is None:
            raise CaseNotFound("No PDF was issued for this case.", case_id=case_id)
        await self._audit.record(
            staff_event(staff, "document.download", origin, case_id=case.id)
        )
        return pdf

    async def _pdf(self, sha256: str) -> bytes | None:
        if self._documents is None:
            return None
        try:
            return await self._documents.pdf(sha256)
        except NotFound:
            return None

    async def reveal(
        self, staff: StaffSession, case_id: str, party: str, field_name: str, reason: str,
        origin: RequestOrigin,
    ) -> ReviewView:
        """Show one masked field in full, for a stated reason (audited as ``pii.reveal``)."""
        why = valid_reason(reason)
        if field_name not in REVEALABLE or party not in ("A", "B"):
            raise InvalidInput("This field cannot be revealed.", field="field")
        case = await self._visible(staff, case_id, origin, "pii.reveal")
        if case.parties.get(party) is None or case.parties[party].details is None:
            raise InvalidInput("This party has not given details yet.", field="party")
        await self._audit.record(
            staff_event(staff, "pii.reveal", origin, case_id=case.id,
                         details={"party": party, "field": field_name, "reason": why})
        )  # fmt: skip
        return await self._view(staff, case, {party: frozenset({field_name})})
