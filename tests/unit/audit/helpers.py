"""A small sealed log built with the domain functions, for the audit unit tests."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from settlement.domain.audit import (
    AuditEntry,
    AuditEvent,
    Batch,
    Checkpoint,
    canonical,
    checkpoint_body,
    checkpoint_json,
    new_entry,
    next_checkpoint,
    seal,
)

T0 = datetime(2026, 11, 20, 8, 30, 0, 123456, tzinfo=UTC)


def event(i: int) -> AuditEvent:
    return AuditEvent(actor=f"staff:r{i % 3}", actor_kind="staff", action="case.view",
                      case_id=f"C{i:04d}", details={"n": i, "reason": "查看"})  # fmt: skip


@dataclass
class Log:
    """Batches with their entries, and the checkpoints a witness would hold."""

    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    batches: list[tuple[Batch, list[AuditEntry]]] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)

    @property
    def public_key(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def add_batch(self, size: int) -> Batch:
        start = sum(len(entries) for _, entries in self.batches)
        pending = [new_entry(f"id{start + i:05d}", event(start + i), T0 + timedelta(seconds=i))
                   for i in range(size)]  # fmt: skip
        previous = self.batches[-1][0] if self.batches else None
        batch, sealed = seal(previous, pending, T0 + timedelta(minutes=len(self.batches)))
        self.batches.append((batch, sealed))
        return batch

    def checkpoint(self) -> Checkpoint:
        previous = self.checkpoints[-1] if self.checkpoints else None
        unsigned = next_checkpoint(previous, self.batches[-1][0], T0, self.public_key)
        signed = replace(
            unsigned, signature=self.key.sign(canonical(checkpoint_body(unsigned))).hex()
        )
        self.checkpoints.append(signed)
        return signed

    def witnessed(self) -> list[tuple[str, dict[str, Any] | None]]:
        return [(str(c.number), checkpoint_json(c)) for c in self.checkpoints]


def sample_log() -> Log:
    log = Log()
    log.add_batch(5)
    log.checkpoint()
    log.add_batch(8)
    log.add_batch(1)
    log.checkpoint()
    log.add_batch(7)
    log.checkpoint()
    return log
