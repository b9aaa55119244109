"""Ports for keeping cases, sessions and idempotent responses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from settlement.domain.case import Case
from settlement.ports.outbox import Transaction


class CaseRepository(Protocol):
    async def add(self, case: Case, *, session: Transaction | None = None) -> Case:
        """Store a new case (version 1), inside ``session`` when given."""

    async def add_all(self, cases: Sequence[Case], *, session: Transaction) -> Sequence[Case]:
        """Store new cases (version 1) inside ``session``, in one write.

        Raises:
            AlreadyExists: a case with one of these ids exists.
        """

    async def get(self, case_id: str) -> Case:
        """Raises CaseNotFound if there is no such case."""

    async def save(self, case: Case, *, session: Transaction | None = None) -> Case:
        """Store ``case`` if nobody changed it since it was read; returns it with version + 1.

        Raises:
            ConcurrentUpdate: the stored version is no longer ``case.version``.
        """

    async def find_by_invitation(self, code_digest: str) -> Case | None:
        """The case whose open invitation has this code digest."""

    async def list_for_user(self, user_id: str, limit: int) -> Sequence[Case]:
        """The user's cases, newest first."""


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in driver. The token is only ever stored as a digest."""

    token_digest: str
    user_id: str
    expires_at: datetime


class SessionStore(Protocol):
    async def create(self, session: Session, login_code_digest: str, token: str, *,
                     tx: Transaction | None = None) -> Session:  # fmt: skip
        """Store a session for a ``wx.login`` code, inside ``tx`` when given.

        Returns the session stored for that code: when the same code was already
        exchanged, the earlier session (and the token is not replaced).
        """

    async def find_by_login_code(self, login_code_digest: str) -> tuple[Session, str] | None:
        """An earlier exchange of this login code that has not expired, with its token."""

    async def get(self, token_digest: str) -> Session | None: ...

    async def delete(self, token_digest: str, *, tx: Transaction | None = None) -> bool:
        """End a session (sign-out), inside ``tx`` when given; whether there was one.

        The token is forgotten with it, also where a recent login code still names it.
        """


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: bytes
    content_type: str


class IdempotencyStore(Protocol):
    async def begin(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        """Reserve ``key`` for a request with this body fingerprint.

        Returns the stored response of an earlier identical request, or None when this
        request is the first and may proceed.

        Raises:
            IdempotencyKeyReused: the key was used with a different body.
            RequestInProgress: the first request with this key has not finished yet.
        """

    async def complete(self, scope: str, key: str, response: StoredResponse) -> None: ...

    async def abandon(self, scope: str, key: str) -> None:
        """Forget a reservation whose request failed, so the client may retry."""


class CaseChanges(Protocol):
    """A resumable feed of every case change (its position survives restarts)."""

    async def follow(
        self, handle: Callable[[Case], Awaitable[object]], stop: Callable[[], bool]
    ) -> None:
        """Call ``handle`` with each changed case, in order, until ``stop()`` is true."""
