"""schemathesis fuzzes the published OpenAPI document against the running service."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from pathlib import Path

import tornado.routing
import tornado.web

from adapters.http.base import ACCESS_ATTRIBUTE, ApiHandler, allowed_methods
from adapters.http.openapi import openapi_document
from settlement.domain.staff import Role
from tests.builders import new_case
from tests.e2e.conftest import Api, body


async def test_openapi_document_is_served(api: Api) -> None:
    document = body(await api.call("GET", "/api/v1/openapi.json"))
    assert document["openapi"] == "3.1.0"
    assert "/api/v1/cases/{case_id}/statement" in document["paths"]


def _template(pattern: str) -> str:
    """``/api/v1/cases/(C[0-9A-Z]{1,40})/photos$`` and ``/api/v1/cases/{case_id}/photos``
    both become ``/api/v1/cases/{}/photos``; ``/console/?`` and ``/console`` both ``/console``."""
    path = re.sub(r"\([^)]*\)|\{[a-z_0-9]+\}", "{}", pattern).replace("\\.", ".").rstrip("$")
    return path if path == "/" else path.removesuffix("/?")


async def test_every_route_is_described_with_its_methods_and_who_may_call_it(api: Api) -> None:
    app = api.servers.http.request_callback
    assert isinstance(app, tornado.web.Application)
    routes: dict[str, type[tornado.web.RequestHandler]] = {}
    for rule in app.wildcard_router.rules:
        assert isinstance(rule.matcher, tornado.routing.PathMatches)
        assert isinstance(rule.target, type)
        routes[_template(rule.matcher.regex.pattern)] = rule.target
    document = openapi_document()["paths"]
    described = {_template(path): operations for path, operations in document.items()}
    assert sorted(routes) == sorted(described)
    for path, handler in routes.items():
        operations = described[path]
        assert sorted(allowed_methods(handler)) == sorted(m.upper() for m in operations), path
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            # HTML pages are tagged for browsers (and left out of the JSON fuzzing).
            assert ("pages" in operation.get("tags", [])) != issubclass(handler, ApiHandler), where
            access = getattr(getattr(handler, method), ACCESS_ATTRIBUTE)
            if access == "public":
                assert operation["security"] == [], where
            elif access == "driver":
                assert operation["security"] == [{"bearer": []}], where
            else:
                least = Role(access.removeprefix("console:"))
                assert operation["security"] == [{"consoleSession": []}], where
                assert operation["x-roles"] == [r.value for r in Role if r.includes(least)], where
    assert "/api/v1/cases/{}/photos" in routes  # the upload is in the fuzzing
    assert "/console/audit" in routes


async def test_schemathesis_finds_no_server_error_or_schema_violation(
    api: Api, tmp_path: Path
) -> None:
    token = await api.sign_in()
    # Uploads go to a real case of the signed-in driver, so the fuzzed multipart bodies
    # reach the streaming parser and the image checks instead of stopping at a 404.
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=token))["id"]
    config = tmp_path / "schemathesis.toml"
    # Sign-out is fuzzed with a session of its own, so the run's token stays valid for the
    # other operations.
    leaving = await api.sign_in()
    config.write_text(
        "[[operations]]\n"
        'include-path = "/api/v1/cases/{case_id}/photos"\n'
        f'parameters = {{ "path.case_id" = "{case_id}" }}\n'
        "[[operations]]\n"
        'include-path = "/api/v1/auth/sign-out"\n'
        f'headers = {{ Authorization = "Bearer {leaving}" }}\n',
        encoding="utf-8",
    )
    # The CLI runs as a child process so this event loop keeps serving its requests.
    executable = shutil.which("schemathesis") or sys.executable
    prefix = [] if executable.endswith("schemathesis") else ["-m", "schemathesis.cli"]
    process = await asyncio.create_subprocess_exec(
        executable,
        *prefix,
        "--config-file",
        str(config),
        "run",
        f"{api.base_url}/api/v1/openapi.json",
        # The console's HTML pages need a staff session and XSRF token: not JSON to fuzz.
        "--exclude-tag",
        "pages",
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
    signed_out = await api.call("GET", "/api/v1/cases", token=leaving)
    assert signed_out.code == 401  # sign-out was reached with its own token...
    assert (await api.call("GET", "/api/v1/cases", token=token)).code == 200  # ...only it
