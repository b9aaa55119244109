"""The console in real headless Chromium: sign in, queue, review with photos, determine,
open the issued document, supervision. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright

from tests.e2e.console.conftest import PASSWORD, Console

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable,
                                                    args=CHROMIUM_ARGS)  # fmt: skip
        yield launched
        await launched.close()


async def sign_in(browser: Browser, console: Console, username: str) -> Page:
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{console.base_url}/console/login")
    violations = await accessibility_violations(page)
    assert not violations, ("login", violations)
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    return page


AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""


async def accessibility_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's violations on the page as it is now (WCAG 2.x A/AA and best practices)."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE)  # evaluated over CDP: the console's CSP allows no inline script
    found: list[dict[str, object]] = await page.evaluate(AXE_RUN)
    return found


async def loaded_width(image: Locator) -> int:
    """The image's natural width once the browser is done with it: read straight after the
    page loads, it races the image's own request (0 under load). A lazy image is scrolled to
    first, so that it is fetched at all; a broken one is complete with width 0."""
    await image.scroll_into_view_if_needed()
    await image.page.wait_for_function("img => img.complete", arg=await image.element_handle())
    width: int = await image.evaluate("img => img.naturalWidth")
    return width


async def shot(page: Page, name: str) -> None:
    """Keep a screenshot of the page, after checking it has no accessibility violation."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    violations = await accessibility_violations(page)
    assert not violations, (name, page.url, violations)


async def test_reviewer_determines_a_case_and_opens_the_document(
    console: Console, browser: Browser
) -> None:
    case = await console.seed(0)  # six photos, conflicting statements
    await console.seed(2)  # reuses a photo of the first case: a duplicate match
    await console.seed(1)
    page = await sign_in(browser, console, "reviewer.ns")
    await page.wait_for_url("**/console/queue")
    row = page.locator(f"tr[data-case='{case.id}']")
    await row.wait_for()
    await shot(page, "01-queue")

    await row.locator("button", has_text="领取").click()
    await page.wait_for_url(f"**/console/cases/{case.id}")
    photos = page.locator("#photos figure.photo")
    assert await photos.count() == 6
    assert await loaded_width(page.locator("#photos img").first) > 0
    assert await page.locator("tr.conflict").count() >= 1
    assert "440305********2316" in await page.content()
    await shot(page, "02-review")

    await page.locator("a.zoom").first.click()
    assert await loaded_width(page.locator("#lightbox:not([hidden]) img")) > 0
    await shot(page, "03-photo-full-size")
    await page.locator("#lightbox [data-act=close]").click()

    form = page.locator("#determine-form")
    await form.locator("select[name=rule]").select_option("S01")
    await form.locator("select[name=level_A]").select_option("全部责任")
    await form.locator("select[name=level_B]").select_option("无责任")
    await form.locator("textarea[name=reason]").fill("结合现场照片与双方陈述，甲车未保持安全距离")
    await page.click("#preview-decision")
    await page.click("#confirm-issue")
    await page.wait_for_url(f"**/console/cases/{case.id}?done=determined")
    assert "已认定" in await page.content()

    await page.click("#open-document")
    await page.wait_for_url(f"**/console/cases/{case.id}/document")
    assert len((await page.locator("#doc-hash").inner_text()).strip()) == 64
    assert "✔" in await page.locator("footer.hash .verify").inner_text()
    await shot(page, "04-document")
    pdf_link = page.locator("#pdf-link")
    if await pdf_link.count():
        answer = await page.request.get(f"{console.base_url}/console/cases/{case.id}/document.pdf")
        assert answer.status == 200
        assert (await answer.body()).startswith(b"%PDF")

    await page.goto(f"{console.base_url}/console/lang/en?next=/console/queue")
    assert "Cases waiting for review" in await page.content()
    await shot(page, "05-queue-english")


async def test_supervisor_dashboard_and_audit_trail(console: Console, browser: Browser) -> None:
    for index in (0, 2, 1, 3):
        await console.seed(index)
    page = await sign_in(browser, console, "supervisor.ns")
    await page.wait_for_url("**/console/queue")
    await page.goto(f"{console.base_url}/console/supervision")
    assert await page.locator("svg.chart").count() == 2
    content = await page.content()
    assert "粤B7K2M9".replace("7K2M", "***") in content or "粤B***M9" in content
    await shot(page, "06-supervision")
    await page.goto(f"{console.base_url}/console/audit?verify=1")
    assert "审计日志完整" in await page.content()
    await shot(page, "07-audit")


async def test_xsrf_and_jurisdiction_in_the_browser(console: Console, browser: Browser) -> None:
    case = await console.seed(0)
    page = await sign_in(browser, console, "reviewer.ft")
    await page.wait_for_url("**/console/queue")
    answer = await page.goto(f"{console.base_url}/console/cases/{case.id}")
    assert answer is not None
    assert answer.status == 404
    forged = await page.request.post(f"{console.base_url}/console/cases/{case.id}/claim",
                                     form={"version": "1"})  # fmt: skip
    assert forged.status == 403
    await shot(page, "08-not-found")
