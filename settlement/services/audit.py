"""The audit trail as the use cases see it: record events, verify the log, prove entries.

Recording is one insert (inside the caller's transaction when it records a state change),
so it never contends; :class:`~settlement.services.sealer.Sealer` orders and seals later.
"""

from __future__ import annotations

import contextvars
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from settlement.domain.audit import (
    AuditEntry,
    AuditEvent,
    AuditReport,
    Batch,
    Checkpoint,
    LogVerifier,
    checkpoint_from_json,
    clean_details,
    new_entry,
)
from settlement.domain.audit_proof import consistency_proof, inclusion_proof
from settlement.domain.case import Case
from settlement.errors import NotFound, PreconditionFailed
from settlement.ports.audit import AuditLog, AuditSealStore, CheckpointSigner, Witness
from settlement.ports.identity import Clock
from settlement.ports.outbox import Transaction

MAX_ACCESS_LOG = 500


@dataclass(frozen=True, slots=True)
class RequestOrigin:
    """Where a request came from, for the audit entry (who/what/when/where)."""

    address: str = ""
    request_id: str = ""


NO_ORIGIN = RequestOrigin()
request_origin: contextvars.ContextVar[RequestOrigin] = contextvars.ContextVar(
    "request_origin", default=NO_ORIGIN
)
"""Set by the driving adapter for each request; fills events that name no origin."""


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One line of what a driver may see about who touched their case."""

    at: datetime
    who: str  # "you", "party_A", "staff:wang.li", "system", "insurer:PICC"
    kind: str
    role: str
    action: str
    outcome: str


def driver_event(user_id: str, action: str, case: Case | None = None, *,
                 details: Mapping[str, object] | None = None) -> AuditEvent:  # fmt: skip
    """A driver's change of their case (their party label as the role)."""
    label = case.label_of(user_id) if case is not None else None
    return AuditEvent(
        actor=f"driver:{user_id}", actor_kind="driver",
        role=f"party_{label}" if label else "driver", action=action,
        case_id=None if case is None else case.id, details=clean_details(details or {}),
    )  # fmt: skip


def entry_id(at: datetime) -> str:
    """Time-ordered (milliseconds) then random: the sealer takes the oldest first."""
    return f"{int(at.timestamp() * 1000):012x}{secrets.token_hex(6)}"


class AuditTrail:
    """Appends events to the audit log, and checks and proves it.

    Args:
        log: the append-only store.
        clock: the time stamped on each entry (UTC).
        seals: the sealer's store, for verification and proofs (None: record only).
        witness / signer: where checkpoints are kept and who signs them.
    """

    def __init__(self, log: AuditLog, clock: Clock, *, seals: AuditSealStore | None = None,
                 witness: Witness | None = None, signer: CheckpointSigner | None = None
                 ) -> None:  # fmt: skip
        self._log = log
        self._clock = clock
        self._seals = seals
        self._witness = witness
        self._signer = signer

    def entry(self, event: AuditEvent) -> AuditEntry:
        """``event`` as an entry stamped now, with the request's origin when it has none."""
        if not event.origin and not event.request_id:
            origin = request_origin.get()
            event = replace(event, origin=origin.address, request_id=origin.request_id)
        now = self._clock.now()
        return new_entry(entry_id(now), event, now)

    async def record(self, event: AuditEvent, *, tx: Transaction | None = None) -> AuditEntry:
        """Append ``event`` now, inside ``tx`` when the event records a change in it.

        Raises:
            Whatever the store raises: callers let it propagate, so an action whose audit
            entry cannot be written fails rather than going unrecorded (fail closed).
        """
        entry = self.entry(event)
        await self._log.append(entry, tx=tx)
        return entry

    async def record_all(self, entries: Sequence[AuditEntry], *, tx: Transaction) -> None:
        """Append entries made with :meth:`entry` inside ``tx``, in one write.

        Raises:
            Whatever the store raises (fail closed, as :meth:`record`).
        """
        await self._log.append_all(entries, tx=tx)

    @property
    def public_key(self) -> bytes | None:
        """The raw Ed25519 key that checks checkpoints, to publish to auditors."""
        return None if self._signer is None else self._signer.public_key

    async def recent(self, limit: int = 100) -> Sequence[AuditEntry]:
        return await self._log.recent(limit)

    async def search(
        self, *, case_id: str = "", actor: str = "", action: str = "", limit: int = 200
    ) -> Sequence[AuditEntry]:
        """Entries filtered by case, actor (``staff:<name>``…) and action, newest first."""
        return await self._log.search(case_id=case_id[:64], actor=actor[:100],
                                      action=action[:64], limit=limit)  # fmt: skip

    async def for_case(self, case_id: str, limit: int = MAX_ACCESS_LOG) -> Sequence[AuditEntry]:
        return await self._log.for_case(case_id, limit)

    async def access_log(self, case: Case, viewer_id: str) -> list[AccessRecord]:
        """Who viewed or changed ``case``, as its party ``viewer_id`` may see it.

        The caller has already checked that ``viewer_id`` is a party. Other drivers are
        named only by their party label, never by account id.
        """
        labels = {f"driver:{party.user_id}": label for label, party in case.parties.items()}
        records = []
        for entry in await self._log.for_case(case.id, MAX_ACCESS_LOG):
            event = entry.event
            if event.actor == f"driver:{viewer_id}":
                who = "you"
            elif event.actor_kind == "driver":
                who = f"party_{labels[event.actor]}" if event.actor in labels else "another_driver"
            else:
                who = event.actor
            records.append(
                AccessRecord(entry.at, who, event.actor_kind, event.role, event.action,
                             event.outcome)
            )  # fmt: skip
        return records

    # --- verification and proofs ------------------------------------------------------------

    def _store(self) -> AuditSealStore:
        if self._seals is None:
            raise PreconditionFailed("The audit log's seals are not available here.")
        return self._seals

    async def verify(self) -> AuditReport:
        """Re-hash every sealed entry, batch and link, and check every witnessed checkpoint.

        Returns:
            The counts and every problem found, each naming the entry, batch or checkpoint.
        """
        store = self._store()
        verifier = LogVerifier()
        sealed_in_batches = 0
        async for batch in store.batches():
            entries = await store.batch_entries(batch.number)
            sealed_in_batches += len(entries)
            verifier.feed(batch, entries)
        sealed = await store.count_sealed()
        if sealed > sealed_in_batches:
            verifier.name("entries", f"{sealed - sealed_in_batches} sealed entries belong to "
                                     "no batch (inserted or moved)")  # fmt: skip
        witnessed = [] if self._witness is None else await self._witness.list()
        public_key = None if self._signer is None else self._signer.public_key
        verifier.check_checkpoints(witnessed, public_key, await store.recorded_checkpoints())
        if self._witness is not None:
            verifier.check_head(await self._witness.head(), public_key)
        return verifier.report(pending=await store.count_pending())

    async def proof(self, entry_id_: str) -> dict[str, Any]:
        """The inclusion proof of one sealed entry up to the first checkpoint covering it.

        Raises:
            NotFound: no such entry. PreconditionFailed: not sealed yet (try again shortly).
        """
        store = self._store()
        entry = await self._log.get(entry_id_)
        if entry is None:
            raise NotFound("No audit entry with this id.", entry_id=entry_id_[:64])
        if entry.seq is None or entry.batch is None:
            raise PreconditionFailed("This entry is not sealed yet; try again in a moment.")
        batch = await store.batch(entry.batch)
        if batch is None:
            raise NotFound("The batch of this entry is missing.", batch=entry.batch)
        checkpoint = None
        if self._witness is not None:
            for _, data in await self._witness.list():
                try:
                    candidate = checkpoint_from_json(data or {})
                except (KeyError, ValueError, TypeError):
                    continue
                if candidate.batch >= batch.number:
                    checkpoint = candidate
                    break
        later: list[Batch] = []
        if checkpoint is not None:
            async for following in store.batches(batch.number + 1):
                if following.number > checkpoint.batch:
                    break
                later.append(following)
        return inclusion_proof(entry, batch, later, checkpoint, self.public_key)

    async def consistency(self, from_number: int, to_number: int) -> dict[str, Any]:
        """The proof that the log at checkpoint ``to_number`` extends it at ``from_number``.

        The checkpoints come from the witness (what outside auditors hold), the batch
        headers between them from the database, as stored: a rewritten log gives a proof
        that fails its check, naming the batch.

        Raises:
            PreconditionFailed: ``from_number`` is after ``to_number``, or no witness here.
            NotFound: no such checkpoint in the witness (or it is unreadable there).
        """
        if from_number > to_number:
            raise PreconditionFailed(
                f"Checkpoint {from_number} is later than checkpoint {to_number}: give the "
                "earlier checkpoint first.", first=from_number, second=to_number)  # fmt: skip
        store = self._store()
        first = await self._checkpoint(from_number)
        second = first if to_number == from_number else await self._checkpoint(to_number)
        headers: list[Batch] = []
        async for batch in store.batches(first.batch):
            if batch.number > second.batch:
                break
            headers.append(batch)
        return consistency_proof(first, second, headers, self.public_key)

    async def _checkpoint(self, number: int) -> Checkpoint:
        if self._witness is None:
            raise PreconditionFailed("The audit witness is not configured here.")
        witnessed = await self._witness.list()
        for name, data in witnessed:
            if name != str(number):
                continue
            try:
                return checkpoint_from_json(data or {})
            except (KeyError, ValueError, TypeError):
                raise NotFound(f"Checkpoint {number} is unreadable in the witness; run "
                               "`settlement audit verify` to see what happened to it.",
                               checkpoint=number) from None  # fmt: skip
        newest = witnessed[-1][0] if witnessed else "none yet"
        raise NotFound(f"No checkpoint {number} in the witness (checkpoints are numbered "
                       f"from 1; the newest is {newest}).", checkpoint=number)  # fmt: skip
