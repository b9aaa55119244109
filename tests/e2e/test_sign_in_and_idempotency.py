"""WeChat sign-in against the simulator, and Idempotency-Key semantics on POSTs."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.builders import new_case
from tests.e2e.conftest import Api, body


async def test_same_login_code_twice_gives_same_token_with_one_wechat_call(api: Api) -> None:
    code = api.wechat.login("openid-repeat")
    calls_before = api.wechat.state.calls["jscode2session"]
    first = await api.call("POST", "/api/v1/auth/wechat", {"code": code})
    second = await api.call("POST", "/api/v1/auth/wechat", {"code": code})
    assert first.code == second.code == 200
    assert body(first)["token"] == body(second)["token"]
    assert api.wechat.state.calls["jscode2session"] - calls_before == 1


async def test_concurrent_posts_of_one_code_share_one_exchange(api: Api) -> None:
    code = api.wechat.login()
    calls_before = api.wechat.state.calls["jscode2session"]
    answers = await asyncio.gather(
        *[api.call("POST", "/api/v1/auth/wechat", {"code": code}) for _ in range(5)]
    )
    assert {a.code for a in answers} == {200}
    assert len({body(a)["token"] for a in answers}) == 1
    assert api.wechat.state.calls["jscode2session"] - calls_before == 1


async def test_same_openid_is_the_same_user_across_sign_ins(api: Api) -> None:
    first = body(await api.call("POST", "/api/v1/auth/wechat", {"code": api.wechat.login("o1")}))
    again = body(await api.call("POST", "/api/v1/auth/wechat", {"code": api.wechat.login("o1")}))
    assert first["user_id"] == again["user_id"]
    assert first["token"] != again["token"]
    assert "o1" not in first["user_id"]


@pytest.mark.parametrize(
    ("errcode", "status", "code"),
    [
        (40029, 401, "INVALID_LOGIN_CODE"),
        (40163, 401, "INVALID_LOGIN_CODE"),
        (45011, 429, "RATE_LIMITED"),
        (-1, 503, "UPSTREAM_UNAVAILABLE"),
    ],
)
async def test_wechat_errors_map_to_clear_answers(
    api: Api, errcode: int, status: int, code: str
) -> None:
    # -1 is retried once, so it has to fail twice to reach the client.
    api.wechat.fail_next(errcode, times=2 if errcode == -1 else 1)
    answer = await api.call("POST", "/api/v1/auth/wechat", {"code": api.wechat.login()})
    api.wechat.state.scripted_errors.clear()
    assert answer.code == status
    assert body(answer)["code"] == code


async def test_one_busy_answer_is_retried_transparently(api: Api) -> None:
    api.wechat.fail_next(-1, times=1)
    answer = await api.call("POST", "/api/v1/auth/wechat", {"code": api.wechat.login()})
    assert answer.code == 200


async def test_unknown_code_is_401(api: Api) -> None:
    answer = await api.call("POST", "/api/v1/auth/wechat", {"code": "never-issued"})
    assert answer.code == 401
    assert body(answer)["code"] == "INVALID_LOGIN_CODE"


async def test_secrets_never_reach_responses_or_logs(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    from adapters.observability import JsonFormatter

    caplog.set_level(logging.DEBUG)
    code = api.wechat.login()
    answer = await api.call("POST", "/api/v1/auth/wechat", {"code": code})
    api.wechat.fail_next(40029)
    refused = await api.call("POST", "/api/v1/auth/wechat", {"code": api.wechat.login()})
    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    secret = api.wechat.state.app_secret
    for text in (answer.body.decode(), refused.body.decode(), logged):
        assert secret not in text
        assert "session_key" not in text
    assert code not in logged


async def test_idempotent_post_replays_the_first_response_with_one_effect(api: Api) -> None:
    token = await api.sign_in()
    headers = {"Idempotency-Key": "case-create-1"}
    first = await api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
    second = await api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
    assert first.code == second.code == 201
    assert first.body == second.body
    assert second.headers["Idempotent-Replayed"] == "true"
    assert await api.runtime.db["cases"].count_documents({}) == 1


async def test_same_key_with_a_different_body_is_422(api: Api) -> None:
    token = await api.sign_in()
    headers = {"Idempotency-Key": "k-2"}
    await api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
    other = await api.call(
        "POST", "/api/v1/cases", new_case(address="别处"), token=token, headers=headers
    )
    assert other.code == 422
    assert body(other)["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await api.runtime.db["cases"].count_documents({}) == 1


async def test_concurrent_duplicate_is_409_and_only_one_effect(api: Api) -> None:
    token = await api.sign_in()
    headers = {"Idempotency-Key": "k-3"}
    answers = await asyncio.gather(
        *[
            api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
            for _ in range(6)
        ]
    )
    codes = sorted(a.code for a in answers)
    assert 201 in codes
    assert set(codes) <= {201, 409}
    for answer in answers:
        if answer.code == 409:
            assert body(answer)["code"] == "REQUEST_IN_PROGRESS"
    assert await api.runtime.db["cases"].count_documents({}) == 1


async def test_keys_are_per_user(api: Api) -> None:
    alice = await api.sign_in()
    bob = await api.sign_in()
    headers = {"Idempotency-Key": "shared-key"}
    a = await api.call("POST", "/api/v1/cases", new_case(), token=alice, headers=headers)
    b = await api.call("POST", "/api/v1/cases", new_case(), token=bob, headers=headers)
    assert a.code == b.code == 201
    assert body(a)["id"] != body(b)["id"]


async def test_a_failed_request_frees_its_key_for_a_retry(api: Api) -> None:
    token = await api.sign_in()
    headers = {"Idempotency-Key": "k-retry"}
    bad = await api.call(
        "POST", "/api/v1/cases", new_case(weather="x"), token=token, headers=headers
    )
    assert bad.code == 422
    # The client fixes nothing but retries with the same key and a corrected body.
    good = await api.call("POST", "/api/v1/cases", new_case(), token=token, headers=headers)
    assert good.code == 201
