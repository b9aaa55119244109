"""Console staff: roles, the accounts police reviewers sign in with, lockout and idle policy.

Pure rules only; hashing passwords and keeping sessions are adapters' business. Every
account belongs to one jurisdiction (an administrative division code, see
:mod:`settlement.domain.jurisdiction`) and sees only that jurisdiction's cases.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from settlement.domain.jurisdiction import DISTRICTS
from settlement.errors import InvalidInput


class Role(enum.StrEnum):
    """Console roles, each including the rights of the ones before it."""

    REVIEWER = "reviewer"  # decides police_review cases of its jurisdiction
    SUPERVISOR = "supervisor"  # also watches the dashboard and the audit trail
    ADMIN = "admin"  # also manages staff accounts

    @property
    def rank(self) -> int:
        return _RANK[self]

    def includes(self, required: Role) -> bool:
        """Whether this role may do what ``required`` may do (the hierarchy above)."""
        return self.rank >= required.rank


_RANK = {Role.REVIEWER: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}

ALL_JURISDICTIONS = "*"
"""A jurisdiction value for province-level supervisors and admins who see every district."""


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """等保2.0 "handling of failed logins": 5 failures lock the account for 15 minutes."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """等保2.0 "automatic logout on timeout": idle sessions end, long ones end anyway."""

    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_lifetime: timedelta = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """One console account. ``password_hash`` is an argon2id PHC string, never a password."""

    username: str
    role: Role
    jurisdiction: str
    password_hash: str
    created_at: datetime
    display_name: str = ""
    """The officer's name as printed on documents (e.g. 李明)."""
    failed_logins: int = 0
    locked_until: datetime | None = None
    disabled: bool = False
    badge_number: str = ""
    """警号, printed with the name on the 事故认定书."""

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def may_see(self, jurisdiction: str) -> bool:
        """Data-level check (ASVS 8.2.2): a case is visible only inside the jurisdiction."""
        return self.jurisdiction == ALL_JURISDICTIONS or self.jurisdiction == jurisdiction

    def after_failed_login(self, now: datetime, policy: LockoutPolicy) -> StaffAccount:
        """Count a failure; the one that reaches the limit locks the account."""
        # A lock that has run out starts a fresh count, so an old streak does not linger.
        failures = 0 if self.locked_until is not None and now >= self.locked_until else (
            self.failed_logins
        )
        failures += 1
        if failures >= policy.max_failures:
            return replace(self, failed_logins=0, locked_until=now + policy.lock_for)
        return replace(self, failed_logins=failures, locked_until=None)

    def after_successful_login(self) -> StaffAccount:
        return replace(self, failed_logins=0, locked_until=None)


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A signed-in console user. Only a digest of the cookie token is ever stored."""

    token_digest: str
    username: str
    role: Role
    jurisdiction: str
    created_at: datetime
    last_seen_at: datetime

    def expired(self, now: datetime, policy: SessionPolicy) -> bool:
        return (
            now - self.last_seen_at >= policy.idle_timeout
            or now - self.created_at >= policy.absolute_lifetime
        )


_USERNAME = re.compile(r"[a-z][a-z0-9_.-]{2,31}")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


def validate_username(username: str) -> str:
    if not _USERNAME.fullmatch(username):
        raise InvalidInput(
            "A username is 3 to 32 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter.",
            field="username",
        )
    return username


def validate_badge(badge: str) -> str:
    """A police badge number (警号): 4 to 12 digits or capital letters, or none."""
    badge = badge.strip().upper()
    if badge and not re.fullmatch(r"[0-9A-Z]{4,12}", badge):
        raise InvalidInput("A badge number is 4 to 12 digits or capital letters.",
                           field="badge_number")  # fmt: skip
    return badge


def validate_password(password: str) -> str:
    """Length is what matters (NIST SP 800-63B); an upper bound keeps hashing cheap."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"A password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            field="password",
        )
    return password


def validate_jurisdiction(code: str) -> str:
    if code != ALL_JURISDICTIONS and code not in {d.code for d in DISTRICTS}:
        raise InvalidInput(
            "Unknown jurisdiction: give a division code such as 440305, or '*'.",
            field="jurisdiction",
        )
    return code


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(
            "role must be reviewer, supervisor or admin.", field="role"
        ) from None
