"""The tamper-evident audit trail: entries, their canonical form and the SHA-256 hash chain.

Each entry carries the hash of the one before it (``prev_hash``) and its own ``hash`` over
its canonical JSON, so changing or removing any entry breaks every link after it; a
separately kept *head* (last sequence number and hash) also exposes removal of the newest
entries. This answers 等保2.0 security-audit clause (c) and ASVS 16.4.2: records are
protected against modification, and any modification is detected and named.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first entry."""

ActorKind = Literal["driver", "staff", "insurer", "system"]
AuditOutcome = Literal["success", "failure", "denied"]
DetailValue = str | int | float | bool | None

MAX_DETAIL_CHARS = 500


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened, before it has a place in the chain.

    Attributes:
        actor: who did it, e.g. ``staff:wang.li``, ``driver:u_123``, ``system``.
        actor_kind: the kind of actor, for filtering and for the drivers' access log.
        role: the actor's role at the time (``reviewer``, ``party_A``…).
        action: a stable dotted name, e.g. ``case.view``, ``case.determine``.
        outcome: success, failure (an error), or denied (access refused).
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
    """An event as chained: its sequence number, time and both hashes."""

    seq: int
    at: datetime
    event: AuditEvent
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last entry's sequence number and hash, kept apart from the entries."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The verdict of :func:`verify`.

    Attributes:
        ok: every entry is intact and in place.
        checked: how many entries were read.
        broken_seq: the first entry found altered or missing (None when ok).
        problem: what is wrong with it, in one sentence.
    """

    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


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


def canonical_json(seq: int, at: datetime, event: AuditEvent, prev_hash: str) -> bytes:
    """The exact bytes an entry's hash covers: sorted keys, no spaces, UTF-8."""
    body = {
        "seq": seq,
        "at": normalise_time(at).isoformat(timespec="milliseconds"),
        "actor": event.actor,
        "actor_kind": event.actor_kind,
        "role": event.role,
        "action": event.action,
        "outcome": event.outcome,
        "case_id": event.case_id,
        "details": dict(sorted(event.details.items())),
        "origin": event.origin,
        "request_id": event.request_id,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(seq: int, at: datetime, event: AuditEvent, prev_hash: str) -> str:
    return hashlib.sha256(canonical_json(seq, at, event, prev_hash)).hexdigest()


def chain_next(previous: ChainHead | None, event: AuditEvent, at: datetime) -> AuditEntry:
    """The entry that follows ``previous`` (None: the first entry of the trail)."""
    seq = 1 if previous is None else previous.seq + 1
    prev_hash = GENESIS_HASH if previous is None else previous.hash
    when = normalise_time(at)
    clean = AuditEvent(
        actor=event.actor,
        actor_kind=event.actor_kind,
        action=event.action,
        outcome=event.outcome,
        role=event.role,
        case_id=event.case_id,
        details=clean_details(event.details),
        origin=event.origin,
        request_id=event.request_id,
    )
    return AuditEntry(seq, when, clean, prev_hash, entry_hash(seq, when, clean, prev_hash))


class ChainVerifier:
    """Checks entries one by one, so a long trail is verified without holding it in memory.

    Feed entries in ``seq`` order with :meth:`feed`; the first broken one makes it return
    a failed :class:`ChainCheck` (stop there). Call :meth:`finish` with the head at the end.
    """

    def __init__(self) -> None:
        self._expected_seq = 1
        self._prev_hash = GENESIS_HASH
        self._checked = 0
        self._hashes: dict[int, str] = {}
        self._watch: int | None = None

    def watch_head(self, head: ChainHead | None) -> None:
        self._watch = None if head is None else head.seq

    def feed(self, entry: AuditEntry) -> ChainCheck | None:
        self._checked += 1
        expected = self._expected_seq
        if entry.seq != expected:
            return ChainCheck(
                False, self._checked, expected,
                f"entry {expected} is missing (the next entry found is {entry.seq})",
            )  # fmt: skip
        if entry.prev_hash != self._prev_hash:
            return ChainCheck(
                False, self._checked, entry.seq,
                f"entry {entry.seq} does not link to entry {entry.seq - 1} "
                "(its prev_hash differs): an earlier entry was altered or replaced",
            )  # fmt: skip
        if entry_hash(entry.seq, entry.at, entry.event, entry.prev_hash) != entry.hash:
            return ChainCheck(
                False, self._checked, entry.seq,
                f"entry {entry.seq} was altered: its content no longer matches its hash",
            )  # fmt: skip
        if entry.seq == self._watch:
            self._hashes[entry.seq] = entry.hash
        self._prev_hash = entry.hash
        self._expected_seq += 1
        return None

    def finish(self, head: ChainHead | None) -> ChainCheck:
        last_seq = self._expected_seq - 1
        if head is not None and head.seq > last_seq:
            return ChainCheck(
                False, self._checked, last_seq + 1,
                f"entries {last_seq + 1} to {head.seq} were removed from the end of the trail",
            )  # fmt: skip
        # A head behind the last entry is allowed: a crash between the two writes of an
        # append leaves it so, and the chain itself still proves those entries.
        if head is not None and head.seq > 0 and self._hashes.get(head.seq) != head.hash:
            return ChainCheck(
                False, self._checked, head.seq,
                f"entry {head.seq} differs from the recorded head of the trail",
            )  # fmt: skip
        return ChainCheck(True, self._checked)


def verify(entries: Iterable[AuditEntry], head: ChainHead | None = None) -> ChainCheck:
    """Check the chain in sequence order and name the first entry that does not hold.

    Args:
        entries: every entry, ordered by ``seq`` ascending.
        head: the separately kept head; lets removal of the newest entries be seen.

    Returns:
        ``ok`` with the count, or the first broken sequence number and the problem.
    """
    verifier = ChainVerifier()
    verifier.watch_head(head)
    for entry in entries:
        broken = verifier.feed(entry)
        if broken is not None:
            return broken
    return verifier.finish(head)
