"""Online liability: the proposal, the parties' acceptance and signatures, the issued agreement.

Flow (程序规定第十九条至第二十二条):

1. ``propose``: both statements are merged into one facts document (conflicts listed), each
   party's loss is taken from its statement or estimated from the damage location, and the
   engine decides. Refused by the eligibility gate → ON_SCENE with the reason and what to do;
   disputed facts, no matching rule or a 主次 split → POLICE_REVIEW (only the police may
   decide those, 程序规定第二十条); otherwise → LIABILITY_PROPOSED.
2. ``accept``, then ``request_signature`` and ``sign`` by each party; the second signature
   makes the case AGREED and issues the 自行协商协议书 (PDF, content hash on the case).
3. ``decline`` by either party → POLICE_REVIEW.

Signing confirmation. Each signature needs the party's bearer token *and* a fresh one-time
confirmation issued to that party for the exact terms shown (``terms_sha256``). The token is
the WeChat-backed session, the strongest identity the service holds; the service has no
verified phone channel (the phone number in the details is self-declared), so an SMS code would
add a gateway without proving more than the token does. What the confirmation adds: a
deliberate second step (a replayed or forged request to ``sign`` alone cannot sign), binding to
the terms the party saw (if they changed, the signature is refused), single use and a short
life. It is 256 random bits, so unlike a 6-digit code it needs no attempt counter, and only its
digest is stored. Delivering it out of band later (SMS, subscription message) changes
``request_signature`` only.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from settlement.domain import agreement as documents
from settlement.domain.case import Case, CaseStatus
from settlement.domain.evidence import PhotoReuse, photo_reuse
from settlement.domain.facts import parse_facts
from settlement.domain.jurisdiction import LocalAdmissions
from settlement.domain.liability import decide
from settlement.domain.loss import Grade, assess_loss, default_catalogue, items_for_location
from settlement.domain.reconcile import reconcile
from settlement.errors import (
    IllegalTransition,
    InvalidInput,
    NotFound,
    PreconditionFailed,
)
from settlement.ports.cases import CaseRepository
from settlement.ports.documents import DocumentRenderer, DocumentStore, IssuedDocument
from settlement.ports.identity import Clock, IdGenerator
from settlement.ports.photos import PhotoRepository
from settlement.services import schemas
from settlement.services.audit import driver_event
from settlement.services.auth import digest
from settlement.services.unit_of_work import (
    CaseChange,
    CaseWriter,
    PendingDocument,
    retry_conflicts,
)
from settlement.services.validation import validate
from settlement.services.views import determination_view

MAX_WRITE_ATTEMPTS = 5
SIGNATURE_TTL = timedelta(minutes=10)

# Division-code prefixes priced at first-tier rates (Beijing, Shanghai, Guangzhou, Shenzhen).
_TIER1_PREFIXES = ("11", "31", "4401", "4403")
# Without photos graded by an assessor, a stated damage location is priced as a repaint of the
# usual panels there (G1); structural damage cannot be priced online at all (G4, inspection).
_DEFAULT_GRADE: Grade = "G1"
_STRUCTURAL = frozenset({"front_structural"})
_SHA256 = re.compile(r"[0-9a-f]{64}")

_NEXT_STEP: Mapping[CaseStatus, tuple[str, str]] = {
    CaseStatus.LIABILITY_PROPOSED: (
        "双方确认责任和赔偿方案后，分别签署自行协商协议书。",
        "Both parties review liability and payout, accept, and sign the agreement.",
    ),
    CaseStatus.POLICE_REVIEW: (
        "已提交交警在线认定，请留意通知，无需到现场。",
        "Sent to the traffic police for an online determination; wait for the notice.",
    ),
}


def region_for(jurisdiction: str) -> str:
    """The loss catalogue's price region for a jurisdiction code."""
    return "tier1" if jurisdiction.startswith(_TIER1_PREFIXES) else "other"


def assess_party_loss(
    own_vehicle: Mapping[str, Any], region: str, grade: Grade | None = None
) -> dict[str, Any]:
    """One vehicle's loss: the party's own figure when stated, else an estimate by location.

    Returns:
        ``amount`` (yuan, or None when no figure is possible), ``source`` (``stated``,
        ``estimate``, ``inspection_required`` or ``not_stated``) and, for an estimate, its
        priced lines, confidence and the hidden-damage caveat.
    """
    stated = own_vehicle.get("damage_estimate_cny")
    if stated is not None:
        return {"amount": stated, "source": "stated"}
    location = own_vehicle.get("damage_location")
    if location is None:
        return {"amount": None, "source": "not_stated"}
    if location == "none":
        return {"amount": 0, "source": "stated"}
    if grade is None:
        grade = "G4" if location in _STRUCTURAL else _DEFAULT_GRADE
    try:
        items = items_for_location(str(location), grade)
    except InvalidInput:
        return {"amount": None, "source": "not_stated"}
    assessment = assess_loss(items, region)
    if assessment.requires_inspection:
        return {
            "amount": None,
            "source": "inspection_required",
            "caveat_zh": "结构件损伤需保险公司现场查勘定损。",
        }
    return {
        "amount": assessment.estimate.to_json(),
        "source": "estimate",
        "confidence": assessment.confidence,
        "grade_assumed": grade,
        "region": region,
        "catalogue_version": assessment.catalogue_version,
        "lines": [
            {"part": line.part, "operation": line.operation, "total": line.total.to_json()}
            for line in assessment.lines
        ],
        "caveat_zh": assessment.caveat_zh,
        "caveat_en": assessment.caveat_en,
    }


def _statement_for_reconcile(case: Case, label: str) -> dict[str, Any]:
    """The intake's statement in the shape :func:`reconcile` reads."""
    statement = case.parties[label].statement
    assert statement is not None  # noqa: S101 - proposals need complete statements
    return {
        "party": label,
        "vehicle": dict(statement.own_vehicle),
        "other_vehicle": dict(statement.other_vehicle),
        "location": dict(statement.location),
        "flags": dict(statement.flags),
    }


def build_proposal(
    case: Case, now: datetime, admissions: LocalAdmissions | None = None
) -> tuple[dict[str, Any], CaseStatus]:
    """Reconcile, assess loss, decide; return the proposal and the status it leads to.

    ``admissions`` are the local rules admitting a non-motor party or more than two vehicles
    to online police determination in the case's jurisdiction (none by default).

    Raises:
        IllegalTransition: the case is not waiting for a proposal (statements missing, or
            proposed already).
        InvalidInput: a statement does not read as facts (``details.field`` names it).
    """
    if case.status is not CaseStatus.STATEMENTS_COMPLETE:
        raise IllegalTransition(
            f"Liability can only be proposed once both statements are in; the case is "
            f"{case.status.value}.",
            status=case.status.value,
            missing=case.missing(),
        )
    merged = reconcile(_statement_for_reconcile(case, "A"), _statement_for_reconcile(case, "B"))
    document = merged.document
    # The opener stated the road type when opening the case; use it when neither statement did.
    document["location"].setdefault("road_type", case.scene.road_type)
    region = region_for(case.jurisdiction)
    loss: dict[str, Any] = {}
    for label, vehicle in document["vehicles"].items():
        loss[label] = assess_party_loss(vehicle, region)
        if loss[label]["amount"] is not None:
            vehicle["damage_estimate_cny"] = loss[label]["amount"]
    admitted = admissions.admitted(case.jurisdiction) if admissions else frozenset[str]()
    determination = decide(parse_facts(document), admitted=admitted)
    proposal: dict[str, Any] = determination.to_json_dict()
    if not determination.quick_handling_allowed:
        target = CaseStatus.ON_SCENE
        zh, en = proposal["guidance"]["zh"], proposal["guidance"]["en"]
    else:
        target = (
            CaseStatus.LIABILITY_PROPOSED
            if determination.route == "self_negotiation"
            else CaseStatus.POLICE_REVIEW
        )
        zh, en = _NEXT_STEP[target]
    proposal.update(
        computed_at=now,
        facts=document,
        conflicts=[
            {"field": c.field, "a_said": c.a_said, "b_said": c.b_said} for c in merged.conflicts
        ],
        uncorroborated=[
            {"field": u.field, "stated_by": u.stated_by} for u in merged.uncorroborated
        ],
        loss=loss,
        loss_catalogue_version=default_catalogue().version,
        next_step={"status": target.value, "zh": zh, "en": en},
    )
    proposal.setdefault("payout", None)
    return proposal, target


@dataclass(frozen=True, slots=True)
class SignatureRequest:
    """A one-time signing confirmation for one party (returned to that party only)."""

    confirmation: str
    expires_at: datetime
    terms_sha256: str


@dataclass(frozen=True, slots=True)
class Verification:
    """The public answer about a document hash: issued or not, for which case."""

    sha256: str
    issued: bool
    kind: str | None = None
    case_id: str | None = None
    issued_at: datetime | None = None


class DocumentIssuer:
    """Renders and keeps issued documents: the agreement here, the 认定书 for the console.

    Args:
        renderer: lays the content out as PDF.
        store: keeps the issued bytes and hashes.
        clock: the issue time.
    """

    def __init__(self, *, renderer: DocumentRenderer, store: DocumentStore, clock: Clock) -> None:
        self._renderer = renderer
        self._store = store
        self._clock = clock

    @property
    def store(self) -> DocumentStore:
        """Where issued documents are kept (changes that issue one write it there)."""
        return self._store

    async def prepare(self, case_id: str, content: Mapping[str, Any]
                      ) -> tuple[dict[str, Any], PendingDocument]:  # fmt: skip
        """Render ``content``: the record to keep on the case (hashes, no bytes) and the
        document to store in the transaction of the change that issues it."""
        rendered = await self._renderer.render(content)
        now = self._clock.now()
        issued = IssuedDocument(rendered.sha256, rendered.file_sha256, rendered.kind, case_id,
                                now, len(rendered.pdf))  # fmt: skip
        return _record(issued), PendingDocument(case_id, rendered, now)

    async def issue(self, case_id: str, content: Mapping[str, Any]) -> dict[str, Any]:
        """Render and store ``content`` now (documents no case change depends on)."""
        record, pending = await self.prepare(case_id, content)
        await self._store.put(case_id, pending.rendered, pending.issued_at)
        return record

    async def prepare_agreement(self, case: Case) -> tuple[dict[str, Any], PendingDocument]:
        """Render the signed 自行协商协议书 of an agreed case (issued with the change)."""
        return await self.prepare(case.id, documents.agreement_content(case))

    async def prepare_determination(
        self, case: Case, determination: Mapping[str, Any] | None = None, district: str = ""
    ) -> tuple[dict[str, Any], PendingDocument]:
        """Render the 事故认定书 (see :meth:`issue_determination`), issued with the change."""
        content = documents.determination_content(case, determination, district)
        return await self.prepare(case.id, content)

    async def issue_determination(
        self, case: Case, determination: Mapping[str, Any] | None = None, district: str = ""
    ) -> dict[str, Any]:
        """Issue the 事故认定书 for a police determination.

        Args:
            case: the decided case.
            determination: ``levels``, ``rule``, ``note``, ``reason``, ``reviewer`` and
                ``decided_at``; ``case.determination`` when omitted (call it before
                :meth:`Case.determine` and pass the returned record as its ``document``).
            district: the issuing police district's name.

        Returns:
            ``sha256`` (content hash printed on the document), ``file_sha256``, ``kind``,
            ``issued_at``, ``size`` and ``verify_path``.
        """
        content = documents.determination_content(case, determination, district)
        return await self.issue(case.id, content)

    async def pdf(self, sha256: str) -> bytes:
        return await self._store.pdf(sha256)

    async def verify(self, sha256: str) -> Verification:
        """Whether a document with this content (or file) hash was issued."""
        if not _SHA256.fullmatch(sha256):
            raise InvalidInput("sha256 must be 64 lowercase hexadecimal digits.", field="sha256")
        found = await self._store.find(sha256)
        if found is None:
            return Verification(sha256, False)
        return Verification(sha256, True, found.kind, found.case_id, found.issued_at)


def _record(issued: IssuedDocument) -> dict[str, Any]:
    return {
        "kind": issued.kind,
        "sha256": issued.sha256,
        "file_sha256": issued.file_sha256,
        "issued_at": issued.issued_at,
        "size": issued.size,
        "verify_path": documents.VERIFY_PATH.format(sha256=issued.sha256),
    }


class LiabilityDesk:
    """The drivers' use cases from both statements to the signed agreement."""

    def __init__(
        self,
        *,
        cases: CaseRepository,
        clock: Clock,
        ids: IdGenerator,
        documents: DocumentIssuer,
        signature_ttl: timedelta = SIGNATURE_TTL,
        settle: Callable[[CaseChange], Awaitable[Case]] | None = None,
        photos: PhotoRepository | None = None,
        admissions: LocalAdmissions | None = None,
        writer: CaseWriter | None = None,
    ) -> None:
        """``settle`` commits a change that has just agreed a case, with its claims;
        ``writer`` commits every other change with its audit entry (and documents);
        ``photos`` lets the fraud gate see photos copied from other cases; ``admissions``
        are the jurisdictions' local rules for online police determination."""
        self._settle = settle
        self._photos = photos
        self._admissions = admissions
        self._writer = writer or CaseWriter(cases=cases, documents=documents.store)
        self._cases = cases
        self._clock = clock
        self._ids = ids
        self._documents = documents
        self._signature_ttl = signature_ttl

    async def get(self, user_id: str, case_id: str) -> Case:
        """A case the user is a party to.

        Raises:
            CaseNotFound: no such case, or not the user's (one answer: no existence oracle).
        """
        return (await self._cases.get(case_id)).seen_by(user_id)

    async def propose(self, user_id: str, case_id: str) -> Case:
        """Compute and record the liability proposal; the case moves where it leads.

        Raises:
            CaseNotFound: not one of the user's cases.
            IllegalTransition: the statements are not both in, or it was proposed already.
            InvalidInput: a statement does not read as facts (the field is named).
        """
        now = self._clock.now()

        async def change(case: Case) -> Case:
            case.require_party(user_id)
            proposal, target = build_proposal(case, now, self._admissions)
            reuse = await self._reuse(case)
            if reuse.blocks_self_negotiation and target is not CaseStatus.ON_SCENE:
                # A photo copied from another case: only a reviewer may decide this one.
                target = CaseStatus.POLICE_REVIEW
                zh, en = _NEXT_STEP[target]
                proposal.update(referral=reuse.referral(),
                                next_step={"status": target.value, "zh": zh, "en": en})  # fmt: skip
            if target is CaseStatus.LIABILITY_PROPOSED:
                staged = case.propose(proposal, target, now)
                proposal["terms_sha256"] = documents.content_sha256(
                    documents.agreement_terms(staged)
                )
            return case.propose(proposal, target, now)

        return await self._update(user_id, case_id, "liability.propose", change)

    async def accept(self, user_id: str, case_id: str) -> Case:
        now = self._clock.now()
        return await self._update(
            user_id, case_id, "liability.accept", _sync(lambda c: c.accept(user_id, now))
        )

    async def request_signature(self, user_id: str, case_id: str) -> SignatureRequest:
        """Issue a one-time signing confirmation to the calling party.

        Raises:
            IllegalTransition: no open proposal. PreconditionFailed: not accepted yet, or
                already signed.
        """
        now = self._clock.now()
        expires_at = now + self._signature_ttl
        confirmation = ""
        terms = ""

        def change(case: Case) -> Case:
            nonlocal confirmation, terms
            confirmation = self._ids.token()
            terms = str((case.proposal or {}).get("terms_sha256", ""))
            return case.request_signature(user_id, digest(confirmation), terms, expires_at, now)

        await self._update(user_id, case_id, "agreement.request_signature", _sync(change))
        return SignatureRequest(confirmation, expires_at, terms)

    async def sign(self, user_id: str, case_id: str, body: object) -> Case:
        """Sign with a confirmation; the second signature issues the agreement (AGREED).

        Raises:
            PreconditionFailed: the confirmation is not valid (nothing is changed).
        """
        validate(body, schemas.SIGN_AGREEMENT)
        assert isinstance(body, dict)  # noqa: S101 - guaranteed by the schema
        confirmation_digest = digest(body["confirmation"])
        terms = body["terms_sha256"]
        now = self._clock.now()

        async def change(case: Case) -> Case | CaseChange:
            reuse = await self._reuse(case)
            if reuse.blocks_self_negotiation and case.status is CaseStatus.LIABILITY_PROPOSED:
                return case.refer_to_police(reuse.referral(), now)
            signed = case.sign(user_id, confirmation_digest, terms, now)
            if signed.status is not CaseStatus.AGREED:
                return signed
            # The agreement is stored in the transaction that records the signature.
            record, pdf = await self._documents.prepare_agreement(signed)
            return CaseChange(signed.with_agreement_document(record, now), documents=[pdf])

        saved = await self._update(user_id, case_id, "agreement.sign", change)
        if saved.status is CaseStatus.POLICE_REVIEW:
            raise PreconditionFailed(
                "A photo of this case is an exact copy of one in another case: it cannot be "
                "settled by agreement and has been sent to the police.",
                reason="photo_reused",
            )
        return saved

    async def _reuse(self, case: Case) -> PhotoReuse:
        if self._photos is None:
            return PhotoReuse((), ())
        return photo_reuse(await self._photos.list_for_case(case.id))

    async def decline(self, user_id: str, case_id: str, body: object) -> Case:
        """Reject the proposal; the police determine liability online."""
        validate(body, schemas.DECLINE_PROPOSAL)
        assert isinstance(body, dict)  # noqa: S101 - guaranteed by the schema
        reason = str(body["reason"])
        now = self._clock.now()
        return await self._update(
            user_id, case_id, "liability.decline", _sync(lambda c: c.decline(user_id, reason, now))
        )

    async def agreement_pdf(self, user_id: str, case_id: str) -> tuple[str, bytes]:
        """The issued agreement of one of the user's cases: (content hash, PDF bytes).

        Raises:
            NotFound: no agreement has been issued for this case yet.
        """
        case = await self.get(user_id, case_id)
        record = (case.agreement or {}).get("document") or {}
        sha256 = record.get("sha256")
        if not isinstance(sha256, str):
            raise NotFound(
                "No signed agreement has been issued for this case yet.", case_id=case_id
            )
        return sha256, await self._documents.pdf(sha256)

    async def determination_pdf(self, user_id: str, case_id: str) -> tuple[str, bytes]:
        """The 事故认定书 of one of the user's cases: (content hash, PDF bytes).

        Raises:
            NotFound: the police have not decided, or the document is not a PDF.
        """
        case = await self.get(user_id, case_id)
        record = (case.determination or {}).get("document") or {}
        sha256 = record.get("sha256")
        if not isinstance(sha256, str) or record.get("format", "pdf") != "pdf":
            raise NotFound(
                "No police determination document has been issued for this case.",
                case_id=case_id,
            )
        return sha256, await self._documents.pdf(sha256)

    async def request_reconsideration(self, user_id: str, case_id: str, body: object) -> Case:
        """Ask for a 复核 of the police determination (程序规定第七十一条), with a reason.

        Raises:
            IllegalTransition: no determination. PreconditionFailed: too late, or asked before.
        """
        validate(body, schemas.RECONSIDERATION_REQUEST)
        assert isinstance(body, dict)  # noqa: S101 - guaranteed by the schema
        reason = str(body["reason"]).strip()
        now = self._clock.now()
        return await self._update(
            user_id, case_id, "determination.reconsideration",
            _sync(lambda c: c.request_reconsideration(user_id, reason, now)),
        )  # fmt: skip

    async def return_to_police(self, user_id: str, case_id: str) -> Case:
        """The photos the reviewer asked for are retaken: the case goes back to the queue."""
        now = self._clock.now()
        return await self._update(
            user_id, case_id, "case.return_to_police",
            _sync(lambda c: c.return_to_police(user_id, now)),
        )  # fmt: skip

    async def verify(self, sha256: str) -> Verification:
        return await self._documents.verify(sha256)

    async def _update(
        self, user_id: str, case_id: str, action: str,
        change: Callable[[Case], Awaitable[Case | CaseChange]],
    ) -> Case:  # fmt: skip
        """Read, change and commit with the audit entry, re-reading after a conflict."""

        async def attempt() -> Case:
            case = await self.get(user_id, case_id)
            changed = await change(case)
            work = changed if isinstance(changed, CaseChange) else CaseChange(changed)
            work.events.append(driver_event(user_id, action, work.case))
            if self._settle is not None and work.case.status is CaseStatus.AGREED:
                # The agreement and its insurance claims commit together.
                return await self._settle(work)
            return await self._writer.commit(work)

        return await retry_conflicts(attempt, MAX_WRITE_ATTEMPTS)


def _sync(change: Callable[[Case], Case]) -> Callable[[Case], Awaitable[Case | CaseChange]]:
    async def run(case: Case) -> Case | CaseChange:
        return change(case)

    return run


def proposal_view(case: Case, viewer_id: str) -> dict[str, Any]:
    """What a party sees of the proposal and the agreement's progress (no personal data)."""
    agreement = case.agreement or {}
    accepted = agreement.get("accepted") or {}
    signatures = agreement.get("signatures") or {}
    document = agreement.get("document")
    declined = agreement.get("declined")
    # Once the police decided, the engine's figures are overruled: the parties see the
    # determination instead, never two answers to one question.
    overruled = case.determination is not None
    return {
        "case_id": case.id,
        "status": case.status.value,
        "your_party": case.label_of(viewer_id),
        "proposal": _jsonable(case.proposal)
        if case.proposal is not None and not overruled
        else None,
        "overruled_by_determination": overruled,
        "determination": determination_view(case, case.label_of(viewer_id)),
        "agreement": {
            "accepted": {label: label in accepted for label in sorted(case.parties)},
            "signed": {
                label: (_iso(signatures[label]["signed_at"]) if label in signatures else None)
                for label in sorted(case.parties)
            },
            "declined": None
            if not declined
            else {
                "by": declined.get("by"),
                "at": _iso(declined.get("at")),
                "reason": declined.get("reason"),
            },
            "document": None
            if not document
            else {
                "sha256": document.get("sha256"),
                "file_sha256": document.get("file_sha256"),
                "issued_at": _iso(document.get("issued_at")),
                "pdf_path": f"/api/v1/cases/{case.id}/agreement.pdf",
                "verify_path": document.get("verify_path"),
            },
        },
    }


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
