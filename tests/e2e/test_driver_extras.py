"""What drivers get besides intake and liability, over real sockets: the determination and
its 事故认定书, the 复核 request, sealed openids and milestone notices, the phone-number
exchange, the join mini-program code, the insurers and the WeChat simulator's command."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from tornado.httpclient import AsyncHTTPClient

from adapters.demo_scenes import scene_jpeg
from adapters.simulators.wechat import WeChatSimulator, openid_of
from settlement.bootstrap import open_runtime, run_exchange, start_servers
from settlement.cli.demo import demo_specs, seed_case
from tests.builders import new_case
from tests.e2e.conftest import Api, body, make_settings
from tests.e2e.console.conftest import PASSWORD, Browserless, decide_in_console, text, version_of
from tests.e2e.console.test_console_words import raw_codes

TEMPLATES = {"joined": "T_JOINED", "proposal_ready": "T_PROPOSAL",
             "police_decided": "T_DECIDED", "retake_asked": "T_RETAKE"}  # fmt: skip


class Stack(Api):
    tmp: Path

    async def driver(self, user: str) -> tuple[str, str]:
        code = self.wechat.login_as(user)
        answer = body(await self.call("POST", "/api/v1/auth/wechat", {"code": code}))
        return answer["token"], answer["user_id"]


@pytest.fixture
async def stack(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path) -> AsyncIterator[Stack]:
    async with serve_stack(mongo_uri, wechat, tmp_path, TEMPLATES) as running:
        yield running


@contextlib.asynccontextmanager
async def serve_stack(
    mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path, templates: dict[str, str]
) -> AsyncIterator[Stack]:
    """The service with its exchange (outbox, notices feed) and the reviewer ``reviewer.ns``;
    ``templates``: the notices configured."""
    settings = replace(
        make_settings(mongo_uri, wechat, tmp_path),
        console_secure_cookies=False,
        wechat_templates=",".join(f"{k}={v}" for k, v in templates.items()),
        wechat_miniprogram_state="developer",
    )
    async with open_runtime(settings) as runtime:
        assert runtime.services.staff_auth is not None
        await runtime.services.staff_auth.create_account("reviewer.ns", "reviewer", "440305",
                                                         PASSWORD)  # fmt: skip
        servers = await start_servers(runtime)
        stop = asyncio.Event()
        exchange = asyncio.create_task(run_exchange(runtime.services, stop, poll_s=0.5))
        stack = Stack(f"http://127.0.0.1:{servers.http_port}", runtime, servers, wechat)
        stack.tmp = tmp_path
        try:
            yield stack
        finally:
            stop.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(exchange, timeout=5)
            await servers.stop(0.5)
            await runtime.mongo_client.drop_database(settings.mongo_db)


async def determine(stack: Stack, case_id: str) -> None:
    await decide_in_console(stack.base_url, case_id, {
        "level_A": "全部责任", "level_B": "无责任", "rule": "S01",
        "note": "甲车未与前车保持安全距离", "reason": "双方陈述与照片一致，甲车追尾"})  # fmt: skip


async def eventually(check: object, seconds: float = 10.0) -> None:
    assert callable(check)
    for _ in range(int(seconds / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_parties_see_the_determination_and_its_document_and_may_ask_once(
    stack: Stack,
) -> None:
    (token_a, user_a), (token_b, user_b) = await stack.driver("alice"), await stack.driver("bob")
    for user in ("alice", "bob"):
        stack.wechat.subscribe(openid_of(user), ["T_DECIDED"])
    case = await seed_case(stack.runtime.services, demo_specs()[1], scene_jpeg, stack.tmp,
                           (user_a, user_b))  # fmt: skip
    before = body(await stack.call("GET", f"/api/v1/cases/{case.id}/proposal", token=token_a))
    assert before["proposal"] is not None
    assert before["determination"] is None
    too_early = await stack.call("POST", f"/api/v1/cases/{case.id}/reconsideration",
                                 {"reason": "不服"}, token=token_a)  # fmt: skip
    assert too_early.code == 409
    await determine(stack, case.id)

    for token in (token_a, token_b):
        seen = body(await stack.call("GET", f"/api/v1/cases/{case.id}", token=token))
        assert seen["status"] == "determined"
        determination = seen["determination"]
        assert determination["levels"] == {"A": "全部责任", "B": "无责任"}
        assert determination["explanation"] == "甲车未与前车保持安全距离"
        assert determination["reconsideration"]["you_may_request"] is True
        proposal = body(await stack.call("GET", f"/api/v1/cases/{case.id}/proposal", token=token))
        assert proposal["proposal"] is None
        assert proposal["overruled_by_determination"] is True
        pdf = await stack.call("GET", determination["document"]["pdf_path"], token=token)
        assert pdf.code == 200
        assert pdf.body.startswith(b"%PDF")
        assert pdf.headers["X-Document-SHA256"] == determination["document"]["sha256"]

    stranger, _ = await stack.driver("mallory")
    assert (await stack.call("GET", f"/api/v1/cases/{case.id}/determination.pdf",
                             token=stranger)).code == 404  # fmt: skip
    blank = await stack.call("POST", f"/api/v1/cases/{case.id}/reconsideration",
                             {"reason": "   "}, token=token_a)  # fmt: skip
    assert blank.code == 422
    assert body(blank)["details"]["field"] == "reason"
    asked = await stack.call("POST", f"/api/v1/cases/{case.id}/reconsideration",
                             {"reason": "对方倒车在先，照片可证"}, token=token_a)  # fmt: skip
    assert asked.code == 201, asked.body
    again = await stack.call("POST", f"/api/v1/cases/{case.id}/reconsideration",
                             {"reason": "再次申请"}, token=token_a)  # fmt: skip
    assert again.code == 409
    assert body(again)["details"]["reason"] == (
        "reconsideration_already_requested"
    )
    seen_b = body(await stack.call("GET", f"/api/v1/cases/{case.id}", token=token_b))
    requests = seen_b["determination"]["reconsideration"]["requests"]
    assert requests["A"]["status"] == "pending"
    assert requests["A"]["reason"] is None
    stored = await stack.runtime.db["cases"].find_one({"_id": case.id})
    assert stored["determination"]["reconsideration_requests"]["A"]["reason"] == (
        "对方倒车在先，照片可证"
    )

    # The simulator serves the whole session: only these two drivers' messages count.
    parties = {openid_of("alice"), openid_of("bob")}

    def decided() -> list[dict[str, object]]:
        return [m for m in stack.wechat.state.messages
                if m["template_id"] == "T_DECIDED" and m["touser"] in parties]  # fmt: skip

    async def both_told() -> bool:
        return {m["touser"] for m in decided()} == parties

    await eventually(both_told)
    sent = decided()
    assert len(sent) == 2
    assert all(m["page"] == f"pages/follow/follow?id={case.id}" for m in sent)


async def test_reconsideration_window_closes_after_three_days(stack: Stack) -> None:
    (token_a, user_a), (_, user_b) = await stack.driver("carol"), await stack.driver("dave")
    case = await seed_case(stack.runtime.services, demo_specs()[1], scene_jpeg, stack.tmp,
                           (user_a, user_b))  # fmt: skip
    await determine(stack, case.id)
    late = stack.runtime.services.intake
    stored = await late.get(user_a, case.id)
    assert stored.determination is not None
    earlier = dict(stored.determination)
    earlier["decided_at"] = earlier["decided_at"] - timedelta(days=3, minutes=1)
    await stack.runtime.db["cases"].update_one(
        {"_id": case.id}, {"$set": {"determination.decided_at": earlier["decided_at"]}}
    )
    refused = await stack.call("POST", f"/api/v1/cases/{case.id}/reconsideration",
                               {"reason": "不服认定"}, token=token_a)  # fmt: skip
    assert refused.code == 409
    assert body(refused)["details"]["reason"] == "reconsideration_window_closed"


async def test_openids_are_sealed_at_rest_and_joining_is_announced(stack: Stack) -> None:
    token_a, user_a = await stack.driver("erin")
    stored = await stack.runtime.db["recipients"].find_one({"_id": user_a})
    assert stored is not None
    assert openid_of("erin").encode() not in bytes(stored["openid"])
    assert openid_of("erin") not in json.dumps(stored, default=str)
    stack.wechat.subscribe(openid_of("erin"), ["T_JOINED"])
    created = body(await stack.call("POST", "/api/v1/cases", new_case(), token=token_a))  # fmt: skip
    invite = body(await stack.call("POST", f"/api/v1/cases/{created['id']}/invitation",
                                   token=token_a))  # fmt: skip
    token_b, _ = await stack.driver("frank")
    joined = await stack.call("POST", "/api/v1/cases/join", {"code": invite["code"]},
                              token=token_b)  # fmt: skip
    assert joined.code == 200

    async def told() -> bool:
        return any(m["template_id"] == "T_JOINED" and m["touser"] == openid_of("erin")
                   for m in stack.wechat.state.messages)  # fmt: skip

    await eventually(told)
    # frank never subscribed: nothing reached him (WeChat's 43101 is final).
    assert not [m for m in stack.wechat.state.messages if m["touser"] == openid_of("frank")]


async def test_phone_number_exchange_is_single_use(stack: Stack) -> None:
    token, _ = await stack.driver("grace")
    code = stack.wechat.phone_code("13912345678")
    first = await stack.call("POST", "/api/v1/me/phone", {"code": code}, token=token)
    assert first.code == 200
    assert body(first) == {"phone": "13912345678", "verified": True}
    again = await stack.call("POST", "/api/v1/me/phone", {"code": code}, token=token)
    assert again.code == 422
    assert body(again)["details"]["field"] == "code"
    anonymous = await stack.call("POST", "/api/v1/me/phone", {"code": code})
    assert anonymous.code == 401
    stack.wechat.fail_next(-1)
    busy = await stack.call("POST", "/api/v1/me/phone",
                            {"code": stack.wechat.phone_code("13900000000")}, token=token)  # fmt: skip
    assert busy.code == 503


async def test_join_code_as_a_mini_program_code(stack: Stack) -> None:
    token, _ = await stack.driver("heidi")
    created = body(await stack.call("POST", "/api/v1/cases", new_case(), token=token))  # fmt: skip
    invite = body(await stack.call("POST", f"/api/v1/cases/{created['id']}/invitation",
                                   token=token))  # fmt: skip
    path = f"/api/v1/cases/{created['id']}/invitation/wxacode"
    image = await stack.call("POST", path, {"code": invite["code"]}, token=token)
    assert image.code == 200
    assert image.headers["Content-Type"] == "image/png"
    assert image.body.startswith(b"\x89PNG")
    assert stack.wechat.state.wxacodes[-1] == {"scene": f"c={invite['code']}",
                                               "page": "pages/join/join"}  # fmt: skip
    wrong = "0" * 8 if invite["code"] != "0" * 8 else "1" * 8
    refused = await stack.call("POST", path, {"code": wrong}, token=token)
    assert refused.code == 409
    assert body(refused)["code"] == "JOIN_CODE_INVALID"
    other, _ = await stack.driver("ivan")
    assert (await stack.call("POST", path, {"code": invite["code"]}, token=other)).code == 404


async def test_insurers_and_notice_templates_are_listed(stack: Stack) -> None:
    insurers = body(await stack.call("GET", "/api/v1/insurers"))["insurers"]
    codes = [i["code"] for i in insurers]
    assert "PICC" in codes
    assert len(codes) == len(set(codes))
    assert all(i["name_zh"] and i["name_en"] for i in insurers)
    templates = body(await stack.call("GET", "/api/v1/notices/templates"))["templates"]
    assert templates == TEMPLATES


async def test_simulator_command_mints_login_codes_for_named_users(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.simulators.wechat", "--port", "0",
         "--app-id", "wx-x", "--app-secret", "y"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 20)
        base = line.strip().rsplit(" ", 1)[-1]
        assert base.startswith("http://127.0.0.1:")
        client = AsyncHTTPClient()
        minted = json.loads((await client.fetch(base + "/sim/login-code", method="POST",
                                                body=json.dumps({"user": "alice"}))).body)  # fmt: skip
        assert minted["openid"] == openid_of("alice")
        answer = json.loads((await client.fetch(
            f"{base}/sns/jscode2session?appid=wx-x&secret=y&js_code={minted['code']}"
            "&grant_type=authorization_code")).body)  # fmt: skip
        assert answer["openid"] == openid_of("alice")
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_the_scene_questions_get_the_gates_answer(stack: Stack) -> None:
    fine = {"A": {"driver_licence_valid": True, "jqx_insured": True, "movable": True},
            "B": {"driver_licence_valid": True, "jqx_insured": True, "movable": True}}  # fmt: skip
    allowed = body(await stack.call("POST", "/api/v1/eligibility",
                                    {"flags": {"injuries": False}, "vehicles": fine}))  # fmt: skip
    assert allowed["allowed"] is True
    assert allowed["route"] == "self_negotiation"
    hurt = body(await stack.call("POST", "/api/v1/eligibility",
                                 {"flags": {"injuries": True}, "vehicles": fine}))  # fmt: skip
    assert hurt["allowed"] is False
    assert hurt["route"] == "call_police_stay_at_scene"
    assert "122" in hurt["guidance"]["zh"]
    assert hurt["refusals"][0]["reason"] == "injury"
    assert hurt["refusals"][0]["basis"]
    wrong = await stack.call("POST", "/api/v1/eligibility",
                             {"flags": {"injuries": "maybe"}, "vehicles": fine})  # fmt: skip
    assert wrong.code == 422
    assert body(wrong)["details"]["field"] == "flags.injuries"


async def test_a_case_sent_back_for_photos_returns_to_the_police(stack: Stack) -> None:
    (token_a, user_a), (_, user_b) = await stack.driver("olga"), await stack.driver("pete")
    case = await seed_case(stack.runtime.services, demo_specs()[1], scene_jpeg, stack.tmp,
                           (user_a, user_b))  # fmt: skip
    path = f"/api/v1/cases/{case.id}/return-to-police"
    assert (await stack.call("POST", path, token=token_a)).code == 409  # nothing was asked
    reviewer = Browserless(stack.base_url)
    await reviewer.login("reviewer.ns")
    page = text(await reviewer.request("GET", f"/console/cases/{case.id}"))
    await reviewer.request("POST", f"/console/cases/{case.id}/claim", {"version": version_of(page)})
    asked = await reviewer.request("POST", f"/console/cases/{case.id}/retake",
                                   {"slots": ["collision_point"], "reason": "碰撞部位看不清"})  # fmt: skip
    assert asked.code == 302
    seen = body(await stack.call("GET", f"/api/v1/cases/{case.id}", token=token_a))
    assert seen["status"] == "collecting"
    assert seen["retake_requests"][0]["slots"] == ["collision_point"]
    assert seen["retake_requests"][0]["reason"] == "碰撞部位看不清"
    stranger, _ = await stack.driver("quinn")
    assert (await stack.call("POST", path, token=stranger)).code == 404
    returned = await stack.call("POST", path, token=token_a)
    assert returned.code == 200, returned.body
    assert body(returned)["status"] == "police_review"
    assert (await stack.call("POST", path, token=token_a)).code == 409
    queue = text(await reviewer.request("GET", "/console/queue"))
    assert case.id in queue


async def test_a_reconsideration_request_reaches_the_reviewers_queue(stack: Stack) -> None:
    (token_a, user_a), (_, user_b) = await stack.driver("rita"), await stack.driver("sam")
    case = await seed_case(stack.runtime.services, demo_specs()[1], scene_jpeg, stack.tmp,
                           (user_a, user_b))  # fmt: skip
    assert stack.runtime.services.staff_auth is not None
    await stack.runtime.services.staff_auth.create_account("reviewer.ft", "reviewer", "440304",
                                                           PASSWORD)  # fmt: skip
    await determine(stack, case.id)
    reviewer = Browserless(stack.base_url)
    await reviewer.login("reviewer.ns")
    before = text(await reviewer.request("GET", "/console/queue"))
    assert "复核申请" in before
    assert f'data-reconsideration="{case.id}-A"' not in before

    reason = "对方倒车在先，行车记录仪可证"
    asked = await stack.call("POST", f"/api/v1/cases/{case.id}/reconsideration",
                             {"reason": reason}, token=token_a)  # fmt: skip
    assert asked.code == 201, asked.body
    queue = text(await reviewer.request("GET", "/console/queue"))
    row = queue.split(f'data-reconsideration="{case.id}-A"', 1)[1].split("</tr>", 1)[0]
    assert reason in row
    assert "当事人 A" in row
    assert "等待上一级交警处理" in row  # the status in words
    assert raw_codes(queue) == set()
    page = text(await reviewer.request("GET", f"/console/cases/{case.id}"))
    why = page.split('id="why"', 1)[1].split("</section>", 1)[0]
    assert "对认定书申请复核" in why
    assert reason in why
    assert raw_codes(page) == set()

    other = Browserless(stack.base_url)
    await other.login("reviewer.ft")
    elsewhere = text(await other.request("GET", "/console/queue"))
    assert case.id not in elsewhere
    assert reason not in elsewhere
    assert (await other.request("GET", f"/console/cases/{case.id}")).code == 404
