"""Console sign-in: staff accounts, argon2id passwords, lockout and idle sessions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from settlement.domain.audit import AuditEvent
from settlement.domain.staff import (
    LockoutPolicy,
    SessionPolicy,
    StaffAccount,
    StaffSession,
    parse_role,
    validate_badge,
    validate_jurisdiction,
    validate_password,
    validate_username,
)
from settlement.errors import (
    AccountLocked,
    NotAuthenticated,
)
from settlement.ports.claims import UnitOfWork
from settlement.ports.identity import Clock, IdGenerator
from settlement.ports.staff import PasswordHasher, StaffRepository, StaffSessionStore
from settlement.services.audit import AuditTrail, RequestOrigin
from settlement.services.review_access import staff_event

# A hash verified against when the username is unknown, so that a wrong username costs
# as much time as a wrong password and usernames cannot be probed by timing.
_DUMMY_PASSWORD = "not-a-real-password-0000"  # noqa: S105 - a decoy, not a credential


def token_digest(token: str) -> str:
    """Session cookies are stored only as this digest: a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


class StaffAuth:
    """Console accounts and sessions: argon2id passwords, lockout, idle timeout.

    Args:
        staff: the accounts.
        sessions: server-side sessions, keyed by a digest of the cookie token.
        hasher: the password hasher (runs off the event loop).
        clock / ids: time and random tokens.
        audit: every sign-in, failure, lockout and sign-out is recorded.
        lockout / session_policy: the 等保 failed-login and timeout rules.
        uow: when given, a new account and its ``staff.create`` entry commit together.
    """

    def __init__(
        self,
        *,
        staff: StaffRepository,
        sessions: StaffSessionStore,
        hasher: PasswordHasher,
        clock: Clock,
        ids: IdGenerator,
        audit: AuditTrail,
        lockout: LockoutPolicy | None = None,
        session_policy: SessionPolicy | None = None,
        uow: UnitOfWork | None = None,
    ) -> None:
        self._uow = uow
        self._staff = staff
        self._sessions = sessions
        self._hasher = hasher
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self.lockout = lockout or LockoutPolicy()
        self.session_policy = session_policy or SessionPolicy()
        self._dummy_hash: str | None = None

    async def create_account(
        self,
        username: str,
        role: str,
        jurisdiction: str,
        password: str,
        display_name: str = "",
        badge_number: str = "",
    ) -> StaffAccount:
        """Create an account (the ``settlement staff add`` command and the demo).

        Raises:
            InvalidInput: a bad username, role, jurisdiction or password.
            AlreadyExists: the username is taken.
        """
        account = StaffAccount(
            username=validate_username(username),
            role=parse_role(role),
            jurisdiction=validate_jurisdiction(jurisdiction),
            password_hash=await self._hasher.hash(validate_password(password)),
            created_at=self._clock.now(),
            display_name=display_name.strip()[:40],
            badge_number=validate_badge(badge_number),
        )
        event = AuditEvent(
            actor="system", actor_kind="system", action="staff.create",
            details={"username": username, "role": role, "jurisdiction": jurisdiction},
        )  # fmt: skip
        if self._uow is None:
            await self._staff.add(account)
            await self._audit.record(event)
            return account
        async with self._uow.transaction() as tx:
            await self._staff.add(account, tx=tx)
            await self._audit.record(event, tx=tx)
        return account

    async def list_accounts(self) -> Sequence[StaffAccount]:
        return await self._staff.list()

    async def login(
        self, username: str, password: str, origin: RequestOrigin
    ) -> tuple[StaffSession, str]:
        """Check a username and password and open a session.

        Returns:
            The session and the raw token for the cookie (stored only as a digest).

        Raises:
            NotAuthenticated: unknown user or wrong password (one answer for both).
            AccountLocked: too many failures; the lock lasts ``lockout.lock_for``.
        """
        now = self._clock.now()
        name = username.strip().lower()[:64]
        account = await self._staff.get(name) if name else None
        if account is None or account.disabled:
            await self._hasher.verify(await self._dummy(), password[:256])
            await self._audit.record(
                staff_event(name or "-", "auth.login", origin, outcome="failure",
                             details={"reason": "unknown_user"})
            )  # fmt: skip
            raise NotAuthenticated("Wrong username or password.")
        if account.is_locked(now):
            await self._audit.record(
                staff_event(account, "auth.login", origin, outcome="denied",
                             details={"reason": "locked"})
            )  # fmt: skip
            raise AccountLocked(
                "This account is locked after repeated failed sign-ins; try again later.",
                locked_until=account.locked_until,
            )
        if not await self._hasher.verify(account.password_hash, password[:256]):
            # One atomic update: concurrent wrong passwords each count (a read-modify-write
            # would let twenty parallel guesses through on a count of one).
            updated = await self._staff.record_failed_login(account.username, now, self.lockout)
            locked = updated.is_locked(now)
            await self._audit.record(
                staff_event(account, "auth.login", origin, outcome="failure",
                             details={"reason": "wrong_password", "locked": locked})
            )  # fmt: skip
            if locked:
                raise AccountLocked(
                    "This account is now locked after repeated failed sign-ins.",
                    locked_until=updated.locked_until,
                )
            raise NotAuthenticated("Wrong username or password.")
        if not await self._staff.record_successful_login(account.username, now):
            # Locked by concurrent failures while this password was being checked.
            raise AccountLocked(
                "This account is locked after repeated failed sign-ins; try again later."
            )
        if self._hasher.needs_rehash(account.password_hash):
            await self._staff.set_password_hash(name, await self._hasher.hash(password))
        token = self._ids.token()
        session = StaffSession(
            token_digest=token_digest(token),
            username=account.username,
            role=account.role,
            jurisdiction=account.jurisdiction,
            created_at=now,
            last_seen_at=now,
        )
        await self._sessions.create(session, now + self.session_policy.absolute_lifetime)
        await self._audit.record(staff_event(account, "auth.login", origin))
        return session, token

    async def resolve(self, token: str, origin: RequestOrigin) -> StaffSession | None:
        """The live session for a cookie token, or None (unknown, forged or timed out).

        Each call counts as activity and restarts the idle clock.
        """
        if not token or len(token) > 128:
            return None
        digest = token_digest(token)
        session = await self._sessions.get(digest)
        if session is None:
            return None
        now = self._clock.now()
        if session.expired(now, self.session_policy):
            await self._sessions.delete(digest)
            await self._audit.record(staff_event(session, "auth.session_expired", origin))
            return None
        await self._sessions.touch(digest, now)
        return session

    async def logout(self, session: StaffSession, origin: RequestOrigin) -> None:
        await self._sessions.delete(session.token_digest)
        await self._audit.record(staff_event(session, "auth.logout", origin))

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hasher.hash(_DUMMY_PASSWORD)
        return self._dummy_hash
