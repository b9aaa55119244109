"""Supervision that acts, in Chromium: a case stuck with a locked-out reviewer shows as
overdue, is released and reassigned (audited with the reason); decided cases are found by
id, plate and date and listed in the history; the audit trail filters by case and action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from playwright.async_api import Browser

from tests.e2e.console.conftest import Browserless, Console, text, version_of
from tests.e2e.console.test_console_browser import browser, shot, sign_in

__all__ = ["browser"]

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


async def test_release_and_reassign_a_case_stuck_with_a_locked_out_reviewer(
    console: Console, browser: Browser
) -> None:
    stuck = await console.seed(0)
    holder = Browserless(console.base_url)
    await holder.login("locked.out")
    page_text = text(await holder.request("GET", f"/console/cases/{stuck.id}"))
    await holder.request("POST", f"/console/cases/{stuck.id}/claim",
                         {"version": version_of(page_text)})  # fmt: skip
    for _ in range(5):
        await Browserless(console.base_url).login("locked.out", "wrong password!")
    await console.runtime.db["cases"].update_one(
        {"_id": stuck.id}, {"$set": {"review.queued_at": datetime.now(UTC) - timedelta(minutes=45)}}
    )

    page = await sign_in(browser, console, "supervisor.ns")
    await page.wait_for_url("**/console/queue")
    await page.goto(f"{console.base_url}/console/supervision")
    assert (await page.locator("#kpi-overdue strong").inner_text()).strip() == "1"
    assert (await page.locator("#kpi-sla strong").inner_text()).strip() == "0%"
    row = page.locator(f"#waiting tr[data-case='{stuck.id}']")
    assert "locked.out" in await row.inner_text()
    choices = await row.locator("select[name=to] option").all_inner_texts()
    assert "locked.out" not in choices
    assert "reviewer.ns2" in choices
    await shot(page, "20-supervision-stuck")

    await row.locator("form.release input[name=reason]").fill("承办民警账号被锁定，释放回队列")
    await row.locator("form.release button").click()
    await page.wait_for_url("**/console/supervision?done=released*")
    row = page.locator(f"#waiting tr[data-case='{stuck.id}']")
    assert "未领取" in await row.inner_text()
    await row.locator("form.reassign select[name=to]").select_option("reviewer.ns2")
    await row.locator("form.reassign input[name=reason]").fill("改派给值班民警")
    await row.locator("form.reassign button").click()
    await page.wait_for_url("**/console/supervision?done=reassigned*")
    assert "reviewer.ns2" in await page.locator(f"#waiting tr[data-case='{stuck.id}']").inner_text()
    await shot(page, "21-supervision-reassigned")

    await page.goto(f"{console.base_url}/console/audit?case_id={stuck.id}")
    audit = await page.locator("table.audit").inner_text()
    assert "释放案件" in audit
    assert "承办民警账号被锁定" in audit
    assert "改派案件" in audit
    await page.locator("select[name=action]").select_option("case.reassign")
    await page.locator("form.search-form button.primary").click()
    await page.wait_for_url("**action=case.reassign*")
    rows = page.locator("table.audit tbody tr")
    assert await rows.count() == 1
    assert "reviewer.ns2" in await rows.first.inner_text()
    await shot(page, "22-audit-filtered")

    assignee = await sign_in(browser, console, "reviewer.ns2")
    await assignee.wait_for_url("**/console/queue")
    await assignee.goto(f"{console.base_url}/console/cases/{stuck.id}")
    assert await assignee.locator("#determine-form").count() == 1


async def test_search_finds_a_decided_case_by_id_plate_and_date(
    console: Console, browser: Browser
) -> None:
    decided = await console.seed(1)  # 王强 粤BD12345 / 赵敏 粤B9P6T2, declined
    other = await console.seed(3)
    client = Browserless(console.base_url)
    await client.login("reviewer.ns")
    path = f"/console/cases/{decided.id}"
    await client.request("POST", f"{path}/claim",
                         {"version": version_of(text(await client.request("GET", path)))})  # fmt: skip
    issued = await client.request("POST", f"{path}/determine", {
        "rule": "S01", "level_A": "全部责任", "level_B": "无责任",
        "reason": "后车未保持安全距离", "confirm": "1"})  # fmt: skip
    assert issued.code == 302

    page = await sign_in(browser, console, "reviewer.ns")
    await page.wait_for_url("**/console/queue")
    await page.click("nav >> text=检索 / 已办")
    results = page.locator("#results")
    assert decided.id in await results.inner_text()
    assert other.id not in await results.inner_text(), "the history lists decided cases only"
    await shot(page, "23-history")
    await page.fill("input[name=q]", decided.id)
    await page.click("form.search-form button")
    assert await page.locator("#results tbody tr").count() == 1
    await page.fill("input[name=q]", "粤bd12345")
    await page.click("form.search-form button")
    found = await page.locator("#results").inner_text()
    assert decided.id in found
    assert other.id in found  # 王强 drives in both accidents
    day = decided.scene.occurred_at.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d")
    await page.fill("input[name=q]", "")
    await page.fill("input[name=date]", day)
    await page.click("form.search-form button")
    assert decided.id in await page.locator("#results").inner_text()
    await page.locator(f"#results a[href='/console/cases/{decided.id}']").click()
    await page.wait_for_url(f"**/console/cases/{decided.id}")
    assert "已认定" in await page.locator("h1").inner_text()
    await shot(page, "24-found")

    admin = await sign_in(browser, console, "admin.all")
    await admin.wait_for_url("**/console/queue")
    await admin.goto(f"{console.base_url}/console/admin/staff")
    assert "reviewer.ns" in await admin.locator("table").inner_text()
    await shot(admin, "25-staff")
    await admin.goto(f"{console.base_url}/console/search?date=not-a-date")
    assert "日期格式" in await admin.locator("[role=alert]").inner_text()
    await shot(admin, "26-search-bad-date")
