"""What the claim filing, insurer API and mediation use cases share.

* :class:`ExchangeStore` commits a case change, its claims and the partner messages they
  cause in *one* transaction, so a claim or a dispute is sent exactly when the records say
  so: never lost, never twice (the outbox's unique ``(kind, request_id)``, the claims'
  ids and versions and the case version see to it);
* driver notices (WeChat subscription messages) travel through the same outbox;
* :class:`EvidenceCatalog` describes a case's privacy copies for partners.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from settlement.domain.audit import ActorKind, AuditEvent, clean_details
from settlement.domain.case import Case, Party
from settlement.domain.claim import Claim
from settlement.domain.evidence import PrivacyCopy, partner_may_receive
from settlement.domain.exchange import EvidenceRef, NewOutboxMessage, SubscriptionMessage
from settlement.domain.privacy import mask_plate
from settlement.errors import InvalidInput, PhotoNotFound
from settlement.ports.claims import (
    ClaimRepository,
    InboundAnswer,
    RecipientDirectory,
    RequestLog,
    TransactionalCases,
    UnitOfWork,
)
from settlement.ports.documents import DocumentStore
from settlement.ports.identity import Clock
from settlement.ports.outbox import Outbox
from settlement.ports.photos import EvidenceIndex, PhotoStore
from settlement.services.audit import NO_ORIGIN, AuditTrail, RequestOrigin
from settlement.services.dispatcher import KIND_WECHAT_MESSAGE
from settlement.services.recent_cases import RecentCases, changing
from settlement.services.unit_of_work import PendingDocument

MAX_WRITE_ATTEMPTS = 5
MAX_TEXT = 2000
"""Longest free text (notes, reasons) a partner or driver may send; longer is refused."""
MAX_AMOUNT = Decimal("10000000")
"""A minor-accident claim above ten million yuan is a typo or an attack."""

_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass(frozen=True, slots=True)
class NotificationTemplates:
    """WeChat subscription-message template ids; an empty id means "do not send"."""

    claim_filed: str = ""
    claim_assessed: str = ""
    claim_paid: str = ""
    mediation_outcome: str = ""
    page: str = "pages/case/detail"
    miniprogram_state: str = "formal"


@dataclass(frozen=True, slots=True)
class Notice:
    """A subscription message to the driver of party ``label``."""

    label: str
    template_id: str
    data: Mapping[str, str]


Effect = NewOutboxMessage | Notice


@dataclass
class ExchangeStore:
    """The records of the exchange and the one transaction that changes them."""

    cases: TransactionalCases
    claims: ClaimRepository
    outbox: Outbox
    uow: UnitOfWork
    clock: Clock
    recipients: RecipientDirectory | None = None
    templates: NotificationTemplates = field(default_factory=NotificationTemplates)
    requests: RequestLog | None = None
    """Where partners' request ids are kept with the effect of their calls."""
    audit: AuditTrail | None = None
    """Records each change in its transaction, and partners' reads before they get data."""
    documents: DocumentStore | None = None
    """Where documents issued by a change (agreement, 事故认定书) are kept."""
    recent: RecentCases | None = None
    """The drivers' case views cache: a case changed here is forgotten there."""

    async def commit(
        self,
        *,
        case: Case | None = None,
        new_claims: Sequence[Claim] = (),
        changed_claims: Sequence[Claim] = (),
        effects: Sequence[Effect] = (),
        notice_case: Case | None = None,
        inbound: InboundAnswer | None = None,
        events: Sequence[AuditEvent] = (),
        documents: Sequence[PendingDocument] = (),
    ) -> tuple[Case | None, list[Claim]]:
        """Save everything given in one transaction, with the audit entries recording it
        and the documents it issues; returns the saved case and claims.

        ``inbound``: the partner call that causes the change; its answer commits with it.

        Raises:
            ConcurrentUpdate: the case or a claim changed since it was read, or the same
                partner request took effect meanwhile.
        """
        about = case or notice_case
        messages = [m for m in [await self._message(about, e) for e in effects] if m]
        forgetting = changing(self.recent, None if case is None else case.id)
        async with forgetting, self.uow.transaction() as tx:
            saved_case = None if case is None else await self.cases.save(case, session=tx)
            await self.claims.add_all(new_claims, session=tx)
            saved = [await self.claims.save(c, session=tx) for c in changed_claims]
            for message in messages:
                await self.outbox.enqueue(message, tx=tx)
            if inbound is not None and self.requests is not None:
                await self.requests.record(inbound, session=tx)
            if documents:
                if self.documents is None:
                    raise RuntimeError("this change issues documents but no store is wired")
                for d in documents:
                    await self.documents.put(d.case_id, d.rendered, d.issued_at, tx=tx)
            if self.audit is not None:
                for event in events:
                    await self.audit.record(event, tx=tx)
        return saved_case, saved

    async def record_read(self, partner: str, action: str, case_id: str, *,
                          origin: RequestOrigin | None = None, **details: object
                          ) -> None:  # fmt: skip
        """A partner (``insurer:PICC``) reads a person's data: recorded before it is sent.

        ``origin`` names the request when the read is served outside its context (a batch
        of reads runs in one task); by default it is the current request's.
        """
        if self.audit is not None:
            kind: ActorKind = "insurer" if partner.startswith("insurer:") else "system"
            where = origin or NO_ORIGIN
            await self.audit.record(AuditEvent(
                actor=partner, actor_kind=kind, role=kind, action=action, case_id=case_id,
                details=clean_details(details), origin=where.address,
                request_id=where.request_id,
            ))  # fmt: skip

    async def _message(self, case: Case | None, effect: Effect) -> NewOutboxMessage | None:
        if isinstance(effect, NewOutboxMessage):
            return effect
        if case is None or self.recipients is None or not effect.template_id:
            return None
        party: Party | None = case.parties.get(effect.label)
        if party is None:
            return None
        openid = await self.recipients.openid_for(party.user_id)
        if not openid:
            return None
        request_id = str(uuid.uuid4())
        message = SubscriptionMessage(
            request_id=request_id,
            openid=openid,
            template_id=effect.template_id,
            page=f"{self.templates.page}?id={case.id}",
            data=effect.data,
            miniprogram_state=self.templates.miniprogram_state,
        )
        return NewOutboxMessage(
            kind=KIND_WECHAT_MESSAGE, key=case.id, payload=message.to_payload(),
            request_id=request_id,
        )  # fmt: skip


@dataclass
class EvidenceCatalog:
    """The privacy copies of a case's photos as partners see them (size and SHA-256).

    Identity documents (licence, registration) are not partners' evidence: they are absent
    from the list and an id of one is refused like an id from another case.

    Keys are content-addressed (derived from the original's digest), so what is stored
    under a key never changes and its description can be cached for good.
    """

    photos: EvidenceIndex | None = None
    store: PhotoStore | None = None
    _digests: OrderedDict[str, tuple[int, str]] = field(default_factory=OrderedDict, repr=False)

    async def records(self, case_id: str) -> Sequence[PrivacyCopy]:
        if self.photos is None or self.store is None:
            return ()
        found = await self.photos.privacy_copies(case_id)
        return [copy for copy in found if partner_may_receive(copy.slot)]

    async def record(self, case_id: str, evidence_id: str) -> PrivacyCopy:
        check_id(evidence_id)
        for record in await self.records(case_id):
            if record.photo_id == evidence_id:
                return record
        raise PhotoNotFound("No evidence item with this id in the claim.", evidence_id=evidence_id)

    async def refs(self, case_id: str) -> tuple[EvidenceRef, ...]:
        refs = []
        for record in await self.records(case_id):
            try:
                size, sha256 = await self.describe(record)
            except PhotoNotFound:
                continue  # the record exists but its copy does not (yet): not evidence
            refs.append(
                EvidenceRef(
                    evidence_id=record.photo_id,
                    media_type="image/jpeg",
                    size_bytes=size,
                    sha256=sha256,
                    captured_at=record.received_at,
                )
            )
        return tuple(refs)

    async def describe(self, record: PrivacyCopy) -> tuple[int, str]:
        cached = self._digests.get(record.privacy_key)
        if cached is not None:
            self._digests.move_to_end(record.privacy_key)
            return cached
        assert self.store is not None  # noqa: S101 - callers found the record through it
        data = await self.store.get(record.privacy_key)
        described = (len(data), hashlib.sha256(data).hexdigest())
        self._digests[record.privacy_key] = described
        if len(self._digests) > 10_000:
            self._digests.popitem(last=False)
        return described


def case_ref(case: Case, label: str) -> str:
    """How a notice names the case to a driver: masked plate and the case id's tail."""
    details = case.parties[label].details
    plate = mask_plate(details.plate) if details else ""
    return f"{plate} 事故 {case.id[-6:]}".strip()


def check_id(value: str) -> None:
    if not _ID.fullmatch(value):
        raise InvalidInput("The id is malformed.", field="id")


def check_text(value: str, name: str, limit: int = MAX_TEXT) -> None:
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters.", field=name)


def plain(value: Any) -> Any:
    """JSON-ready copy of stored values (datetimes as ISO strings, decimals as strings)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
