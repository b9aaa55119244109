"""Ports for the audit trail: appends, the sealer's store, the signer and the witness."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from settlement.domain.audit import AuditEntry, Batch
from settlement.ports.outbox import Transaction


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry, *, tx: Transaction | None = None) -> None:
        """Store an unsealed entry, inside ``tx`` when given. Never contends with others."""
        ...

    async def append_all(self, entries: Sequence[AuditEntry], *, tx: Transaction) -> None:
        """Store unsealed entries inside ``tx``, in one write."""
        ...

    async def get(self, entry_id: str) -> AuditEntry | None: ...

    async def for_case(self, case_id: str, limit: int) -> Sequence[AuditEntry]:
        """The newest entries about one case (sealed or not), newest first."""
        ...

    async def recent(self, limit: int) -> Sequence[AuditEntry]:
        """The newest entries, newest first."""
        ...

    async def search(
        self, *, case_id: str = "", actor: str = "", action: str = "", limit: int = 100
    ) -> Sequence[AuditEntry]:
        """The newest entries matching every criterion given (``action`` also matches as
        a prefix ending in a dot, e.g. ``case.``), newest first."""
        ...


class AuditSealStore(Protocol):
    """What the sealer and the verifier need from the store."""

    async def acquire_lease(self, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew the one sealer lease; False while another owner holds it."""
        ...

    async def release_lease(self, owner: str) -> None: ...

    async def pending(self, limit: int) -> Sequence[AuditEntry]:
        """The oldest unsealed entries."""
        ...

    async def count_pending(self) -> int: ...

    async def count_sealed(self) -> int: ...

    async def last_batch(self) -> Batch | None: ...

    async def commit_batch(self, owner: str, batch: Batch, entries: Sequence[AuditEntry],
                           now: datetime) -> bool:  # fmt: skip
        """Give ``entries`` their numbers and store ``batch`` atomically, only while
        ``owner`` holds the lease and none of them was sealed meanwhile."""
        ...

    def batches(self, from_number: int = 1) -> AsyncIterator[Batch]:
        """Every batch from ``from_number`` on, in order."""
        ...

    async def batch(self, number: int) -> Batch | None: ...

    async def batch_entries(self, number: int) -> Sequence[AuditEntry]:
        """The entries stored as sealed in batch ``number``, by sequence number."""
        ...

    async def record_checkpoint(self, number: int, digest: str) -> None: ...

    async def recorded_checkpoints(self) -> dict[int, str]: ...


class CheckpointSigner(Protocol):
    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        ...

    def sign(self, data: bytes) -> bytes: ...


class Witness(Protocol):
    """Where signed checkpoints are kept outside the database (a directory, a bucket)."""

    async def put(self, number: int, checkpoint: Mapping[str, Any]) -> None:
        """Write checkpoint ``number``; an existing one is never overwritten.

        Raises:
            AlreadyExists: checkpoint ``number`` is already there.
        """
        ...

    async def list(self) -> Sequence[tuple[str, Mapping[str, Any] | None]]:
        """Every checkpoint as (its name, its JSON or None if unreadable), by number."""
        ...

    async def head(self) -> Mapping[str, Any] | None:
        """The newest checkpoint as the witness's separate head names it; {} when that head
        is missing or unreadable; None when this witness keeps no head."""
        ...
