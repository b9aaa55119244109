"""Inclusion proofs: every entry's proof checks; any change to a proof is refused."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from settlement.domain.audit_proof import ProofError, check_inclusion_proof, inclusion_proof
from tests.unit.audit.helpers import Log, sample_log


def proof_for(log: Log, seq: int) -> dict[str, Any]:
    for index, (batch, entries) in enumerate(log.batches):
        for entry in entries:
            if entry.seq == seq:
                checkpoint = next((c for c in log.checkpoints if c.batch >= batch.number), None)
                later = [b for b, _ in log.batches[index + 1:]
                         if checkpoint is not None and b.number <= checkpoint.batch]  # fmt: skip
                return inclusion_proof(entry, batch, later, checkpoint, log.public_key)
    raise AssertionError(seq)


def test_every_entry_has_a_proof_that_checks_against_the_trusted_key() -> None:
    log = sample_log()
    for seq in range(1, 22):
        proof = json.loads(json.dumps(proof_for(log, seq)))  # as a third party receives it
        verdict = check_inclusion_proof(proof, log.public_key)
        assert f"entry {seq} is in batch" in verdict
        assert "signed by checkpoint" in verdict


def test_an_entry_not_yet_checkpointed_says_so() -> None:
    log = sample_log()
    log.add_batch(2)
    verdict = check_inclusion_proof(proof_for(log, 22), log.public_key)
    assert "no signed checkpoint covers it yet" in verdict


TAMPERS = {
    "entry content": lambda p: p["entry"].update(actor="staff:someone-else"),
    "entry number": lambda p: p["entry"].update(seq=p["entry"]["seq"] + 1),
    "leaf index": lambda p: p.update(leaf_index=(p["leaf_index"] + 1) % p["batch"]["size"]),
    "audit path": lambda p: p["audit_path"].__setitem__(0, "00" * 32),
    "batch root": lambda p: p["batch"].update(root="11" * 32),
    "batch header": lambda p: p["batch"].update(sealed_at="2020-01-01T00:00:00.000+00:00"),
    "later batch": lambda p: p["later_batches"][0].update(prev="22" * 32),
    "checkpoint body": lambda p: p["checkpoint"].update(tree_size=999),
    "checkpoint signature": lambda p: p["checkpoint"].update(signature="33" * 64),
    "format": lambda p: p.update(format="something-else"),
    "missing field": lambda p: p.pop("batch"),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_any_change_to_a_proof_is_refused(name: str) -> None:
    log = sample_log()
    proof = proof_for(log, 7)  # batch 2, with batch 3 between it and checkpoint 2
    assert proof["later_batches"]
    assert proof["audit_path"]
    tampered = copy.deepcopy(proof)
    TAMPERS[name](tampered)
    with pytest.raises(ProofError):
        check_inclusion_proof(tampered, log.public_key)


def test_a_proof_signed_by_another_key_is_refused_when_the_trusted_key_is_given() -> None:
    log, impostor = sample_log(), Log()
    proof = proof_for(log, 3)
    assert "signed by checkpoint" in check_inclusion_proof(proof)  # its own key: consistent
    with pytest.raises(ProofError, match="signature"):
        check_inclusion_proof(proof, impostor.public_key)
