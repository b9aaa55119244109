"""Consistency proofs between checkpoints: honest ones check, every tampering is named."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from settlement.domain.audit import batch_header, canonical
from settlement.domain.audit_proof import (
    check_consistency_proof,
    consistency_proof,
    consistency_summary,
    public_key_from_text,
)
from tests.unit.audit.helpers import Log, sample_log


def proof_between(log: Log, first: int, second: int) -> dict[str, Any]:
    a, b = log.checkpoints[first - 1], log.checkpoints[second - 1]
    headers = [batch for batch, _ in log.batches if a.batch <= batch.number <= b.batch]
    # As an auditor receives it: JSON text, not Python objects.
    return dict(json.loads(json.dumps(consistency_proof(a, b, headers, log.public_key))))


def test_every_pair_of_checkpoints_in_order_is_consistent() -> None:
    log = sample_log()  # checkpoints at batches 1, 3 and 4 (tree sizes 5, 14, 21)
    for first in (1, 2, 3):
        for second in range(first, 4):
            proof = proof_between(log, first, second)
            assert check_consistency_proof(proof, log.public_key) == []
    summary = consistency_summary(proof_between(log, 1, 3))
    assert "checkpoint 3 (tree size 21, batch 4) extends checkpoint 1 (tree size 5" in summary
    assert "16 entries added in 3 batches" in summary


def test_making_a_proof_backwards_is_refused() -> None:
    log = sample_log()
    with pytest.raises(ValueError, match="later"):
        consistency_proof(log.checkpoints[2], log.checkpoints[0], [], log.public_key)


def _swap_checkpoints(p: dict[str, Any]) -> None:
    p["first"], p["second"] = p["second"], p["first"]
    p["batches"].reverse()


def _rewrite_first_batch(p: dict[str, Any]) -> None:
    # A rewritten history re-chained from batch 1: every link holds, but not the signature.
    p["batches"][0]["root"] = "44" * 32
    for previous, header in itertools.pairwise(p["batches"]):
        header["prev"] = _hash(previous)


def _hash(header: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(header)).hexdigest()


# name -> (tampering of the proof from checkpoint 1 to 3, words the problems must contain)
TAMPERS: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "backwards": (_swap_checkpoints, "back to checkpoint 1"),
    "gap": (lambda p: p["batches"].pop(1), "batch 2 is missing"),
    "reordered": (lambda p: p["batches"].insert(1, p["batches"].pop(2)), "does not link"),
    "altered middle header": (lambda p: p["batches"][1].update(root="55" * 32),
                              "does not link to batch 2"),
    "altered first header": (lambda p: p["batches"][0].update(sealed_at="2020-01-01T00:00:00.000+00:00"),
                             "not the batch checkpoint 1 signs"),
    "rewritten history": (_rewrite_first_batch, "not the batch checkpoint 1 signs"),
    "sizes do not add up": (lambda p: p["batches"][-1].update(size=p["batches"][-1]["size"] + 1),
                            "does not end at entry 21"),
    "second checkpoint altered": (lambda p: p["second"].update(tree_size=22),
                                  "signature does not verify"),
    "first checkpoint altered": (lambda p: p["first"].update(batch_hash="66" * 32),
                                 "signature does not verify"),
    "no headers": (lambda p: p["batches"].clear(), "no batch headers"),
    "missing field": (lambda p: p["batches"][1].pop("first_seq"), "malformed"),
    "format": (lambda p: p.update(format="other/1"), "unknown proof format"),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_each_tampering_is_detected_and_named(name: str) -> None:
    log = sample_log()
    proof = proof_between(log, 1, 3)
    assert len(proof["batches"]) == 4
    tamper, words = TAMPERS[name]
    tampered = copy.deepcopy(proof)
    tamper(tampered)
    problems = check_consistency_proof(tampered, log.public_key)
    assert problems, name
    assert any(words in str(problem) for problem in problems), [str(p) for p in problems]


def test_a_checkpoint_signed_by_another_key_is_refused() -> None:
    log, impostor = sample_log(), Log()
    for _ in range(4):
        impostor.add_batch(3)
    impostor.checkpoint()
    proof = proof_between(log, 1, 3)
    # Another log's checkpoint, validly signed by its own key, in place of the second.
    forged = impostor.checkpoints[0]
    proof["second"] = json.loads(json.dumps(proof_between(impostor, 1, 1)["second"]))
    proof["batches"][-1] = batch_header(impostor.batches[forged.batch - 1][0])
    problems = [str(p) for p in check_consistency_proof(proof, log.public_key)]
    assert "checkpoint 1: its signature does not verify with the trusted key " \
           "(altered, or signed by another key)" in problems
    # And the whole honest proof is refused against the impostor's key.
    honest = proof_between(log, 1, 3)
    assert len(check_consistency_proof(honest, impostor.public_key)) == 2


def test_the_key_is_read_from_hex_or_pem() -> None:
    log = sample_log()
    pem = log.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    assert public_key_from_text(log.public_key.hex() + "\n") == log.public_key
    assert public_key_from_text(pem) == log.public_key
    with pytest.raises(ValueError, match="32 bytes"):
        public_key_from_text("abcd")
