"""Verification names every altered, removed or reordered entry, batch and checkpoint."""

from __future__ import annotations

from dataclasses import replace

import pytest

from settlement.domain.audit import (
    AuditEntry,
    Batch,
    LogVerifier,
    batch_hash,
    canonical,
    checkpoint_digest,
    checkpoint_json,
    entry_body,
    new_entry,
    seal,
    verify,
)
from tests.unit.audit.helpers import T0, Log, event, sample_log


def check(log: Log, batches: list[tuple[Batch, list[AuditEntry]]] | None = None,
          witnessed: list | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    return verify(batches if batches is not None else log.batches,
                  log.witnessed() if witnessed is None else witnessed, log.public_key)  # fmt: skip


def wheres(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.where for p in report.problems]


def test_an_untouched_log_verifies() -> None:
    log = sample_log()
    report = check(log)
    assert report.ok, report.problems
    assert (report.entries, report.batches, report.checkpoints) == (21, 4, 3)
    seqs = [e.seq for _, entries in log.batches for e in entries]
    assert seqs == list(range(1, 22))


def test_the_canonical_form_is_stable_and_millisecond_precise() -> None:
    a = new_entry("x", event(1), T0)
    b = new_entry("x", event(1), T0.replace(microsecond=123999))
    assert canonical(entry_body(a)) == canonical(entry_body(b))
    assert b'"details":{"n":1,"reason":"\xe6\x9f\xa5\xe7\x9c\x8b"}' in canonical(entry_body(a))


@pytest.mark.parametrize(("batch_index", "entry_index"), [(0, 0), (1, 4), (3, 6)])
def test_an_altered_entry_is_named(batch_index: int, entry_index: int) -> None:
    log = sample_log()
    _, entries = log.batches[batch_index]
    target = entries[entry_index]
    entries[entry_index] = replace(target, event=replace(target.event, actor="staff:other"))
    report = check(log)
    assert wheres(report) == [f"entry {target.seq}"]
    assert "altered" in report.problems[0].message


def test_a_removed_entry_is_named() -> None:
    log = sample_log()
    _, entries = log.batches[1]
    gone = entries.pop(3)
    report = check(log)
    assert wheres(report) == [f"entry {gone.seq}"]
    assert "missing" in report.problems[0].message


def test_two_swapped_entries_are_named_as_reordered() -> None:
    log = sample_log()
    _, entries = log.batches[1]
    a, b = entries[1], entries[5]
    # Swap their places: each keeps its content but takes the other's number.
    entries[1], entries[5] = replace(b, seq=a.seq), replace(a, seq=b.seq)
    report = check(log)
    assert sorted(wheres(report)) == sorted([f"entry {a.seq}", f"entry {b.seq}"])
    assert all("reordered" in p.message for p in report.problems)


def test_an_inserted_entry_is_named() -> None:
    log = sample_log()
    batch, entries = log.batches[2]
    entries.append(replace(new_entry("forged", event(99), T0), seq=batch.last_seq + 1, batch=3))
    report = check(log)
    assert wheres(report) == ["entry forged"]


def test_a_rebuilt_batch_breaks_the_link_to_the_next() -> None:
    log = sample_log()
    batch, entries = log.batches[1]
    forged = [replace(entries[0], event=replace(entries[0].event, outcome="denied")), *entries[1:]]
    rebuilt = seal(log.batches[0][0], [replace(e, seq=None, batch=None) for e in forged],
                   batch.sealed_at)  # fmt: skip
    log.batches[1] = rebuilt
    assert wheres(check(log)) == ["batch 3"]


def test_rewriting_the_log_from_a_batch_on_is_caught_by_the_signed_checkpoints() -> None:
    log = sample_log()
    previous = log.batches[0][0]
    for index in range(1, len(log.batches)):
        batch, entries = log.batches[index]
        if index == 1:
            entries = [replace(entries[0], event=replace(entries[0].event, outcome="denied")),
                       *entries[1:]]  # fmt: skip
        log.batches[index] = seal(previous, [replace(e, seq=None, batch=None) for e in entries],
                                  batch.sealed_at)  # fmt: skip
        previous = log.batches[index][0]
    report = check(log)
    # Every entry, batch and link is self-consistent now: only the witness can tell.
    assert wheres(report) == ["checkpoint 2", "checkpoint 3"]
    assert all("rewritten" in p.message for p in report.problems)


def test_a_removed_or_reordered_batch_is_named() -> None:
    log = sample_log()
    removed = check(log, [log.batches[0], log.batches[2], log.batches[3]])
    assert "batch 2" in wheres(removed)
    swapped = check(log, [log.batches[0], log.batches[2], log.batches[1], log.batches[3]])
    assert not swapped.ok
    assert {"batch 3", "batch 2"} <= set(wheres(swapped))


def test_an_altered_batch_header_is_named() -> None:
    log = sample_log()
    batch, entries = log.batches[2]
    log.batches[2] = (replace(batch, sealed_at=T0), entries)
    report = check(log)
    assert "batch 3" in wheres(report)
    forged = replace(batch, sealed_at=T0)
    log.batches[2] = (replace(forged, hash=batch_hash(forged)), entries)
    assert "batch 4" in wheres(check(log))  # re-hashed: the next link breaks


def test_removing_the_newest_batch_is_caught_by_the_checkpoint() -> None:
    log = sample_log()
    report = check(log, log.batches[:3])
    assert wheres(report) == ["checkpoint 3"]
    assert "missing from the log" in report.problems[0].message


def test_an_altered_checkpoint_is_named() -> None:
    log = sample_log()
    witnessed = log.witnessed()
    name, data = witnessed[1]
    assert data is not None
    witnessed[1] = (name, {**data, "tree_size": data["tree_size"] + 1})
    report = check(log, witnessed=witnessed)
    assert "checkpoint 2" in wheres(report)
    assert any("signature" in p.message for p in report.problems)


def test_a_removed_checkpoint_is_named() -> None:
    log = sample_log()
    witnessed = log.witnessed()
    del witnessed[1]
    report = check(log, witnessed=witnessed)
    assert "checkpoint 2" in wheres(report)
    latest = log.witnessed()[:2]
    recorded = {c.number: checkpoint_digest(c) for c in log.checkpoints}
    verifier = LogVerifier()
    for batch, entries in log.batches:
        verifier.feed(batch, entries)
    verifier.check_checkpoints(latest, log.public_key, recorded)
    assert [p.where for p in verifier.report().problems] == ["checkpoint 3"]


def test_reordered_checkpoints_are_named() -> None:
    log = sample_log()
    witnessed = log.witnessed()
    swapped = [witnessed[0], (witnessed[1][0], witnessed[2][1]), (witnessed[2][0], witnessed[1][1])]
    report = check(log, witnessed=swapped)
    assert {"checkpoint 2", "checkpoint 3"} <= set(wheres(report))


def test_a_checkpoint_signed_by_another_key_is_refused() -> None:
    log = sample_log()
    other = Log()
    report = verify(log.batches, log.witnessed(), other.public_key)
    assert not report.ok
    assert all("signature" in p.message for p in report.problems)
    assert checkpoint_json(log.checkpoints[0])["signature"]


def _head_problems(log: Log, witnessed: list, head: dict | None) -> list[str]:  # type: ignore[type-arg]  # fmt: skip
    verifier = LogVerifier()
    for batch, entries in log.batches:
        verifier.feed(batch, entries)
    verifier.check_checkpoints(witnessed, log.public_key)
    verifier.check_head(head, log.public_key)
    return [str(p) for p in verifier.report().problems]


def test_the_witness_head_must_agree_with_the_checkpoint_it_names() -> None:
    log = sample_log()
    witnessed = log.witnessed()
    newest = checkpoint_json(log.checkpoints[-1])
    assert _head_problems(log, witnessed, newest) == []
    assert _head_problems(log, witnessed, None) == []  # a witness without a head
    assert _head_problems(log, [], {}) == []  # nothing witnessed yet
    # A head left one step behind (a crash between the two writes) is no tampering.
    assert _head_problems(log, witnessed, checkpoint_json(log.checkpoints[1])) == []
    assert _head_problems(log, witnessed, {}) == [
        "checkpoint head: missing or unreadable in the witness (removed or altered)"]
    forged = {**newest, "tree_size": newest["tree_size"] + 1}
    problems = _head_problems(log, witnessed, forged)
    assert problems[0] == "checkpoint head: altered: its signature does not verify"
    assert problems[1].startswith("checkpoint 3: differs from the witness's head")
    # The newest checkpoint removed from the witness, the head still naming it.
    problems = _head_problems(log, witnessed[:2], newest)
    assert "checkpoint 3: named by the witness's head but missing from the witness (removed)" in (
        problems)
