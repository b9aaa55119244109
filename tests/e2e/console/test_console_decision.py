"""The decision in real Chromium: why the case is here, the panel on the first screen, a
rule that fixes the levels, refusals inline in Chinese, and a confirmation before issue."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from settlement.domain.case import Case
from tests.e2e.console.conftest import Console
from tests.e2e.console.test_console_browser import browser, loaded_width, shot, sign_in

__all__ = ["browser"]

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

REASON = "结合现场照片与双方陈述，甲车未保持安全距离"


async def claimed(console: Console, browser: Browser, index: int) -> tuple[Page, Case]:
    case = await console.seed(index)
    page = await sign_in(browser, console, "reviewer.ns")
    await page.wait_for_url("**/console/queue")
    await page.goto(f"{console.base_url}/console/cases/{case.id}")
    await page.click("#claim")
    await page.wait_for_url(f"**/console/cases/{case.id}")
    return page, case


async def stored(console: Console, case: Case) -> Case:
    return await console.runtime.services.intake.get(case.parties["A"].user_id, case.id)


async def test_a_declined_case_shows_the_drivers_words_and_the_panel_on_the_first_screen(
    console: Console, browser: Browser
) -> None:
    await console.seed(0)
    await console.seed(2)  # an exact copy of a photo of the first case
    page, declined = await claimed(console, browser, 1)  # declined by party A
    await page.goto(f"{console.base_url}/console/queue")
    tags = await page.locator(f"tr[data-case='{declined.id}'] td.why-tags").inner_text()
    assert "当事人不同意" in tags
    assert await page.locator("td.why-tags .why-tag.blocking").count() == 1
    await shot(page, "09-queue-reasons")
    await page.goto(f"{console.base_url}/console/cases/{declined.id}")
    why = page.locator("#why")
    assert "对责任划分有异议" in await why.locator("blockquote.words").inner_text()
    assert "不同意系统责任建议" in await why.inner_text()
    box = await why.bounding_box()
    assert box is not None
    assert box["y"] < 300
    button = await page.locator("#preview-decision").bounding_box()
    assert button is not None
    assert button["y"] + button["height"] <= 900, button
    # No level is chosen for the officer.
    assert await page.locator("select[name=level_A]").input_value() == ""
    assert await page.locator("select[name=level_B]").input_value() == ""
    await shot(page, "10-declined-first-screen")
    await page.mouse.wheel(0, 2500)
    await page.wait_for_function("() => window.scrollY > 0")  # the wheel scrolls on its own time
    after = await page.locator("#preview-decision").bounding_box()
    assert after is not None
    assert 0 <= after["y"] <= 900, "the decision column stays in view while scrolling"


async def test_routing_and_inconsistent_rules_are_refused_inline_in_chinese_keeping_input(
    console: Console, browser: Browser
) -> None:
    page, case = await claimed(console, browser, 0)
    form = page.locator("#determine-form")
    await page.fill("#rule-filter", "追尾")
    assert await form.locator("option[value=S05]").is_hidden()
    await form.locator("select[name=rule]").select_option("S01")
    await form.locator("select[name=level_A]").select_option("主要责任")
    await form.locator("select[name=level_B]").select_option("次要责任")
    await form.locator("textarea[name=reason]").fill(REASON)
    await page.click("#preview-decision")
    await page.wait_for_load_state()
    error = page.locator("#decision-error")
    assert "不一致" in await error.inner_text()
    assert await page.locator("#determine-form textarea[name=reason]").input_value() == REASON
    assert await page.locator("#rule").input_value() == "S01"
    assert await page.locator("select[name=level_A]").input_value() == "主要责任"
    await shot(page, "11-refused-inline")

    # A crafted form naming the routing rule G12 is refused on the server too.
    await page.evaluate(
        "() => { const s = document.querySelector('select[name=rule]');"
        " const o = new Option('G12', 'G12'); s.add(o); s.value = 'G12'; }"
    )
    await page.locator("select[name=level_A]").select_option("全部责任")
    await page.locator("select[name=level_B]").select_option("无责任")
    await page.click("#preview-decision")
    await page.wait_for_load_state()
    # The page before still shows the first refusal: wait for the new one.
    await expect(page.locator("#decision-error")).to_contain_text("G 类规则")
    assert await page.locator("#determine-form textarea[name=reason]").input_value() == REASON
    assert (await stored(console, case)).determination is None


async def test_confirming_the_preview_issues_exactly_what_it_showed(
    console: Console, browser: Browser
) -> None:
    page, case = await claimed(console, browser, 0)
    case_id = case.id
    form = page.locator("#determine-form")
    await form.locator("select[name=rule]").select_option("S01")
    await form.locator("select[name=level_A]").select_option("全部责任")
    assert await form.locator("select[name=level_B]").input_value() == "无责任"
    await form.locator("textarea[name=reason]").fill(REASON)
    await page.click("#preview-decision")
    await page.locator("#preview").wait_for()
    preview = await page.locator("#preview").inner_text()
    assert "道交法第43条" in preview or "第43条" in preview
    assert "安全距离" in preview
    assert "复核" in preview
    await shot(page, "12-confirm")
    assert (await stored(console, case)).determination is None, "previewing issues nothing"

    await page.click("#confirm-issue")
    await page.wait_for_url(f"**/console/cases/{case_id}?done=determined")
    assert "已签发事故认定书" in await page.content()
    await page.click("#open-document")
    document = await page.locator("#document").inner_text()
    for line in ("S01", "第43条", "安全距离", "全部责任", "无责任"):
        assert line in document
    await shot(page, "13-issued")
    sha = (await page.locator("#doc-hash").inner_text()).strip()
    await page.goto(f"{console.base_url}/verify/{sha}")
    assert "全部责任" in await page.locator("#verification").inner_text()
    await shot(page, "15-verify-page")


async def test_the_evidence_viewer_zooms_pans_steps_and_warns_of_a_copied_photo(
    console: Console, browser: Browser
) -> None:
    original = await console.seed(0)
    copy = await console.seed(2)  # its first photo is byte for byte one of the first case's
    page = await sign_in(browser, console, "reviewer.ns")
    await page.wait_for_url("**/console/queue")
    await page.goto(f"{console.base_url}/console/cases/{copy.id}")
    why = await page.locator("#why li.blocking").inner_text()
    assert "完全相同" in why
    warning = page.locator("#photos p.dup.blocking").first
    assert "严重" in await warning.inner_text()
    assert await warning.locator("a").get_attribute("href") == f"/console/cases/{original.id}"

    await page.locator("a.zoom").first.click()
    viewer = page.locator("#lightbox")
    assert await loaded_width(viewer.locator("img")) > 0
    side = await viewer.locator(".viewer-side").inner_text()
    assert "拍摄时间" in side
    assert "距报案地点" in side
    assert "严重" in side
    assert "1 / 3" in side
    await viewer.locator("[data-act=zoom-in]").click()
    assert "scale(1.5)" in (await viewer.locator("img").get_attribute("style") or "")
    box = await viewer.locator("img").bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 + 30)
    await page.mouse.up()
    assert "translate(60px, 30px)" in (await viewer.locator("img").get_attribute("style") or "")
    await shot(page, "14-viewer-zoomed")
    await page.keyboard.press("ArrowRight")
    await expect(viewer.locator(".viewer-count")).to_contain_text("2 / 3")
    await viewer.locator("[data-act=next]").click()
    await expect(viewer.locator(".viewer-count")).to_contain_text("3 / 3")
    await viewer.locator("[data-act=close]").click()
    await expect(viewer).to_be_hidden()
    await page.locator("a.zoom").first.focus()
    await page.keyboard.press("Enter")
    await expect(viewer).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(viewer).to_be_hidden()
