"""Review actions over HTTP beyond the decision: correcting the damage grade."""

from __future__ import annotations

import pytest

from tests.e2e.console.conftest import Browserless, Console, text, version_of

pytestmark = pytest.mark.e2e


async def test_the_reviewer_corrects_a_damage_grade_and_the_loss_is_priced_again(
    console: Console,
) -> None:
    case = await console.seed(1)
    before = case.proposal["loss"]["A"]  # type: ignore[index]
    assert before["grade_assumed"] == "G1"
    client = Browserless(console.base_url)
    await client.login("reviewer.ns")
    path = f"/console/cases/{case.id}"
    refused = await client.request("POST", f"{path}/regrade",
                                   {"party": "A", "grade": "G3", "reason": "照片可见凹陷"})  # fmt: skip
    assert refused.code == 409, "only the reviewer who holds the case may correct it"
    await client.request("POST", f"{path}/claim", {"version": version_of(text(
        await client.request("GET", path)))})  # fmt: skip
    bad = await client.request("POST", f"{path}/regrade",
                               {"party": "A", "grade": "G9", "reason": "照片可见凹陷"})  # fmt: skip
    assert bad.code == 422
    done = await client.request("POST", f"{path}/regrade",
                                {"party": "A", "grade": "G3", "reason": "照片可见保险杠破裂"})  # fmt: skip
    assert done.code == 302
    stored = await console.runtime.services.intake.get(case.parties["A"].user_id, case.id)
    after = stored.proposal["loss"]["A"]  # type: ignore[index]
    assert after["grade_assumed"] == "G3"
    assert after["source"] == "reviewer"
    assert after["amount"] != before["amount"]
    assert after["corrected"]["reason"] == "照片可见保险杠破裂"
    page = text(await client.request("GET", path))
    assert "G3 需更换部件" in page
    assert "民警更正" in page


async def test_a_reviewer_refers_a_determined_case_to_court_mediation(console: Console) -> None:
    case = await console.seed(1)
    client = Browserless(console.base_url)
    await client.login("reviewer.ns")
    path = f"/console/cases/{case.id}"
    await client.request("POST", f"{path}/claim", {"version": version_of(text(
        await client.request("GET", path)))})  # fmt: skip
    await client.request("POST", f"{path}/determine", {
        "rule": "S01", "level_A": "全部责任", "level_B": "无责任",
        "reason": "后车未保持安全距离", "confirm": "1"})  # fmt: skip
    assert 'id="mediation"' in text(await client.request("GET", path))

    outsider = Browserless(console.base_url)
    await outsider.login("reviewer.ft")
    refused = await outsider.request("POST", f"{path}/mediation", {"reason": "赔偿金额有争议"})
    assert refused.code == 404
    referred = await client.request("POST", f"{path}/mediation", {"reason": "赔偿金额有争议"})
    assert referred.code == 302
    stored = await console.runtime.services.intake.get(case.parties["A"].user_id, case.id)
    assert stored.status.value == "mediation"
    assert stored.exchange["mediation"]["requested_by"] == "staff:reviewer.ns"
    page = text(await client.request("GET", f"{path}?done=mediation"))
    assert "已提交法院调解" in page
    assert 'id="mediation-state"' in page
    assert "赔偿金额有争议" in page
    queued = await console.runtime.db["outbox"].count_documents({"key": case.id,
                                                                  "kind": {"$regex": "dispute"}})
    assert queued == 1


async def test_back_from_the_confirmation_keeps_the_decision_as_typed(console: Console) -> None:
    case = await console.seed(0)
    client = Browserless(console.base_url)
    await client.login("reviewer.ns")
    path = f"/console/cases/{case.id}"
    await client.request("POST", f"{path}/claim", {"version": version_of(text(
        await client.request("GET", path)))})  # fmt: skip
    form = {"rule": "other", "level_A": "主要责任", "level_B": "次要责任",
            "basis_statute": "实施条例", "basis_article": "第44条第2款",
            "reason": "乙车变道未让行<script>", "note": ""}  # fmt: skip
    preview = text(await client.request("POST", f"{path}/determine", form))
    assert 'id="confirm-issue"' in preview
    assert "《中华人民共和国道路交通安全法实施条例》(2017年修订)第44条第2款" in preview
    assert "<script>" not in preview.split('id="preview"')[1].split("</article>")[0]
    back = text(await client.request("POST", f"{path}/determine", {**form, "edit": "1"}))
    assert 'id="determine-form"' in back
    assert '<option value="other" selected' in back
    assert 'value="第44条第2款"' in back
    assert "乙车变道未让行&lt;script&gt;</textarea>" in back
    stored = await console.runtime.services.intake.get(case.parties["A"].user_id, case.id)
    assert stored.determination is None
