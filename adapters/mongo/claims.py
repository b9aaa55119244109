"""Claims in their own ``claims`` collection, and the change feed insurers watch.

One document per claim with its own ``version``: two insurers working on two claims of
one case never touch the same document. Listing pages over ``(filed_at, _id)``, which
never change, so a scan is stable while claims are updated.

The feed is a MongoDB change stream (the server is a replica set). It was chosen over an
in-process event bus because it sees changes made by *every* process sharing the
database, and its resume tokens give insurers a cursor that survives reconnects and our
restarts, which a bus cannot.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, OperationFailure

from adapters.mongo.cases import from_document as case_from_document
from adapters.mongo.types import Collection, Database, Document, find_each
from settlement.domain.case import Case, CaseStatus
from settlement.domain.claim import (
    Assessment,
    Claim,
    ClaimLine,
    ClaimStatus,
    Cover,
    HistoryEntry,
    Summary,
)
from settlement.domain.exchange import Payout
from settlement.errors import ClaimNotFound, ConcurrentUpdate, InvalidInput
from settlement.ports.claims import ClaimChange, ClaimCursor
from settlement.services.batching import Coalescer

COLLECTION = "claims"
_TOKEN = re.compile(r"[0-9A-Fa-f]{2,1024}")
IDLE_POLL_MS = 250
"""How long one change-stream getMore waits for news: bounds the delay of opening."""


class MongoClaimRepository:
    """:class:`~settlement.ports.claims.ClaimRepository` on the ``claims`` collection."""

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db[COLLECTION]
        self._reads: Coalescer[str, Claim] = Coalescer(self._get_many)

    async def get(self, claim_id: str, *, session: Any = None) -> Claim:
        """Reads outside a transaction that arrive together share one ``$in`` query."""
        if session is None:
            return await self._reads(claim_id)
        document = await self._collection.find_one({"_id": claim_id}, session=session)
        if document is None:
            raise ClaimNotFound("No claim with this id.", claim_id=claim_id)
        return from_document(document)

    async def _get_many(self, claim_ids: Sequence[str]) -> list[Claim | BaseException]:
        def missing(i: str) -> BaseException:
            return ClaimNotFound("No claim with this id.", claim_id=i)

        return await find_each(self._collection, claim_ids, from_document, missing)

    async def for_case(self, case_id: str) -> Sequence[Claim]:
        cursor = self._collection.find({"case_id": case_id}).sort(
            [("filed_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [from_document(document) async for document in cursor]

    async def add_all(self, claims: Sequence[Claim], *, session: Any) -> None:
        if not claims:
            return
        try:
            await self._collection.insert_many(
                [to_document(replace(c, version=1)) for c in claims], session=session
            )
        except DuplicateKeyError:
            raise ConcurrentUpdate("These claims were filed already.") from None

    async def save(self, claim: Claim, *, session: Any = None) -> Claim:
        stored = replace(claim, version=claim.version + 1)
        result = await self._collection.replace_one(
            {"_id": claim.id, "version": claim.version}, to_document(stored), session=session
        )
        if result.matched_count != 1:
            raise ConcurrentUpdate(
                "The claim was changed by someone else; read it again.", claim_id=claim.id
            )
        return stored

    async def list_for_insurer(
        self,
        insurer_code: str,
        *,
        limit: int,
        after: ClaimCursor | None = None,
        status: str | None = None,
        updated_after: datetime | None = None,
    ) -> Sequence[Claim]:
        query: Document = {"insurer_code": insurer_code}
        if status is not None:
            query["status"] = status
        if updated_after is not None:
            query["updated_at"] = {"$gte": updated_after}
        if after is not None:
            query["$or"] = [
                {"filed_at": {"$gt": after.filed_at}},
                {"filed_at": after.filed_at, "_id": {"$gt": after.claim_id}},
            ]
        cursor = (
            self._collection.find(query)
            .sort([("filed_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [from_document(document) async for document in cursor]


class MongoOpenCases:
    """:class:`~settlement.ports.claims.OpenCases` on the ``cases`` collection."""

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db["cases"]

    async def in_status(self, status: CaseStatus, *, limit: int) -> Sequence[Case]:
        cursor = (
            self._collection.find({"status": status.value})
            .sort("updated_at", ASCENDING)
            .limit(limit)
        )
        return [case_from_document(document) async for document in cursor]


class MongoClaimFeed:
    """:class:`~settlement.ports.claims.ClaimFeed` as a change stream on ``claims``.

    Cursors are the change stream's resume tokens (the hex ``_data`` string).
    """

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db[COLLECTION]

    @contextlib.asynccontextmanager
    async def watch(
        self, insurer_code: str, *, cursor: str = ""
    ) -> AsyncIterator[AsyncIterator[ClaimChange]]:
        resume: Document | None = None
        if cursor:
            if not _TOKEN.fullmatch(cursor):
                raise InvalidInput("The cursor is malformed.", field="cursor")
            resume = {"_data": cursor}
        pipeline = [
            {
                "$match": {
                    "operationType": {"$in": ["insert", "update", "replace"]},
                    "fullDocument.insurer_code": insurer_code,
                }
            }
        ]
        stream: Any = await self._collection.watch(
            pipeline,
            full_document="updateLookup",
            resume_after=resume,
            max_await_time_ms=IDLE_POLL_MS,
        )
        try:
            # Open the stream now, so changes after entering are never missed.
            try:
                first = await stream.try_next()
            except OperationFailure as exc:
                raise InvalidInput(
                    "The cursor is too old or not ours; start again with an empty cursor.",
                    field="cursor",
                ) from exc
            yield _changes(stream, first)
        finally:
            await stream.close()


async def _changes(stream: Any, first: Document | None) -> AsyncIterator[ClaimChange]:
    pending = first
    while True:
        change = pending if pending is not None else await stream.try_next()
        pending = None
        if change is None:
            continue
        document = change.get("fullDocument")
        if document is None:
            continue
        yield ClaimChange(cursor=str(change["_id"]["_data"]), claim=from_document(document))


async def ensure_claim_indexes(db: Database) -> None:
    claims = db[COLLECTION]
    await claims.create_index(
        [("insurer_code", ASCENDING), ("filed_at", ASCENDING), ("_id", ASCENDING)],
        name="by_insurer_filing_order",
    )
    await claims.create_index(
        [("case_id", ASCENDING), ("filed_at", ASCENDING)], name="by_case"
    )


# --- document mapping ---------------------------------------------------------------------


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _aware(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError("expected a datetime")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _maybe_aware(value: Any) -> datetime | None:
    return None if value is None else _aware(value)


def to_document(claim: Claim) -> Document:
    return {
        "_id": claim.id,
        "case_id": claim.case_id,
        "party": claim.party,
        "cover": claim.cover.value,
        "insurer_code": claim.insurer_code,
        "policy_number": claim.policy_number,
        "status": claim.status.value,
        "filed_at": claim.filed_at,
        "updated_at": claim.updated_at,
        "request_id": claim.request_id,
        "decided_by": claim.decided_by,
        "document_number": claim.document_number,
        "liability_level": claim.liability_level,
        "liability_share": str(claim.liability_share),
        "own_loss": _dec(claim.own_loss),
        "third_party_loss": _dec(claim.third_party_loss),
        "amount_due": _dec(claim.amount_due),
        "lines": [
            {"cover": ln.cover, "liable": ln.liable, "payee": ln.payee, "amount": str(ln.amount)}
            for ln in claim.lines
        ],
        "history": [
            {"status": h.status.value, "at": h.at, "by": h.by, "reason": h.reason}
            for h in claim.history
        ],
        "version": claim.version,
        "claim_number": claim.claim_number,
        "assessment": None
        if claim.assessment is None
        else {
            "amount": str(claim.assessment.amount),
            "assessor": claim.assessment.assessor,
            "notes": claim.assessment.notes,
            "assessed_at": claim.assessment.assessed_at,
        },
        "payout": None
        if claim.payout is None
        else {
            "amount": str(claim.payout.amount),
            "paid_at": claim.payout.paid_at,
            "transaction_reference": claim.payout.transaction_reference,
        },
        "status_reason": claim.status_reason,
        "event": {"type": claim.event, "seq": claim.event_seq},
        "summary": {
            "policyholder_name": claim.summary.policyholder_name,
            "plate_number": claim.summary.plate_number,
            "occurred_at": claim.summary.occurred_at,
            "location": claim.summary.location,
            "description": claim.summary.description,
        },
    }


def from_document(document: Mapping[str, Any]) -> Claim:
    assessment = document.get("assessment")
    payout = document.get("payout")
    event = document.get("event") or {}
    summary = document["summary"]
    return Claim(
        id=str(document["_id"]),
        case_id=str(document["case_id"]),
        party=str(document["party"]),
        cover=Cover(document["cover"]),
        insurer_code=str(document["insurer_code"]),
        policy_number=str(document.get("policy_number", "")),
        status=ClaimStatus(document["status"]),
        filed_at=_aware(document["filed_at"]),
        updated_at=_aware(document["updated_at"]),
        request_id=str(document["request_id"]),
        decided_by=str(document.get("decided_by", "")),
        document_number=str(document.get("document_number", "")),
        liability_level=str(document.get("liability_level", "")),
        liability_share=Decimal(str(document.get("liability_share", "0"))),
        own_loss=_undec(document.get("own_loss")),
        third_party_loss=_undec(document.get("third_party_loss")),
        amount_due=_undec(document.get("amount_due")),
        lines=tuple(
            ClaimLine(str(ln["cover"]), str(ln["liable"]), str(ln["payee"]), Decimal(ln["amount"]))
            for ln in document.get("lines") or []
        ),
        history=tuple(
            HistoryEntry(ClaimStatus(h["status"]), _aware(h["at"]), str(h.get("by", "")),
                         str(h.get("reason", "")))
            for h in document.get("history") or []
        ),
        version=int(document.get("version", 0)),
        claim_number=str(document.get("claim_number", "")),
        assessment=None
        if not assessment
        else Assessment(
            amount=Decimal(str(assessment["amount"])),
            assessor=str(assessment.get("assessor", "")),
            notes=str(assessment.get("notes", "")),
            assessed_at=_aware(assessment["assessed_at"]),
        ),
        payout=None
        if not payout
        else Payout(
            amount=Decimal(str(payout["amount"])),
            paid_at=_maybe_aware(payout.get("paid_at")),
            transaction_reference=str(payout.get("transaction_reference", "")),
        ),
        status_reason=str(document.get("status_reason", "")),
        event=str(event.get("type", "filed")),
        event_seq=int(event.get("seq", 1)),
        summary=Summary(
            policyholder_name=str(summary["policyholder_name"]),
            plate_number=str(summary["plate_number"]),
            occurred_at=_aware(summary["occurred_at"]),
            location=str(summary["location"]),
            description=str(summary["description"]),
        ),
    )
