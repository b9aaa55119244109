"""The sandbox's sign-in page: a tester becomes a named driver without a phone.

Only ``settlement sandbox`` mounts it. The page mints a WeChat login code through the
WeChat simulator, then signs in exactly as the mini-program does (the code goes through
the real ``jscode2session`` exchange), and shows the bearer token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import tornado.web

from adapters.http.base import public
from adapters.http.front.handlers import PageHandler
from settlement.config import Settings
from settlement.errors import SettlementError
from settlement.services.container import Services

MAX_NAME_LENGTH = 32


def sandbox_openid(name: str) -> str:
    """The simulated WeChat identity of a named tester (stable across runs)."""
    return f"sandbox-{name}"


class SandboxSignInHandler(PageHandler):
    def initialize(  # type: ignore[override]
        self,
        services: Services,
        settings: Settings,
        mint_code: Callable[[str], str],
        drivers: Sequence[str],
    ) -> None:
        super().initialize(services, settings)
        self.mint_code = mint_code
        self.drivers = drivers

    @public
    def get(self) -> None:
        self.render("sandbox.html", drivers=self.drivers, signed_in=None, error=None)

    @public
    async def post(self) -> None:
        self.check_xsrf_cookie()
        name = self.get_body_argument("name", "").strip()
        if not name or len(name) > MAX_NAME_LENGTH or not name.isprintable():
            self.set_status(422)
            self.render(
                "sandbox.html", drivers=self.drivers, signed_in=None,
                error=f"请输入 1–{MAX_NAME_LENGTH} 个字符的姓名 "
                f"(a name of 1–{MAX_NAME_LENGTH} characters)",
            )  # fmt: skip
            return
        code = self.mint_code(sandbox_openid(name))
        try:
            session, token = await self.services.auth.sign_in(code)
        except SettlementError as exc:
            self.set_status(503)
            self.render("sandbox.html", drivers=self.drivers, signed_in=None, error=str(exc))
            return
        base = f"{self.request.protocol}://{self.request.host}"
        self.render(
            "sandbox.html", drivers=self.drivers, error=None,
            signed_in={"name": name, "token": token, "user_id": session.user_id, "base": base},
        )  # fmt: skip


def sandbox_routes(
    mint_code: Callable[[str], str], drivers: Sequence[str]
) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any] | None]]:
    return [
        (r"/sandbox/?", SandboxSignInHandler, {"mint_code": mint_code, "drivers": drivers}),
    ]
