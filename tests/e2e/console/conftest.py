"""The whole service on loopback (as the ``api`` fixture runs it) with console accounts and
police-review cases seeded through the real use cases.

The only setting changed from ``api`` is ``console_secure_cookies=False``: the browser
talks plain http to 127.0.0.1, where ``Secure`` and ``__Host-`` cookies are not kept.
"""

from __future__ import annotations

import functools
import json
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from adapters.demo_scenes import scene_jpeg
from adapters.simulators.wechat import WeChatSimulator
from settlement.bootstrap import open_runtime, start_servers
from settlement.cli.demo import demo_specs, seed_case
from settlement.domain.case import Case
from tests.e2e.conftest import Api, make_settings

PASSWORD = "correct horse battery staple"
OFFICERS = {"reviewer.ns": ("李明", "031245")}
"""Name and badge number printed on the documents a reviewer issues."""
_scene = functools.cache(scene_jpeg)
"""One picture per seed, as in the demo: a reused seed is an exact copy of the photo."""
ACCOUNTS = (
    ("reviewer.ns", "reviewer", "440305"),
    ("reviewer.ns2", "reviewer", "440305"),
    ("reviewer.ft", "reviewer", "440304"),
    ("supervisor.ns", "supervisor", "440305"),
    ("locked.out", "reviewer", "440305"),
    ("admin.all", "admin", "*"),
)


@dataclass
class Console(Api):
    tmp: Path = Path()

    async def seed(self, index: int = 0, users: tuple[str, str] | None = None) -> Case:
        spec = demo_specs()[index]
        return await seed_case(self.runtime.services, spec, _scene, self.tmp, users)

    async def driver(self) -> tuple[str, str]:
        response = await self.call("POST", "/api/v1/auth/wechat", {"code": self.wechat.login()})
        answer = json.loads(response.body)
        return answer["token"], answer["user_id"]


@pytest.fixture
async def console(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path
                  ) -> AsyncIterator[Console]:  # fmt: skip
    port = free_port()
    settings = replace(make_settings(mongo_uri, wechat, tmp_path), console_secure_cookies=False,
                       http_port=port, public_base_url=f"http://127.0.0.1:{port}")  # fmt: skip
    async with open_runtime(settings) as runtime:
        staff = runtime.services.staff_auth
        assert staff is not None
        for username, role, jurisdiction in ACCOUNTS:
            await staff.create_account(username, role, jurisdiction, PASSWORD,
                                       *OFFICERS.get(username, ("", "")))  # fmt: skip
        servers = await start_servers(runtime)
        try:
            yield Console(f"http://127.0.0.1:{servers.http_port}", runtime, servers, wechat,
                          tmp=tmp_path)  # fmt: skip
        finally:
            await servers.stop(0.5)
            await runtime.mongo_client.drop_database(settings.mongo_db)


def free_port() -> int:
    """A loopback port nobody listens on now (the documents' QR codes need it up front)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browserless:
    """A cookie-keeping form client, for the HTTP-level console tests."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, form: dict[str, Any] | None = None,
                      *, xsrf: bool = True, raw: bytes | None = None) -> HTTPResponse:  # fmt: skip
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if method == "POST":
            fields = dict(form or {})
            if xsrf and "_xsrf" in self.cookies:
                fields["_xsrf"] = self.cookies["_xsrf"]
            body = raw if raw is not None else urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = await AsyncHTTPClient().fetch(
            self.base_url + path, method=method, body=body, headers=headers,
            follow_redirects=False, raise_error=False, request_timeout=30,
        )  # fmt: skip
        for header in response.headers.get_list("Set-Cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "Max-Age=0" in header or "expires=Thu, 01 Jan 1970" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    async def login(self, username: str, password: str = PASSWORD) -> HTTPResponse:
        await self.request("GET", "/console/login")
        return await self.request("POST", "/console/login",
                                  {"username": username, "password": password})  # fmt: skip


def text(response: HTTPResponse) -> str:
    return response.body.decode() if response.body else ""


def version_of(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "no claim form on the page"
    return found.group(1)


async def decide_in_console(
    base_url: str, case_id: str, decision: dict[str, str], reviewer: str = "reviewer.ns"
) -> None:
    """A reviewer signs in, takes the queued case and issues the decision (confirmed)."""
    browser = Browserless(base_url)
    await browser.login(reviewer)
    page = text(await browser.request("GET", f"/console/cases/{case_id}"))
    claimed = await browser.request("POST", f"/console/cases/{case_id}/claim",
                                    {"version": version_of(page)})  # fmt: skip
    assert claimed.code == 302, text(claimed)
    decided = await browser.request("POST", f"/console/cases/{case_id}/determine",
                                    {**decision, "confirm": "1"})  # fmt: skip
    assert decided.code in (302, 303), text(decided)
