"""What an operator does with the outbox: see the backlog per partner, read the dead letters
with their last error, replay one or all (same request ids, so partners deduplicate), cancel
one that must never be sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from settlement.domain.exchange import OutboxMessage, PartnerBacklog
from settlement.errors import InvalidInput
from settlement.ports.identity import Clock
from settlement.ports.outbox import Outbox

REASON_MAX = 500


@dataclass
class OutboxDesk:
    outbox: Outbox
    clock: Clock

    async def backlog(self) -> Sequence[PartnerBacklog]:
        return await self.outbox.backlog(now=self.clock.now())

    async def dead_letters(self, limit: int = 100) -> Sequence[OutboxMessage]:
        return await self.outbox.list_dead(limit=limit)

    async def show(self, message_id: str) -> OutboxMessage:
        """Raises OutboxMessageNotFound."""
        return await self.outbox.get(message_id)

    async def replay(self, message_id: str) -> OutboxMessage:
        """Raises OutboxMessageNotFound: no dead letter with this id."""
        return await self.outbox.replay(message_id, now=self.clock.now())

    async def replay_all(self) -> int:
        return await self.outbox.replay_all_dead(now=self.clock.now())

    async def cancel(self, message_id: str, reason: str) -> OutboxMessage:
        """Raises OutboxMessageNotFound (not pending or dead, or being sent right now) and
        InvalidInput (no reason)."""
        reason = reason.strip()
        if not reason or len(reason) > REASON_MAX:
            raise InvalidInput(f"Give a reason of 1 to {REASON_MAX} characters.", field="reason")
        return await self.outbox.cancel(message_id, now=self.clock.now(), reason=reason)
