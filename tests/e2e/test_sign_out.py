"""Drivers sign out over real sockets: the session ends (401 from then on, also for a second
sign-out), the sign-out is audited, nobody can end another's session, and a second instance
of the service sharing the database stops accepting the token within two seconds."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from tornado.httpclient import HTTPResponse

from adapters.simulators.wechat import WeChatSimulator
from settlement.bootstrap import open_runtime, start_servers
from tests.e2e.conftest import Api, body, make_settings

SIGN_OUT = "/api/v1/auth/sign-out"
EVERYWHERE_WITHIN_S = 2.0
"""What the README promises: other instances refuse a signed-out token this soon."""


async def _signed_in(api: Api, openid: str) -> tuple[str, str, str]:
    code = api.wechat.login(openid)
    answer = body(await api.call("POST", "/api/v1/auth/wechat", {"code": code}))
    return answer["token"], answer["user_id"], code


def _refused(answer: HTTPResponse, code: str = "NOT_AUTHENTICATED") -> None:
    assert answer.code == 401, answer.body
    assert body(answer)["code"] == code


async def _logouts(api: Api) -> list[dict[str, Any]]:
    cursor = api.runtime.db["audit_log"].find({"action": "auth.logout"})
    return [document async for document in cursor]


async def test_a_signed_out_token_is_refused_and_signing_out_again_changes_nothing(
    api: Api,
) -> None:
    token, user_id, code = await _signed_in(api, "openid-leaving")
    assert (await api.call("GET", "/api/v1/cases", token=token)).code == 200  # cached now
    signed_out = await api.call("POST", SIGN_OUT, token=token)
    assert signed_out.code == 204
    assert signed_out.body == b""
    _refused(await api.call("GET", "/api/v1/cases", token=token))
    _refused(await api.call("POST", SIGN_OUT, token=token))  # twice: harmless, 401
    assert await api.runtime.db["sessions"].count_documents({}) == 0
    # The login code's record no longer holds the token: a retried sign-in with the same
    # code cannot bring the signed-out session back (WeChat refuses a used code).
    assert await api.runtime.db["login_codes"].count_documents({}) == 0
    _refused(await api.call("POST", "/api/v1/auth/wechat", {"code": code}),
             "INVALID_LOGIN_CODE")  # fmt: skip

    logout, = await _logouts(api)
    assert (logout["actor"], logout["actor_kind"], logout["outcome"]) == (
        f"driver:{user_id}", "driver", "success")
    assert logout["origin"] == "127.0.0.1"
    assert token not in json.dumps(logout, default=str)

    again, _, _ = await _signed_in(api, "openid-leaving")  # signing in again works
    assert (await api.call("GET", "/api/v1/cases", token=again)).code == 200


async def test_nobody_can_sign_another_driver_out(api: Api) -> None:
    alice, _, _ = await _signed_in(api, "openid-alice")
    bob, bob_id, _ = await _signed_in(api, "openid-bob")
    _refused(await api.call("POST", SIGN_OUT))  # no token
    _refused(await api.call("POST", SIGN_OUT, token="forged-" + alice[7:]))
    _refused(await api.call("POST", SIGN_OUT, token="x" * 8000))
    _refused(await api.call("POST", SIGN_OUT, headers={"Authorization": f"Basic {alice}"}))
    too_large = await api.call("POST", SIGN_OUT, raw=b"{" + b" " * 70_000 + b"}", token=alice)
    assert too_large.code == 413
    assert body(too_large)["code"] == "PAYLOAD_TOO_LARGE"
    assert (await api.call("GET", "/api/v1/cases", token=alice)).code == 200
    # Only the caller's own session ends, whatever the body names.
    assert (await api.call("POST", SIGN_OUT, {"user_id": "u_alice", "token": alice},
                           token=bob)).code == 204  # fmt: skip
    assert (await api.call("GET", "/api/v1/cases", token=alice)).code == 200
    _refused(await api.call("GET", "/api/v1/cases", token=bob))
    assert [e["actor"] for e in await _logouts(api)] == [f"driver:{bob_id}"]


async def test_another_instance_refuses_a_signed_out_token_within_the_cache_bound(
    mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path
) -> None:
    settings = make_settings(mongo_uri, wechat, tmp_path)
    async with contextlib.AsyncExitStack() as stack:
        apis = []
        for _ in range(2):  # two instances of the service on one database
            runtime = await stack.enter_async_context(open_runtime(settings))
            servers = await start_servers(runtime)
            stack.push_async_callback(servers.stop, 0.5)
            apis.append(Api(f"http://127.0.0.1:{servers.http_port}", runtime, servers, wechat))
        stack.push_async_callback(apis[0].runtime.mongo_client.drop_database, settings.mongo_db)
        one, other = apis
        token, _, _ = await _signed_in(one, "openid-two-instances")
        assert (await other.call("GET", "/api/v1/cases", token=token)).code == 200  # cached
        assert (await one.call("POST", SIGN_OUT, token=token)).code == 204
        _refused(await one.call("GET", "/api/v1/cases", token=token))  # at once here
        await asyncio.sleep(EVERYWHERE_WITHIN_S + 0.2)
        _refused(await other.call("GET", "/api/v1/cases", token=token))  # and there soon
