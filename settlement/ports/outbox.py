"""The outbox port: messages to partners, written in the same transaction as their cause.

Life of a message::

    enqueue ──► pending ──lease──► (handler runs) ──► delivered ──ack──► acknowledged
                  ▲   │                                   │
                  │   └── retryable failure: back to pending with next_attempt_at
                  │   └── final failure / too many attempts ──► dead
                  └──────────── replay(id) ◄──────────────────────┘ (dead)
                  └──────────── requeue(id) ◄── reconciliation: partner lost it (delivered)

Delivery is at least once: a process may die after the partner acted but before
``mark_delivered``; the lease then expires and another dispatcher sends again with the
same ``request_id``, which the partner deduplicates.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from settlement.domain.exchange import NewOutboxMessage, OutboxMessage, PartnerBacklog


class Transaction(Protocol):
    """An open transaction of the persistence adapter (for Mongo, a driver session with a
    transaction started). Opaque to the core: use cases only pass it along."""


class Outbox(Protocol):
    async def enqueue(self, message: NewOutboxMessage, *, tx: Transaction | None = None) -> str:
        """Store a pending message, due now, inside ``tx`` when given; returns its id.

        Raises:
            AlreadyExists: a message of this kind with this request_id already exists.
        """

    async def lease_due(
        self,
        *,
        owner: str,
        kinds: Collection[str],
        now: datetime,
        lease_for: timedelta,
        limit: int,
    ) -> Sequence[OutboxMessage]:
        """Claim up to ``limit`` due pending messages of ``kinds`` for ``owner``.

        A message is due when ``next_attempt_at <= now`` and it is not leased, or its
        lease has expired. Leasing counts as an attempt (so a message that crashes its
        process every time still reaches the attempt limit).
        """

    async def mark_delivered(
        self, message_id: str, *, now: datetime, result: Mapping[str, Any] | None = None
    ) -> bool:
        """Record a delivery (whoever holds the lease now). False if not pending."""

    async def mark_failed(
        self, message_id: str, *, owner: str, error: str, retry_at: datetime
    ) -> bool:
        """Release ``owner``'s lease and schedule the next attempt. False if not ours."""

    async def mark_dead(self, message_id: str, *, owner: str, error: str, now: datetime) -> bool:
        """Move ``owner``'s leased message to the dead letters. False if not ours."""

    async def get(self, message_id: str) -> OutboxMessage:
        """Raises OutboxMessageNotFound."""

    async def list_dead(self, *, limit: int = 100) -> Sequence[OutboxMessage]:
        """Dead letters, most recent first."""

    async def replay(self, message_id: str, *, now: datetime, tx: Transaction | None = None
                     ) -> OutboxMessage:  # fmt: skip
        """Make a dead message pending again with fresh attempts and the same request_id
        (inside ``tx`` when given).

        Raises:
            OutboxMessageNotFound: no dead message with this id.
        """

    async def unacknowledged(
        self, *, kind: str, now: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        """Delivered messages of ``kind`` whose acknowledgement is overdue."""

    async def acknowledge(
        self, message_id: str, *, now: datetime, result: Mapping[str, Any] | None = None
    ) -> bool:
        """Record that the partner holds what we delivered."""

    async def acknowledge_key(self, *, kind: str, key: str, now: datetime) -> int:
        """Acknowledge every delivered message of ``kind`` for ``key`` (e.g. a case id);
        for inbound calls in which the partner shows it has the record."""

    async def requeue(self, message_id: str, *, now: datetime, reason: str) -> bool:
        """Send a delivered message again (same request_id): the partner lost it."""

    async def retry_now(self, partner: str, *, now: datetime) -> int:
        """Make every pending message of ``partner`` due now (it came back); returns how many
        were waiting for a later attempt."""

    async def backlog(self, *, now: datetime) -> Sequence[PartnerBacklog]:
        """Pending count, oldest pending age and dead letters per partner."""

    async def replay_all_dead(self, *, now: datetime, tx: Transaction | None = None) -> int:
        """Replay every dead letter (inside ``tx`` when given); returns how many."""

    async def cancel(self, message_id: str, *, now: datetime, reason: str,
                     tx: Transaction | None = None) -> OutboxMessage:  # fmt: skip
        """Never send this pending or dead message (inside ``tx`` when given).

        Raises:
            OutboxMessageNotFound: no pending or dead message with this id.
        """
