"""Committing a case change with everything it causes, and retrying conflicts: once, here.

A change of a case writes up to four things: the case (guarded by its version), the
partner messages it causes (outbox), the documents it issues, and the audit entries that
record it. They commit in one transaction or not at all, so a crash can never leave a
change without its audit entry, a claim without its case, or an issued document the case
does not name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from settlement.domain.audit import AuditEntry, AuditEvent
from settlement.domain.case import Case
from settlement.domain.exchange import NewOutboxMessage
from settlement.errors import ConcurrentUpdate
from settlement.ports.claims import TransactionalCases, UnitOfWork
from settlement.ports.documents import DocumentStore, RenderedDocument
from settlement.ports.outbox import Outbox, Transaction
from settlement.services.audit import AuditTrail
from settlement.services.recent_cases import RecentCases, changing

MAX_WRITE_ATTEMPTS = 5
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class PendingDocument:
    """A rendered document that is issued when the change naming it commits."""

    case_id: str
    rendered: RenderedDocument
    issued_at: datetime


@dataclass
class CaseChange:
    """One change of one case and what it causes.

    Attributes:
        case: the changed case (saved with its version check), or a new case (``new``).
        events: audit entries recording the change.
        messages: partner messages to send once committed.
        documents: documents issued by the change.
    """

    case: Case
    events: list[AuditEvent] = field(default_factory=list)
    messages: list[NewOutboxMessage] = field(default_factory=list)
    documents: list[PendingDocument] = field(default_factory=list)
    new: bool = False


class CaseWriter:
    """Commits :class:`CaseChange` s in one transaction of the unit of work.

    Args:
        cases: the case repository (its writes join the transaction).
        uow: opens transactions; None only for in-memory unit tests (writes one by one).
        audit / outbox / documents: where events, messages and documents go.
        recent: the case views cache; a case is forgotten there around each change.
    """

    def __init__(
        self,
        *,
        cases: TransactionalCases,
        uow: UnitOfWork | None = None,
        audit: AuditTrail | None = None,
        outbox: Outbox | None = None,
        documents: DocumentStore | None = None,
        recent: RecentCases | None = None,
    ) -> None:
        self._recent = recent
        self._cases = cases
        self._uow = uow
        self._audit = audit
        self._outbox = outbox
        self._documents = documents
        # Cases opened at the same moment (every driver at the scene opens one) commit
        # together: one transaction's round trips and journal wait for the lot.
        self._openings: GroupCommit[tuple[Case, list[AuditEntry]], Case] = GroupCommit(
            self._open_together
        )

    async def commit(self, change: CaseChange) -> Case:
        """Write ``change`` atomically.

        Raises:
            ConcurrentUpdate: the case changed since it was read, or the transaction
                conflicted with another (re-read and retry: :func:`retry_conflicts`).
        """
        if change.new and self._uow is not None and not change.documents and not change.messages:
            # The entries are made now, in the caller's context (its request's origin).
            entries = [] if self._audit is None else [self._audit.entry(e) for e in change.events]
            return await self._openings.submit((change.case, entries))
        async with changing(self._recent, None if change.new else change.case.id):
            if self._uow is None:
                return await self._write(change, None)
            async with self._uow.transaction() as tx:
                return await self._write(change, tx)

    async def _open_together(self, openings: Sequence[tuple[Case, list[AuditEntry]]]
                             ) -> Sequence[Case]:  # fmt: skip
        """New cases and their audit entries in one transaction."""
        if self._uow is None:
            raise RuntimeError("group commits need a unit of work")
        async with self._uow.transaction() as tx:
            saved = await self._cases.add_all([case for case, _ in openings], session=tx)
            if self._audit is not None:
                await self._audit.record_all([e for _, es in openings for e in es], tx=tx)
        return saved

    async def _write(self, change: CaseChange, tx: Transaction | None) -> Case:
        if tx is None:  # in-memory repositories of unit tests take no session
            write = self._cases.add if change.new else self._cases.save
            saved = await write(change.case)
        elif change.new:
            saved = await self._cases.add(change.case, session=tx)
        else:
            saved = await self._cases.save(change.case, session=tx)
        if change.documents:
            if self._documents is None:
                raise RuntimeError("this change issues documents but no store is wired")
            for d in change.documents:
                if tx is None:
                    await self._documents.put(d.case_id, d.rendered, d.issued_at)
                else:
                    await self._documents.put(d.case_id, d.rendered, d.issued_at, tx=tx)
        if change.messages:
            if self._outbox is None:
                raise RuntimeError("this change sends messages but no outbox is wired")
            for message in change.messages:
                await self._outbox.enqueue(message, tx=tx)
        if self._audit is not None:
            for event in change.events:
                await self._audit.record(event, tx=tx)
        return saved


class GroupCommit(Generic[T, R]):
    """Requests that arrive together are written by one call of ``write`` (group commit).

    The first request is written at once; while up to ``in_flight`` writes are under way
    the next requests queue, and each write takes up to ``limit`` of them. No request waits
    for company. When a write of several fails, each of them is written alone, so a
    failure is reported to the request that causes it and to no other.

    Args:
        write: writes the items in one transaction; returns one result per item, in order.
    """

    def __init__(self, write: Callable[[Sequence[T]], Awaitable[Sequence[R]]], *,
                 limit: int = 100, in_flight: int = 2) -> None:  # fmt: skip
        self._write = write
        self._limit = limit
        self._in_flight = in_flight
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._writers: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> R:
        """Write ``item`` (with whatever else is waiting) and return its result."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        # A writer that has finished is done() before its discard callback has run.
        if sum(not writer.done() for writer in self._writers) < self._in_flight:
            writer = asyncio.create_task(self._drain())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        return await done

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._limit], self._queue[self._limit :]
            try:
                if len(batch) == 1:
                    await _settle(batch[0][1], self._write([batch[0][0]]))
                    continue
                try:
                    results = await self._write([item for item, _ in batch])
                except Exception:  # each item is retried alone below
                    await asyncio.gather(*[_settle(done, self._write([item]))
                                           for item, done in batch])  # fmt: skip
                    continue
                for (_, done), result in zip(batch, results, strict=True):
                    if not done.done():
                        done.set_result(result)
            except BaseException as exc:  # cancelled at shutdown: nobody may wait forever
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                raise


async def _settle(done: asyncio.Future[R], write: Awaitable[Sequence[R]]) -> None:
    """Hand the one result (or the error) of ``write`` to ``done``."""
    try:
        result = (await write)[0]
    except Exception as exc:  # handed to the request that waits for it
        if not done.done():
            done.set_exception(exc)
    else:
        if not done.done():
            done.set_result(result)


async def retry_conflicts(
    attempt: Callable[[], Awaitable[T]], attempts: int = MAX_WRITE_ATTEMPTS
) -> T:
    """Run ``attempt`` (which re-reads what it changes) until it does not conflict.

    Raises:
        ConcurrentUpdate: still conflicting after ``attempts`` tries.
    """
    for _ in range(attempts):
        try:
            return await attempt()
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate("The case is being changed by someone else; try again.")


def merged(change: CaseChange, *, events: Sequence[AuditEvent] = (),
           messages: Sequence[NewOutboxMessage] = ()) -> CaseChange:  # fmt: skip
    """``change`` with more events and messages."""
    return CaseChange(change.case, [*change.events, *events], [*change.messages, *messages],
                      list(change.documents), change.new)  # fmt: skip
