"""The audit trail as the use cases see it: record events, verify the chain, show access."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from settlement.domain.audit import AuditEntry, AuditEvent, ChainCheck, ChainVerifier
from settlement.domain.case import Case
from settlement.ports.audit import AuditLog
from settlement.ports.identity import Clock

MAX_ACCESS_LOG = 500


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One line of what a driver may see about who touched their case."""

    at: datetime
    who: str  # "you", "party_A", "staff:wang.li", "system", "insurer:PICC"
    kind: str
    role: str
    action: str
    outcome: str


class AuditTrail:
    """Appends every view and action to the hash-chained trail, and checks it.

    Args:
        log: the append-only store.
        clock: the time stamped on each entry (UTC).
    """

    def __init__(self, log: AuditLog, clock: Clock) -> None:
        self._log = log
        self._clock = clock

    async def record(self, event: AuditEvent) -> AuditEntry:
        """Append ``event`` now.

        Raises:
            Whatever the store raises: callers let it propagate, so an action whose audit
            entry cannot be written fails rather than going unrecorded (fail closed).
        """
        return await self._log.append(event, self._clock.now())

    async def verify(self) -> ChainCheck:
        """Re-hash the whole trail in order and compare it with the stored head.

        Returns:
            ``ok`` and the number of entries, or the first broken entry and what is wrong.
        """
        head = await self._log.head()
        verifier = ChainVerifier()
        verifier.watch_head(head)
        async for entry in self._log.entries():
            broken = verifier.feed(entry)
            if broken is not None:
                return broken
        return verifier.finish(head)

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
