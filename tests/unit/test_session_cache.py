"""Recognising bearer tokens: the per-process session cache never outlives a token, nor a
sign-out (at once in the process that signs out, within SESSION_CACHE_S elsewhere)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from settlement.errors import NotAuthenticated, TokenExpired
from settlement.ports.cases import Session
from settlement.services import auth as auth_module
from settlement.services.auth import SESSION_CACHE_S, DriverAuth, digest

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


class Sessions:
    def __init__(self, *sessions: Session) -> None:
        self.stored = {s.token_digest: s for s in sessions}
        self.reads = 0

    async def get(self, token_digest: str) -> Session | None:
        self.reads += 1
        return self.stored.get(token_digest)

    async def delete(self, token_digest: str) -> bool:
        return self.stored.pop(token_digest, None) is not None


def auth(sessions: Sessions, clock: Clock) -> DriverAuth:
    return DriverAuth(wechat=None, sessions=sessions, clock=clock, ids=None,  # type: ignore[arg-type]
                      app_id="wx", token_ttl=timedelta(hours=2))  # fmt: skip


async def test_a_cached_session_is_refused_once_it_expires() -> None:
    clock = Clock()
    sessions = Sessions(Session(digest("tok"), "u_1", NOW + timedelta(minutes=1)))
    driver_auth = auth(sessions, clock)
    assert await driver_auth.authenticate("tok") == "u_1"
    assert await driver_auth.authenticate("tok") == "u_1"
    assert sessions.reads == 1  # the second call was answered from the cache
    clock.at = NOW + timedelta(minutes=1)
    with pytest.raises(TokenExpired):
        await driver_auth.authenticate("tok")


async def test_unknown_tokens_are_never_cached_as_valid() -> None:
    sessions = Sessions()
    driver_auth = auth(sessions, Clock())
    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            await driver_auth.authenticate("forged")
    assert sessions.reads == 2


async def test_signing_out_ends_the_cached_session_at_once() -> None:
    sessions = Sessions(Session(digest("tok"), "u_1", NOW + timedelta(hours=1)))
    driver_auth = auth(sessions, Clock())
    assert await driver_auth.authenticate("tok") == "u_1"
    assert await driver_auth.sign_out("tok")
    with pytest.raises(NotAuthenticated):
        await driver_auth.authenticate("tok")
    assert not await driver_auth.sign_out("tok")  # nothing left to end


async def test_a_sign_out_elsewhere_is_honoured_once_the_cache_bound_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sessions = Sessions(Session(digest("tok"), "u_1", NOW + timedelta(hours=1)))
    here, elsewhere = auth(sessions, Clock()), auth(sessions, Clock())
    monotonic = [1000.0]
    # Only the auth module's clock: the event loop keeps the real one.
    monkeypatch.setattr(auth_module, "time", SimpleNamespace(monotonic=lambda: monotonic[0]))
    assert await here.authenticate("tok") == "u_1"
    assert await elsewhere.sign_out("tok")
    monotonic[0] += SESSION_CACHE_S - 0.1
    assert await here.authenticate("tok") == "u_1"  # still within the documented bound
    monotonic[0] += 0.2
    with pytest.raises(NotAuthenticated):
        await here.authenticate("tok")
