"""A WeChat server-API simulator on loopback, for tests and demos.

It behaves like WeChat where the service depends on it: login codes are single-use and
expire after five minutes (40029 unknown, 40163 used), a per-user rate limit (45011),
``-1`` system busy on demand, ``stable_token`` and subscription messages (43101 when the
user has not subscribed).
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

CODE_LIFETIME_S = 300.0


@dataclass
class WeChatState:
    app_id: str
    app_secret: str
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)  # code → (openid, issued)
    used: set[str] = field(default_factory=set)
    scripted_errors: list[int] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    subscribed: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)
    access_token: str = field(default_factory=lambda: secrets.token_hex(16))


class WeChatSimulator:
    """Start with :meth:`start`; issue login codes with :meth:`login`."""

    def __init__(self, app_id: str = "wx-test-app", app_secret: str = "test-secret") -> None:  # noqa: S107
        self.state = WeChatState(app_id=app_id, app_secret=app_secret)
        self._server: HTTPServer | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def login(self, openid: str | None = None) -> str:
        """What ``wx.login`` gives the client: a fresh code for ``openid``."""
        code = secrets.token_urlsafe(24)
        self.state.codes[code] = (openid or f"o_{secrets.token_hex(8)}", time.monotonic())
        return code

    def fail_next(self, errcode: int, times: int = 1) -> None:
        self.state.scripted_errors.extend([errcode] * times)

    def start(self) -> None:
        app = Application(
            [
                (r"/sns/jscode2session", _Code2SessionHandler, {"state": self.state}),
                (r"/cgi-bin/stable_token", _StableTokenHandler, {"state": self.state}),
                (r"/cgi-bin/message/subscribe/send", _SubscribeSendHandler, {"state": self.state}),
            ]
        )
        sockets = bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(app)
        self._server.add_sockets(sockets)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


class _Handler(RequestHandler):
    def initialize(self, state: WeChatState) -> None:
        self.state = state

    def reply(self, payload: dict[str, Any]) -> None:
        # WeChat answers HTTP 200 with an errcode in the body, even for errors.
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))

    def scripted(self) -> int | None:
        return self.state.scripted_errors.pop(0) if self.state.scripted_errors else None


class _Code2SessionHandler(_Handler):
    def get(self) -> None:
        self.state.calls["jscode2session"] += 1
        if (
            self.get_query_argument("appid", "") != self.state.app_id
            or self.get_query_argument("secret", "") != self.state.app_secret
        ):
            self.reply({"errcode": 40013, "errmsg": "invalid appid"})
            return
        scripted = self.scripted()
        if scripted is not None:
            self.reply({"errcode": scripted, "errmsg": "scripted failure"})
            return
        code = self.get_query_argument("js_code", "")
        if code in self.state.used:
            self.reply({"errcode": 40163, "errmsg": "code been used"})
            return
        issued = self.state.codes.get(code)
        if issued is None or time.monotonic() - issued[1] > CODE_LIFETIME_S:
            self.reply({"errcode": 40029, "errmsg": "invalid code"})
            return
        self.state.used.add(code)
        self.reply({"openid": issued[0], "session_key": secrets.token_hex(12)})


class _StableTokenHandler(_Handler):
    def post(self) -> None:
        self.state.calls["stable_token"] += 1
        self.reply({"access_token": self.state.access_token, "expires_in": 7200})


class _SubscribeSendHandler(_Handler):
    def post(self) -> None:
        self.state.calls["subscribe_send"] += 1
        if self.get_query_argument("access_token", "") != self.state.access_token:
            self.reply({"errcode": 40001, "errmsg": "invalid credential"})
            return
        scripted = self.scripted()
        if scripted is not None:
            self.reply({"errcode": scripted, "errmsg": "scripted failure"})
            return
        try:
            message = json.loads(self.request.body)
        except ValueError:
            self.reply({"errcode": 47001, "errmsg": "data format error"})
            return
        if message.get("touser") not in self.state.subscribed:
            self.reply({"errcode": 43101, "errmsg": "user refuse to accept the msg"})
            return
        self.state.messages.append(message)
        self.reply({"errcode": 0, "errmsg": "ok"})
