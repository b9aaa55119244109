"""Ports for the insurer-facing claims: transactions, claim queries, case change feeds.

The claims use cases write a case and the outbox messages it causes in one transaction;
they find an insurer's claims without loading every case; and they follow case changes
for insurers watching their claims. Adapters implement these on the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from settlement.domain.case import Case, CaseStatus
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

    async def save(self, case: Case, *, session: Transaction | None = None) -> Case:
        """Store ``case`` if its version is unchanged, inside ``session`` when given.

        Raises:
            ConcurrentUpdate: the stored version is no longer ``case.version``.
        """
        ...


@dataclass(frozen=True, slots=True)
class ClaimPage:
    """Where a claims listing continues: the sort key of the last case returned."""

    updated_at: datetime
    case_id: str


class ClaimQueries(Protocol):
    """Read-only searches over cases from an insurer's point of view."""

    async def list_for_insurer(
        self,
        insurer_code: str,
        *,
        limit: int,
        after: ClaimPage | None = None,
        claim_status: str | None = None,
        updated_after: datetime | None = None,
    ) -> Sequence[Case]:
        """Cases with a claim filed with ``insurer_code``, newest update first.

        Args:
            insurer_code: only cases where a party's claim names this insurer.
            limit: at most this many cases.
            after: continue after this sort key (exclusive).
            claim_status: only cases whose claim with this insurer has this status.
            updated_after: only cases updated at or after this time.
        """
        ...

    async def in_status(self, status: CaseStatus, *, limit: int) -> Sequence[Case]:
        """Cases in ``status``, least recently updated first (for pollers)."""
        ...


@dataclass(frozen=True, slots=True)
class CaseChange:
    """One change of a case as a feed reports it.

    Args:
        cursor: opaque position in the feed; resuming after it yields the next change.
        case: the case after the change (possibly a later state of it).
    """

    cursor: str
    case: Case


class CaseFeed(Protocol):
    """A resumable feed of case changes."""

    def watch(
        self, insurer_code: str, *, cursor: str = ""
    ) -> AbstractAsyncContextManager[AsyncIterator[CaseChange]]:
        """Open a feed of changes to cases with a claim filed with ``insurer_code``.

        The feed is live once the context is entered, so a change made after entering
        is never missed. An empty ``cursor`` starts from now.

        Raises:
            InvalidInput: ``cursor`` is malformed or too old to resume from.
        """
        ...


class RecipientDirectory(Protocol):
    """Where driver notifications go: a user id's WeChat openid, if the driver allowed it."""

    async def openid_for(self, user_id: str) -> str | None:
        """The openid to notify ``user_id`` at, or None when there is none."""
        ...
