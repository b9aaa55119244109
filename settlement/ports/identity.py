"""Ports for clocks, identifiers and the WeChat login exchange."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from settlement.ports.outbox import Transaction


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


class Sealer(Protocol):
    """Authenticated encryption of small secrets; ``context`` is bound to the value."""

    def seal(self, plaintext: str, context: str) -> bytes: ...

    def open(self, sealed: bytes, context: str) -> str | None:
        """The plaintext, or None when the value is not ours or was altered."""


class RecipientStore(Protocol):
    """Drivers' WeChat openids and verified phone numbers, kept sealed at rest."""

    async def remember(self, user_id: str, openid: str) -> None:
        """Record the openid ``user_id`` signed in with (notices go there)."""

    async def openid_for(self, user_id: str) -> str | None:
        """The openid to notify ``user_id`` at, or None when there is none."""

    async def remember_phone(self, user_id: str, phone: str, *,
                             tx: Transaction | None = None) -> None:  # fmt: skip
        """Record a phone number WeChat verified for ``user_id`` (inside ``tx`` when given)."""

    async def verified_phone(self, user_id: str) -> str | None: ...


class WeChatServerApi(Protocol):
    async def phone_number(self, code: str) -> str:
        """Exchange a ``getPhoneNumber`` code for the verified number.

        Raises:
            InvalidInput: the code is invalid or used. UpstreamUnavailable: WeChat is down.
        """

    async def unlimited_code(self, scene: str, page: str, *, check_path: bool) -> bytes:
        """A mini-program code image opening ``page`` with ``scene``.

        Raises:
            UpstreamUnavailable: WeChat gave no image.
        """
