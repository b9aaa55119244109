"""Rate limits over real sockets: 429 problem+json with Retry-After, counted across servers."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from tornado.httpclient import HTTPResponse

from adapters.simulators.wechat import WeChatSimulator
from settlement.bootstrap import open_runtime, start_servers
from tests.e2e.conftest import Api, body, make_settings, running_api
from tests.e2e.console.conftest import Browserless


def assert_limited(answer: HTTPResponse) -> None:
    assert answer.code == 429, answer.body
    assert 1 <= int(answer.headers["Retry-After"]) <= 600
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert body(answer)["code"] == "RATE_LIMITED"


@pytest.fixture
async def strict(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(
        mongo_uri, wechat, tmp_path, limit_sign_in_per_ip="5/60", limit_join_per_user="3/600",
        limit_join_per_ip="6/600", limit_verify_per_ip="4/60",
        limit_console_login_per_ip="8/300", limit_console_login_per_account="3/300",
    ) as api:  # fmt: skip
        yield api


async def test_sign_in_is_limited_per_address_before_wechat_is_asked(
    strict: Api, wechat: WeChatSimulator
) -> None:
    for _ in range(5):
        await strict.sign_in()
    forwarded = wechat.state.calls["jscode2session"]
    limited = await strict.call("POST", "/api/v1/auth/wechat", {"code": wechat.login()})
    assert_limited(limited)
    assert wechat.state.calls["jscode2session"] == forwarded
    # A spoofed X-Forwarded-For is no way out: no proxy is trusted by default.
    spoofed = await strict.call("POST", "/api/v1/auth/wechat", {"code": wechat.login()},
                                headers={"X-Forwarded-For": "203.0.113.9"})  # fmt: skip
    assert_limited(spoofed)


async def test_join_codes_are_limited_per_user_and_per_address(strict: Api) -> None:
    mallory = await strict.sign_in()
    for code in ("11111111", "22222222", "33333333"):
        wrong = await strict.call("POST", "/api/v1/cases/join", {"code": code}, token=mallory)
        assert body(wrong)["code"] == "JOIN_CODE_INVALID"
    assert_limited(await strict.call("POST", "/api/v1/cases/join", {"code": "44444444"},
                                     token=mallory))  # fmt: skip
    # New accounts from the same address: three more tries in all, then the address is spent.
    answers = []
    for _ in range(2):
        sock_puppet = await strict.sign_in()
        for code in ("55555555", "66666666"):
            answers.append(await strict.call("POST", "/api/v1/cases/join", {"code": code},
                                             token=sock_puppet))  # fmt: skip
    assert [a.code for a in answers[:2]] == [409, 409]
    assert_limited(answers[-1])


async def test_verify_is_limited_per_address(strict: Api) -> None:
    path = f"/api/v1/documents/{'ab' * 32}/verify"
    for _ in range(4):
        assert (await strict.call("GET", path)).code == 200
    assert_limited(await strict.call("GET", path))


async def test_console_login_is_limited_per_account_and_per_address(strict: Api) -> None:
    staff = strict.runtime.services.staff_auth
    assert staff is not None
    await staff.create_account("reviewer.rl", "reviewer", "440305", "correct horse battery")
    guesser = Browserless(strict.base_url)
    await guesser.request("GET", "/console/login")
    codes = [(await guesser.request("POST", "/console/login",
                                    {"username": "reviewer.rl", "password": f"x{i}"})).code
             for i in range(4)]  # fmt: skip
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429
    # Other accounts from the same address: the address limit (8) ends the spraying.
    sprayed = [(await guesser.request("POST", "/console/login",
                                      {"username": f"user{i}", "password": "x"})).code
               for i in range(5)]  # fmt: skip
    assert sprayed[:4] == [401] * 4
    assert sprayed[4] == 429


async def test_a_trusted_proxy_passes_on_the_real_address(
    mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path
) -> None:
    async with running_api(mongo_uri, wechat, tmp_path, limit_verify_per_ip="2/60",
                           trusted_proxies="127.0.0.1") as api:  # fmt: skip
        path = f"/api/v1/documents/{'cd' * 32}/verify"
        for client in ("198.51.100.1", "198.51.100.2"):
            for _ in range(2):
                via_proxy = {"X-Forwarded-For": f"{client}, 127.0.0.1"}
                assert (await api.call("GET", path, headers=via_proxy)).code == 200
        assert_limited(await api.call("GET", path,
                                      headers={"X-Forwarded-For": "198.51.100.1"}))  # fmt: skip


async def test_limits_hold_across_service_instances(
    mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path
) -> None:
    # Two independent instances (own clients, own servers) on one database, as two
    # processes behind a load balancer: the count is shared, not per instance.
    shared = replace(make_settings(mongo_uri, wechat, tmp_path), limit_verify_per_ip="6/60",
                     mongo_db=f"e2e_{uuid.uuid4().hex[:10]}")  # fmt: skip
    async with contextlib.AsyncExitStack() as stack:
        apis = []
        for _ in range(2):
            runtime = await stack.enter_async_context(open_runtime(shared))
            servers = await start_servers(runtime)
            stack.push_async_callback(servers.stop, 0.5)
            apis.append(Api(f"http://127.0.0.1:{servers.http_port}", runtime, servers, wechat))
        path = f"/api/v1/documents/{'ef' * 32}/verify"
        codes = [(await apis[i % 2].call("GET", path)).code for i in range(8)]
        await apis[0].runtime.mongo_client.drop_database(shared.mongo_db)
    assert codes == [200] * 6 + [429, 429]
