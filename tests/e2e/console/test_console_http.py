"""The console over HTTP: sign-in, XSRF, jurisdiction scoping, lockout, hostile input,
the drivers' access log, and the audit trail's tamper evidence."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

from settlement.domain.case import CaseStatus
from tests.e2e.console.conftest import Browserless, Console, text, version_of

pytestmark = pytest.mark.e2e


async def test_sign_in_sets_strict_http_only_cookies_and_shows_the_queue(console: Console) -> None:
    case = await console.seed(0)
    assert case.status is CaseStatus.POLICE_REVIEW
    client = Browserless(console.base_url)
    response = await client.login("reviewer.ns")
    assert response.code == 302
    assert response.headers["Location"] == "/console/queue"
    session_header = next(h for h in response.headers.get_list("Set-Cookie")
                          if h.startswith("console_session="))  # fmt: skip
    assert "HttpOnly" in session_header
    assert "SameSite=Strict" in session_header
    queue = await client.request("GET", "/console/queue")
    assert queue.code == 200
    assert case.id in text(queue)
    assert queue.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in queue.headers["Content-Security-Policy"]


async def test_a_post_without_the_xsrf_token_is_refused(console: Console) -> None:
    case = await console.seed(0)
    client = Browserless(console.base_url)
    await client.login("reviewer.ns")
    page = text(await client.request("GET", f"/console/cases/{case.id}"))
    refused = await client.request("POST", f"/console/cases/{case.id}/claim",
                                   {"version": version_of(page)}, xsrf=False)  # fmt: skip
    assert refused.code == 403
    login = await Browserless(console.base_url).request(
        "POST", "/console/login", {"username": "reviewer.ns", "password": "x"}, xsrf=False
    )
    assert login.code == 403
    stored = await console.runtime.services.intake.get(
        next(iter(case.parties.values())).user_id, case.id
    )
    assert stored.claimed_by is None


async def test_a_reviewer_of_another_jurisdiction_gets_404(console: Console) -> None:
    case = await console.seed(0)  # 南山 (440305)
    client = Browserless(console.base_url)
    await client.login("reviewer.ft")  # 福田 (440304)
    assert (await client.request("GET", f"/console/cases/{case.id}")).code == 404
    assert case.id not in text(await client.request("GET", "/console/queue"))
    claim = await client.request("POST", f"/console/cases/{case.id}/claim", {"version": "1"})
    assert claim.code == 404
    assert (await client.request("GET", "/console/cases/C000NOSUCHCASE")).code == 404
    denied = [e for e in await console.runtime.services.audit.recent(50)  # type: ignore[union-attr]
              if e.event.outcome == "denied" and e.event.case_id == case.id]
    assert denied
    assert denied[0].event.actor == "staff:reviewer.ft"


async def test_five_failures_lock_the_account(console: Console) -> None:
    client = Browserless(console.base_url)
    codes = [(await client.login("locked.out", "wrong password!")).code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 403]
    locked = await client.login("locked.out")  # right password, still locked
    assert locked.code == 403
    assert "锁定" in text(locked)
    assert "console_session" not in client.cookies


async def test_forged_sessions_and_hostile_forms_get_clear_answers(console: Console) -> None:
    case = await console.seed(0)
    forged = Browserless(console.base_url)
    forged.cookies["console_session"] = "forged-token"
    redirect = await forged.request("GET", f"/console/cases/{case.id}")
    assert redirect.code == 302
    assert redirect.headers["Location"].startswith("/console/login?next=")
    await forged.request("GET", "/console/login")
    assert (await forged.request("POST", f"/console/cases/{case.id}/claim",
                                 {"version": "1"})).code == 401  # fmt: skip

    client = Browserless(console.base_url)
    await client.login("reviewer.ns")
    huge = await client.request("POST", f"/console/cases/{case.id}/refuse",
                                {"reason": "x" * 20_000})  # fmt: skip
    assert huge.code == 413
    page = text(await client.request("GET", f"/console/cases/{case.id}"))
    await client.request("POST", f"/console/cases/{case.id}/claim", {"version": version_of(page)})
    no_reason = await client.request("POST", f"/console/cases/{case.id}/refuse", {"reason": ""})
    assert no_reason.code == 422
    bad_levels = await client.request("POST", f"/console/cases/{case.id}/determine", {
        "level_A": "全部责任", "level_B": "全部责任", "rule": "S01", "reason": "测试理由"})
    assert bad_levels.code == 422
    for rule in ("NOT-A-RULE", "G12"):
        forged_rule = await client.request("POST", f"/console/cases/{case.id}/determine", {
            "level_A": "全部责任", "level_B": "无责任", "rule": rule, "reason": "测试理由",
            "confirm": "1"})  # fmt: skip
        assert forged_rule.code == 422
        assert 'id="decision-error"' in text(forged_rule)
        assert "测试理由" in text(forged_rule), "the form keeps what was typed"
    held = await console.runtime.services.intake.get(case.parties["A"].user_id, case.id)
    assert held.determination is None
    assert (await client.request("GET", "/console/supervision")).code == 403
    escaped = await client.request("GET", "/console/lang/en?next=//evil.example/x")
    assert escaped.headers["Location"] == "/console/queue"


async def test_two_reviewers_never_hold_the_same_case(console: Console) -> None:
    case = await console.seed(0)
    first, second = Browserless(console.base_url), Browserless(console.base_url)
    await first.login("reviewer.ns")
    await second.login("reviewer.ns2")
    version = version_of(text(await first.request("GET", f"/console/cases/{case.id}")))
    answers = await asyncio.gather(
        first.request("POST", f"/console/cases/{case.id}/claim", {"version": version}),
        second.request("POST", f"/console/cases/{case.id}/claim", {"version": version}),
    )
    assert sorted(a.code for a in answers) == [302, 409]
    owner = "reviewer.ns" if answers[0].code == 302 else "reviewer.ns2"
    loser = second if owner == "reviewer.ns" else first
    refused = await loser.request("POST", f"/console/cases/{case.id}/refuse",
                                  {"reason": "我来处理这个案件"})  # fmt: skip
    assert refused.code == 409


async def test_reveal_is_audited_and_the_driver_sees_who_viewed_the_case(console: Console) -> None:
    token_a, user_a = await console.driver()
    token_b, user_b = await console.driver()
    stranger, _ = await console.driver()
    case = await console.seed(0, users=(user_a, user_b))
    client = Browserless(console.base_url)
    await client.login("reviewer.ns")
    page = text(await client.request("GET", f"/console/cases/{case.id}"))
    assert "440305198803152316" not in page
    assert "440305********2316" in page
    revealed = await client.request("POST", f"/console/cases/{case.id}/reveal",
                                    {"party": "A", "field": "id_number", "reason": "核对身份"})
    assert "440305198803152316" in text(revealed)
    log = await console.call("GET", f"/api/v1/cases/{case.id}/access-log", token=token_a)
    assert log.code == 200
    entries = json.loads(log.body)["entries"]
    actions = {(e["who"], e["action"]) for e in entries}
    assert ("staff:reviewer.ns", "case.view") in actions
    assert ("staff:reviewer.ns", "pii.reveal") in actions
    assert all(user_a not in json.dumps(e) and user_b not in json.dumps(e) for e in entries)
    other = await console.call("GET", f"/api/v1/cases/{case.id}/access-log", token=stranger)
    assert other.code == 404
    # Party B's changes are in A's log (by label); a party reading their own case is not.
    assert ("party_B", "case.statement") in actions
    assert ("you", "case.open") in actions
    # Each photo's record committed with its entry (the seed uploads for both parties).
    assert {("you", "photo.upload"), ("party_B", "photo.upload")} <= actions
    before = len(json.loads((await console.call(
        "GET", f"/api/v1/cases/{case.id}/access-log", token=token_a)).body)["entries"])
    seen = await console.call("GET", f"/api/v1/cases/{case.id}", token=token_b)
    assert seen.code == 200, seen.body
    after = json.loads((await console.call(
        "GET", f"/api/v1/cases/{case.id}/access-log", token=token_a)).body)["entries"]
    assert len(after) == before
    assert not any(e["who"] in ("you", "party_B") and e["action"].startswith("api.")
                   for e in after)  # fmt: skip
    assert any(e["who"] == "another_driver" and e["outcome"] == "denied" for e in after)


async def test_altering_an_audit_entry_in_mongodb_is_detected_and_named(console: Console) -> None:
    await console.seed(0)
    client = Browserless(console.base_url)
    await client.login("reviewer.ns")
    await client.request("GET", "/console/queue")
    audit, sealer = console.runtime.services.audit, console.runtime.services.sealer
    assert audit is not None
    assert sealer is not None
    assert await sealer.round() > 0
    assert await sealer.checkpoint() is not None
    assert (await audit.verify()).ok
    settings = console.runtime.settings
    env = {**os.environ, "SETTLEMENT_MONGO_URI": settings.mongo_uri or "",
           "SETTLEMENT_MONGO_DB": settings.mongo_db,
           "SETTLEMENT_DATA_DIR": str(settings.data_dir),
           "SETTLEMENT_UPLOADS_DIR": str(settings.uploads_dir)}  # fmt: skip

    async def cli(*args: str, stdout_only: bool = False) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "settlement", "audit", *args, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate()
        return process.returncode or 0, (out if stdout_only else out + err).decode()

    code, output = await cli("verify")
    assert code == 0, output
    assert "intact" in output
    entries = console.runtime.db["audit_log"]
    original = await entries.find_one({"seq": 3})
    assert original is not None
    code, output = await cli("proof", str(original["_id"]), stdout_only=True)
    assert code == 0, output
    proof = console.tmp / "proof.json"
    proof.write_text(output)
    code, output = await cli("check-proof", str(proof))
    assert code == 0, output
    assert "entry 3 is in batch 1, signed by checkpoint 1" in output

    await entries.update_one({"seq": 3}, {"$set": {"details.reason": "tampered"}})
    code, output = await cli("verify")
    assert code == 1
    assert "entry 3: altered" in output
    await entries.replace_one({"_id": original["_id"]}, original)
    assert (await audit.verify()).ok
    last = await entries.find_one({"seq": {"$exists": True}}, sort=[("seq", -1)])
    assert last is not None
    await entries.delete_one({"_id": last["_id"]})
    check = await audit.verify()
    assert not check.ok
    assert [p.where for p in check.problems] == [f"entry {last['seq']}"]
    assert "missing" in check.problems[0].message
