"""Consistency proofs built from a real mongod and a file witness, checked with only the two
signed checkpoints and the public key; a batch rewritten in the database is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.mongo.audit import ensure_audit_indexes
from adapters.mongo.types import Database
from adapters.witness.keys import load_signer
from settlement.domain.audit_proof import check_consistency_proof
from settlement.errors import NotFound, PreconditionFailed
from tests.integration.audit.test_mongo_audit import event, sealer, trail


async def test_a_later_checkpoint_is_proven_to_extend_an_earlier_one(
    mongo_db: Database, tmp_path: Path
) -> None:
    await ensure_audit_indexes(mongo_db)
    audit, log, witness = trail(mongo_db, tmp_path)
    sealing = sealer(log, tmp_path, "one", batch_limit=4)
    for i in range(6):
        await audit.record(event(i))
    assert await sealing.round() == 6  # batches 1 and 2
    assert await sealing.checkpoint() is not None  # checkpoint 1: batch 2, tree size 6
    for i in range(6, 15):
        await audit.record(event(i))
    assert await sealing.round() == 9  # batches 3 to 5
    assert await sealing.checkpoint() is not None  # checkpoint 2: batch 5, tree size 15

    proof = json.loads(json.dumps(await audit.consistency(1, 2)))
    # The auditor holds the two signed checkpoints (as the witness keeps them) and the key.
    held = {name: data for name, data in await witness.list()}
    assert proof["first"] == held["1"]
    assert proof["second"] == held["2"]
    assert [h["batch"] for h in proof["batches"]] == [2, 3, 4, 5]
    public_key = load_signer(tmp_path / "key.pem", create=False).public_key
    assert check_consistency_proof(proof, public_key) == []

    # A batch between the checkpoints rewritten in the database: the next proof names it.
    await mongo_db["audit_batches"].update_one({"_id": 3}, {"$set": {"root": "77" * 32}})
    stored = await log.batch(3)
    assert stored is not None
    assert stored.root == "77" * 32, "the rewrite must reach the header the proof is built from"
    rewritten = json.loads(json.dumps(await audit.consistency(1, 2)))
    assert [str(p) for p in check_consistency_proof(rewritten, public_key)] == [
        "batch 4: does not link to batch 3: one was altered, removed or reordered"
    ]

    with pytest.raises(PreconditionFailed, match="give the earlier checkpoint first"):
        await audit.consistency(2, 1)
    with pytest.raises(NotFound, match="the newest is 2"):
        await audit.consistency(1, 3)
