"""The tamper-evident audit trail: events, sealed entries, batches, checkpoints, verification.

How it holds together (after Certificate Transparency, RFC 9162, and its sequencers):

* An event is *appended* as an unsealed entry: an insert with a random id, no sequence
  number, written in the transaction of the change it records. Appends never contend.
* A single leased sealer takes unsealed entries in batches, gives them consecutive
  sequence numbers and builds one Merkle tree per batch (leaf = SHA-256(0x00 ‖ entry's
  canonical JSON, which includes its sequence number)). The batch header (number, first
  sequence number, size, root, previous batch's hash, time) is hashed, and each header
  carries the previous one's hash: the batches form a chain.
* Checkpoints name the newest batch and its hash, chain to the previous checkpoint and are
  signed (Ed25519); they are written to a witness outside the database, so rewriting the
  log *and* its batches is still caught by the signed heads kept elsewhere.

This answers 等保2.0 security-audit clause (c) and ASVS 16.4.2: records are protected
against modification, and any modification, removal or reordering is detected and named.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from settlement.domain.merkle import leaf_hash, merkle_root

GENESIS_HASH = "0" * 64
"""``prev`` of the first batch and of the first checkpoint."""

LOG_NAME = "settlement-audit"

ActorKind = Literal["driver", "staff", "insurer", "system"]
AuditOutcome = Literal["success", "failure", "denied"]
DetailValue = str | int | float | bool | None

MAX_DETAIL_CHARS = 500


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened, before it is stored.

    Attributes:
        actor: who did it, e.g. ``staff:wang.li``, ``driver:u_123``, ``system``.
        actor_kind: the kind of actor, for filtering and for the drivers' access log.
        action: a stable dotted name, e.g. ``case.view``, ``case.determine``.
        outcome: success, failure (an error), or denied (access refused).
        role: the actor's role at the time (``reviewer``, ``party_A``…).
        case_id: the case concerned, if any.
        details: small JSON-safe context; never full ID or phone numbers.
        origin: where it came from (client address), if known.
        request_id: the request id, to join with application logs.
    """

    actor: str
    actor_kind: ActorKind
    action: str
    outcome: AuditOutcome = "success"
    role: str = ""
    case_id: str | None = None
    details: Mapping[str, DetailValue] = field(default_factory=dict)
    origin: str = ""
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A stored event: its id and time, and once sealed its sequence number and batch."""

    id: str
    at: datetime
    event: AuditEvent
    seq: int | None = None
    batch: int | None = None

    @property
    def sealed(self) -> bool:
        return self.seq is not None


def clean_details(details: Mapping[str, object]) -> dict[str, DetailValue]:
    """Keep JSON-safe scalars, bounded, so an entry's canonical form is well defined."""
    out: dict[str, DetailValue] = {}
    for key, value in details.items():
        if isinstance(value, bool | int | float) or value is None:
            out[str(key)[:64]] = value
        else:
            out[str(key)[:64]] = str(value)[:MAX_DETAIL_CHARS]
    return out


def normalise_time(at: datetime) -> datetime:
    """UTC, millisecond precision: what BSON dates keep, so a stored entry re-hashes equal."""
    utc = at.astimezone(UTC)
    return utc.replace(microsecond=(utc.microsecond // 1000) * 1000)


def _iso(at: datetime) -> str:
    return normalise_time(at).isoformat(timespec="milliseconds")


def canonical(body: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the exact bytes every hash and signature covers."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def new_entry(entry_id: str, event: AuditEvent, at: datetime) -> AuditEntry:
    """An unsealed entry, its details bounded and its time at millisecond precision."""
    clean = replace(event, details=clean_details(event.details))
    return AuditEntry(entry_id, normalise_time(at), clean)


def entry_body(entry: AuditEntry) -> dict[str, Any]:
    """What a leaf covers: the whole entry, with its sequence number (its place)."""
    event = entry.event
    return {
        "id": entry.id,
        "seq": entry.seq,
        "at": _iso(entry.at),
        "actor": event.actor,
        "actor_kind": event.actor_kind,
        "role": event.role,
        "action": event.action,
        "outcome": event.outcome,
        "case_id": event.case_id,
        "details": dict(sorted(event.details.items())),
        "origin": event.origin,
        "request_id": event.request_id,
    }


def entry_leaf(entry: AuditEntry) -> bytes:
    return leaf_hash(canonical(entry_body(entry)))


# --- batches --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Batch:
    """One sealing round: consecutive entries under one Merkle root, chained to the last.

    ``leaves`` (hex) are kept with the header so that a changed entry can be named, not
    just its batch.
    """

    number: int
    first_seq: int
    size: int
    root: str
    prev: str
    sealed_at: datetime
    hash: str
    leaves: tuple[str, ...] = ()

    @property
    def last_seq(self) -> int:
        return self.first_seq + self.size - 1


def batch_header(batch: Batch) -> dict[str, Any]:
    return {
        "log": LOG_NAME,
        "batch": batch.number,
        "first_seq": batch.first_seq,
        "size": batch.size,
        "root": batch.root,
        "prev": batch.prev,
        "sealed_at": _iso(batch.sealed_at),
    }


def batch_hash(batch: Batch) -> str:
    return hashlib.sha256(canonical(batch_header(batch))).hexdigest()


def seal(previous: Batch | None, pending: Sequence[AuditEntry], now: datetime
         ) -> tuple[Batch, list[AuditEntry]]:  # fmt: skip
    """Give ``pending`` the next sequence numbers and build their batch.

    Raises:
        ValueError: nothing to seal.
    """
    if not pending:
        raise ValueError("a batch needs at least one entry")
    number = 1 if previous is None else previous.number + 1
    first = 1 if previous is None else previous.last_seq + 1
    sealed = [replace(e, seq=first + i, batch=number) for i, e in enumerate(pending)]
    leaves = [entry_leaf(e) for e in sealed]
    draft = Batch(
        number=number, first_seq=first, size=len(sealed), root=merkle_root(leaves).hex(),
        prev=GENESIS_HASH if previous is None else previous.hash,
        sealed_at=normalise_time(now), hash="", leaves=tuple(leaf.hex() for leaf in leaves),
    )  # fmt: skip
    return replace(draft, hash=batch_hash(draft)), sealed


# --- checkpoints ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed head: the newest batch, the tree size, and the previous checkpoint's digest."""

    number: int
    batch: int
    tree_size: int
    batch_hash: str
    prev: str
    at: datetime
    key_id: str
    signature: str = ""


def checkpoint_body(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "log": LOG_NAME,
        "checkpoint": checkpoint.number,
        "batch": checkpoint.batch,
        "tree_size": checkpoint.tree_size,
        "batch_hash": checkpoint.batch_hash,
        "prev": checkpoint.prev,
        "at": _iso(checkpoint.at),
        "key_id": checkpoint.key_id,
    }


def checkpoint_digest(checkpoint: Checkpoint) -> str:
    return hashlib.sha256(canonical(checkpoint_body(checkpoint))).hexdigest()


def key_id(public_key: bytes) -> str:
    """A short name for a raw Ed25519 public key: its SHA-256, first 16 hex digits."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def next_checkpoint(previous: Checkpoint | None, batch: Batch, at: datetime, public_key: bytes
                    ) -> Checkpoint:  # fmt: skip
    """The unsigned checkpoint after ``previous`` naming ``batch``; sign its body."""
    return Checkpoint(
        number=1 if previous is None else previous.number + 1,
        batch=batch.number,
        tree_size=batch.last_seq,
        batch_hash=batch.hash,
        prev=GENESIS_HASH if previous is None else checkpoint_digest(previous),
        at=normalise_time(at),
        key_id=key_id(public_key),
    )


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    """The form written to the witness: the signed body and its signature."""
    return {**checkpoint_body(checkpoint), "signature": checkpoint.signature}


def checkpoint_from_json(data: Mapping[str, Any]) -> Checkpoint:
    """Raises KeyError/ValueError/TypeError on a malformed document."""
    return Checkpoint(
        number=int(data["checkpoint"]),
        batch=int(data["batch"]),
        tree_size=int(data["tree_size"]),
        batch_hash=str(data["batch_hash"]),
        prev=str(data["prev"]),
        at=datetime.fromisoformat(str(data["at"])),
        key_id=str(data["key_id"]),
        signature=str(data["signature"]),
    )


def signature_valid(checkpoint: Checkpoint, public_key: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            bytes.fromhex(checkpoint.signature), canonical(checkpoint_body(checkpoint))
        )
    except (InvalidSignature, ValueError):
        return False
    return True


# --- verification -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing found wrong, named: ``where`` is e.g. ``entry 17``, ``batch 3``."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The verdict of a full verification."""

    entries: int
    batches: int
    checkpoints: int
    pending: int
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def checked(self) -> int:
        return self.entries

    @property
    def problem(self) -> str:
        return str(self.problems[0]) if self.problems else ""


MAX_PROBLEMS = 200


class LogVerifier:
    """Checks batches (with their entries) in order, then the checkpoints.

    Streaming: feed each batch with :meth:`feed`, in batch-number order, then call
    :meth:`check_checkpoints` and :meth:`report`. Only batch hashes are kept in memory.
    """

    def __init__(self) -> None:
        self._problems: list[Problem] = []
        self._previous: Batch | None = None
        self._hashes: dict[int, tuple[str, int]] = {}  # batch -> (stored hash, last seq)
        self._entries = 0
        self._batches = 0
        self._checkpoints = 0
        self._witnessed: dict[int, str] = {}  # checkpoint -> digest, as the witness holds it

    def _name(self, where: str, message: str) -> None:
        if len(self._problems) < MAX_PROBLEMS:
            self._problems.append(Problem(where, message))

    def feed(self, batch: Batch, entries: Iterable[AuditEntry]) -> None:
        """Check one batch's header, link and leaves, and every entry it should hold."""
        self._batches += 1
        where = f"batch {batch.number}"
        previous = self._previous
        expected_number = 1 if previous is None else previous.number + 1
        expected_first = 1 if previous is None else previous.last_seq + 1
        expected_prev = GENESIS_HASH if previous is None else previous.hash
        if batch.number > expected_number:
            gone = f"missing (batches {expected_number} to {batch.number - 1} are gone)"
            self._name(f"batch {expected_number}", gone)
        if batch_hash(batch) != batch.hash:
            self._name(where, "altered: its header no longer matches its hash")
        if batch.prev != expected_prev:
            self._name(where, f"does not link to batch {batch.number - 1}: a batch before it "
                              "was altered, removed or reordered")  # fmt: skip
        if batch.first_seq != expected_first:
            self._name(where, f"starts at entry {batch.first_seq}, expected {expected_first}: "
                              "entries or batches were removed or reordered")  # fmt: skip
        leaves = [bytes.fromhex(h) for h in batch.leaves]
        if len(leaves) != batch.size or merkle_root(leaves).hex() != batch.root:
            self._name(where, "its leaf hashes do not give its Merkle root (altered)")
        self._check_entries(batch, entries)
        self._hashes[batch.number] = (batch.hash, batch.last_seq)
        self._previous = batch

    def _check_entries(self, batch: Batch, entries: Iterable[AuditEntry]) -> None:
        seen: set[int] = set()
        for entry in entries:
            self._entries += 1
            seq = entry.seq
            if seq is None or not batch.first_seq <= seq <= batch.last_seq:
                self._name(f"entry {entry.id}", f"claims place {seq} in batch {batch.number}, "
                                                "outside it (inserted or moved)")  # fmt: skip
                continue
            seen.add(seq)
            leaf = entry_leaf(entry).hex()
            index = seq - batch.first_seq
            if index < len(batch.leaves) and batch.leaves[index] == leaf:
                continue
            moved = self._sealed_as(entry, batch)
            if moved is not None and moved != index:
                sealed_as = batch.first_seq + moved
                message = f"reordered: it was sealed as entry {sealed_as} (id {entry.id})"
                self._name(f"entry {seq}", message)
            else:
                self._name(f"entry {seq}",
                           f"altered: its content no longer matches the hash sealed in batch "
                           f"{batch.number} (id {entry.id})")  # fmt: skip
        for seq in range(batch.first_seq, batch.last_seq + 1):
            if seq not in seen:
                self._name(f"entry {seq}", f"missing from batch {batch.number} (removed)")

    def _sealed_as(self, entry: AuditEntry, batch: Batch) -> int | None:
        """Where in ``batch`` this content was sealed, if at another place (a reordering)."""
        if len(self._problems) >= MAX_PROBLEMS:
            return None  # enough named; do not spend quadratic time on a wrecked batch
        for i, stored in enumerate(batch.leaves):
            if entry_leaf(replace(entry, seq=batch.first_seq + i)).hex() == stored:
                return i
        return None

    def check_checkpoints(
        self,
        witnessed: Sequence[tuple[str, Mapping[str, Any] | None]],
        public_key: bytes | None,
        recorded: Mapping[int, str] | None = None,
    ) -> None:
        """Check every checkpoint found in the witness against the batches fed.

        Args:
            witnessed: (name in the witness, parsed JSON or None when unreadable), in
                checkpoint-number order of their names.
            public_key: the raw Ed25519 key that signs checkpoints.
            recorded: checkpoint number -> digest, as the database remembers them; one
                that the witness lacks was removed from it.
        """
        if public_key is None and witnessed:
            self._name("checkpoints", "cannot be checked: no signing key is available")
        found: dict[int, str] = {}
        previous: Checkpoint | None = None
        for name, data in witnessed:
            self._checkpoints += 1
            where = f"checkpoint {name}"
            try:
                checkpoint = checkpoint_from_json(data or {})
            except (KeyError, ValueError, TypeError):
                self._name(where, "unreadable (altered or truncated)")
                continue
            if public_key is not None and not signature_valid(checkpoint, public_key):
                self._name(where, "altered: its signature does not verify")
            if name != str(checkpoint.number):
                self._name(where, f"holds checkpoint {checkpoint.number}: renamed or reordered")
            expected = 1 if previous is None else previous.number + 1
            if checkpoint.number > expected:
                self._name(f"checkpoint {expected}", "missing from the witness")
            elif checkpoint.number < expected:
                self._name(where, "out of order in the witness")
            if previous is not None and checkpoint.prev != checkpoint_digest(previous):
                self._name(where, f"does not follow checkpoint {previous.number}: "
                                  "a checkpoint was removed, altered or reordered")  # fmt: skip
            stored = self._hashes.get(checkpoint.batch)
            if stored is None:
                self._name(where, f"signs batch {checkpoint.batch}, which is missing from the "
                                  "log (removed from its end?)")  # fmt: skip
            elif stored != (checkpoint.batch_hash, checkpoint.tree_size):
                self._name(where, f"disagrees with batch {checkpoint.batch}: the log was "
                                  "rewritten after it was signed")  # fmt: skip
            found[checkpoint.number] = checkpoint_digest(checkpoint)
            previous = checkpoint
        self._witnessed = found
        for number, digest in sorted((recorded or {}).items()):
            if number not in found:
                self._name(f"checkpoint {number}", "recorded in the database but missing "
                                                   "from the witness")  # fmt: skip
            elif found[number] != digest:
                self._name(f"checkpoint {number}", "differs between the witness and the "
                                                   "database")  # fmt: skip

    def check_head(self, head: Mapping[str, Any] | None, public_key: bytes | None) -> None:
        """Check the witness's separate head (after :meth:`check_checkpoints`).

        Args:
            head: the head as the witness holds it; {} when missing or unreadable; None
                when the witness keeps no head.
        """
        if head is None or (not head and not self._witnessed):
            return  # no head kept, or nothing witnessed yet
        where = "checkpoint head"
        try:
            checkpoint = checkpoint_from_json(head)
        except (KeyError, ValueError, TypeError):
            self._name(where, "missing or unreadable in the witness (removed or altered)")
            return
        if public_key is not None and not signature_valid(checkpoint, public_key):
            self._name(where, "altered: its signature does not verify")
        known = self._witnessed.get(checkpoint.number)
        if known is None:
            self._name(f"checkpoint {checkpoint.number}", "named by the witness's head but "
                       "missing from the witness (removed)")  # fmt: skip
        elif known != checkpoint_digest(checkpoint):
            self._name(f"checkpoint {checkpoint.number}", "differs from the witness's head: "
                       "one of them was rewritten")  # fmt: skip

    def report(self, pending: int = 0) -> AuditReport:
        return AuditReport(self._entries, self._batches, self._checkpoints, pending,
                           tuple(self._problems))  # fmt: skip

    def name(self, where: str, message: str) -> None:
        """Record a problem found outside the batches (e.g. entries in no batch)."""
        self._name(where, message)


def verify(
    batches: Iterable[tuple[Batch, Iterable[AuditEntry]]],
    witnessed: Sequence[tuple[str, Mapping[str, Any] | None]] = (),
    public_key: bytes | None = None,
) -> AuditReport:
    """Verify a whole log held in memory (tests, small logs)."""
    verifier = LogVerifier()
    for batch, entries in batches:
        verifier.feed(batch, entries)
    verifier.check_checkpoints(witnessed, public_key)
    return verifier.report()
