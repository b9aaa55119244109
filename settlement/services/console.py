"""The police reviewer console: staff sign-in, the review queue, review actions, reveals.

Every method that reads or changes a case checks the reviewer's jurisdiction first and
answers :class:`CaseNotFound` for a case outside it (no existence oracle, ASVS 8.2.2), and
appends one audit entry per view or action, including refused ones.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from settlement.domain.agreement import determination_content
from settlement.domain.audit import AuditEvent, AuditOutcome, clean_details
from settlement.domain.case import Case, CaseStatus, PartyDetails, Statement
from settlement.domain.determination import Decision, check_decision, determination_record
from settlement.domain.evidence import PhotoRecord, PhotoSlot
from settlement.domain.geo import haversine_m
from settlement.domain.jurisdiction import district_name, issuing_authority
from settlement.domain.privacy import mask_document_number, mask_id_number, mask_phone
from settlement.domain.rules.model import PENDING
from settlement.domain.staff import (
    ALL_JURISDICTIONS,
    LockoutPolicy,
    SessionPolicy,
    StaffAccount,
    StaffSession,
    parse_role,
    validate_badge,
    validate_jurisdiction,
    validate_password,
    validate_username,
)
from settlement.errors import (
    AccountLocked,
    CaseNotFound,
    ConcurrentUpdate,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PhotoNotFound,
    SettlementError,
)
from settlement.ports.cases import CaseRepository
from settlement.ports.documents import DocumentStore
from settlement.ports.identity import Clock, IdGenerator
from settlement.ports.photos import PhotoRepository, PhotoStore
from settlement.ports.review import ReviewQueries
from settlement.ports.staff import PasswordHasher, StaffRepository, StaffSessionStore
from settlement.services.audit import AuditTrail, RequestOrigin
from settlement.services.liability import assess_party_loss, region_for
from settlement.services.unit_of_work import CaseChange, CaseWriter, PendingDocument

SLA_TARGET = timedelta(minutes=30)
"""Target time from entering the police queue to a decision (proposal value)."""

QUEUE_LIMIT = 200
SEARCH_LIMIT = 100
CHINA = timezone(timedelta(hours=8))
_CASE_ID = re.compile(r"C[0-9A-Z]{1,40}")
REASON_MIN, REASON_MAX = 4, 500
NOTE_MAX = 1000
GRADES = ("G0", "G1", "G2", "G3", "G4")
REVEALABLE = ("id_number", "phone", "licence_number", "policy_number")

# A hash verified against when the username is unknown, so that a wrong username costs
# as much time as a wrong password and usernames cannot be probed by timing.
_DUMMY_PASSWORD = "not-a-real-password-0000"  # noqa: S105 - a decoy, not a credential


def token_digest(token: str) -> str:
    """Session cookies are stored only as this digest: a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def staff_event(
    staff: StaffSession | StaffAccount | str,
    action: str,
    origin: RequestOrigin,
    *,
    outcome: AuditOutcome = "success",
    case_id: str | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEvent:
    if isinstance(staff, str):
        actor, role = f"staff:{staff}", ""
    else:
        actor, role = f"staff:{staff.username}", staff.role.value
    return AuditEvent(
        actor=actor,
        actor_kind="staff",
        role=role,
        action=action,
        outcome=outcome,
        case_id=case_id,
        details=clean_details(details or {}),
        origin=origin.address,
        request_id=origin.request_id,
    )


class DeterminationIssuer(Protocol):
    """The part of the document service the console uses (``services.liability``)."""

    async def prepare_determination(
        self, case: Case, determination: Mapping[str, Any] | None = None, district: str = ""
    ) -> tuple[dict[str, Any], PendingDocument]: ...

    async def pdf(self, sha256: str) -> bytes: ...

    @property
    def store(self) -> DocumentStore: ...


# --- sign-in -------------------------------------------------------------------------------


class StaffAuth:
    """Console accounts and sessions: argon2id passwords, lockout, idle timeout.

    Args:
        staff: the accounts.
        sessions: server-side sessions, keyed by a digest of the cookie token.
        hasher: the password hasher (runs off the event loop).
        clock / ids: time and random tokens.
        audit: every sign-in, failure, lockout and sign-out is recorded.
        lockout / session_policy: the 等保 failed-login and timeout rules.
    """

    def __init__(
        self,
        *,
        staff: StaffRepository,
        sessions: StaffSessionStore,
        hasher: PasswordHasher,
        clock: Clock,
        ids: IdGenerator,
        audit: AuditTrail,
        lockout: LockoutPolicy | None = None,
        session_policy: SessionPolicy | None = None,
    ) -> None:
        self._staff = staff
        self._sessions = sessions
        self._hasher = hasher
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self.lockout = lockout or LockoutPolicy()
        self.session_policy = session_policy or SessionPolicy()
        self._dummy_hash: str | None = None

    async def create_account(
        self,
        username: str,
        role: str,
        jurisdiction: str,
        password: str,
        display_name: str = "",
        badge_number: str = "",
    ) -> StaffAccount:
        """Create an account (the ``settlement staff add`` command and the demo).

        Raises:
            InvalidInput: a bad username, role, jurisdiction or password.
            AlreadyExists: the username is taken.
        """
        account = StaffAccount(
            username=validate_username(username),
            role=parse_role(role),
            jurisdiction=validate_jurisdiction(jurisdiction),
            password_hash=await self._hasher.hash(validate_password(password)),
            created_at=self._clock.now(),
            display_name=display_name.strip()[:40],
            badge_number=validate_badge(badge_number),
        )
        await self._staff.add(account)
        await self._audit.record(
            AuditEvent(
                actor="system", actor_kind="system", action="staff.create",
                details={"username": username, "role": role, "jurisdiction": jurisdiction},
            )
        )  # fmt: skip
        return account

    async def list_accounts(self) -> Sequence[StaffAccount]:
        return await self._staff.list()

    async def login(
        self, username: str, password: str, origin: RequestOrigin
    ) -> tuple[StaffSession, str]:
        """Check a username and password and open a session.

        Returns:
            The session and the raw token for the cookie (stored only as a digest).

        Raises:
            NotAuthenticated: unknown user or wrong password (one answer for both).
            AccountLocked: too many failures; the lock lasts ``lockout.lock_for``.
        """
        now = self._clock.now()
        name = username.strip().lower()[:64]
        account = await self._staff.get(name) if name else None
        if account is None or account.disabled:
            await self._hasher.verify(await self._dummy(), password[:256])
            await self._audit.record(
                staff_event(name or "-", "auth.login", origin, outcome="failure",
                             details={"reason": "unknown_user"})
            )  # fmt: skip
            raise NotAuthenticated("Wrong username or password.")
        if account.is_locked(now):
            await self._audit.record(
                staff_event(account, "auth.login", origin, outcome="denied",
                             details={"reason": "locked"})
            )  # fmt: skip
            raise AccountLocked(
                "This account is locked after repeated failed sign-ins; try again later.",
                locked_until=account.locked_until,
            )
        if not await self._hasher.verify(account.password_hash, password[:256]):
            # One atomic update: concurrent wrong passwords each count (a read-modify-write
            # would let twenty parallel guesses through on a count of one).
            updated = await self._staff.record_failed_login(account.username, now, self.lockout)
            locked = updated.is_locked(now)
            await self._audit.record(
                staff_event(account, "auth.login", origin, outcome="failure",
                             details={"reason": "wrong_password", "locked": locked})
            )  # fmt: skip
            if locked:
                raise AccountLocked(
                    "This account is now locked after repeated failed sign-ins.",
                    locked_until=updated.locked_until,
                )
            raise NotAuthenticated("Wrong username or password.")
        if not await self._staff.record_successful_login(account.username, now):
            # Locked by concurrent failures while this password was being checked.
            raise AccountLocked(
                "This account is locked after repeated failed sign-ins; try again later."
            )
        if self._hasher.needs_rehash(account.password_hash):
            await self._staff.set_password_hash(name, await self._hasher.hash(password))
        token = self._ids.token()
        session = StaffSession(
            token_digest=token_digest(token),
            username=account.username,
            role=account.role,
            jurisdiction=account.jurisdiction,
            created_at=now,
            last_seen_at=now,
        )
        await self._sessions.create(session, now + self.session_policy.absolute_lifetime)
        await self._audit.record(staff_event(account, "auth.login", origin))
        return session, token

    async def resolve(self, token: str, origin: RequestOrigin) -> StaffSession | None:
        """The live session for a cookie token, or None (unknown, forged or timed out).

        Each call counts as activity and restarts the idle clock.
        """
        if not token or len(token) > 128:
            return None
        digest = token_digest(token)
        session = await self._sessions.get(digest)
        if session is None:
            return None
        now = self._clock.now()
        if session.expired(now, self.session_policy):
            await self._sessions.delete(digest)
            await self._audit.record(staff_event(session, "auth.session_expired", origin))
            return None
        await self._sessions.touch(digest, now)
        return session

    async def logout(self, session: StaffSession, origin: RequestOrigin) -> None:
        await self._sessions.delete(session.token_digest)
        await self._audit.record(staff_event(session, "auth.logout", origin))

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hasher.hash(_DUMMY_PASSWORD)
        return self._dummy_hash


# --- review views -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueItem:
    case: Case
    waiting: timedelta
    sla_left: timedelta

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


def referral_reasons(
    case: Case, rows: Sequence[StatementRow], photos: Sequence[PhotoRecord]
) -> list[WhyItem]:
    """Why the case waits for the police: a decline, disputed facts, photos, retakes."""
    items: list[WhyItem] = []
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


def valid_reason(raw: str) -> str:
    """A stated reason, trimmed, of 4 to 500 characters."""
    reason = raw.strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput(
            f"Give a reason of {REASON_MIN} to {REASON_MAX} characters.", field="reason"
        )
    return reason


def content_hash(content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class ReviewConsole:
    """The police reviewer's use cases.

    Args:
        cases: the case repository (claims and decisions use its version check).
        queries: the queue.
        audit: the trail every view and action is appended to.
        clock: time.
        photos / photo_store: photo records and bytes, when photo evidence is deployed.
        documents: renders and keeps the 事故认定书 as PDF; without it the document is the
            console's own HTML page, identified by the SHA-256 of its content.
        sla_target: the queue's target time to decision.
    """

    def __init__(
        self,
        *,
        cases: CaseRepository,
        queries: ReviewQueries,
        audit: AuditTrail,
        clock: Clock,
        photos: PhotoRepository | None = None,
        photo_store: PhotoStore | None = None,
        documents: DeterminationIssuer | None = None,
        sla_target: timedelta = SLA_TARGET,
        settle: Callable[[CaseChange], Awaitable[Case]] | None = None,
        writer: CaseWriter | None = None,
        staff: StaffRepository | None = None,
        authorities: Mapping[str, str] | None = None,
    ) -> None:
        """``settle`` commits a change that has just determined a case, with its claims;
        ``writer`` commits every other action with its audit entry; ``staff`` gives the
        officer's name and badge number for the document, and ``authorities`` the issuing
        unit per jurisdiction (over the built-in table)."""
        self._settle = settle
        self._writer = writer or CaseWriter(
            cases=cases, audit=audit, documents=None if documents is None else documents.store
        )
        self._staff = staff
        self._authorities = dict(authorities or {})
        self._cases = cases
        self._queries = queries
        self._audit = audit
        self._clock = clock
        self._photos = photos
        self._photo_store = photo_store
        self._documents = documents
        self.sla_target = sla_target

    # reads

    async def queue(self, staff: StaffSession, origin: RequestOrigin) -> list[QueueItem]:
        """Cases waiting in the reviewer's jurisdiction, oldest first, with SLA clocks."""
        now = self._clock.now()
        cases = await self._queries.queue(staff.jurisdiction, QUEUE_LIMIT)
        await self._audit.record(
            staff_event(staff, "queue.view", origin, details={"count": len(cases)})
        )
        return [
            QueueItem(c, now - c.queued_at, self.sla_target - (now - c.queued_at)) for c in cases
        ]

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

    # actions

    async def claim(
        self, staff: StaffSession, case_id: str, version: int, origin: RequestOrigin
    ) -> Case:
        """Take a queued case; ``version`` is the one the reviewer saw in the queue.

        Raises:
            ConcurrentUpdate: the case changed since (for instance someone claimed it).
            PreconditionFailed: another reviewer holds it. IllegalTransition: not queued.
        """
        return await self._act(
            staff, case_id, origin, "case.claim", {},
            lambda case, now: case.claim_review(staff.username, now), expected_version=version,
        )  # fmt: skip

    def _decision(self, form: Mapping[str, str]) -> tuple[Decision, str, str]:
        decision = check_decision(
            form.get("rule", "")[:40], form.get("level_A", ""), form.get("level_B", ""),
            form.get("basis_statute", "")[:40], form.get("basis_article", "")[:40],
        )  # fmt: skip
        note = form.get("note", "").strip()
        if len(note) > NOTE_MAX:
            raise InvalidInput(f"The note is longer than {NOTE_MAX} characters.", field="note")
        return decision, note, valid_reason(form.get("reason", ""))

    async def preview_determination(
        self, staff: StaffSession, case_id: str, form: Mapping[str, str], origin: RequestOrigin
    ) -> tuple[Case, dict[str, Any]]:
        """Check a decision and show what the 事故认定书 will say, without issuing it.

        Raises:
            DecisionRefused: the levels do not fit the rule, or the rule is not one to apply.
            InvalidInput: a bad note or reason. PreconditionFailed: not the case's reviewer.
        """
        case = await self._visible(staff, case_id, origin, "case.determine")
        decision, note, reason = self._decision(form)
        case.require_reviewer(staff.username)
        officer = await self._officer(staff, case)
        record = determination_record(decision, note, reason, staff.username, self._clock.now(),
                                      officer)  # fmt: skip
        return case, determination_content(case, record, officer["authority"])

    async def _officer(self, staff: StaffSession, case: Case) -> dict[str, str]:
        """Who issues the document: the officer's name and badge, and the issuing unit."""
        account = await self._staff.get(staff.username) if self._staff is not None else None
        return {
            "name": (account.display_name if account else "") or staff.username,
            "badge_number": account.badge_number if account else "",
            "authority": issuing_authority(case.jurisdiction, self._authorities),
        }

    async def determine(
        self, staff: StaffSession, case_id: str, form: Mapping[str, str], origin: RequestOrigin
    ) -> Case:
        """Decide liability and issue the 事故认定书 (an HTML document with a SHA-256 hash).

        ``form`` holds ``level_A``, ``level_B``, ``rule`` (a catalogue id or ``other``),
        ``basis_statute`` and ``basis_article`` (for ``other``), ``note`` and ``reason``.

        Raises:
            DecisionRefused: levels not a valid pair (程序规定第60条) or not what the rule
                gives, a routing or unknown rule, ``other`` without a legal basis.
            InvalidInput: a bad note or reason.
        """
        decision, note, reason = self._decision(form)
        levels = dict(decision.levels)

        async def change(case: Case, now: datetime) -> CaseChange:
            officer = await self._officer(staff, case)
            record = determination_record(decision, note, reason, staff.username, now, officer)
            document: dict[str, Any]
            issued: list[PendingDocument] = []
            if self._documents is not None:
                # The PDF is stored in the transaction that records the determination.
                rendered, pdf = await self._documents.prepare_determination(
                    case, record, officer["authority"]
                )
                document, issued = {"format": "pdf", **rendered}, [pdf]
            else:
                content = determination_content(case, record, officer["authority"])
                document = {"format": "html", "number": case.id,
                            "sha256": content_hash(content), "content": content}  # fmt: skip
            determined = case.determine(staff.username, levels, decision.rule_id, note, reason,
                                        document, now, extra=record)  # fmt: skip
            return CaseChange(determined, documents=issued)

        details = {"level_A": levels["A"], "level_B": levels["B"], "rule": decision.rule_id,
                   "reason": reason}  # fmt: skip
        return await self._act(staff, case_id, origin, "case.determine", details, change)

    async def regrade(
        self, staff: StaffSession, case_id: str, party: str, grade: str, reason: str,
        origin: RequestOrigin,
    ) -> Case:
        """Correct the damage grade of one vehicle; its loss is priced again from it.

        Raises:
            InvalidInput: unknown party or grade, no damage location stated, bad reason.
        """
        why = valid_reason(reason)
        if grade not in GRADES or party not in ("A", "B"):
            raise InvalidInput("Choose a party and a damage grade G0–G4.", field="grade")

        def change(case: Case, now: datetime) -> Case:
            statement = case.parties[party].statement if party in case.parties else None
            if statement is None or not statement.own_vehicle.get("damage_location"):
                raise InvalidInput("This vehicle's damage location is not stated.",
                                   field="grade")  # fmt: skip
            loss = assess_party_loss(
                statement.own_vehicle, region_for(case.jurisdiction), grade  # type: ignore[arg-type]
            )
            loss["source"] = "reviewer"
            return case.correct_loss(staff.username, party, loss, why, now)

        return await self._act(
            staff, case_id, origin, "case.regrade",
            {"party": party, "grade": grade, "reason": why}, change,
        )  # fmt: skip

    async def request_retake(
        self, staff: StaffSession, case_id: str, reason: str, slots: Sequence[str],
        origin: RequestOrigin,
    ) -> Case:
        """Ask the parties to retake or add photos; the case goes back to collecting."""
        why = valid_reason(reason)
        known = {s.value for s in PhotoSlot}
        wanted = [s for s in slots if s in known][: len(known)]
        if not wanted:
            raise InvalidInput("Choose at least one photo to retake or add.", field="slots")
        return await self._act(
            staff, case_id, origin, "case.request_retake",
            {"reason": why, "slots": ",".join(wanted)},
            lambda case, now: case.request_retake(staff.username, why, wanted, now),
        )  # fmt: skip

    async def refuse(
        self, staff: StaffSession, case_id: str, reason: str, origin: RequestOrigin
    ) -> Case:
        """Refuse quick handling; the police handle it on the scene (ON_SCENE)."""
        why = valid_reason(reason)
        return await self._act(
            staff, case_id, origin, "case.refuse", {"reason": why},
            lambda case, now: case.refuse_quick_handling(staff.username, why, now),
        )  # fmt: skip

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

    # helpers

    async def _visible(
        self, staff: StaffSession, case_id: str, origin: RequestOrigin, action: str
    ) -> Case:
        try:
            case = await self._cases.get(case_id)
        except CaseNotFound:
            case = None
        if case is None or not may_see(staff, case):
            await self._audit.record(
                staff_event(staff, action, origin, outcome="denied", case_id=case_id[:64],
                             details={"reason": "not_found_or_other_jurisdiction"})
            )  # fmt: skip
            raise CaseNotFound("No case with this id in your jurisdiction.", case_id=case_id[:64])
        return case

    async def _act(
        self,
        staff: StaffSession,
        case_id: str,
        origin: RequestOrigin,
        action: str,
        details: Mapping[str, object],
        change: Any,
        expected_version: int | None = None,
    ) -> Case:
        case = await self._visible(staff, case_id, origin, action)
        try:
            if expected_version is not None and case.version != expected_version:
                raise ConcurrentUpdate(
                    "The case changed since you opened it; reload and try again.",
                    case_id=case.id,
                )
            now = self._clock.now()
            outcome = change(case, now)
            result = await outcome if inspect.isawaitable(outcome) else outcome
            work = result if isinstance(result, CaseChange) else CaseChange(result)
            changed = work.case
            if action == "case.determine":
                details = {**details, "overrules_engine": _overrules(
                    changed.determination["levels"] if changed.determination else {},
                    case.proposal,
                )}  # fmt: skip
            # The action's audit entry commits with the action itself.
            done = {**details, "status": changed.status.value}
            work.events.append(staff_event(staff, action, origin, case_id=case.id,
                                            details=done))  # fmt: skip
            if self._settle is not None and changed.status is CaseStatus.DETERMINED:
                # The determination and its insurance claims commit together.
                return await self._settle(work)
            return await self._writer.commit(work)
        except SettlementError as exc:
            await self._audit.record(
                staff_event(staff, action, origin, outcome="failure", case_id=case.id,
                             details={**details, "error": exc.code})
            )  # fmt: skip
            raise


def may_see(staff: StaffSession, case: Case) -> bool:
    return staff.jurisdiction in (ALL_JURISDICTIONS, case.jurisdiction)


def engine_levels(proposal: Mapping[str, Any] | None) -> dict[str, str] | None:
    """What the engine proposed per party, if it proposed anything but 待交警认定."""
    if not proposal:
        return None
    for key in ("liability", "proposed_liability"):
        levels = proposal.get(key)
        if isinstance(levels, Mapping) and levels and PENDING not in levels.values():
            return {str(k): str(v) for k, v in levels.items()}
    return None


def _overrules(levels: Mapping[str, str], proposal: Mapping[str, Any] | None) -> bool | None:
    """True when the reviewer decided otherwise than the engine; None without a proposal."""
    engine = engine_levels(proposal)
    if engine is None:
        return None
    return any(engine.get(label) != level for label, level in levels.items())
