"""The dead letters on the console, in real headless Chromium: an insurer refuses a claim for
good, the message appears on the admins' page (reached from the navigation, every code in
words, personal data masked), the admin replays it once the fault is cleared and the insurer
gets it exactly once; the replay and a cancel are POSTs with CSRF recorded with their actor,
and a reviewer gets 403. axe-core checks each page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc
import pytest
from playwright.async_api import Browser

from adapters.http.console.i18n import partner_words
from adapters.mongo.cases import MongoCaseRepository
from adapters.simulators.insurer import InsurerSimulator
from adapters.simulators.wechat import WeChatSimulator
from settlement.bootstrap import open_runtime, run_exchange, start_servers
from settlement.domain.case import CaseStatus
from tests.claim_builders import settled_case
from tests.e2e.conftest import make_settings
from tests.e2e.console.conftest import PASSWORD, Browserless, Console, free_port, text
from tests.e2e.console.test_console_browser import browser, shot, sign_in  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@dataclass
class Stage:
    console: Console
    picc: InsurerSimulator
    cpic: InsurerSimulator

    async def settle(self) -> str:
        """A settled case whose claims go to PICC (A) and CPIC (B)."""
        target = settled_case()
        runtime = self.console.runtime
        stored = await MongoCaseRepository(runtime.db).add(
            replace(target, status=CaseStatus.LIABILITY_PROPOSED)
        )
        assert runtime.services.claims is not None
        await runtime.services.claims.settle(replace(target, version=stored.version))
        return target.id

    async def dead_letter(self, case_id: str) -> dict[str, Any]:
        outbox = self.console.runtime.db["outbox"]
        async with asyncio.timeout(20):
            while (found := await outbox.find_one({"status": "dead", "key": {"$regex": case_id}})
                   ) is None:  # fmt: skip
                await asyncio.sleep(0.05)
        return found


@pytest.fixture
async def stage(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path
                ) -> AsyncIterator[Stage]:  # fmt: skip
    picc, cpic = InsurerSimulator("PICC"), InsurerSimulator("CPIC")
    await picc.start()
    await cpic.start()
    port = free_port()
    settings = replace(
        make_settings(mongo_uri, wechat, tmp_path), console_secure_cookies=False,
        http_port=port, public_base_url=f"http://127.0.0.1:{port}",
        insurer_endpoints=f"PICC={picc.target},CPIC={cpic.target}",
        partner_insecure=True,  # plaintext simulators: a local trial
    )  # fmt: skip
    stop = asyncio.Event()
    async with open_runtime(settings) as runtime:
        staff = runtime.services.staff_auth
        assert staff is not None
        for username, role, jurisdiction in (("admin.all", "admin", "*"),
                                             ("reviewer.ns", "reviewer", "440305")):
            await staff.create_account(username, role, jurisdiction, PASSWORD)
        servers = await start_servers(runtime)
        exchange = asyncio.create_task(run_exchange(runtime.services, stop, poll_s=0.2))
        try:
            console = Console(f"http://127.0.0.1:{servers.http_port}", runtime, servers, wechat,
                              tmp=tmp_path)  # fmt: skip
            yield Stage(console, picc, cpic)
        finally:
            stop.set()
            await asyncio.wait_for(exchange, 15)
            await servers.stop(0.5)
            await runtime.mongo_client.drop_database(settings.mongo_db)
            await picc.stop(None)
            await cpic.stop(None)


async def test_an_admin_sees_a_dead_letter_and_replays_it_once(
    stage: Stage, browser: Browser  # noqa: F811 - the fixture
) -> None:
    cpic = stage.cpic
    cpic.faults.reject_next(10**6, grpc.StatusCode.INVALID_ARGUMENT, "policy number unknown")
    case_id = await stage.settle()
    dead = await stage.dead_letter(case_id)
    message_id = str(dead["_id"])

    page = await sign_in(browser, stage.console, "admin.all")
    await page.click("nav >> text=未送达消息")  # reachable from the navigation
    assert page.url.endswith("/console/outbox")
    row = page.locator(f"tr[data-message='{message_id}']")
    await row.wait_for()
    words = await row.inner_text()
    assert "向保险公司报案" in words  # the kind in words
    partner = await row.locator("td").nth(1).inner_text()
    assert partner == partner_words("zh", "insurer:CPIC")  # the insurer by name
    assert partner != "insurer:CPIC"
    assert "policy number unknown" in words
    await shot(page, "outbox-dead-letters")

    await row.locator("text=查看").click()
    await page.wait_for_selector("#payload")
    shown = await page.inner_text("#payload")
    assert case_id in shown
    assert "李四" not in shown  # the policyholder's name is masked
    assert "粤B54321" not in shown
    await shot(page, "outbox-message")

    attempts = cpic.file_claim_attempts
    await asyncio.sleep(1.0)
    assert cpic.file_claim_attempts == attempts  # a dead letter is not retried on its own
    cpic.faults.recover()
    await page.click("#replay")
    await page.wait_for_selector("p.notice")
    assert page.url.endswith("/console/outbox?done=replayed")
    async with asyncio.timeout(20):
        while cpic.distinct_claims == 0:
            await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # time for a wrong second delivery to show
    assert cpic.distinct_claims == 1
    assert cpic.file_claim_attempts == attempts + 1
    await page.reload()
    assert await page.locator("#no-dead").count() == 1
    await shot(page, "outbox-replayed")

    audit = stage.console.runtime.services.audit
    assert audit is not None
    replays = await audit.search(action="outbox.replay")
    assert [(e.event.actor, e.event.outcome, e.event.details["message_id"]) for e in replays] == [
        ("staff:admin.all", "success", message_id)]
    assert replays[0].event.case_id == case_id

    # Reviewers have no such page: no link, and 403 on the page and on its actions.
    reviewer_page = await sign_in(browser, stage.console, "reviewer.ns")
    assert await reviewer_page.locator("nav >> text=未送达消息").count() == 0
    answer = await reviewer_page.goto(f"{stage.console.base_url}/console/outbox")
    assert answer is not None
    assert answer.status == 403
    reviewer = Browserless(stage.console.base_url)
    await reviewer.login("reviewer.ns")
    refused = await reviewer.request("POST", f"/console/outbox/{message_id}/replay")
    assert refused.code == 403


async def test_cancel_needs_csrf_and_a_reason_and_is_audited(stage: Stage) -> None:
    stage.cpic.faults.reject_next(10**6, grpc.StatusCode.INVALID_ARGUMENT, "no such policy")
    case_id = await stage.settle()
    message_id = str((await stage.dead_letter(case_id))["_id"])
    admin = Browserless(stage.console.base_url)
    await admin.login("admin.all")
    path = f"/console/outbox/{message_id}/cancel"
    forged = await admin.request("POST", path, {"reason": "duplicate policy"}, xsrf=False)
    assert forged.code == 403
    blank = await admin.request("POST", path, {"reason": "  "})
    assert blank.code == 422, text(blank)
    cancelled = await admin.request("POST", path, {"reason": "policy replaced by the driver"})
    assert cancelled.code == 302, text(cancelled)
    stored = await stage.console.runtime.db["outbox"].find_one({"_id": message_id})
    assert stored is not None
    assert stored["status"] == "cancelled"
    again = await admin.request("POST", f"/console/outbox/{message_id}/replay")
    assert again.code == 404  # no longer a dead letter
    audit = stage.console.runtime.services.audit
    assert audit is not None
    entries = await audit.search(actor="staff:admin.all", action="outbox.cancel")
    assert [(e.event.outcome, e.event.details.get("reason")) for e in entries] == [
        ("success", "policy replaced by the driver"), ("failure", "")]
