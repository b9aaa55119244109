"""The sealer: one leased process at a time orders, seals and checkpoints the audit log.

Every ``interval`` it takes the oldest unsealed entries (up to ``batch_limit``), gives them
the next sequence numbers, builds the batch's Merkle tree and chains it to the previous
batch, all committed in one transaction fenced by its lease. Every ``checkpoint_every`` it
signs a checkpoint of the newest batch and writes it to the witness. A sealer that is down
delays sealing, never the requests that append.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from datetime import timedelta

from settlement.domain.audit import (
    Batch,
    Checkpoint,
    canonical,
    checkpoint_body,
    checkpoint_digest,
    checkpoint_from_json,
    checkpoint_json,
    next_checkpoint,
    seal,
)
from settlement.errors import AlreadyExists
from settlement.ports.audit import AuditSealStore, CheckpointSigner, Witness
from settlement.ports.identity import Clock

log = logging.getLogger(__name__)


class Sealer:
    """Seals the audit log while it holds the lease.

    Args:
        store: the audit log's sealing operations.
        witness / signer: where checkpoints go and the key that signs them.
        owner: this process's lease owner name (unique per process).
        interval: time between sealing rounds.
        batch_limit: most entries in one batch (MongoDB transactions grow costly past a few
            hundred writes: 500 seals about 1.6 times as fast per entry as 2000).
        lease_for: how long a lease lasts unless renewed (another process takes over after).
        checkpoint_every: time between checkpoints (only when new batches were sealed).
    """

    def __init__(
        self,
        *,
        store: AuditSealStore,
        witness: Witness,
        signer: CheckpointSigner,
        clock: Clock,
        owner: str,
        interval: timedelta = timedelta(milliseconds=250),
        batch_limit: int = 500,
        lease_for: timedelta = timedelta(seconds=10),
        checkpoint_every: timedelta = timedelta(seconds=30),
    ) -> None:
        self._store = store
        self._witness = witness
        self._signer = signer
        self._clock = clock
        self.owner = owner
        self.interval = interval
        self.batch_limit = batch_limit
        self.lease_for = lease_for
        self.checkpoint_every = checkpoint_every
        self._holding = False
        self._last: Batch | None = None
        self._checkpoint: Checkpoint | None = None
        self._checkpointed_at = clock.now()

    async def acquire(self) -> bool:
        """Take or renew the lease; on taking it, re-read where the log stands."""
        held = await self._store.acquire_lease(self.owner, self._clock.now(), self.lease_for)
        if held and not self._holding:
            self._last = await self._store.last_batch()
            self._checkpoint = await self._latest_checkpoint()
        self._holding = held
        return held

    async def seal_pending(self) -> int:
        """Seal every unsealed entry there is now, batch by batch; how many were sealed."""
        total = 0
        while self._holding:
            pending = await self._store.pending(self.batch_limit)
            if not pending:
                break
            now = self._clock.now()
            batch, sealed = seal(self._last, pending, now)
            if not await self._store.commit_batch(self.owner, batch, sealed, now):
                # Lease lost or raced: re-read the head before trying again.
                self._holding = False
                await self.acquire()
                continue
            self._last = batch
            total += len(sealed)
            if len(pending) < self.batch_limit:
                break
        return total

    async def checkpoint(self) -> Checkpoint | None:
        """Sign and witness the newest batch, if it is newer than the last checkpoint."""
        last = self._last
        if not self._holding or last is None:
            return None
        if self._checkpoint is not None and self._checkpoint.batch >= last.number:
            return None
        unsigned = next_checkpoint(self._checkpoint, last, self._clock.now(),
                                   self._signer.public_key)  # fmt: skip
        signature = self._signer.sign(canonical(checkpoint_body(unsigned))).hex()
        signed = replace(unsigned, signature=signature)
        try:
            await self._witness.put(signed.number, checkpoint_json(signed))
        except AlreadyExists:
            self._checkpoint = await self._latest_checkpoint()
            return None
        await self._store.record_checkpoint(signed.number, checkpoint_digest(signed))
        self._checkpoint = signed
        self._checkpointed_at = self._clock.now()
        return signed

    async def _latest_checkpoint(self) -> Checkpoint | None:
        for _, data in reversed(await self._witness.list()):
            with contextlib.suppress(KeyError, ValueError, TypeError):
                return checkpoint_from_json(data or {})
        return None

    async def round(self) -> int:
        """One sealing round: renew the lease, seal, checkpoint when due."""
        if not await self.acquire():
            return 0
        sealed = await self.seal_pending()
        if self._clock.now() - self._checkpointed_at >= self.checkpoint_every:
            await self.checkpoint()
        return sealed

    async def run(self, stop: asyncio.Event) -> None:
        """Seal until ``stop`` is set; then seal what is left, checkpoint and let go."""
        while not stop.is_set():
            try:
                await self.round()
            except Exception:  # a database hiccup must not end sealing for good
                log.warning("audit sealing round failed; retrying", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval.total_seconds())
        try:
            if await self.acquire():
                await self.seal_pending()
                await self.checkpoint()
        finally:
            if self._holding:
                await self._store.release_lease(self.owner)
                self._holding = False

