"""Inclusion proofs of audit entries, and the check a third party runs on one.

A proof is a JSON document (``settlement audit proof ENTRY_ID`` prints it)::

    {"format": "settlement-audit-inclusion/1",
     "entry": {...},               # the entry exactly as hashed (canonical JSON of this object)
     "leaf_index": 3,              # its place in its batch (entry.seq - batch.first_seq)
     "batch": {...},               # the batch header: batch, first_seq, size, root, prev, …
     "audit_path": ["hex", ...],   # RFC 9162 inclusion path from the leaf to batch.root
     "later_batches": [{...}],     # headers of the following batches up to the checkpoint's
     "checkpoint": {..., "signature": "hex"} | null,
     "public_key": "hex"}          # the raw Ed25519 key (check it against one you trust)

Canonical JSON is ``json.dumps(obj, ensure_ascii=False, sort_keys=True,
separators=(",", ":"))`` in UTF-8; a batch's hash is SHA-256 of its header's canonical JSON,
a checkpoint is signed over its canonical JSON without ``signature``. The check needs only
SHA-256 and Ed25519: :func:`check_inclusion_proof` is the reference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from settlement.domain.audit import (
    AuditEntry,
    Batch,
    Checkpoint,
    batch_header,
    canonical,
    checkpoint_json,
    entry_body,
)
from settlement.domain.merkle import inclusion_path, leaf_hash, root_from_path

PROOF_FORMAT = "settlement-audit-inclusion/1"


class ProofError(ValueError):
    """The proof does not show what it claims; the message says which step failed."""


def inclusion_proof(
    entry: AuditEntry,
    batch: Batch,
    later: Sequence[Batch],
    checkpoint: Checkpoint | None,
    public_key: bytes | None,
) -> dict[str, Any]:
    """The proof that sealed ``entry`` is in ``batch``, chained to ``checkpoint``.

    Args:
        later: the batches after ``batch`` up to and including the checkpoint's batch.
        checkpoint: the first signed checkpoint at or after the batch; None if none yet.

    Raises:
        ValueError: the entry is not sealed in this batch.
    """
    if entry.seq is None or not batch.first_seq <= entry.seq <= batch.last_seq:
        raise ValueError("the entry is not sealed in this batch")
    index = entry.seq - batch.first_seq
    leaves = [bytes.fromhex(h) for h in batch.leaves]
    return {
        "format": PROOF_FORMAT,
        "entry": entry_body(entry),
        "leaf_index": index,
        "batch": batch_header(batch),
        "audit_path": [node.hex() for node in inclusion_path(index, leaves)],
        "later_batches": [batch_header(b) for b in later],
        "checkpoint": None if checkpoint is None else checkpoint_json(checkpoint),
        "public_key": None if public_key is None else public_key.hex(),
    }


def _hash(header: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(header)).hexdigest()


def check_inclusion_proof(proof: Mapping[str, Any], public_key: bytes | None = None) -> str:
    """Check an inclusion proof from leaf to signed checkpoint.

    Args:
        proof: the parsed proof document.
        public_key: the raw 32-byte Ed25519 key you trust for this log; when None the key
            inside the proof is used (which only proves consistency, not origin).

    Returns:
        A sentence saying what was proven.

    Raises:
        ProofError: a step does not hold; the message names it.
    """
    try:
        return _check(proof, public_key)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ProofError):
            raise
        raise ProofError(f"malformed proof: {exc!r}") from None


def _check(proof: Mapping[str, Any], public_key: bytes | None) -> str:
    if proof.get("format") != PROOF_FORMAT:
        raise ProofError("unknown proof format")
    entry, batch = proof["entry"], proof["batch"]
    index = int(proof["leaf_index"])
    if entry["seq"] != batch["first_seq"] + index:
        raise ProofError("the entry's sequence number does not match its place in the batch")
    leaf = leaf_hash(canonical(entry))
    path = [bytes.fromhex(node) for node in proof["audit_path"]]
    root = root_from_path(index, int(batch["size"]), leaf, path)
    if root is None or root.hex() != batch["root"]:
        raise ProofError("the audit path does not lead from the entry to the batch root")
    head, number = _hash(batch), int(batch["batch"])
    for later in proof["later_batches"]:
        if int(later["batch"]) != number + 1 or later["prev"] != head:
            raise ProofError(f"batch {later['batch']} does not chain to batch {number}")
        head, number = _hash(later), int(later["batch"])
    checkpoint = proof.get("checkpoint")
    if checkpoint is None:
        return (f"entry {entry['seq']} is in batch {batch['batch']} (chain head {head[:16]}…); "
                "no signed checkpoint covers it yet")  # fmt: skip
    if int(checkpoint["batch"]) != number or checkpoint["batch_hash"] != head:
        raise ProofError("the checkpoint does not sign the batch chain shown")
    key = public_key if public_key is not None else bytes.fromhex(proof["public_key"])
    body = {k: v for k, v in checkpoint.items() if k != "signature"}
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(
            bytes.fromhex(checkpoint["signature"]), canonical(body)
        )
    except InvalidSignature:
        raise ProofError("the checkpoint's signature does not verify") from None
    return (f"entry {entry['seq']} is in batch {batch['batch']}, signed by checkpoint "
            f"{checkpoint['checkpoint']} (tree size {checkpoint['tree_size']}, key "
            f"{checkpoint['key_id']})")  # fmt: skip
