"""Ports for claims: transactions, the claim store, and the claim change feed.

The claims use cases write a case, its claims and the outbox messages they cause in one
transaction; they page an insurer's claims by an immutable key; and they follow claim
changes for insurers watching their claims. Adapters implement these on the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from settlement.domain.case import Case, CaseStatus
from settlement.domain.claim import Claim
from settlement.ports.cases import StoredResponse
from settlement.ports.outbox import Transaction


class UnitOfWork(Protocol):
    """Opens database transactions that the case repository and the outbox both join."""

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A transaction that commits when the block ends normally, aborts otherwise.

        Raises:
            ConcurrentUpdate: the database refused the commit because another writer
                touched the same documents (a transient conflict; re-read and retry).
        """
        ...


class TransactionalCases(Protocol):
    """The case repository operations that can join a :class:`UnitOfWork` transaction."""

    async def get(self, case_id: str) -> Case:
        """Raises CaseNotFound if there is no such case."""
        ...

    async def add(self, case: Case, *, session: Transaction | None = None) -> Case:
        """Store a new case (version 1), inside ``session`` when given.

        Raises:
            AlreadyExists: a case with this id exists.
        """
        ...

    async def add_all(self, cases: Sequence[Case], *, session: Transaction) -> Sequence[Case]:
        """Store new cases (version 1) inside ``session``, in one write.

        Raises:
            AlreadyExists: a case with one of these ids exists.
        """
        ...

    async def save(self, case: Case, *, session: Transaction | None = None) -> Case:
        """Store ``case`` if its version is unchanged, inside ``session`` when given.

        Raises:
            ConcurrentUpdate: the stored version is no longer ``case.version``.
        """
        ...


@dataclass(frozen=True, slots=True)
class ClaimCursor:
    """Where a claims listing continues: the immutable sort key of the last claim returned."""

    filed_at: datetime
    claim_id: str


class ClaimRepository(Protocol):
    """Claims in their own store, each with its own version."""

    async def get(self, claim_id: str) -> Claim:
        """Raises ClaimNotFound."""
        ...

    async def for_case(self, case_id: str) -> Sequence[Claim]:
        """Every claim of a case, in filing order."""
        ...

    async def add_all(self, claims: Sequence[Claim], *, session: Transaction) -> None:
        """Store new claims (version 1) inside ``session``.

        Raises:
            ConcurrentUpdate: a claim with one of these ids exists already (filed twice).
        """
        ...

    async def save(self, claim: Claim, *, session: Transaction | None = None) -> Claim:
        """Store ``claim`` if its stored version is still ``claim.version``; returns it with
        the next version.

        Raises:
            ConcurrentUpdate: someone else changed the claim first.
        """
        ...

    async def list_for_insurer(
        self,
        insurer_code: str,
        *,
        limit: int,
        after: ClaimCursor | None = None,
        status: str | None = None,
        updated_after: datetime | None = None,
    ) -> Sequence[Claim]:
        """The insurer's claims in filing order (``filed_at``, then id), after ``after``.

        The order uses only fields that never change, so a paged scan neither skips nor
        repeats a claim while claims are being updated.
        """
        ...


class OpenCases(Protocol):
    async def in_status(self, status: CaseStatus, *, limit: int) -> Sequence[Case]:
        """Cases in ``status``, least recently updated first (for pollers)."""
        ...


@dataclass(frozen=True, slots=True)
class ClaimChange:
    """One change of a claim as a feed reports it.

    Args:
        cursor: opaque position in the feed; resuming after it yields the next change.
        claim: the claim after the change (possibly a later state of it).
    """

    cursor: str
    claim: Claim


class ClaimFeed(Protocol):
    """A resumable feed of claim changes."""

    def watch(
        self, insurer_code: str, *, cursor: str = ""
    ) -> AbstractAsyncContextManager[AsyncIterator[ClaimChange]]:
        """Open a feed of changes to the claims filed with ``insurer_code``.

        The feed is live once the context is entered, so a change made after entering
        is never missed. An empty ``cursor`` starts from now.

        Raises:
            InvalidInput: ``cursor`` is malformed or too old to resume from.
        """
        ...


@dataclass(frozen=True, slots=True)
class InboundAnswer:
    """A partner call's request id and the answer it gets, kept with the call's effect."""

    scope: str
    key: str
    fingerprint: str
    response: StoredResponse


class RequestLog(Protocol):
    """Partners' AIP-155 request ids, each recorded in the transaction of its effect, so a
    retry after our crash finds either both (the first answer) or neither (run again)."""

    async def find(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        """The first answer to this request, or None if it never took effect.

        Raises:
            IdempotencyKeyReused: the key was used with a different request.
        """
        ...

    async def record(self, answer: InboundAnswer, *, session: Transaction) -> None:
        """Keep ``answer`` inside ``session``.

        Raises:
            ConcurrentUpdate: the same request id took effect meanwhile (the transaction
                aborts; :meth:`find` then gives its answer).
        """
        ...


class RecipientDirectory(Protocol):
    """Where driver notifications go: a user id's WeChat openid, if the driver allowed it."""

    async def openid_for(self, user_id: str) -> str | None:
        """The openid to notify ``user_id`` at, or None when there is none."""
        ...
