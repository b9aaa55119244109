"""Signed audit checkpoints in an S3 bucket (moto on 127.0.0.1), as ``settlement serve`` and
``settlement audit verify`` wire them from the settings: one write-once object per
checkpoint plus the latest head; altering, removing or rewinding either is named."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from adapters.photos.s3_store import build_s3_client
from adapters.simulators.wechat import WeChatSimulator
from adapters.witness.s3 import S3Witness
from settlement.bootstrap import Runtime, open_runtime
from settlement.errors import AlreadyExists
from tests.e2e.conftest import make_settings
from tests.e2e.witnessing import run_verify, sealed_and_checkpointed

PREFIX = "witness/"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip


@dataclass
class Witnessed:
    runtime: Runtime
    s3: Any
    bucket: str
    env: dict[str, str]

    def key(self, name: str) -> str:
        return f"{PREFIX}{name}"

    def read(self, name: str) -> dict[str, Any]:
        body = self.s3.get_object(Bucket=self.bucket, Key=self.key(name))["Body"].read()
        return dict(json.loads(body))

    def write(self, name: str, data: dict[str, Any]) -> None:
        # What someone with write access to the bucket (no object lock) could do.
        self.s3.put_object(Bucket=self.bucket, Key=self.key(name), Body=json.dumps(data).encode())

    async def verify(self) -> tuple[int, str]:
        return await run_verify(self.env)


@pytest.fixture
async def witnessed(mongo_uri: str, wechat: WeChatSimulator, moto_endpoint: str,
                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                    ) -> AsyncIterator[Witnessed]:  # fmt: skip
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    s3 = build_s3_client(endpoint_url=moto_endpoint, region_name="us-east-1")
    bucket = f"witness-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    settings = replace(make_settings(mongo_uri, wechat, tmp_path), audit_witness="s3",
                       audit_witness_bucket=bucket, audit_witness_prefix=PREFIX,
                       audit_witness_endpoint_url=moto_endpoint)  # fmt: skip
    env = {**os.environ, **CREDENTIALS, "SETTLEMENT_MONGO_URI": settings.mongo_uri or "",
           "SETTLEMENT_MONGO_DB": settings.mongo_db, "SETTLEMENT_DATA_DIR": str(settings.data_dir),
           "SETTLEMENT_UPLOADS_DIR": str(settings.uploads_dir), "SETTLEMENT_AUDIT_WITNESS": "s3",
           "SETTLEMENT_AUDIT_WITNESS_BUCKET": bucket, "SETTLEMENT_AUDIT_WITNESS_PREFIX": PREFIX,
           "SETTLEMENT_AUDIT_WITNESS_ENDPOINT_URL": moto_endpoint}  # fmt: skip
    async with open_runtime(settings) as runtime:
        try:
            yield Witnessed(runtime, s3, bucket, env)
        finally:
            await runtime.mongo_client.drop_database(settings.mongo_db)


async def test_checkpoints_go_to_s3_once_each_and_verify_names_what_was_altered(
    witnessed: Witnessed,
) -> None:
    runtime = witnessed.runtime
    await sealed_and_checkpointed(runtime, 3)
    await sealed_and_checkpointed(runtime, 2)
    listed = witnessed.s3.list_objects_v2(Bucket=witnessed.bucket, Prefix=PREFIX)
    assert sorted(o["Key"] for o in listed["Contents"]) == [
        f"{PREFIX}checkpoint-000000000001.json", f"{PREFIX}checkpoint-000000000002.json",
        f"{PREFIX}head.json",
    ]  # fmt: skip
    second = witnessed.read("checkpoint-000000000002.json")
    assert witnessed.read("head.json") == second
    assert (second["checkpoint"], second["tree_size"]) == (2, 5)

    # Write-once: the service itself cannot replace a witnessed checkpoint.
    witness = S3Witness(witnessed.s3, witnessed.bucket, PREFIX)
    with pytest.raises(AlreadyExists):
        await witness.put(1, {**second, "checkpoint": 1})

    code, output = await witnessed.verify()
    assert code == 0, output
    assert "intact" in output
    assert "2 checkpoints" in output

    first = witnessed.read("checkpoint-000000000001.json")
    witnessed.write("checkpoint-000000000001.json", {**first, "tree_size": 2})
    code, output = await witnessed.verify()
    assert code == 1, output
    assert "checkpoint 1: altered: its signature does not verify" in output
    witnessed.write("checkpoint-000000000001.json", first)
    assert (await witnessed.verify())[0] == 0

    # Rewinding the bucket (the newest checkpoint removed, the head put back one step)
    # is still caught: the database remembers checkpoint 2.
    witnessed.s3.delete_object(Bucket=witnessed.bucket,
                               Key=witnessed.key("checkpoint-000000000002.json"))  # fmt: skip
    witnessed.write("head.json", first)
    code, output = await witnessed.verify()
    assert code == 1, output
    assert "checkpoint 2: recorded in the database but missing from the witness" in output
    witnessed.write("checkpoint-000000000002.json", second)

    # A head that disagrees with the checkpoint it names, or one that is gone.
    witnessed.write("head.json", {**second, "batch_hash": "0" * 64})
    code, output = await witnessed.verify()
    assert code == 1, output
    assert "checkpoint head: altered" in output
    assert "checkpoint 2: differs from the witness's head" in output
    witnessed.s3.delete_object(Bucket=witnessed.bucket, Key=witnessed.key("head.json"))
    code, output = await witnessed.verify()
    assert code == 1, output
    assert "checkpoint head: missing or unreadable" in output
