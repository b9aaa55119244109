"""``settlement sandbox`` as a newcomer runs it: a real process, real Chromium, every user.

A tester signs in as a named driver through the sandbox page, opens a case over the API
with that token, a second tester joins; their accounts conflict, so the case goes to the
police, and a reviewer sees it in the console. The demo case the drivers signed reached the
insurer simulators; /metrics shows the traffic.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright
from tornado.httpclient import AsyncHTTPClient

from settlement.cli.demo import DEMO_PASSWORD
from tests.builders import new_case, party_details, statement
from tests.e2e.console.test_console_browser import CHROMIUM_ARGS, shot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 120


@dataclass
class Sandbox:
    base_url: str
    metrics_url: str
    process: subprocess.Popen[str]
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    port = _free_port()
    env = {
        **os.environ,
        "SETTLEMENT_HTTP_PORT": str(port), "SETTLEMENT_GRPC_PORT": "0",
        "SETTLEMENT_METRICS_PORT": "0", "PYTHONPATH": str(ROOT),
    }  # fmt: skip
    env.pop("SETTLEMENT_MONGO_URI", None)
    log = tmp_path / "sandbox.log"
    with log.open("w") as errors:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "settlement", "sandbox", "--dir", str(tmp_path / "sbx")],
            stdout=subprocess.PIPE, stderr=errors, text=True, env=env, cwd=tmp_path,
        )  # fmt: skip
    assert process.stdout is not None
    printed: list[str] = []
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        printed.append(line)
        if "Ctrl-C stops everything" in line:
            break
    text = "".join(printed)
    try:
        assert "Ctrl-C stops everything" in text, text + log.read_text()[-3000:]
        metrics = re.search(r"metrics\s+(http://\S+/metrics)", text)
        assert metrics, text
        yield Sandbox(f"http://127.0.0.1:{port}", metrics.group(1), process, log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0, log.read_text()[-3000:]


async def _token_for(page: Page, sandbox: Sandbox, name: str) -> str:
    await page.goto(f"{sandbox.base_url}/sandbox/")
    await page.fill("#name", name)
    await page.locator("form:has(#name) button").click()
    await page.locator("#token").wait_for()
    return (await page.locator("#token").inner_text()).strip()


async def _call(sandbox: Sandbox, method: str, path: str, token: str, payload: Any = None
                ) -> tuple[int, Any]:  # fmt: skip
    response = await AsyncHTTPClient().fetch(
        sandbox.base_url + path, method=method, raise_error=False,
        body=None if method == "GET" else json.dumps(payload or {}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    return response.code, json.loads(response.body or b"null")


async def test_sandbox_serves_every_user_from_one_command(sandbox: Sandbox) -> None:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed")
    async with async_playwright() as playwright:
        browser: Browser = await playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        try:
            page = await (await browser.new_context(locale="zh-CN")).new_page()
            await page.goto(sandbox.base_url + "/")
            assert await page.locator("a[href='/sandbox/']").count() == 1
            await page.locator("a[href='/api/docs']").click()
            await page.wait_for_url("**/api/docs")
            assert "/api/v1/cases" in await page.content()

            # Two testers become drivers through the sandbox page.
            alice = await _token_for(page, sandbox, "测试甲")
            await shot(page, "sandbox-01-sign-in")
            bob = await _token_for(page, sandbox, "测试乙")
            assert alice != bob

            code, case = await _call(sandbox, "POST", "/api/v1/cases", alice, new_case())
            assert code == 201, case
            case_id = case["id"]
            _, invite = await _call(sandbox, "POST", f"/api/v1/cases/{case_id}/invitation", alice)
            code, _ = await _call(sandbox, "POST", "/api/v1/cases/join", bob,
                                  {"code": invite["code"]})  # fmt: skip
            assert code == 200
            a = statement("straight", "front", other_vehicle={"manoeuvre": "reversing"})
            b = statement("stopped_in_queue", "rear", other_vehicle={"manoeuvre": "straight"})
            bob_details = party_details(name="李四", plate="粤B67890", insurer_code="CPIC",
                                        id_number="440305198505054321",
                                        licence_number="440305198505054321")  # fmt: skip
            for token, details, said in ((alice, party_details(), a), (bob, bob_details, b)):
                code, answer = await _call(sandbox, "POST", f"/api/v1/cases/{case_id}/details",
                                           token, details)  # fmt: skip
                assert code == 200, answer
                code, answer = await _call(sandbox, "POST",
                                           f"/api/v1/cases/{case_id}/statement", token, said)
                assert code == 200, answer
            code, proposed = await _call(sandbox, "POST", f"/api/v1/cases/{case_id}/proposal",
                                         alice)  # fmt: skip
            assert proposed["status"] == "police_review", proposed

            # A reviewer of the district sees it in the console queue.
            console = await (await browser.new_context(
                viewport={"width": 1440, "height": 900}, locale="zh-CN")).new_page()
            await console.goto(f"{sandbox.base_url}/console/login")
            await console.fill("input[name=username]", "reviewer.ns")
            await console.fill("input[name=password]", DEMO_PASSWORD)
            await console.click("button[type=submit]")
            await console.wait_for_url("**/console/queue")
            await console.locator(f"tr[data-case='{case_id}']").wait_for()
            await shot(console, "sandbox-02-queue")
        finally:
            await browser.close()

    # The demo accident the drivers signed reached both insurers: its claims came back filed.
    page_token = await _token_of_demo_driver(sandbox, "王强")
    deadline = time.monotonic() + 30
    statuses: list[str] = []
    while time.monotonic() < deadline:
        _, mine = await _call(sandbox, "GET", "/api/v1/cases", page_token)
        statuses = [c["status"] for c in mine["cases"]]
        if "claimed" in statuses:
            break
        await asyncio.sleep(0.3)
    assert "claimed" in statuses, statuses
    log = sandbox.log.read_text()
    assert re.search(r"insurer PICC filed PICC-\d+", log) or re.search(r"insurer \w+ filed", log)

    metrics = await AsyncHTTPClient().fetch(sandbox.metrics_url)
    text = metrics.body.decode()
    assert re.search(r'settlement_http_requests_total\{[^}]*status="201"[^}]*\} [1-9]', text)
    assert re.search(r'settlement_partner_deliveries_total\{kind="insurer.file_claim",'
                     r'outcome="delivered"\} [1-9]', text)  # fmt: skip
    assert re.search(r'settlement_photo_verdicts\{[^}]*\} [1-9]', text)


async def _token_of_demo_driver(sandbox: Sandbox, name: str) -> str:
    client = AsyncHTTPClient()
    page = await client.fetch(f"{sandbox.base_url}/sandbox/")
    cookie = page.headers.get_list("Set-Cookie")
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.body.decode())
    assert xsrf
    from urllib.parse import urlencode

    signed = await client.fetch(
        f"{sandbox.base_url}/sandbox/", method="POST",
        body=urlencode({"name": name, "_xsrf": xsrf.group(1)}),
        headers={"Cookie": "; ".join(c.split(";", 1)[0] for c in cookie)},
    )  # fmt: skip
    token = re.search(r'id="token">([^<]+)<', signed.body.decode())
    assert token
    return token.group(1).strip()
