"""Ports for console staff: accounts, server-side sessions and password hashing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from settlement.domain.staff import LockoutPolicy, StaffAccount, StaffSession
from settlement.ports.outbox import Transaction


class StaffRepository(Protocol):
    async def add(self, account: StaffAccount, *, tx: Transaction | None = None) -> None:
        """Store a new account, inside ``tx`` when given.

        Raises:
            AlreadyExists: the username is taken.
        """
        ...

    async def get(self, username: str) -> StaffAccount | None:
        """The account with this username, or None."""
        ...

    async def record_failed_login(
        self, username: str, now: datetime, policy: LockoutPolicy
    ) -> StaffAccount:
        """Count one failed sign-in atomically, as ``StaffAccount.after_failed_login`` says
        (a lock in force is left as it is); the account as it is afterwards."""
        ...

    async def record_successful_login(self, username: str, now: datetime) -> bool:
        """Clear the failure count unless the account is locked at ``now`` (then False)."""
        ...

    async def set_password_hash(self, username: str, password_hash: str) -> None:
        """Replace the stored hash (after a rehash with stronger parameters)."""
        ...

    async def list(self) -> Sequence[StaffAccount]:
        """Every account, by username."""
        ...


class StaffSessionStore(Protocol):
    async def create(self, session: StaffSession, expires_at: datetime) -> None:
        """Store a session under its token digest; it is gone after ``expires_at``."""
        ...

    async def get(self, token_digest: str) -> StaffSession | None: ...

    async def touch(self, token_digest: str, now: datetime) -> None:
        """Record activity (resets the idle clock)."""
        ...

    async def delete(self, token_digest: str) -> None: ...


class PasswordHasher(Protocol):
    """Slow password hashing, run off the event loop by the implementation."""

    async def hash(self, password: str) -> str:
        """A self-describing hash string (PHC format)."""
        ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches; False (never an exception) when it does not."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...
