"""WeChatNotifier: subscription messages, phone numbers and mini-program codes over WeChat's
server API (one access token shared by all of them).

Access tokens come from ``getStableAccessToken`` (``POST /cgi-bin/stable_token``),
fetched once per refresh window and shared by every send: concurrent sends wait for
the one fetch in flight. An answer saying the token is invalid or expired
(40001/42001) forces one refresh and one resend. Errcodes are translated with
:func:`settlement.domain.exchange.wechat_errcode_is_final`: 43101 is RecipientRefused
(final), other final codes UpstreamRejected, -1 and 45xxx retryable.

The access token is a secret: it is never logged, and neither are the URLs carrying it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from settlement.domain.exchange import SubscriptionMessage, wechat_errcode_is_final
from settlement.errors import (
    InvalidInput,
    RecipientRefused,
    UpstreamRejected,
    UpstreamThrottled,
    UpstreamUnavailable,
)

log = logging.getLogger(__name__)

RECIPIENT_REFUSED = 43101
TOKEN_INVALID = frozenset({40001, 42001})
REFRESH_MARGIN_S = 300.0
"""Refresh this long before WeChat's expiry, so no send races the deadline."""


class WeChatNotifier:
    """Sends subscription messages through ``base_url`` (WeChat, or a simulator).

    Args:
        base_url: e.g. ``https://api.weixin.qq.com``.
        app_id, app_secret: the mini program's credentials.
        timeout_s: per-request deadline.
        clock: monotonic seconds (for tests).
    """

    def __init__(
        self,
        *,
        base_url: str,
        app_id: str,
        app_secret: str,
        timeout_s: float = 5.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._app_id = app_id
        self._app_secret = app_secret
        self._timeout_s = timeout_s
        self._clock = clock or time.monotonic
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def send(self, message: SubscriptionMessage) -> None:
        body = json.dumps(
            {
                "touser": message.openid,
                "template_id": message.template_id,
                "page": message.page,
                "data": {key: {"value": value} for key, value in message.data.items()},
                "miniprogram_state": message.miniprogram_state,
                "lang": message.lang,
            },
            ensure_ascii=False,
        )
        token = await self._access_token()
        errcode = await self._send(token, body)
        if errcode in TOKEN_INVALID:
            token = await self._access_token(force=True, stale=token)
            errcode = await self._send(token, body)
        if errcode == 0:
            return
        log.warning("wechat subscribe/send refused: errcode %d", errcode)
        if errcode == RECIPIENT_REFUSED:
            raise RecipientRefused(
                "The driver has no subscription left for this message.", wechat_errcode=errcode
            )
        if wechat_errcode_is_final(errcode):
            raise UpstreamRejected("WeChat refused the message.", wechat_errcode=errcode)
        if 45000 <= errcode < 46000:
            raise UpstreamThrottled("WeChat asks us to slow down.", wechat_errcode=errcode)
        raise UpstreamUnavailable("WeChat could not take the message now.", wechat_errcode=errcode)

    async def _access_token(self, *, force: bool = False, stale: str | None = None) -> str:
        async with self._lock:
            fresh = self._token is not None and self._clock() < self._expires_at
            # Another send may already have replaced the stale token while we waited.
            if fresh and not (force and self._token == stale):
                assert self._token is not None  # noqa: S101 - fresh implies a token
                return self._token
            payload = await self._post(
                "/cgi-bin/stable_token",
                json.dumps(
                    {
                        "grant_type": "client_credential",
                        "appid": self._app_id,
                        "secret": self._app_secret,
                        "force_refresh": force,
                    }
                ),
            )
            token = payload.get("access_token")
            if not isinstance(token, str) or not token:
                errcode = payload.get("errcode", -1)
                log.warning("wechat stable_token refused: errcode %s", errcode)
                raise UpstreamUnavailable(
                    "WeChat did not issue an access token.", wechat_errcode=errcode
                )
            expires_in = payload.get("expires_in", 7200)
            lifetime = float(expires_in) if isinstance(expires_in, int | float) else 7200.0
            self._token = token
            self._expires_at = self._clock() + max(lifetime - REFRESH_MARGIN_S, 60.0)
            return token

    async def phone_number(self, code: str) -> str:
        """Exchange a ``getPhoneNumber`` button code (single use) for the verified number.

        Raises:
            InvalidInput: the code is invalid or used (40029, 40163): ask the driver again.
            UpstreamUnavailable: WeChat is busy or unreachable.
        """
        body = json.dumps({"code": code})
        payload = await self._with_token("/wxa/business/getuserphonenumber", body)
        info = payload.get("phone_info")
        number = info.get("phoneNumber") if isinstance(info, dict) else None
        if payload.get("errcode", 0) == 0 and isinstance(number, str) and number:
            return number
        errcode = payload.get("errcode", -1)
        log.warning("wechat getuserphonenumber refused: errcode %s", errcode)
        if errcode in (40029, 40163):
            raise InvalidInput(
                "The phone-number permission has expired or was used; tap the button again.",
                field="code",
            )
        raise UpstreamUnavailable("WeChat could not confirm the phone number now.",
                                  wechat_errcode=errcode)  # fmt: skip

    async def unlimited_code(self, scene: str, page: str, *, check_path: bool) -> bytes:
        """A mini-program code (``wxacode.getUnlimited``) opening ``page`` with ``scene``.

        Raises:
            UpstreamUnavailable: WeChat answered with an error instead of an image.
        """
        body = json.dumps({"scene": scene, "page": page, "check_path": check_path,
                           "width": 430})  # fmt: skip
        token = await self._access_token()
        content_type, raw = await self._fetch(f"/wxa/getwxacodeunlimit?access_token={token}", body)
        if content_type.startswith("image/") and raw:
            return raw
        errcode = _errcode_of(raw)
        if errcode in TOKEN_INVALID:
            token = await self._access_token(force=True, stale=token)
            content_type, raw = await self._fetch(
                f"/wxa/getwxacodeunlimit?access_token={token}", body
            )
            if content_type.startswith("image/") and raw:
                return raw
            errcode = _errcode_of(raw)
        log.warning("wechat getwxacodeunlimit refused: errcode %s", errcode)
        raise UpstreamUnavailable("WeChat could not make the join code picture now.",
                                  wechat_errcode=errcode)  # fmt: skip

    async def _with_token(self, path: str, body: str) -> dict[str, object]:
        token = await self._access_token()
        payload = await self._post(f"{path}?access_token={token}", body)
        if payload.get("errcode") in TOKEN_INVALID:
            token = await self._access_token(force=True, stale=token)
            payload = await self._post(f"{path}?access_token={token}", body)
        return payload

    async def _send(self, token: str, body: str) -> int:
        payload = await self._post(f"/cgi-bin/message/subscribe/send?access_token={token}", body)
        errcode = payload.get("errcode", 0)
        return errcode if isinstance(errcode, int) else -1

    async def _post(self, path: str, body: str) -> dict[str, object]:
        _, raw = await self._fetch(path, body)
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {"errcode": -1}
        return parsed if isinstance(parsed, dict) else {"errcode": -1}

    async def _fetch(self, path: str, body: str) -> tuple[str, bytes]:
        """POST ``body``; (content type, body bytes), or an errcode -1 document on failure."""
        request = HTTPRequest(
            self._base_url + path,
            method="POST",
            body=body.encode(),
            headers={"Content-Type": "application/json"},
            request_timeout=self._timeout_s,
            connect_timeout=self._timeout_s,
        )
        failed = ("application/json", b'{"errcode": -1}')
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=True)
        except HTTPClientError as exc:
            # The URL may carry the access token: log the status only.
            log.warning("wechat http error %s", exc.code)
            return failed
        except (OSError, TimeoutError):
            log.warning("wechat unreachable")
            return failed
        return response.headers.get("Content-Type", ""), response.body


def _errcode_of(raw: bytes) -> object:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return -1
    return parsed.get("errcode", -1) if isinstance(parsed, dict) else -1
