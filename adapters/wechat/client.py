"""WeChat server API client: ``jscode2session`` for driver sign-in."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from settlement.errors import InvalidLoginCode, RateLimited, UpstreamUnavailable
from settlement.ports.identity import WeChatIdentity

log = logging.getLogger(__name__)

SYSTEM_BUSY = -1
INVALID_CODE = 40029
CODE_USED = 40163
RATE_LIMITED = 45011
RISKY_USER = 40226


class WeChatApiClient:
    """Calls WeChat's server API at ``base_url`` (the real one, or a simulator in tests).

    Args:
        base_url: e.g. ``https://api.weixin.qq.com``.
        timeout_s: per-request deadline; WeChat calls sit on the sign-in path.
    """

    def __init__(
        self, *, base_url: str, app_id: str, app_secret: str, timeout_s: float = 5.0
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._app_id = app_id
        self._app_secret = app_secret
        self._timeout_s = timeout_s

    async def code_to_session(self, code: str) -> WeChatIdentity:
        payload = await self._jscode2session(code)
        if payload.get("errcode", 0) == SYSTEM_BUSY:
            # WeChat asks callers to retry a busy answer once; jitter spreads the retries.
            await asyncio.sleep(0.05 + random.random() * 0.1)
            payload = await self._jscode2session(code)
        errcode = _errcode(payload)
        if errcode == 0 and payload.get("openid"):
            return WeChatIdentity(
                openid=str(payload["openid"]),
                unionid=_optional_str(payload.get("unionid")),
                session_key=str(payload.get("session_key", "")),
            )
        log.warning("wechat jscode2session refused", extra={"errcode": errcode})
        if errcode in (INVALID_CODE, CODE_USED):
            raise InvalidLoginCode(
                "The WeChat login code is invalid or was already used; call wx.login again.",
                wechat_errcode=errcode,
            )
        if errcode == RATE_LIMITED:
            raise RateLimited(
                "Too many sign-in attempts; wait a minute and try again.", wechat_errcode=errcode
            )
        if errcode == RISKY_USER:
            raise InvalidLoginCode(
                "WeChat has blocked sign-in for this account.", wechat_errcode=errcode
            )
        raise UpstreamUnavailable(
            "WeChat sign-in is not available right now; try again shortly.",
            wechat_errcode=errcode,
        )

    async def _jscode2session(self, code: str) -> dict[str, object]:
        query = urlencode(
            {
                "appid": self._app_id,
                "secret": self._app_secret,
                "js_code": code,
                "grant_type": "authorization_code",
            }
        )
        request = HTTPRequest(
            f"{self._base_url}/sns/jscode2session?{query}",
            request_timeout=self._timeout_s,
            connect_timeout=self._timeout_s,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=True)
        except HTTPClientError as exc:
            # The URL carries the secret: never log the request or the exception text.
            log.warning("wechat http error", extra={"status": exc.code})
            return {"errcode": SYSTEM_BUSY}
        except (OSError, TimeoutError):
            log.warning("wechat unreachable")
            return {"errcode": SYSTEM_BUSY}
        try:
            parsed = json.loads(response.body)
        except ValueError:
            return {"errcode": SYSTEM_BUSY}
        return parsed if isinstance(parsed, dict) else {"errcode": SYSTEM_BUSY}


def _errcode(payload: dict[str, object]) -> int:
    raw = payload.get("errcode", 0)
    return raw if isinstance(raw, int) else SYSTEM_BUSY


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) else None
