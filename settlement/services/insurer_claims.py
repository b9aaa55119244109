"""The insurer-facing claims API: list, read, stream evidence for, assess and move claims.

Every call is scoped to the calling insurer: another insurer's claim is answered like a
missing one, so claim ids cannot be probed. Claims are addressed by their own id (one per
party and cover), carry their own version (the etag), and page by their filing order.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from settlement.domain.claim import (
    Assessment,
    Claim,
    ClaimStatus,
    case_of_claim,
    check_amount,
)
from settlement.domain.evidence import PrivacyCopy
from settlement.domain.exchange import EvidenceRef, Payout
from settlement.errors import ClaimNotFound, InvalidInput
from settlement.ports.cases import StoredResponse
from settlement.ports.claims import ClaimChange, ClaimCursor, ClaimFeed, InboundAnswer
from settlement.services.audit import RequestOrigin, request_origin
from settlement.services.batching import Coalescer
from settlement.services.claim_filing import (
    ClaimChangeFn,
    ClaimFilings,
    claimed_or_closed,
    not_theirs,
)
from settlement.services.dispatcher import KIND_FILE_CLAIM
from settlement.services.exchange_support import (
    MAX_AMOUNT,
    EvidenceCatalog,
    Notice,
    check_id,
    check_text,
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
EVIDENCE_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A claim as its insurer sees it, with what the case says about the accident."""

    claim: Claim
    policyholder_name: str
    plate_number: str
    occurred_at: datetime
    location: str
    description: str
    evidence: tuple[EvidenceRef, ...]

    @property
    def etag(self) -> str:
        return etag_of(self.claim)


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    cursor: str
    type: str
    at: datetime
    claim: ClaimView


@dataclass(frozen=True, slots=True)
class EvidenceHeader:
    evidence_id: str
    media_type: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class EvidenceChunk:
    offset: int
    data: bytes


@dataclass(frozen=True, slots=True)
class EvidenceTrailer:
    sha256: str
    size_bytes: int


EvidencePart = EvidenceHeader | EvidenceChunk | EvidenceTrailer


@dataclass(frozen=True, slots=True)
class InboundRequest:
    """A mutating partner call: its request id, fingerprint, and how its answer is rendered
    (by the adapter, in its wire format) so the answer can commit with the effect."""

    scope: str
    key: str
    fingerprint: str
    render: Callable[[ClaimView], StoredResponse]


@dataclass(frozen=True, slots=True)
class _ClaimRead:
    """One GetClaim waiting to be served with the others that arrived with it."""

    insurer_code: str
    claim_id: str
    origin: RequestOrigin


def etag_of(claim: Claim) -> str:
    return f"v{claim.version}"


def version_of(etag: str) -> int | None:
    """The claim version an etag names; None for no etag. Raises InvalidInput if forged."""
    if not etag:
        return None
    if not etag.startswith("v") or not etag[1:].isdigit() or len(etag) > 20:
        raise InvalidInput("etag is not one we issued.", field="etag")
    return int(etag[1:])


@dataclass
class InsurerClaims:
    """The insurer API's use cases.

    Args:
        filings: the claim records and their transactional updates.
        evidence: the case photos' privacy copies.
        feed: claim changes, for the watch stream.
    """

    filings: ClaimFilings
    evidence: EvidenceCatalog
    feed: ClaimFeed
    # Concurrent GetClaims are served a batch at a time: the batch's claims, evidence lists
    # and audit entries each take one database call, however many insurers are asking.
    _reads: Coalescer[_ClaimRead, ClaimView] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._reads = Coalescer(self._read_claims)

    # --- reads --------------------------------------------------------------------------

    async def list_claims(
        self,
        insurer_code: str,
        *,
        page_size: int = 0,
        page: ClaimCursor | None = None,
        status: ClaimStatus | None = None,
        updated_after: datetime | None = None,
    ) -> tuple[list[ClaimView], ClaimCursor | None]:
        """The insurer's claims in filing order, and where the next page starts.

        Raises:
            InvalidInput: ``page_size`` is negative.
        """
        if page_size < 0:
            raise InvalidInput("page_size must not be negative.", field="page_size")
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        found = await self.filings.store.claims.list_for_insurer(
            insurer_code,
            limit=size + 1,
            after=page,
            status=status.value if status is not None else None,
            updated_after=updated_after,
        )
        # The page's evidence lists are read together (one query), and one entry per claim
        # listed is appended together (one insert) before any of it is returned.
        listed = found[:size]
        views = await asyncio.gather(*[self._view(claim) for claim in listed])
        await asyncio.gather(*[
            self.filings.store.record_read(f"insurer:{insurer_code}", "claim.list",
                                           claim.case_id, claim_id=claim.id)
            for claim in listed
        ])  # fmt: skip
        following = None
        if len(found) > size:
            last = found[size - 1]
            following = ClaimCursor(filed_at=last.filed_at, claim_id=last.id)
        return views, following

    async def get_claim(self, insurer_code: str, claim_id: str) -> ClaimView:
        """One claim of the insurer.

        Raises:
            ClaimNotFound: no such claim, or another insurer's.
            InvalidInput: ``claim_id`` is not an id at all.
        """
        check_id(claim_id)
        return await self._reads(_ClaimRead(insurer_code, claim_id, request_origin.get()))

    async def _read_claims(self, reads: Sequence[_ClaimRead]
                           ) -> list[ClaimView | BaseException]:  # fmt: skip
        """Serve a batch of GetClaims: read, record each read that finds the caller's claim
        (before any answer leaves), answer. The concurrent calls below reach each store
        together, so each becomes one query or one insert."""
        # Evidence lists are read alongside the claims (a claim id names its case), a round
        # trip less; none of it is used unless the claim is the caller's.
        guessed = list(dict.fromkeys(case_of_claim(read.claim_id) for read in reads))
        owned, listed = await asyncio.gather(
            asyncio.gather(*(self._own(r.insurer_code, r.claim_id) for r in reads),
                           return_exceptions=True),
            asyncio.gather(*(self.evidence.refs(case) for case in guessed),
                           return_exceptions=True),
        )  # fmt: skip
        listings: dict[str, tuple[EvidenceRef, ...] | BaseException] = dict(
            zip(guessed, listed, strict=True)
        )
        claims = [c for c in owned if isinstance(c, Claim)]
        others = list(dict.fromkeys(c.case_id for c in claims if c.case_id not in listings))
        if others:  # ids made some other way: read the right cases
            more = await asyncio.gather(*(self.evidence.refs(case) for case in others),
                                        return_exceptions=True)  # fmt: skip
            listings.update(zip(others, more, strict=True))
        answers: list[ClaimView | BaseException] = []
        for claim in owned:
            if isinstance(claim, BaseException):
                answers.append(claim)
                continue
            evidence = listings[claim.case_id]
            answers.append(evidence if isinstance(evidence, BaseException)
                           else self._view_of(claim, evidence))  # fmt: skip
        served = [(read, answer) for read, answer in zip(reads, answers, strict=True)
                  if isinstance(answer, ClaimView)]  # fmt: skip
        recorded = await asyncio.gather(*(
            self.filings.store.record_read(f"insurer:{read.insurer_code}", "claim.view",
                                           view.claim.case_id, origin=read.origin,
                                           claim_id=view.claim.id)
            for read, view in served
        ), return_exceptions=True)  # fmt: skip
        # A read whose audit entry could not be written is not answered (fail closed).
        unrecorded = {id(view): error for (_, view), error in zip(served, recorded, strict=True)
                      if isinstance(error, BaseException)}  # fmt: skip
        return [unrecorded.get(id(answer), answer) for answer in answers]

    async def stream_evidence(
        self,
        insurer_code: str,
        claim_id: str,
        evidence_id: str,
        *,
        start_offset: int = 0,
        chunk_size: int = EVIDENCE_CHUNK,
    ) -> AsyncIterator[EvidencePart]:
        """Header, the privacy copy from ``start_offset`` in chunks, and a trailer.

        The trailer's SHA-256 covers the whole copy (also the bytes skipped on resume).

        Raises:
            ClaimNotFound: no such claim of this insurer.
            PhotoNotFound: no such evidence item in this claim.
            InvalidInput: ``start_offset`` is negative or beyond the end.
        """
        claim = await self._own(insurer_code, claim_id)
        record = await self.evidence.record(claim.case_id, evidence_id)
        size, _ = await self.evidence.describe(record)
        if start_offset < 0 or start_offset > size:
            raise InvalidInput(
                "start_offset must lie within the evidence item.", field="start_offset"
            )
        reader = f"insurer:{insurer_code}"
        await self.filings.store.record_read(reader, "evidence.download", claim.case_id,
                                             evidence_id=evidence_id[:64])  # fmt: skip
        return self._evidence_parts(record, size, start_offset, chunk_size)

    async def _evidence_parts(
        self, record: PrivacyCopy, size: int, start_offset: int, chunk_size: int
    ) -> AsyncIterator[EvidencePart]:
        store = self.evidence.store
        assert store is not None  # noqa: S101 - the record was found through it
        yield EvidenceHeader(record.photo_id, "image/jpeg", size)
        digest = hashlib.sha256()
        position = 0
        async for block in store.open_stream(record.privacy_key, chunk_size=chunk_size):
            digest.update(block)
            start = max(start_offset - position, 0)
            for i in range(start, len(block), chunk_size):
                yield EvidenceChunk(position + i, block[i : i + chunk_size])
            position += len(block)
        yield EvidenceTrailer(digest.hexdigest(), position)

    def watch(
        self, insurer_code: str, *, cursor: str = "", claim_id: str = ""
    ) -> AbstractAsyncContextManager[AsyncIterator[ClaimEvent]]:
        """Events of the insurer's claims from ``cursor`` (empty: from now), live once the
        context is entered; each move of a claim is reported once per stream.

        Raises:
            InvalidInput: malformed or expired cursor, or malformed ``claim_id``.
        """
        if claim_id:
            check_id(claim_id)
        return self._watch(insurer_code, cursor, claim_id)

    @asynccontextmanager
    async def _watch(
        self, insurer_code: str, cursor: str, claim_id: str
    ) -> AsyncIterator[AsyncIterator[ClaimEvent]]:
        async with self.feed.watch(insurer_code, cursor=cursor) as changes:
            yield self._events(changes, claim_id)

    async def _events(
        self, changes: AsyncIterator[ClaimChange], claim_id: str
    ) -> AsyncIterator[ClaimEvent]:
        seen: dict[str, int] = {}
        async for change in changes:
            claim = change.claim
            if (claim_id and claim.id != claim_id) or seen.get(claim.id, 0) >= claim.event_seq:
                continue
            seen[claim.id] = claim.event_seq
            yield ClaimEvent(
                cursor=change.cursor,
                type=claim.event,
                at=claim.updated_at,
                claim=await self._view(claim, with_evidence=False),
            )

    # --- changes ------------------------------------------------------------------------

    async def submit_assessment(
        self,
        insurer_code: str,
        claim_id: str,
        *,
        amount: Decimal,
        assessor: str,
        notes: str = "",
        assessed_at: datetime | None = None,
        etag: str = "",
        request: InboundRequest | None = None,
    ) -> ClaimView:
        """Record the insurer's assessment of its claim (a revision replaces it).

        Raises:
            ClaimNotFound: no such claim of this insurer.
            InvalidInput: amount out of range or with more than two decimals; text too long.
            IllegalTransition: the claim is approved, paid, rejected or cancelled.
            ConcurrentUpdate: ``etag`` is given and the claim changed since.
        """
        check_amount(amount, "assessed_amount", MAX_AMOUNT)
        check_text(assessor, "assessor", 200)
        check_text(notes, "notes")
        if not assessor.strip():
            raise InvalidInput("assessor is required.", field="assessor")
        templates = self.filings.store.templates

        def change(claim: Claim, now: datetime) -> tuple[Claim, list[Notice]]:
            assessment = Assessment(amount, assessor, notes, assessed_at or now)
            moved = claim.assess(assessment, by=f"insurer:{insurer_code}", now=now)
            notice = Notice(claim.party, templates.claim_assessed,
                            {"amount1": f"{amount}元", "thing2": ""})  # fmt: skip
            return moved, [notice]

        return await self._change(insurer_code, claim_id, change, etag, request, "claim.assess")

    async def update_status(
        self,
        insurer_code: str,
        claim_id: str,
        *,
        status: ClaimStatus,
        reason: str = "",
        payout: Payout | None = None,
        etag: str = "",
        request: InboundRequest | None = None,
    ) -> ClaimView:
        """Move the insurer's claim one legal step; PAID needs a payout and may close the case.

        Raises:
            ClaimNotFound: no such claim of this insurer.
            InvalidInput: PAID without a payout, bad amounts, text too long.
            IllegalTransition: the move is not allowed from the claim's status.
            ConcurrentUpdate: ``etag`` is given and the claim changed since.
            PreconditionFailed: PAID while a party's 复核 of the determination is pending.
        """
        check_text(reason, "reason")
        if status is ClaimStatus.PAID:
            if payout is None:
                raise InvalidInput("A payout is required to mark a claim paid.", field="payout")
            check_amount(payout.amount, "payout.amount", MAX_AMOUNT)
            check_text(payout.transaction_reference, "payout.transaction_reference", 200)
        elif payout is not None:
            raise InvalidInput("A payout is only accepted with status PAID.", field="payout")
        if status in (ClaimStatus.FILED, ClaimStatus.ASSESSED):
            raise InvalidInput(
                "Use SubmitAssessment to assess; a claim cannot be set back to filed.",
                field="status",
            )
        templates = self.filings.store.templates

        def change(claim: Claim, now: datetime) -> tuple[Claim, list[Notice]]:
            by = f"insurer:{insurer_code}"
            if status is claim.status and status is not ClaimStatus.PAID:
                return claim, []
            if status is ClaimStatus.ACKNOWLEDGED:
                return claim.transition(status, by=by, now=now, reason=reason), []
            if payout is not None:
                paid = Payout(payout.amount, payout.paid_at or now, payout.transaction_reference)
                notice = Notice(claim.party, templates.claim_paid,
                                {"amount1": f"{payout.amount}元", "thing2": ""})  # fmt: skip
                return claim.pay(paid, by=by, now=now, reason=reason), [notice]
            return claim.transition(status, by=by, now=now, reason=reason), []

        return await self._change(insurer_code, claim_id, change, etag, request,
                                  f"claim.status.{status.value}")  # fmt: skip

    async def _change(
        self,
        insurer_code: str,
        claim_id: str,
        change: ClaimChangeFn,
        etag: str,
        request: InboundRequest | None,
        action: str,
    ) -> ClaimView:
        check_id(claim_id)
        rendered: list[ClaimView] = []

        async def answer(claim: Claim) -> InboundAnswer:
            assert request is not None  # noqa: S101 - only passed with a request
            view = await self._view(claim)
            rendered[:] = [view]
            return InboundAnswer(request.scope, request.key, request.fingerprint,
                                 request.render(view))  # fmt: skip

        saved = await self.filings.apply(
            claim_id,
            change,
            case_moves=claimed_or_closed,
            etag_version=version_of(etag),
            insurer_code=insurer_code,
            answer=answer if request is not None else None,
            action=action,
            hold_payment=True,
        )
        # The insurer acting on the claim proves it holds it: no reconciliation needed.
        await self.filings.store.outbox.acknowledge_key(
            kind=KIND_FILE_CLAIM, key=saved.id, now=self.filings.store.clock.now()
        )
        if rendered and rendered[0].claim.version == saved.version:
            return rendered[0]  # exactly what was recorded as the answer
        return await self._view(saved)

    # --- internals ----------------------------------------------------------------------

    async def _own(self, insurer_code: str, claim_id: str) -> Claim:
        check_id(claim_id)
        try:
            claim = await self.filings.store.claims.get(claim_id)
        except ClaimNotFound:
            raise not_theirs(claim_id) from None
        if claim.insurer_code != insurer_code:
            raise not_theirs(claim_id)
        return claim

    async def _view(self, claim: Claim, *, with_evidence: bool = True) -> ClaimView:
        evidence = await self.evidence.refs(claim.case_id) if with_evidence else ()
        return self._view_of(claim, evidence)

    @staticmethod
    def _view_of(claim: Claim, evidence: tuple[EvidenceRef, ...]) -> ClaimView:
        summary = claim.summary
        return ClaimView(
            claim=claim,
            policyholder_name=summary.policyholder_name,
            plate_number=summary.plate_number,
            occurred_at=summary.occurred_at,
            location=summary.location,
            description=summary.description,
            evidence=evidence,
        )
