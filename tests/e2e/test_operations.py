"""What an operator and a newcomer reach: the front door, the API documentation, /metrics."""

from __future__ import annotations

import re
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient

from adapters.demo_scenes import scene_jpeg
from adapters.http.openapi import openapi_document
from settlement.cli.demo import demo_specs, seed_case
from tests.e2e.conftest import Api
from tests.e2e.test_liability_flow import _case_with_statements, _rear_end, _sign


async def test_front_door_names_the_service_and_links_everything(api: Api) -> None:
    page = await api.call("GET", "/")
    assert page.code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    html = page.body.decode()
    assert "交通事故快处快赔" in html
    assert re.search(r"版本 version \d+\.\d+", html)
    assert "运行正常" in html
    for href in ("/console/", "/api/docs", "/api/v1/openapi.json", "/readyz"):
        assert f'href="{href}"' in html


async def test_api_docs_render_every_operation_without_external_assets(api: Api) -> None:
    page = await api.call("GET", "/api/docs")
    assert page.code == 200
    html = page.body.decode()
    for path, item in openapi_document()["paths"].items():
        for method in item:
            assert f"{method.upper()}</span> {path}</h2>" in html, (method, path)
    assert "Console session, roles: supervisor, admin" in html  # the audit page
    # Offline machines: nothing is fetched from elsewhere.
    assert not re.search(r"""(src|href)=["']https?://""", html)


async def _scrape(api: Api, token: str = "") -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await AsyncHTTPClient().fetch(
        f"http://127.0.0.1:{api.servers.metrics_port}/metrics", headers=headers, raise_error=False
    )
    assert response.code == 200, response.body
    return response.body.decode()


def _value(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_metrics_after_a_settled_case_count_requests_outbox_and_photos(
    api: Api, tmp_path: Path
) -> None:
    # Photos go through the real evidence pipeline (the demo's first accident).
    await seed_case(api.runtime.services, demo_specs()[5], scene_jpeg, tmp_path)
    # A case both drivers sign over HTTP: its claims wait in the outbox (no insurer here).
    case_id, alice, bob = await _case_with_statements(api, *_rear_end())
    assert (await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)).code == 200
    for token in (alice, bob):
        assert (await api.call("POST", f"/api/v1/cases/{case_id}/accept", token=token)).code == 200
    for token in (alice, bob):
        await _sign(api, case_id, token)
    missing = await api.call("GET", "/api/v1/cases/CNOSUCHCASE", token=alice)
    assert missing.code == 404

    text = await _scrape(api)
    case_route = r"/api/v1/cases/(C[0-9A-Z]{1,40})/sign"
    assert _value(text, "settlement_http_requests_total", method="POST", status="200") >= 8
    assert _value(text, "settlement_http_requests_total", status="404") >= 1
    assert any(case_route in line for line in text.splitlines()), "requests are per route pattern"
    assert "CNOSUCHCASE" not in text, "raw paths never become labels"
    assert _value(text, "settlement_http_request_duration_seconds_count", method="POST") >= 8
    # Both insurers of the signed case have a claim waiting.
    assert _value(text, "settlement_outbox_pending", partner="PICC") >= 1
    assert _value(text, "settlement_outbox_pending", partner="CPIC") >= 1
    assert _value(text, "settlement_outbox_oldest_pending_seconds") >= 0
    assert _value(text, "settlement_photo_verdicts") >= 3
    assert "settlement_review_cases" in text
    # No sealer runs in this harness: the flow's audit entries wait for one.
    assert _value(text, "settlement_audit_unsealed_entries") >= 1


async def test_metrics_listener_is_separate_and_can_demand_a_token(api: Api) -> None:
    # Not on the public port.
    public = await api.call("GET", "/metrics")
    assert public.code == 404
    from datetime import timedelta

    import tornado.httpserver
    import tornado.netutil

    from adapters.metrics import metrics_app
    from adapters.mongo.operations import MongoOperationsProbe

    app = metrics_app(
        api.runtime.metrics,
        MongoOperationsProbe(api.runtime.db, timedelta(minutes=30), timedelta(minutes=20)),
        "operator-token",
    )
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    try:
        client = AsyncHTTPClient()
        refused = await client.fetch(f"http://127.0.0.1:{port}/metrics", raise_error=False)
        assert refused.code == 401
        forged = await client.fetch(
            f"http://127.0.0.1:{port}/metrics",
            headers={"Authorization": "Bearer operator-tokeX"}, raise_error=False,
        )
        assert forged.code == 401
        allowed = await client.fetch(
            f"http://127.0.0.1:{port}/metrics",
            headers={"Authorization": "Bearer operator-token"}, raise_error=False,
        )
        assert allowed.code == 200
        assert b"settlement_outbox_pending" in allowed.body or b"settlement_audit" in allowed.body
    finally:
        server.stop()
