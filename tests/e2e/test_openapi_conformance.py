"""schemathesis fuzzes the published OpenAPI document against the running service."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

from tests.e2e.conftest import Api, body


async def test_openapi_document_is_served(api: Api) -> None:
    document = body(await api.call("GET", "/api/v1/openapi.json"))
    assert document["openapi"] == "3.1.0"
    assert "/api/v1/cases/{case_id}/statement" in document["paths"]


async def test_schemathesis_finds_no_server_error_or_schema_violation(api: Api) -> None:
    token = await api.sign_in()
    # The CLI runs as a child process so this event loop keeps serving its requests.
    executable = shutil.which("schemathesis") or sys.executable
    prefix = [] if executable.endswith("schemathesis") else ["-m", "schemathesis.cli"]
    process = await asyncio.create_subprocess_exec(
        executable,
        *prefix,
        "run",
        f"{api.base_url}/api/v1/openapi.json",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,negative_data_rejection,ignored_auth",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        "25",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--seed",
        "20261121",
        "--request-timeout",
        "10",
        # occurred_at is a date-time with a pattern for its plausible years; generating
        # both discards many draws, which is slow but not a fault of the document.
        "--suppress-health-check",
        "filter_too_much",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=480)
    report = output.decode(errors="replace")
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "schemathesis.txt").write_text(report, encoding="utf-8")
    assert process.returncode == 0, report[-6000:]
