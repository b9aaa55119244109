"""Ports for clocks, identifiers and the WeChat login exchange."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class IdGenerator(Protocol):
    def case_id(self) -> str: ...

    def token(self) -> str:
        """An unguessable bearer token."""

    def join_code(self) -> str:
        """A short numeric code a person can type."""

    def nonce(self) -> str: ...


@dataclass(frozen=True, slots=True)
class WeChatIdentity:
    openid: str
    unionid: str | None = None
    # Kept server-side only; never serialised to a client or a log.
    session_key: str = field(default="", repr=False)


class WeChatAuth(Protocol):
    async def code_to_session(self, code: str) -> WeChatIdentity:
        """Exchange a ``wx.login`` code at WeChat's ``jscode2session``.

        Raises:
            InvalidLoginCode: the code is invalid or already used (40029, 40163).
            RateLimited: WeChat's per-user limit was hit (45011).
            UpstreamUnavailable: WeChat is busy or unreachable (-1, network errors).
        """
