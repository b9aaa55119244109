"""Inclusion and consistency proofs of the audit log, and the checks a third party runs.

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
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from settlement.domain.audit import (
    AuditEntry,
    Batch,
    Checkpoint,
    Problem,
    batch_header,
    canonical,
    checkpoint_from_json,
    checkpoint_json,
    entry_body,
    signature_valid,
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


# --- consistency proofs -----------------------------------------------------------------------

CONSISTENCY_FORMAT = "settlement-audit-consistency/1"
"""A consistency proof (``settlement audit consistency FROM TO`` prints it)::

    {"format": "settlement-audit-consistency/1",
     "first": {..., "signature": "hex"},   # the earlier signed checkpoint
     "second": {..., "signature": "hex"},  # the later one
     "batches": [{...}, ...],              # headers from first's batch to second's, in order
     "public_key": "hex"}                  # informative only: the check uses a key you trust

It shows that the log at ``second`` extends the log at ``first``: the first header hashes to
the hash ``first`` signs, each next header names the previous one's hash as ``prev``, the
last hashes to the hash ``second`` signs, and the sizes add up to both tree sizes. Since a
batch hash covers its Merkle root, no entry up to ``first`` can have changed or gone.
"""


def consistency_proof(first: Checkpoint, second: Checkpoint, headers: Sequence[Batch],
                      public_key: bytes | None) -> dict[str, Any]:  # fmt: skip
    """The proof that the log at ``second`` extends the log at ``first``.

    Args:
        headers: the batches from ``first.batch`` to ``second.batch``, in order, as stored
            (a gap or an altered header is left for the check to name).

    Raises:
        ValueError: ``first`` is later than ``second``.
    """
    if first.number > second.number:
        raise ValueError("the first checkpoint must not be later than the second")
    return {
        "format": CONSISTENCY_FORMAT,
        "first": checkpoint_json(first),
        "second": checkpoint_json(second),
        "batches": [batch_header(b) for b in headers],
        "public_key": None if public_key is None else public_key.hex(),
    }


def check_consistency_proof(proof: Mapping[str, Any], public_key: bytes) -> list[Problem]:
    """Check a consistency proof with only its two checkpoints and a key you trust.

    Returns:
        The problems found, each naming the checkpoint or batch at fault; empty if the log
        at the second checkpoint extends the log at the first.
    """
    try:
        return _check_consistency(proof, public_key)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return [Problem("proof", f"malformed: {exc!r}")]


def _check_consistency(proof: Mapping[str, Any], public_key: bytes) -> list[Problem]:
    if proof.get("format") != CONSISTENCY_FORMAT:
        return [Problem("proof", "unknown proof format")]
    problems: list[Problem] = []
    first = checkpoint_from_json(proof["first"])
    second = checkpoint_from_json(proof["second"])
    for label, checkpoint in (("first", first), ("second", second)):
        # Re-read from the document: a field the body does not carry must not slip by.
        if checkpoint_json(checkpoint) != dict(proof[label]):
            problems.append(Problem(f"checkpoint {checkpoint.number}", "not in canonical form"))
        if not signature_valid(checkpoint, public_key):
            problems.append(Problem(f"checkpoint {checkpoint.number}",
                                    "its signature does not verify with the trusted key "
                                    "(altered, or signed by another key)"))  # fmt: skip
    if (first.number > second.number or first.batch > second.batch
            or first.tree_size > second.tree_size):  # fmt: skip
        problems.append(Problem("proof", f"goes from checkpoint {first.number} back to "
                                         f"checkpoint {second.number}: the first must not be "
                                         "the later one"))  # fmt: skip
        return problems
    headers = list(proof["batches"])
    if not headers:
        return [*problems, Problem("proof", "holds no batch headers")]
    problems += _signed_end(headers[0], first)
    for previous, header in itertools.pairwise(headers):
        where, number = f"batch {header['batch']}", int(previous["batch"]) + 1
        if int(header["batch"]) != number:
            problems.append(Problem(where, f"follows batch {previous['batch']}: batch "
                                           f"{number} is missing or out of order"))  # fmt: skip
        if header["prev"] != _hash(previous):
            problems.append(Problem(where, f"does not link to batch {previous['batch']}: "
                                           "one was altered, removed or reordered"))  # fmt: skip
        if int(header["first_seq"]) != int(previous["first_seq"]) + int(previous["size"]):
            problems.append(Problem(where, "does not start right after batch "
                                           f"{previous['batch']}: entries were removed or "
                                           "added"))  # fmt: skip
    return problems + _signed_end(headers[-1], second)


def _signed_end(header: Mapping[str, Any], checkpoint: Checkpoint) -> list[Problem]:
    """Problems of the header that should be the one ``checkpoint`` signs."""
    where, problems = f"batch {header['batch']}", []
    if int(header["batch"]) != checkpoint.batch or _hash(header) != checkpoint.batch_hash:
        problems.append(Problem(where, f"is not the batch checkpoint {checkpoint.number} "
                                       f"signs (batch {checkpoint.batch}): altered or "
                                       "replaced"))  # fmt: skip
    if int(header["first_seq"]) + int(header["size"]) - 1 != checkpoint.tree_size:
        problems.append(Problem(where, f"does not end at entry {checkpoint.tree_size}, the "
                                       f"tree size of checkpoint {checkpoint.number}"))  # fmt: skip
    return problems


def consistency_summary(proof: Mapping[str, Any]) -> str:
    """What a proof that checked shows, in one sentence."""
    first, second = proof["first"], proof["second"]
    return (f"checkpoint {second['checkpoint']} (tree size {second['tree_size']}, batch "
            f"{second['batch']}) extends checkpoint {first['checkpoint']} (tree size "
            f"{first['tree_size']}, batch {first['batch']}): "
            f"{int(second['tree_size']) - int(first['tree_size'])} entries added in "
            f"{len(proof['batches']) - 1} batches, key {second['key_id']}")  # fmt: skip


def public_key_from_text(text: str) -> bytes:
    """A raw Ed25519 public key from its hex (``settlement audit key``) or a PEM public key.

    Raises:
        ValueError: neither form, or not 32 bytes.
    """
    text = text.strip()
    if text.startswith("-----BEGIN"):
        loaded = serialization.load_pem_public_key(text.encode())
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError("the PEM key is not an Ed25519 public key")
        return loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raw = bytes.fromhex(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes (64 hex digits)")
    return raw
