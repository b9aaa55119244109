"""The whole service on loopback: real MongoDB, the WeChat simulator, HTTP and gRPC servers."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from adapters.simulators.wechat import WeChatSimulator
from settlement.bootstrap import RunningServers, Runtime, open_runtime, start_servers
from settlement.config import Settings


@pytest.fixture(scope="session")
async def wechat() -> AsyncIterator[WeChatSimulator]:
    simulator = WeChatSimulator(app_id="wx-test-app", app_secret="s3cr3t-app-secret")
    simulator.start()
    yield simulator
    simulator.stop()


@dataclass
class Api:
    """A small HTTP client for the running service."""

    base_url: str
    runtime: Runtime
    servers: RunningServers
    wechat: WeChatSimulator

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> HTTPResponse:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (None if body is None else json.dumps(body))
        if method in ("POST", "PUT") and payload is None:
            payload = b""
        return await AsyncHTTPClient().fetch(
            self.base_url + path,
            method=method,
            body=payload,
            headers=all_headers,
            raise_error=False,
            request_timeout=30,
        )

    async def sign_in(self, openid: str | None = None) -> str:
        response = await self.call(
            "POST", "/api/v1/auth/wechat", {"code": self.wechat.login(openid)}
        )
        assert response.code == 200, response.body
        return str(json.loads(response.body)["token"])


def make_settings(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path) -> Settings:
    return replace(
        Settings(),
        http_port=0,
        grpc_port=0,
        metrics_port=0,
        mongo_uri=mongo_uri,
        mongo_db=f"e2e_{uuid.uuid4().hex[:10]}",
        data_dir=tmp_path / "data",
        uploads_dir=tmp_path / "uploads",
        wechat_app_id=wechat.state.app_id,
        wechat_app_secret=wechat.state.app_secret,
        wechat_api_base=wechat.base_url,
        cookie_secret="test-cookie-secret-" + uuid.uuid4().hex,
        # Every test client comes from 127.0.0.1: address limits high enough for journeys
        # with many drivers and staff (tests/e2e/test_rate_limits.py sets strict ones).
        limit_sign_in_per_ip="1000/60",
        limit_console_login_per_ip="1000/60",
        limit_join_per_ip="1000/60",
        limit_verify_per_ip="1000/60",  # the fuzzing calls verify hundreds of times
    )


@contextlib.asynccontextmanager
async def running_api(
    mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path, **overrides: Any
) -> AsyncIterator[Api]:
    """The whole service on a fresh database of ``mongo_uri``, dropped afterwards."""
    settings = replace(make_settings(mongo_uri, wechat, tmp_path), **overrides)
    async with open_runtime(settings) as runtime:
        servers = await start_servers(runtime)
        try:
            yield Api(f"http://127.0.0.1:{servers.http_port}", runtime, servers, wechat)
        finally:
            await servers.stop(0.5)
            await runtime.mongo_client.drop_database(settings.mongo_db)


@pytest.fixture
async def api(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(mongo_uri, wechat, tmp_path) as running:
        yield running


def body(response: HTTPResponse) -> Any:
    return json.loads(response.body)
