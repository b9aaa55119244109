"""Drivers' security events over real sockets: WeChat sign-ins (granted, refused, or failed
with WeChat unavailable), the sign-in rate limit and the phone-number exchange are in the
audit trail (who, what, outcome, address), with no login code, token or phone number in the
entry, and the console's audit page lists them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.simulators.wechat import WeChatSimulator
from tests.e2e.conftest import Api, body, running_api
from tests.e2e.console.conftest import Browserless, Console, text


async def _entries(api: Api, action: str) -> list[dict[str, Any]]:
    cursor = api.runtime.db["audit_log"].find({"action": action}).sort("at", 1)
    return [document async for document in cursor]


async def _audit_page(console: Console, action: str, lang: str = "zh") -> str:
    supervisor = Browserless(console.base_url)
    assert (await supervisor.login("supervisor.ns")).code == 302
    if lang != "zh":
        assert (await supervisor.request("GET", f"/console/lang/{lang}?next=/console/queue")
                ).code == 302  # fmt: skip
    page = await supervisor.request("GET", f"/console/audit?action={action}")
    assert page.code == 200
    return text(page)


async def test_wechat_sign_ins_are_recorded_without_the_code(console: Console) -> None:
    unknown = "never-issued-" + "x" * 20
    codes = [unknown]
    assert (await console.call("POST", "/api/v1/auth/wechat", {"code": unknown})).code == 401
    for errcode, status in ((40163, 401), (45011, 429), (-1, 503)):
        code = console.wechat.login()
        codes.append(code)
        # A busy answer (-1) is retried once: twice busy is WeChat unavailable.
        console.wechat.fail_next(errcode, api="jscode2session", times=2 if errcode == -1 else 1)
        refused = await console.call("POST", "/api/v1/auth/wechat", {"code": code})
        assert refused.code == status, refused.body
    good = console.wechat.login("openid-audited")
    codes.append(good)
    granted = body(await console.call("POST", "/api/v1/auth/wechat", {"code": good}))
    # The same code again is answered from the first exchange: no second entry.
    again = body(await console.call("POST", "/api/v1/auth/wechat", {"code": good}))
    assert again["token"] == granted["token"]

    entries = await _entries(console, "auth.wechat_login")
    assert [(e["outcome"], e["details"].get("error"), e["details"].get("wechat_errcode"))
            for e in entries] == [("failure", "INVALID_LOGIN_CODE", 40029),
                                  ("failure", "INVALID_LOGIN_CODE", 40163),
                                  ("denied", "RATE_LIMITED", 45011),
                                  ("failure", "UPSTREAM_UNAVAILABLE", -1),
                                  ("success", None, None)]  # fmt: skip
    *refusals, success = entries
    for entry in refusals:
        assert (entry["actor"], entry["actor_kind"]) == ("anonymous", "system")
    assert (success["actor"], success["actor_kind"], success["role"]) == (
        f"driver:{granted['user_id']}", "driver", "driver")
    for entry in entries:
        assert entry["origin"] == "127.0.0.1"
        assert entry["request_id"]
        assert len(entry["details"]["code_ref"]) == 8
    assert success["details"] == {"code_ref": entries[-1]["details"]["code_ref"]}
    stored = json.dumps(entries, default=str)
    for secret in (*codes, granted["token"], "openid-audited"):
        assert secret not in stored

    page = await _audit_page(console, "auth.wechat_login")
    assert page.count("当事人微信登录") >= 5
    # Error codes in words, in the page's language; a code without words shows itself.
    assert "错误：登录码无效或已过期" in page
    assert "错误：尝试过于频繁，已限流" in page
    assert "错误：外部服务（如微信）不可用" in page
    assert "INVALID_LOGIN_CODE" not in page
    assert "UPSTREAM_UNAVAILABLE" not in page
    assert "成功" in page
    assert unknown not in page
    english = await _audit_page(console, "auth.wechat_login", "en")
    assert "Invalid or expired login code" in english
    assert "Too many attempts (rate limited)" in english
    assert "Partner service unavailable" in english


async def test_the_sign_in_limit_and_the_client_behind_a_proxy_are_recorded(
    mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path
) -> None:
    async with running_api(mongo_uri, wechat, tmp_path, limit_sign_in_per_ip="2/60",
                           trusted_proxies="127.0.0.1") as api:  # fmt: skip
        via_proxy = {"X-Forwarded-For": "198.51.100.7"}
        bad = await api.call("POST", "/api/v1/auth/wechat", {"code": "no-such-code-0001"},
                             headers=via_proxy)  # fmt: skip
        assert bad.code == 401
        assert (await api.call("POST", "/api/v1/auth/wechat", {"code": wechat.login()},
                               headers=via_proxy)).code == 200  # fmt: skip
        for _ in range(2):  # refused by the limit; recorded once per window
            limited = await api.call("POST", "/api/v1/auth/wechat", {"code": wechat.login()},
                                     headers=via_proxy)  # fmt: skip
            assert limited.code == 429
            assert body(limited)["code"] == "RATE_LIMITED"

        refusal, granted = await _entries(api, "auth.wechat_login")
        assert (refusal["outcome"], granted["outcome"]) == ("failure", "success")
        assert refusal["origin"] == granted["origin"] == "198.51.100.7"  # not the proxy
        limit, = await _entries(api, "security.rate_limited")
        assert limit["outcome"] == "denied"
        assert limit["details"] == {"limit": "sign_in", "by": "ip"}
        assert limit["origin"] == "198.51.100.7"


async def test_phone_number_exchanges_are_recorded_masked(console: Console) -> None:
    token, user_id = await console.driver()
    code = console.wechat.phone_code("13912345678")
    assert (await console.call("POST", "/api/v1/me/phone", {"code": code},
                                token=token)).code == 200  # fmt: skip
    reused = await console.call("POST", "/api/v1/me/phone", {"code": code}, token=token)
    assert reused.code == 422
    console.wechat.fail_next(-1, api="getuserphonenumber")
    busy = await console.call("POST", "/api/v1/me/phone",
                              {"code": console.wechat.phone_code("13800001111")},
                              token=token)  # fmt: skip
    assert busy.code == 503

    entries = await _entries(console, "phone.verify")
    assert [(e["outcome"], e["details"]) for e in entries] == [
        ("success", {"phone": "139****5678"}),
        ("failure", {"error": "INVALID_INPUT"}),
        ("failure", {"error": "UPSTREAM_UNAVAILABLE"}),
    ]
    for entry in entries:
        assert entry["actor"] == f"driver:{user_id}"
        assert entry["origin"] == "127.0.0.1"
    stored = json.dumps(await console.runtime.db["audit_log"].find().to_list(None), default=str)
    assert "13912345678" not in stored
    assert "13800001111" not in stored
    assert code not in stored

    page = await _audit_page(console, "phone.verify")
    assert page.count("验证手机号") >= 3
    assert "139****5678" in page
    assert "13912345678" not in page
