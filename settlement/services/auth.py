"""Driver sign-in: a ``wx.login`` code becomes the service's own opaque bearer token."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from datetime import timedelta

from settlement.domain.audit import AuditEvent, AuditOutcome, clean_details
from settlement.errors import InvalidLoginCode, NotAuthenticated, RateLimited, TokenExpired
from settlement.ports.cases import Session, SessionStore
from settlement.ports.identity import Clock, IdGenerator, RecipientStore, WeChatAuth
from settlement.services.audit import AuditTrail

SESSION_CACHE_S = 30.0
SESSION_CACHE_SIZE = 10_000


def digest(secret: str) -> str:
    """What is stored instead of a token or code: a leaked table grants nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


class DriverAuth:
    """Sign drivers in through WeChat and recognise their tokens.

    Args:
        app_id: the mini-program's app id; user ids are derived per app from the openid.
        token_ttl: how long an issued token is valid.
        recipients: where the openid is recorded for notices (none: no notices).
        audit: where refused sign-ins are recorded as security events.
    """

    def __init__(
        self,
        *,
        wechat: WeChatAuth,
        sessions: SessionStore,
        clock: Clock,
        ids: IdGenerator,
        app_id: str,
        token_ttl: timedelta,
        recipients: RecipientStore | None = None,
        audit: AuditTrail | None = None,
    ) -> None:
        self._recipients = recipients
        self._audit = audit
        self._wechat = wechat
        self._sessions = sessions
        self._clock = clock
        self._ids = ids
        self._app_id = app_id
        self._token_ttl = token_ttl
        # A weak network makes the client post the same code twice at once; WeChat
        # would answer the second exchange with 40163, so concurrent posts share one.
        self._in_flight: dict[str, asyncio.Future[tuple[Session, str]]] = {}
        # Every API call authenticates; remembering recent sessions briefly saves a
        # database round trip per request (sessions are not revoked before expiry).
        self._recent: OrderedDict[str, tuple[Session, float]] = OrderedDict()

    async def sign_in(self, code: str) -> tuple[Session, str]:
        """Exchange a login code; the same code again within its life gives the same token.

        Returns:
            The session and the bearer token to hand to the client.
        """
        code_digest = digest(code)
        earlier = await self._sessions.find_by_login_code(code_digest)
        if earlier is not None:
            return earlier
        pending = self._in_flight.get(code_digest)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[tuple[Session, str]] = asyncio.get_running_loop().create_future()
        self._in_flight[code_digest] = future
        try:
            result = await self._exchange(code, code_digest)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: nobody else may be waiting
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._in_flight[code_digest]

    async def _exchange(self, code: str, code_digest: str) -> tuple[Session, str]:
        try:
            identity = await self._wechat.code_to_session(code)
        except (InvalidLoginCode, RateLimited) as refused:
            # WeChat refused the code (bad, used, expired, blocked) or us (too many): a
            # security event, recorded before the answer. An outage is not one.
            await self._record_refusal(code_digest, refused)
            raise
        if self._recipients is not None:
            # Notices go to the openid the driver signs in with (sealed at rest).
            await self._recipients.remember(self.user_id_for(identity.openid), identity.openid)
        token = self._ids.token()
        session = Session(
            token_digest=digest(token),
            user_id=self.user_id_for(identity.openid),
            expires_at=self._clock.now() + self._token_ttl,
        )
        stored = await self._sessions.create(session, code_digest, token)
        if stored.token_digest != session.token_digest:
            # Another process exchanged the same code first; its token stands.
            found = await self._sessions.find_by_login_code(code_digest)
            if found is not None:
                return found
        return session, token

    async def _record_refusal(self, code_digest: str, refused: InvalidLoginCode | RateLimited
                              ) -> None:  # fmt: skip
        if self._audit is None:
            return
        # Never the code itself: a short prefix of its digest ties retries together.
        details = clean_details({"error": refused.code, "code_ref": code_digest[:8],
                                 "wechat_errcode": refused.details.get("wechat_errcode")})
        outcome: AuditOutcome = "denied" if isinstance(refused, RateLimited) else "failure"
        await self._audit.record(AuditEvent(actor="anonymous", actor_kind="system", role="driver",
                                            action="auth.wechat_login", outcome=outcome,
                                            details=details))  # fmt: skip

    def user_id_for(self, openid: str) -> str:
        """A stable pseudonymous user id: the openid itself is never stored with cases."""
        return "u_" + hashlib.sha256(f"{self._app_id}:{openid}".encode()).hexdigest()[:24]

    async def authenticate(self, token: str) -> str:
        """The user id behind a bearer token.

        Raises:
            NotAuthenticated: unknown or forged token.
            TokenExpired: the token was valid but has expired.
        """
        session = await self._session(digest(token))
        if session is None:
            raise NotAuthenticated("Sign in again: the access token is not valid.")
        if session.expires_at <= self._clock.now():
            raise TokenExpired("Sign in again: the access token has expired.")
        return session.user_id

    async def _session(self, token_digest: str) -> Session | None:
        now = time.monotonic()
        cached = self._recent.get(token_digest)
        if cached is not None and now - cached[1] < SESSION_CACHE_S:
            return cached[0]
        session = await self._sessions.get(token_digest)
        if session is not None:
            self._recent[token_digest] = (session, now)
            self._recent.move_to_end(token_digest)
            while len(self._recent) > SESSION_CACHE_SIZE:
                self._recent.popitem(last=False)
        return session
