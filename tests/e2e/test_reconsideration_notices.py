"""The 复核结论 reaches both drivers' WeChat, over real sockets: a driver asks for the 复核 in
the drivers' API, a supervisor concludes it in the console, and the WeChat simulator receives
the ``reconsidered`` notice for both parties' openids in words a driver reads; without its
template nothing is sent, as for every other notice."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.demo_scenes import scene_jpeg
from adapters.simulators.wechat import WeChatSimulator, openid_of
from settlement.cli.demo import demo_specs, seed_case
from tests.e2e.conftest import body
from tests.e2e.console.conftest import PASSWORD, Browserless, decide_in_console, text
from tests.e2e.test_driver_extras import TEMPLATES, Stack, determine, eventually, serve_stack

pytestmark = pytest.mark.e2e

WITH_RECONSIDERED = {**TEMPLATES, "reconsidered": "T_RECONSIDERED"}
AGAIN = {"level_A": "主要责任", "level_B": "次要责任", "rule": "other", "basis_statute": "道交法",
         "basis_article": "第43条", "note": "乙车临时停车未开危险报警闪光灯",
         "reason": "复核后重新认定，双方均有过错"}  # fmt: skip


@pytest.fixture
async def told(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path) -> AsyncIterator[Stack]:
    async with serve_stack(mongo_uri, wechat, tmp_path, WITH_RECONSIDERED) as running:
        yield running


@pytest.fixture
async def silent(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path) -> AsyncIterator[Stack]:
    async with serve_stack(mongo_uri, wechat, tmp_path, TEMPLATES) as running:
        yield running


async def _asked_and_concluded(
    stack: Stack, users: tuple[str, str], outcome: str, reason: str
) -> tuple[str, dict[str, str], Any]:
    """Two drivers, a determined case, B asks for the 复核 over the drivers' API and a
    supervisor concludes it in the console: the case id, the tokens and the seeded case."""
    (token_a, user_a), (token_b, user_b) = await stack.driver(users[0]), await stack.driver(users[1])
    case = await seed_case(stack.runtime.services, demo_specs()[1], scene_jpeg, stack.tmp,
                           (user_a, user_b))  # fmt: skip
    await determine(stack, case.id)
    asked = await stack.call("POST", f"/api/v1/cases/{case.id}/reconsideration",
                             {"reason": "对方倒车在先，行车记录仪可证"}, token=token_b)  # fmt: skip
    assert asked.code == 201, asked.body
    staff = stack.runtime.services.staff_auth
    assert staff is not None
    supervisor_name = f"supervisor.{users[0]}"
    await staff.create_account(supervisor_name, "supervisor", "440305", PASSWORD)
    supervisor = Browserless(stack.base_url)
    await supervisor.login(supervisor_name)
    concluded = await supervisor.request("POST", f"/console/cases/{case.id}/reconsideration",
                                         {"outcome": outcome, "reason": reason})  # fmt: skip
    assert concluded.code == 302, text(concluded)
    return case.id, {"A": token_a, "B": token_b}, case


def _sent(stack: Stack, template: str, users: tuple[str, str]) -> list[dict[str, Any]]:
    openids = {openid_of(u) for u in users}
    return [m for m in stack.wechat.state.messages
            if m["template_id"] == template and m["touser"] in openids]  # fmt: skip


@pytest.mark.parametrize(("outcome", "words"), [
    ("upheld", "复核结论：维持原认定"),
    ("redetermine", "复核结论：撤销原认定，重新认定"),
])  # fmt: skip
async def test_both_parties_are_told_the_conclusion_of_the_reconsideration(
    told: Stack, outcome: str, words: str
) -> None:
    users = (f"recon-{outcome}-a", f"recon-{outcome}-b")
    for user in users:
        told.wechat.subscribe(openid_of(user), ["T_RECONSIDERED", "T_DECIDED", "T_DECIDED"])
    reason = "原认定未考虑乙车未开危险报警闪光灯"
    case_id, tokens, seeded = await _asked_and_concluded(told, users, outcome, reason)

    async def both_told() -> bool:
        sent = _sent(told, "T_RECONSIDERED", users)
        return {m["touser"] for m in sent} == {openid_of(u) for u in users}

    await eventually(both_told, 20.0)
    sent = _sent(told, "T_RECONSIDERED", users)
    assert len(sent) == 2  # once per party, although B alone asked
    for message in sent:
        assert message["page"] == f"pages/follow/follow?id={case_id}"
        assert message["data"]["thing1"]["value"] == words
        assert message["data"]["character_string2"]["value"] == case_id
        # What other notices carry, nothing more: no names, plates, phones, reasons or staff.
        said = json.dumps(message, ensure_ascii=False)
        for party in seeded.parties.values():
            details = party.details
            for private in (details.name, details.plate, details.phone, details.id_number):
                assert private not in said
        assert reason not in said
        assert "supervisor" not in said

    for label, token in tokens.items():
        seen = body(await told.call("GET", f"/api/v1/cases/{case_id}", token=token))
        if outcome == "upheld":
            assert seen["status"] == "determined"
            conclusion = seen["determination"]["reconsideration"]["conclusion"]
            assert conclusion["outcome"] == "upheld"
            assert conclusion["at"]
            assert seen["revoked_determinations"] == []
            assert seen["determination"]["reconsideration"]["you_may_request"] is False
        else:
            assert seen["status"] == "police_review"
            assert seen["determination"] is None
            [revoked] = seen["revoked_determinations"]
            assert revoked["document_number"] == f"{seeded.jurisdiction}-{case_id}"
            assert revoked["decided_at"] < revoked["revoked_at"]  # both ISO times, in order
            assert revoked["reason"] == reason
        assert seen["your_party"] == label

    if outcome == "upheld":
        # Heard once: A, who did not ask, cannot open a second 复核 after the conclusion.
        again = await told.call("POST", f"/api/v1/cases/{case_id}/reconsideration",
                                {"reason": "我也不服"}, token=tokens["A"])  # fmt: skip
        assert again.code == 409, again.body
        assert body(again)["details"]["reason"] == "reconsideration_already_heard"
    else:
        # The new determination is announced too (a round of its own, not the first's key).
        await decide_in_console(told.base_url, case_id, AGAIN)

        async def decided_twice() -> bool:
            return len(_sent(told, "T_DECIDED", users)) == 4

        await eventually(decided_twice, 20.0)
        assert sorted(m["touser"] for m in _sent(told, "T_DECIDED", users)) == sorted(
            [openid_of(u) for u in users] * 2)  # fmt: skip
    assert len(_sent(told, "T_RECONSIDERED", users)) == 2  # nothing sent twice


async def test_no_reconsideration_notice_without_its_template(silent: Stack) -> None:
    users = ("recon-silent-a", "recon-silent-b")
    for user in users:
        silent.wechat.subscribe(openid_of(user), ["T_RECONSIDERED", "T_DECIDED", "T_DECIDED"])
    case_id, _, _ = await _asked_and_concluded(silent, users, "redetermine", "责任划分有误")
    await decide_in_console(silent.base_url, case_id, AGAIN)

    # The feed reads changes in order: once the new determination's notice is out, the
    # conclusion before it has been read, and nothing was queued for it.
    async def decided_twice() -> bool:
        return len(_sent(silent, "T_DECIDED", users)) == 4

    await eventually(decided_twice, 20.0)
    assert _sent(silent, "T_RECONSIDERED", users) == []
    keys = [m["request_id"] async for m in silent.runtime.db["outbox"].find(
        {"request_id": {"$regex": f"^notice:{case_id}:"}}, {"request_id": 1})]  # fmt: skip
    assert keys
    assert not [k for k in keys if ":reconsidered:" in k]
