"""A determination revoked on reconsideration (复核) withdraws its claims, over real sockets:
a driver asks for the 复核 in the drivers' API, a supervisor orders a new determination in the
console, every claim filed on the revoked one is cancelled at its insurer simulator exactly
once and shown cancelled to the drivers, and the new determination files claims with the new
shares and amounts."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace

import grpc
import pytest

from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.claims import MongoClaimRepository
from settlement.domain.case import CaseStatus
from tests.claim_builders import settled_case
from tests.e2e.conftest import body
from tests.e2e.console.conftest import PASSWORD, Browserless, decide_in_console, text
from tests.e2e.test_claims_loop import Loop, _money, loop  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e

FIRST = {"level_A": "全部责任", "level_B": "无责任", "rule": "other", "basis_statute": "道交法",
         "basis_article": "第43条", "note": "甲车未保持安全距离", "reason": "甲车追尾乙车"}
AGAIN = {**FIRST, "level_A": "主要责任", "level_B": "次要责任",
         "note": "乙车临时停车未开危险报警闪光灯", "reason": "复核后重新认定，双方均有过错"}


async def _driver(stage: Loop) -> tuple[str, str]:
    answer = await stage.api.call("POST", "/api/v1/auth/wechat",
                                  {"code": stage.api.wechat.login()})  # fmt: skip
    signed = json.loads(answer.body)
    return str(signed["token"]), str(signed["user_id"])


async def test_a_revoked_determination_cancels_its_claims_once_and_refiles(
    loop: Loop,  # noqa: F811 - the fixture
) -> None:
    api = loop.api
    staff = api.runtime.services.staff_auth
    assert staff is not None
    await staff.create_account("supervisor.ns", "supervisor", "440305", PASSWORD)
    (alice, alice_id), (bob, bob_id) = await _driver(loop), await _driver(loop)
    # B holds no 商三: the amounts are those of test_claims_loop's 主要/次要 case.
    target = settled_case(CaseStatus.DETERMINED, losses=("4000", "6000"),
                          commercial=(True, False))  # fmt: skip
    parties = {"A": replace(target.parties["A"], user_id=alice_id),
               "B": replace(target.parties["B"], user_id=bob_id)}  # fmt: skip
    await MongoCaseRepository(api.runtime.db).add(
        replace(target, parties=parties, status=CaseStatus.POLICE_REVIEW, determination=None)
    )
    case_id = target.id
    await decide_in_console(api.base_url, case_id, FIRST)
    first = await loop.filed(case_id, 3)
    picc, cpic = loop.sims["PICC"], loop.sims["CPIC"]
    assert picc.claim_by_id(first["A.compulsory"].id).request.liability_share == "1"

    asked = await api.call("POST", f"/api/v1/cases/{case_id}/reconsideration",
                           {"reason": "乙车当时并未停稳，甲车不应负全部责任"}, token=bob)  # fmt: skip
    assert asked.code == 201, asked.body

    # While the 复核 is pending the insurer may assess and approve, but not pay.
    cid = first["A.commercial_third_party"].id
    assessed = await loop.insurer("PICC", "SubmitAssessment", pb.SubmitAssessmentRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, assessed_amount=_money("2900.00"),
        assessor="定损员"))  # fmt: skip
    approved = await loop.insurer("PICC", "UpdateClaimStatus", pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_APPROVED,
        etag=assessed.claim.etag))  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as held:
        await loop.insurer("PICC", "UpdateClaimStatus", pb.UpdateClaimStatusRequest(
            request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_PAID,
            payout=pb.Payout(amount=_money("2900.00"), transaction_reference="TX-1"),
            etag=approved.claim.etag))  # fmt: skip
    assert held.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "复核" in (held.value.details() or "")

    # A reviewer may not conclude a 复核: it belongs to the authority above.
    reviewer = Browserless(api.base_url)
    await reviewer.login("reviewer.ns")
    page = text(await reviewer.request("GET", f"/console/cases/{case_id}"))
    assert 'action="/console/cases/' + case_id + '/reconsideration"' not in page
    refused = await reviewer.request("POST", f"/console/cases/{case_id}/reconsideration",
                                     {"outcome": "redetermine", "reason": "责任划分有误"})  # fmt: skip
    assert refused.code == 403, text(refused)

    supervisor = Browserless(api.base_url)
    await supervisor.login("supervisor.ns")
    page = text(await supervisor.request("GET", f"/console/cases/{case_id}"))
    assert f'action="/console/cases/{case_id}/reconsideration"' in page
    concluded = await supervisor.request(
        "POST", f"/console/cases/{case_id}/reconsideration",
        {"outcome": "redetermine", "reason": "原认定未考虑乙车未开危险报警闪光灯"},
    )  # fmt: skip
    assert concluded.code == 302, text(concluded)
    # Without the CSRF token the same form is refused.
    forged = await supervisor.request("POST", f"/console/cases/{case_id}/reconsideration",
                                      {"outcome": "upheld", "reason": "伪造的请求"},
                                      xsrf=False)  # fmt: skip
    assert forged.code == 403

    audit = api.runtime.services.audit
    assert audit is not None
    recorded = await audit.search(case_id=case_id, action="case.reconsideration")
    assert [(e.event.actor, e.event.outcome) for e in recorded] == [
        ("staff:supervisor.ns", "success")]
    assert recorded[0].event.details["conclusion"] == "redetermine"
    denied = await audit.search(actor="staff:reviewer.ns", action="page:ReconsiderationHandler")
    assert [e.event.outcome for e in denied] == ["denied"]

    # Each insurer is told once per claim; the simulators hold them cancelled.
    async with asyncio.timeout(20):
        while not all(sim.claim_by_id(c.id) is not None
                      and sim.claim_by_id(c.id).status_reason  # type: ignore[union-attr]
                      for c in first.values()
                      for sim in [loop.sims[c.insurer_code]]):  # fmt: skip
            await asyncio.sleep(0.05)
    served = body(await api.call("GET", f"/api/v1/cases/{case_id}", token=bob))
    assert served["determination"] is None
    assert [(r["levels"], r["reason"]) for r in served["revoked_determinations"]] == [
        ({"A": "全部责任", "B": "无责任"}, "原认定未考虑乙车未开危险报警闪光灯")]
    view = body(await api.call("GET", f"/api/v1/cases/{case_id}/claims", token=alice))
    assert view["status"] == "police_review"
    assert {c["claim_id"]: c["status"] for c in view["claims"]} == {
        c.id: "cancelled" for c in first.values()}
    last = view["claims"][0]["history"][-1]
    assert last["status"] == "cancelled"
    assert last["by"] == "police"
    assert "复核" in last["reason"]

    # The reviewer sees why the case is back, in the supervisor's words.
    back = text(await reviewer.request("GET", f"/console/cases/{case_id}"))
    assert 'class="why-redetermination' in back
    assert "原认定未考虑乙车未开危险报警闪光灯" in back

    # Determined again: new claims with the new shares and amounts.
    await decide_in_console(api.base_url, case_id, AGAIN)
    claims = MongoClaimRepository(api.runtime.db)
    async with asyncio.timeout(20):
        while True:
            new = {f"{c.party}.{c.cover.value}": c for c in await claims.for_case(case_id)
                   if c.id.endswith(".r2") and c.claim_number}  # fmt: skip
            if len(new) == 3:
                break
            await asyncio.sleep(0.05)
    assert set(new) == {"A.compulsory", "A.commercial_third_party", "B.compulsory"}
    sent = {key: loop.sims[c.insurer_code].claim_by_id(c.id).request for key, c in new.items()}
    assert {k: r.liability_share for k, r in sent.items()} == {
        "A.compulsory": "0.7", "A.commercial_third_party": "0.7", "B.compulsory": "0.3"}
    assert {k: r.amount_due.amount for k, r in sent.items()} == {
        "A.compulsory": "2000.00", "A.commercial_third_party": "2800.00",
        "B.compulsory": "2000.00"}

    await asyncio.sleep(1.0)  # time for a wrong second cancellation to arrive
    assert picc.calls["CancelClaim"] == 2  # A's 交强险 and 商三
    assert cpic.calls["CancelClaim"] == 1  # B's 交强险
    assert picc.distinct_claims == 4
    assert cpic.distinct_claims == 2

    seen = body(await api.call("GET", f"/api/v1/cases/{case_id}/claims", token=bob))
    statuses = sorted((c["claim_id"].endswith(".r2"), c["status"]) for c in seen["claims"])
    assert statuses == [(False, "cancelled")] * 3 + [(True, "acknowledged")] * 3
    assert seen["status"] == "claimed"

    # The 复核 of one accident is heard once.
    shown = body(await api.call("GET", f"/api/v1/cases/{case_id}", token=alice))
    assert shown["determination"]["levels"] == {"A": "主要责任", "B": "次要责任"}
    assert shown["determination"]["reconsideration"]["you_may_request"] is False
    again = await api.call("POST", f"/api/v1/cases/{case_id}/reconsideration",
                           {"reason": "仍然不服重新作出的认定"}, token=alice)  # fmt: skip
    assert again.code == 409, again.body
    assert "reconsideration_already_heard" in again.body.decode()
