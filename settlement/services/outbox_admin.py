"""What an operator does with the outbox: see the backlog per partner, read the dead letters
with their last error, replay one or all (same request ids, so partners deduplicate), cancel
one that must never be sent. :class:`OutboxDesk` is the command line's; :class:`OutboxConsole`
the same for the console page, role-checked. Each change and its audit entry (who, from
where) commit in one transaction: a replay or cancel is never unrecorded, and a failed one
is never recorded as done."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from settlement.domain.audit import AuditEvent, clean_details
from settlement.domain.exchange import OutboxMessage, PartnerBacklog
from settlement.domain.privacy import mask_middle, mask_name, mask_phone, mask_plate
from settlement.domain.staff import Role, StaffSession
from settlement.errors import InvalidInput, NotPermitted, SettlementError
from settlement.ports.claims import UnitOfWork
from settlement.ports.identity import Clock
from settlement.ports.outbox import Outbox, Transaction
from settlement.services.audit import AuditTrail, RequestOrigin
from settlement.services.review_access import staff_event

REASON_MAX = 500


RecordFor = Callable[[str, Mapping[str, object], "str | None"], AuditEvent]
"""Who acts, as an audit event for (action, details, case id)."""


def operator_event(operator: str) -> RecordFor:
    """Actions at the command line, recorded under the operating-system account."""

    def event(action: str, details: Mapping[str, object], case_id: str | None) -> AuditEvent:
        return AuditEvent(actor=f"operator:{operator[:64]}", actor_kind="system",
                          role="operator", action=action, case_id=case_id,
                          details=clean_details(details))  # fmt: skip

    return event


@dataclass
class OutboxDesk:
    """Args:
    outbox / clock: the messages and the time.
    uow / audit: the transaction each replay or cancel commits in, with its audit entry
        (both None: unrecorded, for tests of the outbox alone).
    """

    outbox: Outbox
    clock: Clock
    uow: UnitOfWork | None = None
    audit: AuditTrail | None = None

    async def backlog(self) -> Sequence[PartnerBacklog]:
        return await self.outbox.backlog(now=self.clock.now())

    async def dead_letters(self, limit: int = 100) -> Sequence[OutboxMessage]:
        return await self.outbox.list_dead(limit=limit)

    async def show(self, message_id: str) -> OutboxMessage:
        """Raises OutboxMessageNotFound."""
        return await self.outbox.get(message_id)

    async def replay(self, message_id: str, *, by: RecordFor | None = None) -> OutboxMessage:
        """Raises OutboxMessageNotFound: no dead letter with this id."""
        async with self._transaction() as tx:
            message = await self.outbox.replay(message_id, now=self.clock.now(), tx=tx)
            await self._record(by, "outbox.replay", message, {}, tx)
        return message

    async def replay_all(self, *, by: RecordFor | None = None) -> int:
        async with self._transaction() as tx:
            count = await self.outbox.replay_all_dead(now=self.clock.now(), tx=tx)
            if self.audit is not None and by is not None:
                await self.audit.record(by("outbox.replay_all", {"count": count}, None), tx=tx)
        return count

    async def cancel(self, message_id: str, reason: str, *, by: RecordFor | None = None
                     ) -> OutboxMessage:  # fmt: skip
        """Raises OutboxMessageNotFound (not pending or dead, or being sent right now) and
        InvalidInput (no reason)."""
        reason = reason.strip()
        if not reason or len(reason) > REASON_MAX:
            raise InvalidInput(f"Give a reason of 1 to {REASON_MAX} characters.", field="reason")
        async with self._transaction() as tx:
            message = await self.outbox.cancel(message_id, now=self.clock.now(), reason=reason,
                                               tx=tx)  # fmt: skip
            await self._record(by, "outbox.cancel", message, {"reason": reason}, tx)
        return message

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Transaction | None]:
        if self.uow is None:
            yield None
            return
        async with self.uow.transaction() as tx:
            yield tx

    async def _record(self, by: RecordFor | None, action: str, message: OutboxMessage,
                      details: Mapping[str, object], tx: Transaction | None) -> None:  # fmt: skip
        if self.audit is None or by is None:
            return
        await self.audit.record(by(action, {**details, **_about(message)}, _case_of(message)),
                                tx=tx)  # fmt: skip


# --- the same on the console, audited ------------------------------------------------------

# Payload fields that name or identify a person: what an operator deciding on a replay does not
# need to read in full.
_PERSONAL: Mapping[str, Callable[[str], str]] = {
    "policyholder_name": mask_name,
    "name": mask_name,
    "plate_number": mask_plate,
    "phone": mask_phone,
    "policy_number": lambda v: mask_middle(v, 2, 2),
    "openid": lambda v: mask_middle(v, 3, 3),
}


def redacted(payload: object) -> object:
    """``payload`` with the personal fields masked, at any depth."""
    if isinstance(payload, Mapping):
        return {str(k): (_PERSONAL[k](str(v)) if k in _PERSONAL and isinstance(v, str)
                         else redacted(v)) for k, v in payload.items()}  # fmt: skip
    if isinstance(payload, list | tuple):
        return [redacted(v) for v in payload]
    return payload


@dataclass(frozen=True, slots=True)
class OutboxOverview:
    backlog: Sequence[PartnerBacklog]
    dead: Sequence[OutboxMessage]


@dataclass
class OutboxConsole:
    """The dead letters on the console page: the list, one message, replay (one or all) and
    cancel of ``settlement outbox``, for supervisors and admins; every view and action is
    recorded in the audit trail with who did it, refused ones included."""

    desk: OutboxDesk
    audit: AuditTrail

    async def overview(self, staff: StaffSession, origin: RequestOrigin) -> OutboxOverview:
        self._require(staff)
        found = OutboxOverview(await self.desk.backlog(), await self.desk.dead_letters())
        await self.audit.record(staff_event(staff, "outbox.view", origin,
                                            details={"count": len(found.dead)}))  # fmt: skip
        return found

    async def show(self, staff: StaffSession, message_id: str, origin: RequestOrigin
                   ) -> OutboxMessage:  # fmt: skip
        """Raises OutboxMessageNotFound."""
        message = await self._attempt(staff, origin, "outbox.show", message_id,
                                      lambda: self.desk.show(message_id))  # fmt: skip
        await self.audit.record(staff_event(staff, "outbox.show", origin,
                                            case_id=_case_of(message),
                                            details=_about(message)))  # fmt: skip
        return message

    async def replay(self, staff: StaffSession, message_id: str, origin: RequestOrigin
                     ) -> OutboxMessage:  # fmt: skip
        """Raises OutboxMessageNotFound: no dead letter with this id."""
        by = _staff(staff, origin)
        return await self._attempt(staff, origin, "outbox.replay", message_id,
                                   lambda: self.desk.replay(message_id, by=by))  # fmt: skip

    async def replay_all(self, staff: StaffSession, origin: RequestOrigin) -> int:
        self._require(staff)
        return await self.desk.replay_all(by=_staff(staff, origin))

    async def cancel(self, staff: StaffSession, message_id: str, reason: str,
                     origin: RequestOrigin) -> OutboxMessage:  # fmt: skip
        """Raises OutboxMessageNotFound and InvalidInput (no reason)."""
        by = _staff(staff, origin)
        return await self._attempt(staff, origin, "outbox.cancel", message_id,
                                   lambda: self.desk.cancel(message_id, reason, by=by),
                                   reason=reason.strip()[:REASON_MAX])  # fmt: skip

    async def _attempt(self, staff: StaffSession, origin: RequestOrigin, action: str,
                       message_id: str, work: Callable[[], Awaitable[OutboxMessage]],
                       **details: object
                       ) -> OutboxMessage:  # fmt: skip
        """``work`` as ``staff``; a refusal is recorded here (nothing changed), a change by
        the desk in its own transaction."""
        try:
            self._require(staff)
            return await work()
        except SettlementError as exc:
            await self.audit.record(staff_event(
                staff, action, origin, outcome="failure",
                details={**details, "message_id": message_id[:64], "error": exc.code},
            ))  # fmt: skip
            raise

    @staticmethod
    def _require(staff: StaffSession) -> None:
        if not staff.role.includes(Role.SUPERVISOR):
            raise NotPermitted("Dead letters are for supervisors and administrators.")


def _staff(staff: StaffSession, origin: RequestOrigin) -> RecordFor:
    def event(action: str, details: Mapping[str, object], case_id: str | None) -> AuditEvent:
        return staff_event(staff, action, origin, case_id=case_id, details=details)

    return event


def _about(message: OutboxMessage) -> dict[str, object]:
    return {"message_id": message.id, "message_kind": message.kind, "partner": message.partner}


def _case_of(message: OutboxMessage) -> str | None:
    case_id = message.payload.get("case_id")
    return str(case_id)[:64] if case_id else None
