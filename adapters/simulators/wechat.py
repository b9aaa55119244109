"""A WeChat server-API simulator on loopback, for tests and demos.

It behaves like WeChat where the service depends on it: login codes are single-use and
expire after five minutes (40029 unknown, 40163 used), a per-user rate limit (45011),
``-1`` system busy on demand, ``stable_token``, subscription messages (43101 when the user
has no accepted subscription left: one acceptance is one message), phone-number codes
(``getuserphonenumber``, single use) and mini-program codes (``getwxacodeunlimit``: a PNG
that carries its scene and page in a text chunk, so tests can read what a scan opens).

What the phone does is under ``/sim/`` for test clients (a mini-program shim, a demo):
``POST /sim/login-code {"user"}`` → ``{"code"}`` (what ``wx.login`` gives that named user),
``POST /sim/phone-code {"user", "phone"}`` → ``{"code"}`` (the ``getPhoneNumber`` button),
``POST /sim/subscribe {"user", "template_ids"}`` (``wx.requestSubscribeMessage`` accepted),
``GET /sim/messages?user=`` (messages delivered),
``POST /sim/fail-next {"errcode", "times", "api"}`` (the next calls of one API fail).

    python -m adapters.simulators.wechat --port 8900 --app-id wx-dev-app --app-secret dev
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import secrets
import signal
import struct
import time
import zlib
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
    scripted_by_api: dict[str, list[int]] = field(default_factory=dict)
    """Failures for one API only (``jscode2session``, ``getwxacodeunlimit``, …)."""
    calls: Counter[str] = field(default_factory=Counter)
    subscribed: set[str] = field(default_factory=set)
    """Openids that accept every message (older tests); others need a quota."""
    quota: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(openid, template id) → accepted one-time subscriptions left."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    phone_codes: dict[str, str] = field(default_factory=dict)  # code → phone number
    wxacodes: list[dict[str, Any]] = field(default_factory=list)
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

    def login_as(self, user: str) -> str:
        """A login code for the named test user (the same user always has the same openid)."""
        return self.login(openid_of(user))

    def phone_code(self, phone: str) -> str:
        """What the ``getPhoneNumber`` button gives the client for ``phone``."""
        code = secrets.token_urlsafe(18)
        self.state.phone_codes[code] = phone
        return code

    def subscribe(self, openid: str, template_ids: list[str]) -> None:
        """The user accepted these templates once each (``wx.requestSubscribeMessage``)."""
        for template in template_ids:
            self.state.quota[(openid, template)] += 1

    def fail_next(self, errcode: int, times: int = 1, api: str = "") -> None:
        """The next ``times`` calls (of ``api`` only, when named) answer ``errcode``."""
        if api:
            self.state.scripted_by_api.setdefault(api, []).extend([errcode] * times)
        else:
            self.state.scripted_errors.extend([errcode] * times)

    def start(self, port: int = 0) -> None:
        app = Application(
            [
                (r"/sns/jscode2session", _Code2SessionHandler, {"state": self.state}),
                (r"/cgi-bin/stable_token", _StableTokenHandler, {"state": self.state}),
                (r"/cgi-bin/message/subscribe/send", _SubscribeSendHandler, {"state": self.state}),
                (r"/wxa/business/getuserphonenumber", _PhoneNumberHandler, {"state": self.state}),
                (r"/wxa/getwxacodeunlimit", _WxacodeHandler, {"state": self.state}),
                (r"/sim/(login-code|phone-code|subscribe|fail-next)", _SimHandler,
                 {"state": self.state, "simulator": self}),
                (r"/sim/messages", _SimMessagesHandler, {"state": self.state}),
            ]
        )  # fmt: skip
        sockets = bind_sockets(port, "127.0.0.1")
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

    def scripted(self, api: str = "") -> int | None:
        targeted = self.state.scripted_by_api.get(api)
        if targeted:
            return targeted.pop(0)
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
        scripted = self.scripted("jscode2session")
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
        scripted = self.scripted("subscribe_send")
        if scripted is not None:
            self.reply({"errcode": scripted, "errmsg": "scripted failure"})
            return
        try:
            message = json.loads(self.request.body)
        except ValueError:
            self.reply({"errcode": 47001, "errmsg": "data format error"})
            return
        grant = (str(message.get("touser")), str(message.get("template_id")))
        if message.get("touser") in self.state.subscribed:
            pass
        elif self.state.quota[grant] > 0:
            self.state.quota[grant] -= 1  # one acceptance, one message
        else:
            self.reply({"errcode": 43101, "errmsg": "user refuse to accept the msg"})
            return
        self.state.messages.append(message)
        self.reply({"errcode": 0, "errmsg": "ok"})


def openid_of(user: str) -> str:
    """The simulated openid of a named test user."""
    return "o_sim_" + hashlib.sha256(user.encode()).hexdigest()[:20]


def _json_call(handler: _Handler, name: str) -> dict[str, Any] | None:
    """Count the call, check the access token, play a scripted failure, parse the body;
    None when an error answer was already given."""
    handler.state.calls[name] += 1
    if handler.get_query_argument("access_token", "") != handler.state.access_token:
        handler.reply({"errcode": 40001, "errmsg": "invalid credential"})
        return None
    scripted = handler.scripted(name)
    if scripted is not None:
        handler.reply({"errcode": scripted, "errmsg": "scripted failure"})
        return None
    try:
        parsed = json.loads(handler.request.body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        handler.reply({"errcode": 47001, "errmsg": "data format error"})
        return None
    return parsed


class _PhoneNumberHandler(_Handler):
    def post(self) -> None:
        request = _json_call(self, "getuserphonenumber")
        if request is None:
            return
        phone = self.state.phone_codes.pop(str(request.get("code", "")), None)  # single use
        if phone is None:
            self.reply({"errcode": 40029, "errmsg": "invalid code"})
            return
        self.reply(
            {
                "errcode": 0,
                "errmsg": "ok",
                "phone_info": {
                    "phoneNumber": phone,
                    "purePhoneNumber": phone,
                    "countryCode": "86",
                    "watermark": {"timestamp": int(time.time()), "appid": self.state.app_id},
                },
            }
        )


class _WxacodeHandler(_Handler):
    def post(self) -> None:
        request = _json_call(self, "getwxacodeunlimit")
        if request is None:
            return
        scene, page = str(request.get("scene", "")), str(request.get("page", ""))
        if not 0 < len(scene) <= 32:
            self.reply({"errcode": 40169, "errmsg": "invalid length for scene"})
            return
        self.state.wxacodes.append({"scene": scene, "page": page})
        self.set_header("Content-Type", "image/png")
        self.finish(wxacode_png(scene, page))


def wxacode_png(scene: str, page: str) -> bytes:
    """A small valid PNG whose ``tEXt`` chunk says what a scan would open."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )  # fmt: skip

    size = 8
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8x8 greyscale
    pixels = zlib.compress(b"".join(b"\x00" + bytes([0x20] * size) for _ in range(size)))
    text = b"wxacode\x00" + json.dumps({"scene": scene, "page": page}).encode()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"tEXt", text)
        + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )  # fmt: skip


class _SimHandler(_Handler):
    """What a phone does, for test clients: sign-in codes, phone codes, subscriptions."""

    def initialize(self, state: WeChatState, simulator: WeChatSimulator) -> None:  # type: ignore[override]
        super().initialize(state)
        self.simulator = simulator

    def post(self, action: str) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self.set_status(400)
            self.reply({"error": "send a JSON object"})
            return
        user = str(body.get("user", "")).strip()
        if action == "fail-next":
            self.simulator.fail_next(int(body.get("errcode", -1)), int(body.get("times", 1)),
                                     str(body.get("api", "")))  # fmt: skip
            self.reply({"ok": True})
            return
        if not user:
            self.set_status(400)
            self.reply({"error": "name the user"})
            return
        if action == "login-code":
            self.reply({"code": self.simulator.login_as(user), "openid": openid_of(user)})
        elif action == "phone-code":
            self.reply({"code": self.simulator.phone_code(str(body.get("phone", "")))})
        else:
            templates = [str(t) for t in body.get("template_ids") or []]
            self.simulator.subscribe(openid_of(user), templates)
            self.reply({"accepted": templates})


class _SimMessagesHandler(_Handler):
    def get(self) -> None:
        user = self.get_query_argument("user", "")
        openid = openid_of(user) if user else None
        self.reply(
            {"messages": [m for m in self.state.messages if openid in (None, m.get("touser"))]}
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="WeChat server-API simulator on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--app-id", default="wx-dev-app")
    parser.add_argument("--app-secret", default="dev-secret")
    args = parser.parse_args(argv)

    async def run() -> None:
        simulator = WeChatSimulator(app_id=args.app_id, app_secret=args.app_secret)
        simulator.start(args.port)
        print(f"wechat simulator listening on {simulator.base_url}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        simulator.stop()

    asyncio.run(run())


if __name__ == "__main__":
    main()
