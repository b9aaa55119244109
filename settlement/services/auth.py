"""Driver sign-in: a ``wx.login`` code becomes the service's own opaque bearer token."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from datetime import timedelta

from settlement.domain.audit import AuditEvent, AuditOutcome, clean_details
from settlement.errors import (
    ConcurrentUpdate,
    InvalidLoginCode,
    NotAuthenticated,
    RateLimited,
    SettlementError,
    TokenExpired,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from settlement.ports.cases import Session, SessionStore
from settlement.ports.claims import UnitOfWork
from settlement.ports.identity import Clock, IdGenerator, RecipientStore, WeChatAuth
from settlement.ports.outbox import Transaction
from settlement.services.audit import AuditTrail

log = logging.getLogger(__name__)

SESSION_CACHE_S = 2.0
"""How long a process trusts a session it read: a token signed out through another process
is refused here at most this long after (in the process that signed it out, at once)."""
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
        audit: where sign-ins (granted, refused, or failed with WeChat unavailable) and
            sign-outs are recorded as security events, before the answer.
        uow: transactions, so that a session and its audit entry are stored together.
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
        uow: UnitOfWork | None = None,
    ) -> None:
        self._recipients = recipients
        self._audit = audit
        self._uow = uow
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
        # database round trip per request in a burst (see SESSION_CACHE_S for sign-outs).
        self._recent: OrderedDict[str, tuple[Session, float]] = OrderedDict()
        self._reading: dict[str, asyncio.Future[Session | None]] = {}
        # Tokens signed out through this process, so a read already under way at the
        # sign-out cannot put them back (the newest SESSION_CACHE_SIZE are kept).
        self._signed_out: OrderedDict[str, None] = OrderedDict()

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
            # security event, recorded before the answer.
            await self._record_sign_in(code_digest, refused)
            raise
        except (UpstreamUnavailable, UpstreamTimeout) as outage:
            # Not a refusal but worth seeing beside them (its own error code); the driver
            # is answered 503/504 even when the entry cannot be written.
            try:
                await self._record_sign_in(code_digest, outage)
            except Exception:
                log.warning("sign-in outage not audited", exc_info=True)
            raise
        user_id = self.user_id_for(identity.openid)
        if self._recipients is not None:
            # Notices go to the openid the driver signs in with (sealed at rest).
            await self._recipients.remember(user_id, identity.openid)
        token = self._ids.token()
        session = Session(
            token_digest=digest(token),
            user_id=user_id,
            expires_at=self._clock.now() + self._token_ttl,
        )
        try:
            stored = await self._store(session, code_digest, token)
        except ConcurrentUpdate:
            stored = None  # another process stores the same code at this moment
        if stored is None or stored.token_digest != session.token_digest:
            # Another process exchanged the same code first; its token (and its audit
            # entry) stand.
            found = await self._sessions.find_by_login_code(code_digest)
            if found is not None:
                return found
            raise ConcurrentUpdate("Signing in with this code is under way; try again.")
        return session, token

    async def _store(self, session: Session, code_digest: str, token: str) -> Session:
        """The session for the code, with its audit entry in the same transaction: no token
        is handed out (now or to a retry of the code) without its sign-in recorded."""
        if self._uow is None:
            stored = await self._sessions.create(session, code_digest, token)
            if stored.token_digest == session.token_digest:
                await self._record_sign_in(code_digest, None, session.user_id)
            return stored
        async with self._uow.transaction() as tx:
            stored = await self._sessions.create(session, code_digest, token, tx=tx)
            if stored.token_digest == session.token_digest:
                await self._record_sign_in(code_digest, None, session.user_id, tx=tx)
        return stored

    async def _record_sign_in(self, code_digest: str, error: SettlementError | None,
                              user_id: str = "", *, tx: Transaction | None = None
                              ) -> None:  # fmt: skip
        if self._audit is None:
            return
        # Never the code, openid or token: a short prefix of the code's digest ties retries
        # (and a granted sign-in to the refusals before it) together.
        details: dict[str, object] = {"code_ref": code_digest[:8]}
        outcome: AuditOutcome = "success"
        if error is not None:
            details.update(error=error.code, wechat_errcode=error.details.get("wechat_errcode"))
            outcome = "denied" if isinstance(error, RateLimited) else "failure"
        event = AuditEvent(
            actor=f"driver:{user_id}" if user_id else "anonymous",
            actor_kind="driver" if user_id else "system", role="driver",
            action="auth.wechat_login", outcome=outcome, details=clean_details(details),
        )  # fmt: skip
        await self._audit.record(event, tx=tx)

    async def sign_out(self, token: str) -> bool:
        """End the session of ``token`` everywhere; whether there was one to end.

        The sign-out is recorded (``auth.logout``) in the transaction that deletes the
        session. This process forgets the token at once; others within SESSION_CACHE_S.
        """
        token_digest = digest(token)
        session = await self._sessions.get(token_digest)
        if session is None:
            return False
        event = AuditEvent(actor=f"driver:{session.user_id}", actor_kind="driver", role="driver",
                           action="auth.logout")  # fmt: skip
        if self._uow is None:
            ended = await self._sessions.delete(token_digest)
            if ended and self._audit is not None:
                await self._audit.record(event)
        else:
            async with self._uow.transaction() as tx:
                ended = await self._sessions.delete(token_digest, tx=tx)
                if ended and self._audit is not None:
                    await self._audit.record(event, tx=tx)
        self._signed_out[token_digest] = None
        while len(self._signed_out) > SESSION_CACHE_SIZE:
            self._signed_out.popitem(last=False)
        self._recent.pop(token_digest, None)
        return ended

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
        cached = self._recent.get(token_digest)
        if cached is not None and time.monotonic() - cached[1] < SESSION_CACHE_S:
            return cached[0]
        # Concurrent requests with one token share one read: when its cache entry lapses
        # under load they would otherwise all go to the database at once.
        reading = self._reading.get(token_digest)
        if reading is None:
            reading = asyncio.ensure_future(self._read(token_digest))
            self._reading[token_digest] = reading
            reading.add_done_callback(lambda _: self._reading.pop(token_digest, None))
        session = await asyncio.shield(reading)
        # A read that began before this process signed the token out answers nothing.
        return None if token_digest in self._signed_out else session

    async def _read(self, token_digest: str) -> Session | None:
        started = time.monotonic()
        session = await self._sessions.get(token_digest)
        if session is not None and token_digest not in self._signed_out:
            self._recent[token_digest] = (session, started)
            self._recent.move_to_end(token_digest)
            while len(self._recent) > SESSION_CACHE_SIZE:
                self._recent.popitem(last=False)
        return session
