"""Signed audit checkpoints in a witness directory, as ``settlement serve`` and ``settlement
audit verify`` wire it by default: one write-once file per checkpoint plus ``head.json``,
the latest head; a deleted newest checkpoint, a rolled-back head or a head that disagrees
is named."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.simulators.wechat import WeChatSimulator
from adapters.witness.files import FileWitness
from adapters.witness.keys import load_signer
from settlement.bootstrap import Runtime, open_runtime
from settlement.errors import AlreadyExists
from tests.e2e.conftest import make_settings
from tests.e2e.witnessing import run_audit, run_verify, sealed_and_checkpointed

FIRST, SECOND, HEAD = "checkpoint-000000000001.json", "checkpoint-000000000002.json", "head.json"


@dataclass
class Witnessed:
    runtime: Runtime
    directory: Path
    env: dict[str, str]

    def read(self, name: str) -> dict[str, Any]:
        return dict(json.loads((self.directory / name).read_text()))

    def write(self, name: str, data: dict[str, Any]) -> None:
        # What someone with write access to the directory could do.
        (self.directory / name).write_text(json.dumps(data))

    async def verify(self) -> tuple[int, str]:
        return await run_verify(self.env)


@pytest.fixture
async def witnessed(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path
                    ) -> AsyncIterator[Witnessed]:  # fmt: skip
    settings = make_settings(mongo_uri, wechat, tmp_path)
    assert settings.audit_witness == "file"
    env = {**os.environ, "SETTLEMENT_MONGO_URI": settings.mongo_uri or "",
           "SETTLEMENT_MONGO_DB": settings.mongo_db, "SETTLEMENT_DATA_DIR": str(settings.data_dir),
           "SETTLEMENT_UPLOADS_DIR": str(settings.uploads_dir)}  # fmt: skip
    async with open_runtime(settings) as runtime:
        try:
            yield Witnessed(runtime, settings.audit_witness_path, env)
        finally:
            await runtime.mongo_client.drop_database(settings.mongo_db)


async def test_the_file_witness_keeps_a_head_and_verify_names_a_rollback_or_a_bad_head(
    witnessed: Witnessed,
) -> None:
    await sealed_and_checkpointed(witnessed.runtime, 3)
    assert witnessed.read(HEAD) == witnessed.read(FIRST)
    await sealed_and_checkpointed(witnessed.runtime, 2)
    assert sorted(p.name for p in witnessed.directory.iterdir()) == [FIRST, SECOND, HEAD]
    first, second = witnessed.read(FIRST), witnessed.read(SECOND)
    assert witnessed.read(HEAD) == second  # replaced by the newest checkpoint
    assert (second["checkpoint"], second["tree_size"]) == (2, 5)
    witness = FileWitness(witnessed.directory)
    assert await witness.head() == second
    with pytest.raises(AlreadyExists):  # checkpoints stay write-once; only the head moves
        await witness.put(1, {**second, "checkpoint": 1})
    assert witnessed.read(HEAD) == second

    code, output = await witnessed.verify()
    assert code == 0, output
    assert "intact" in output

    # The newest checkpoint deleted: the head still names it.
    (witnessed.directory / SECOND).unlink()
    code, output = await witnessed.verify()
    assert code == 1, output
    assert "checkpoint 2: named by the witness's head but missing from the witness" in output
    # ...and with the head rolled back one step too, the database still remembers it.
    witnessed.write(HEAD, first)
    code, output = await witnessed.verify()
    assert code == 1, output
    assert "checkpoint 2: recorded in the database but missing from the witness" in output
    witnessed.write(SECOND, second)
    witnessed.write(HEAD, second)
    assert (await witnessed.verify())[0] == 0

    # A head that disagrees with the checkpoint it names, an unreadable one, or none.
    witnessed.write(HEAD, {**second, "batch_hash": "0" * 64})
    code, output = await witnessed.verify()
    assert code == 1, output
    assert "checkpoint head: altered" in output
    assert "checkpoint 2: differs from the witness's head" in output
    (witnessed.directory / HEAD).write_text('{"checkpoint": 2, "batch')
    assert await witness.head() == {}
    code, output = await witnessed.verify()
    assert code == 1, output
    assert "checkpoint head: missing or unreadable" in output
    (witnessed.directory / HEAD).unlink()
    assert await witness.head() == {}
    code, output = await witnessed.verify()
    assert code == 1, output
    assert "checkpoint head: missing or unreadable" in output


async def test_an_auditor_checks_a_consistency_proof_offline_with_the_public_key(
    witnessed: Witnessed, tmp_path: Path
) -> None:
    await sealed_and_checkpointed(witnessed.runtime, 3)
    await sealed_and_checkpointed(witnessed.runtime, 2)
    code, out, err = await run_audit(witnessed.env, "consistency", "1", "2")
    assert code == 0, err
    proof = tmp_path / "consistency.json"
    proof.write_text(out)
    code, published, err = await run_audit(witnessed.env, "key")
    assert code == 0, err
    public_key = load_signer(witnessed.runtime.settings.audit_key_path, create=False).public_key
    assert published.strip() == public_key.hex()
    key_file = tmp_path / "audit-key.hex"
    key_file.write_text(published)

    # Offline: no database settings at all, only the proof and the key.
    offline = {k: v for k, v in witnessed.env.items() if not k.startswith("SETTLEMENT_")}
    code, out, err = await run_audit(offline, "check-consistency", str(proof),
                                     "--key", str(key_file))  # fmt: skip
    assert code == 0, err
    assert "checkpoint 2 (tree size 5, batch 2) extends checkpoint 1 (tree size 3, batch 1)" in out

    tampered = json.loads(proof.read_text())
    tampered["batches"][0]["size"] = 2  # as if an entry sealed before checkpoint 1 were gone
    proof.write_text(json.dumps(tampered))
    code, out, err = await run_audit(offline, "check-consistency", str(proof),
                                     "--key", public_key.hex())  # fmt: skip
    assert code == 1, out
    assert "batch 1: is not the batch checkpoint 1 signs" in err

    code, out, err = await run_audit(witnessed.env, "consistency", "2", "1")
    assert (code, out) == (1, "")
    assert "give the earlier checkpoint first" in err
