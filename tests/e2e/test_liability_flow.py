"""Liability over real HTTP: proposal, acceptance, one-time signatures, the agreement PDF.

The whole service runs on loopback with real MongoDB; the PDF is read back with pdftotext.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.builders import new_case, party_details, statement
from tests.e2e.conftest import Api, body

BOB = {"name": "李四", "plate": "粤B67890", "phone": "13900139000",
       "id_number": "440305198505054321", "licence_number": "440305198505054321",
       "insurer_code": "CPIC", "policy_number": "PDZA2026440300002"}


async def _case_with_statements(
    api: Api, account_a: dict[str, Any], account_b: dict[str, Any]
) -> tuple[str, str, str]:
    alice = await api.sign_in()
    bob = await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    code = body(await api.call("POST", f"/api/v1/cases/{case_id}/invitation", token=alice))["code"]
    assert (await api.call("POST", "/api/v1/cases/join", {"code": code}, token=bob)).code == 200
    for token, details, account in ((alice, party_details(), account_a),
                                    (bob, party_details(**BOB), account_b)):
        answer = await api.call("POST", f"/api/v1/cases/{case_id}/details", details, token=token)
        assert answer.code == 200, answer.body
        answer = await api.call("POST", f"/api/v1/cases/{case_id}/statement", account,
                                token=token)
        assert answer.code == 200, answer.body
    return case_id, alice, bob


def _rear_end() -> tuple[dict[str, Any], dict[str, Any]]:
    a = statement("straight", "front")
    a["own_vehicle"]["damage_estimate_cny"] = 1200
    b = statement("stopped_in_queue", "rear", other_vehicle={"manoeuvre": "straight"})
    b["own_vehicle"]["damage_estimate_cny"] = 3500
    return a, b


async def _sign(api: Api, case_id: str, token: str) -> dict[str, Any]:
    issued = await api.call("POST", f"/api/v1/cases/{case_id}/signature-request", token=token)
    assert issued.code == 201, issued.body
    ticket = body(issued)
    signed = await api.call(
        "POST", f"/api/v1/cases/{case_id}/sign",
        {"confirmation": ticket["confirmation"], "terms_sha256": ticket["terms_sha256"]},
        token=token,
    )
    assert signed.code == 200, signed.body
    view: dict[str, Any] = body(signed)
    return view


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "agreement.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, "-layout", str(path), "-"], check=True,  # noqa: S603
                          capture_output=True, text=True).stdout


async def test_rear_end_is_proposed_accepted_signed_and_issued(api: Api, tmp_path: Path) -> None:
    case_id, alice, bob = await _case_with_statements(api, *_rear_end())

    proposed = await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)
    assert proposed.code == 200, proposed.body
    view = body(proposed)
    assert view["status"] == "liability_proposed"
    proposal = view["proposal"]
    assert proposal["liability"] == {"A": "全部责任", "B": "无责任"}
    assert proposal["route"] == "self_negotiation"
    assert [r["id"] for r in proposal["rules"]] == ["S01"]
    assert "道交法第43条" in proposal["rules"][0]["legal_basis"]
    payout = proposal["payout"]
    assert payout["jqx_A_to_B"] == 2000
    assert payout["commercial_A_to_B"] == 1500
    assert payout["jqx_B_to_A_no_fault_via_proxy"] == 100
    assert proposal["loss"]["A"] == {"amount": 1200, "source": "stated"}
    assert len(proposal["terms_sha256"]) == 64
    assert proposal["conflicts"] == []

    # Bob reads the same proposal.
    seen = body(await api.call("GET", f"/api/v1/cases/{case_id}/proposal", token=bob))
    assert seen["proposal"]["liability"] == proposal["liability"]
    assert seen["your_party"] == "B"

    for token in (alice, bob):
        accepted = await api.call("POST", f"/api/v1/cases/{case_id}/accept", token=token)
        assert accepted.code == 200, accepted.body
    half = await _sign(api, case_id, alice)
    assert half["status"] == "liability_proposed"
    assert half["agreement"]["signed"]["A"] is not None
    assert half["agreement"]["document"] is None
    done = await _sign(api, case_id, bob)
    assert done["status"] == "agreed"
    document = done["agreement"]["document"]
    assert document["pdf_path"] == f"/api/v1/cases/{case_id}/agreement.pdf"

    downloaded = await api.call("GET", document["pdf_path"], token=bob)
    assert downloaded.code == 200
    assert downloaded.headers["Content-Type"] == "application/pdf"
    pdf = downloaded.body
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == document["file_sha256"]
    text = _pdf_text(pdf, tmp_path)
    for required in ("事故时间", "2026-11-20 08:30", "事故地点", "深南大道", "天气", "晴",
                     "张三", "李四", "驾驶证号", "440305199001011234", "联系电话", "13800138000",
                     "保险公司", "中国人民财产保险股份有限公司", "中国太平洋财产保险股份有限公司", "保险凭证号", "PDZA2026440300001",
                     "号牌号码", "粤B12345", "粤B67890", "事故形态", "追尾碰撞", "碰撞部位",
                     "全部责任", "无责任", "道交法第43条", "赔偿协议", "2,000.00", "1,500.00",
                     "当事人A签名", "当事人B签名", "电子签名", document["sha256"]):
        assert required in text, required

    for digest in (document["sha256"], document["file_sha256"]):
        verified = await api.call("GET", f"/api/v1/documents/{digest}/verify")
        assert verified.code == 200
        answer = body(verified)
        assert answer["issued"] is True
        assert answer["case_id"] == case_id
        assert answer["kind"] == "agreement"
        assert "张三" not in verified.body.decode()  # no personal data on the public answer
    unknown = body(await api.call("GET", f"/api/v1/documents/{'0' * 64}/verify"))
    assert unknown["issued"] is False
    assert unknown["case_id"] is None

    # The agreement queued each party's claims in the same transaction: the at-fault
    # party's 交强险 and 商三, the other party's 交强险.
    queued = await api.runtime.db["outbox"].find({"kind": "insurer.file_claim"}).to_list(None)
    assert sorted(m["payload"]["insurer_code"] for m in queued) == ["CPIC", "PICC", "PICC"]
    assert {m["payload"]["case_id"] for m in queued} == {case_id}
    claims = await api.runtime.db["claims"].find({"case_id": case_id}).to_list(None)
    assert sorted((c["party"], c["cover"]) for c in claims) == [
        ("A", "commercial_third_party"), ("A", "compulsory"), ("B", "compulsory")]


async def test_a_party_that_declines_sends_the_case_to_the_police(api: Api) -> None:
    case_id, alice, bob = await _case_with_statements(api, *_rear_end())
    await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)
    await api.call("POST", f"/api/v1/cases/{case_id}/accept", token=alice)
    declined = await api.call("POST", f"/api/v1/cases/{case_id}/decline",
                              {"reason": "对方车速过快，我方不同意全责划分"}, token=alice)
    assert declined.code == 200, declined.body
    view = body(declined)
    assert view["status"] == "police_review"
    assert view["agreement"]["declined"]["by"] == "A"
    # Nothing more can be signed.
    late = await api.call("POST", f"/api/v1/cases/{case_id}/accept", token=bob)
    assert late.code == 409
    assert body(late)["code"] == "ILLEGAL_TRANSITION"


async def test_conflicting_statements_go_to_police_review_with_the_conflicts(api: Api) -> None:
    a = statement("straight", "front")
    # B says it was stopped in the queue; A says B was reversing into it.
    a["other_vehicle"] = {"manoeuvre": "reversing"}
    b = statement("stopped_in_queue", "rear", other_vehicle={"manoeuvre": "straight"})
    case_id, alice, _ = await _case_with_statements(api, a, b)
    view = body(await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice))
    assert view["status"] == "police_review"
    proposal = view["proposal"]
    assert proposal["route"] == "online_police_determination"
    assert set(proposal["liability"].values()) == {"待交警认定"}
    assert {"field": "vehicles.B.manoeuvre", "a_said": "reversing",
            "b_said": "stopped_in_queue"} in proposal["conflicts"]
    assert proposal["next_step"]["status"] == "police_review"


async def test_injuries_refuse_quick_handling_with_the_reason(api: Api) -> None:
    a, b = _rear_end()
    b["flags"] = {"injuries": True, "dispute_on_facts": False}
    case_id, alice, _ = await _case_with_statements(api, a, b)
    view = body(await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice))
    assert view["status"] == "on_scene"
    proposal = view["proposal"]
    assert proposal["quick_handling_allowed"] is False
    assert proposal["refusal_reasons"][0] == "injury"
    assert proposal["refusal_details"][0]["advice_zh"]
    assert proposal["guidance"]["zh"]
    assert proposal["next_step"]["status"] == "on_scene"


async def test_proposal_before_both_statements_is_refused(api: Api) -> None:
    alice = await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    early = await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)
    assert early.code == 409
    assert body(early)["code"] == "ILLEGAL_TRANSITION"
    assert "party_B" in body(early)["details"]["missing"]


async def test_hostile_signing_is_refused_and_changes_nothing(api: Api) -> None:
    case_id, alice, bob = await _case_with_statements(api, *_rear_end())
    stranger = await api.sign_in()

    early = await api.call("POST", f"/api/v1/cases/{case_id}/accept", token=alice)
    assert early.code == 409
    assert body(early)["code"] == "ILLEGAL_TRANSITION"

    await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)
    again = await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)
    assert again.code == 409

    # Signing before accepting: no confirmation is issued.
    premature = await api.call("POST", f"/api/v1/cases/{case_id}/signature-request", token=alice)
    assert premature.code == 409
    assert body(premature)["code"] == "PRECONDITION_FAILED"
    await api.call("POST", f"/api/v1/cases/{case_id}/accept", token=alice)
    ticket = body(await api.call("POST", f"/api/v1/cases/{case_id}/signature-request",
                                 token=alice))

    # Someone else's case: the same answer as a case that does not exist.
    for path in ("proposal", "accept", "signature-request", "decline"):
        foreign = await api.call("POST", f"/api/v1/cases/{case_id}/{path}",
                                 {"reason": "x"} if path == "decline" else None, token=stranger)
        assert foreign.code == 404, path
        assert body(foreign)["code"] == "CASE_NOT_FOUND"
    foreign_sign = await api.call(
        "POST", f"/api/v1/cases/{case_id}/sign",
        {"confirmation": ticket["confirmation"], "terms_sha256": ticket["terms_sha256"]},
        token=stranger,
    )
    assert foreign_sign.code == 404
    assert (await api.call("GET", f"/api/v1/cases/{case_id}/agreement.pdf",
                           token=stranger)).code == 404

    before = body(await api.call("GET", f"/api/v1/cases/{case_id}/proposal", token=alice))

    async def refused(payload: dict[str, Any], token: str = alice) -> None:
        answer = await api.call("POST", f"/api/v1/cases/{case_id}/sign", payload, token=token)
        assert 400 <= answer.code < 500, answer.body
        after = body(await api.call("GET", f"/api/v1/cases/{case_id}/proposal", token=alice))
        assert after["agreement"] == before["agreement"]
        assert after["status"] == "liability_proposed"

    terms = ticket["terms_sha256"]
    await refused({"confirmation": "x" * 43, "terms_sha256": terms})  # wrong
    await refused({"confirmation": ticket["confirmation"], "terms_sha256": "f" * 64})  # other terms
    await refused({"confirmation": ticket["confirmation"], "terms_sha256": terms}, token=bob)
    await refused({"confirmation": ticket["confirmation"]})  # malformed: 422

    # Expired: move the stored expiry into the past.
    cases = api.runtime.db["cases"]
    await cases.update_one(
        {"_id": case_id},
        {"$set": {"agreement.signature_requests.A.expires_at":
                  datetime.now(UTC) - timedelta(seconds=1)}},
    )
    await refused({"confirmation": ticket["confirmation"], "terms_sha256": terms})

    # A fresh confirmation signs once; replaying it is refused.
    fresh = body(await api.call("POST", f"/api/v1/cases/{case_id}/signature-request",
                                token=alice))
    payload = {"confirmation": fresh["confirmation"], "terms_sha256": fresh["terms_sha256"]}
    assert (await api.call("POST", f"/api/v1/cases/{case_id}/sign", payload, token=alice)).code \
        == 200
    replay = await api.call("POST", f"/api/v1/cases/{case_id}/sign", payload, token=alice)
    assert replay.code == 409
    assert body(replay)["details"]["reason"] == "signature_confirmation_invalid"
    state = body(await api.call("GET", f"/api/v1/cases/{case_id}/proposal", token=alice))
    assert state["status"] == "liability_proposed"
    assert state["agreement"]["signed"]["B"] is None
    no_pdf = await api.call("GET", f"/api/v1/cases/{case_id}/agreement.pdf", token=alice)
    assert no_pdf.code == 404
