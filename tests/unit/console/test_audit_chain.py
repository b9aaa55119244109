"""The audit hash chain: canonical form, linking, and naming the first broken entry."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from settlement.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditEvent,
    ChainHead,
    canonical_json,
    chain_next,
    verify,
)

T0 = datetime(2026, 11, 20, 8, 30, 0, 123456, tzinfo=UTC)


def trail(n: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for i in range(n):
        previous = None if not entries else ChainHead(entries[-1].seq, entries[-1].hash)
        event = AuditEvent(actor=f"staff:r{i % 3}", actor_kind="staff", action="case.view",
                           case_id=f"C{i:04d}", details={"n": i, "reason": "查看"})
        entries.append(chain_next(previous, event, T0 + timedelta(seconds=i)))
    return entries


def head_of(entries: list[AuditEntry]) -> ChainHead:
    return ChainHead(entries[-1].seq, entries[-1].hash)


def test_an_untouched_trail_verifies() -> None:
    entries = trail(20)
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    check = verify(entries, head_of(entries))
    assert check.ok
    assert check.checked == 20


def test_the_canonical_form_is_stable_and_millisecond_precise() -> None:
    event = AuditEvent(actor="system", actor_kind="system", action="x", details={"b": 1, "a": 2})
    first = canonical_json(1, T0, event, GENESIS_HASH)
    same = canonical_json(1, T0.replace(microsecond=123000), event, GENESIS_HASH)
    assert first == same  # BSON keeps milliseconds: a stored entry must re-hash equal
    assert b'"details":{"a":2,"b":1}' in first
    assert b" " not in first.replace("查看".encode(), b"")


@pytest.mark.parametrize("index", [0, 7, 19])
def test_an_altered_entry_is_named(index: int) -> None:
    entries = trail(20)
    forged = replace(entries[index].event, actor="staff:someone-else")
    entries[index] = replace(entries[index], event=forged)
    check = verify(entries, head_of(entries))
    assert not check.ok
    assert check.broken_seq == index + 1
    assert "altered" in check.problem


def test_a_rehashed_forgery_breaks_the_next_link() -> None:
    entries = trail(10)
    forged_event = replace(entries[4].event, outcome="denied")
    forged = chain_next(ChainHead(entries[3].seq, entries[3].hash), forged_event, entries[4].at)
    entries[4] = forged
    check = verify(entries, head_of(trail(10)))
    assert check.broken_seq == 6
    assert "does not link" in check.problem


def test_a_removed_entry_is_named() -> None:
    entries = trail(10)
    del entries[3]
    check = verify(entries, None)
    assert check.broken_seq == 4
    assert "missing" in check.problem


def test_removing_the_newest_entries_is_caught_by_the_head() -> None:
    entries = trail(10)
    head = head_of(entries)
    check = verify(entries[:7], head)
    assert not check.ok
    assert check.broken_seq == 8
    assert "removed" in check.problem


def test_a_head_behind_the_chain_is_accepted() -> None:
    entries = trail(10)
    assert verify(entries, ChainHead(entries[5].seq, entries[5].hash)).ok


def test_details_are_reduced_to_bounded_scalars() -> None:
    entry = chain_next(None, AuditEvent(actor="a", actor_kind="system", action="x",
                                        details={"long": "x" * 5000, "obj": {"k": 1}}), T0)  # type: ignore[dict-item]
    assert len(str(entry.event.details["long"])) == 500
    assert entry.event.details["obj"] == "{'k': 1}"
    assert verify([entry]).ok
