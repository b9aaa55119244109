"""MongoDB persistence of cases: one document per case with an optimistic ``version``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from adapters.mongo.types import Collection, Database, Document, find_each
from settlement.domain.case import (
    AccidentScene,
    Case,
    CaseStatus,
    Invitation,
    Party,
    PartyDetails,
    Statement,
)
from settlement.domain.geo import GeoPoint
from settlement.errors import AlreadyExists, CaseNotFound, ConcurrentUpdate
from settlement.services.batching import Coalescer


class MongoCaseRepository:
    """Cases in the ``cases`` collection; the ``version`` field guards every update."""

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db["cases"]
        # Every driver polls their case: reads that arrive together share one query.
        self._reads: Coalescer[str, Case] = Coalescer(self._get_many, in_flight=2)

    async def add(self, case: Case, *, session: Any = None) -> Case:
        stored = replace(case, version=1)
        try:
            await self._collection.insert_one(to_document(stored), session=session)
        except DuplicateKeyError:
            raise AlreadyExists("A case with this id already exists.", case_id=case.id) from None
        return stored

    async def add_all(self, cases: Sequence[Case], *, session: Any) -> Sequence[Case]:
        stored = [replace(case, version=1) for case in cases]
        try:
            await self._collection.insert_many(
                [to_document(case) for case in stored], session=session
            )
        except BulkWriteError as exc:
            if any(e.get("code") == 11000 for e in exc.details.get("writeErrors", [])):
                raise AlreadyExists("A case with this id already exists.") from None
            raise
        return stored

    async def get(self, case_id: str, *, session: Any = None) -> Case:
        """Reads outside a transaction that arrive together share one ``$in`` query."""
        if session is None:
            return await self._reads(case_id)
        document = await self._collection.find_one({"_id": case_id}, session=session)
        if document is None:
            raise CaseNotFound("No case with this id among your cases.", case_id=case_id)
        return from_document(document)

    async def _get_many(self, case_ids: Sequence[str]) -> list[Case | BaseException]:
        def missing(i: str) -> BaseException:
            return CaseNotFound("No case with this id among your cases.", case_id=i)

        return await find_each(self._collection, case_ids, from_document, missing)

    async def save(self, case: Case, *, session: Any = None) -> Case:
        """Replace the stored case if its version is unchanged.

        ``session`` is a session with a transaction started, to commit together
        with other writes (the outbox); None writes on its own.
        """
        stored = replace(case, version=case.version + 1)
        document = to_document(stored)
        try:
            result = await self._collection.find_one_and_replace(
                {"_id": case.id, "version": case.version},
                document,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
        except DuplicateKeyError:
            # Only an open join code can collide; the caller retries with a fresh one.
            raise ConcurrentUpdate("A join code clashed; try again.", case_id=case.id) from None
        if result is None:
            raise ConcurrentUpdate(
                "The case was changed by someone else; reload it and try again.",
                case_id=case.id,
            )
        return stored

    async def find_by_invitation(self, code_digest: str) -> Case | None:
        document = await self._collection.find_one(
            {"invitation.code_digest": code_digest, "invitation.used": False}
        )
        return None if document is None else from_document(document)

    async def list_for_user(self, user_id: str, limit: int) -> Sequence[Case]:
        cursor = (
            self._collection.find({"party_user_ids": user_id})
            .sort("updated_at", DESCENDING)
            .limit(limit)
        )
        return [from_document(document) async for document in cursor]


async def ensure_case_indexes(db: Database) -> None:
    cases = db["cases"]
    await cases.create_index([("party_user_ids", 1), ("updated_at", DESCENDING)])
    await cases.create_index(
        "invitation.code_digest",
        unique=True,
        partialFilterExpression={"invitation.used": False},
    )
    await cases.create_index([("status", 1), ("updated_at", 1)])


def to_document(case: Case) -> Document:
    return {
        "_id": case.id,
        "version": case.version,
        "status": case.status.value,
        "scene": {
            **_fields(case.scene),
            "location": {
                "type": "Point",
                "coordinates": [case.scene.location.longitude, case.scene.location.latitude],
            },
        },
        "parties": {label: _party_document(party) for label, party in case.parties.items()},
        "party_user_ids": [party.user_id for party in case.parties.values()],
        "invitation": None if case.invitation is None else _fields(case.invitation),
        "capture_nonce": case.capture_nonce,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "jurisdiction": case.jurisdiction,
        "proposal": _plain(case.proposal),
        "agreement": _plain(case.agreement),
        "review": _plain(case.review),
        "determination": _plain(case.determination),
        "loss": _plain(case.loss),
        "exchange": _plain(case.exchange),
    }


def from_document(document: Mapping[str, Any]) -> Case:
    scene = document["scene"]
    longitude, latitude = scene["location"]["coordinates"]
    invitation = document.get("invitation")
    return Case(
        id=document["_id"],
        version=document["version"],
        status=CaseStatus(document["status"]),
        scene=AccidentScene(
            occurred_at=_utc(scene["occurred_at"]),
            address=scene["address"],
            location=GeoPoint(latitude=latitude, longitude=longitude),
            weather=scene["weather"],
            road_type=scene["road_type"],
            description=scene["description"],
        ),
        parties={label: _party_from(label, party) for label, party in document["parties"].items()},
        invitation=None
        if invitation is None
        else Invitation(
            code_digest=invitation["code_digest"],
            expires_at=_utc(invitation["expires_at"]),
            used=invitation["used"],
        ),
        capture_nonce=document["capture_nonce"],
        created_at=_utc(document["created_at"]),
        updated_at=_utc(document["updated_at"]),
        jurisdiction=document.get("jurisdiction", ""),
        proposal=document.get("proposal"),
        agreement=document.get("agreement"),
        review=document.get("review"),
        determination=document.get("determination"),
        loss=document.get("loss"),
        exchange=document.get("exchange") or {},
    )


def _fields(value: Any) -> Document:
    """A flat dataclass as a document: ``asdict`` without its deep copies (the document is
    only encoded, never changed)."""
    return {
        f.name: dict(v) if isinstance(v := getattr(value, f.name), Mapping) else v
        for f in fields(value)
    }


def _plain(value: Mapping[str, Any] | None) -> Document | None:
    return None if value is None else dict(value)


def _party_document(party: Party) -> Document:
    return {
        "user_id": party.user_id,
        "joined_at": party.joined_at,
        "details": None if party.details is None else _fields(party.details),
        "statement": None if party.statement is None else _fields(party.statement),
    }


def _party_from(label: str, document: Mapping[str, Any]) -> Party:
    details = document.get("details")
    statement = document.get("statement")
    return Party(
        label=label,
        user_id=document["user_id"],
        joined_at=_utc(document["joined_at"]),
        details=None if details is None else PartyDetails(**details),
        statement=None if statement is None else Statement(**statement),
    )


def _utc(value: datetime) -> datetime:
    # BSON dates carry no zone; the client may or may not be tz-aware.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
