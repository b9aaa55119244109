"""Console staff rules: role hierarchy, lockout, idle timeout, input validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from settlement.domain.staff import (
    ALL_JURISDICTIONS,
    LockoutPolicy,
    Role,
    SessionPolicy,
    StaffAccount,
    StaffSession,
    validate_jurisdiction,
    validate_password,
    validate_username,
)
from settlement.errors import InvalidInput

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def account(**overrides: object) -> StaffAccount:
    fields: dict[str, object] = {
        "username": "li.wei", "role": Role.REVIEWER, "jurisdiction": "440305",
        "password_hash": "$argon2id$...", "created_at": NOW,
    }
    fields.update(overrides)
    return StaffAccount(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "required", "allowed"),
    [
        (Role.REVIEWER, Role.REVIEWER, True),
        (Role.REVIEWER, Role.SUPERVISOR, False),
        (Role.SUPERVISOR, Role.REVIEWER, True),
        (Role.SUPERVISOR, Role.ADMIN, False),
        (Role.ADMIN, Role.SUPERVISOR, True),
    ],
)
def test_roles_include_the_ones_below(role: Role, required: Role, allowed: bool) -> None:
    assert role.includes(required) is allowed


def test_the_fifth_failure_locks_for_fifteen_minutes() -> None:
    policy = LockoutPolicy()
    acc = account()
    for attempt in range(1, 5):
        acc = acc.after_failed_login(NOW, policy)
        assert acc.failed_logins == attempt
        assert not acc.is_locked(NOW)
    acc = acc.after_failed_login(NOW, policy)
    assert acc.is_locked(NOW)
    assert acc.is_locked(NOW + timedelta(minutes=14, seconds=59))
    assert not acc.is_locked(NOW + timedelta(minutes=15))


def test_a_failure_after_the_lock_ran_out_starts_a_new_count() -> None:
    locked = account(locked_until=NOW, failed_logins=0)
    after = locked.after_failed_login(NOW + timedelta(minutes=1), LockoutPolicy())
    assert after.failed_logins == 1
    assert not after.is_locked(NOW + timedelta(minutes=1))


def test_success_clears_the_count() -> None:
    acc = account(failed_logins=3).after_successful_login()
    assert acc.failed_logins == 0
    assert acc.locked_until is None


def test_sessions_end_when_idle_or_too_old() -> None:
    policy = SessionPolicy()
    session = StaffSession("d", "li.wei", Role.REVIEWER, "440305", NOW, NOW)
    assert not session.expired(NOW + timedelta(minutes=29), policy)
    assert session.expired(NOW + timedelta(minutes=30), policy)
    busy = StaffSession("d", "li.wei", Role.REVIEWER, "440305", NOW, NOW + timedelta(hours=12))
    assert busy.expired(NOW + timedelta(hours=12, minutes=1), policy)


def test_jurisdiction_scopes_what_an_account_sees() -> None:
    assert account().may_see("440305")
    assert not account().may_see("440304")
    assert account(jurisdiction=ALL_JURISDICTIONS).may_see("440304")


@pytest.mark.parametrize("bad", ["ab", "Admin", "1abc", "a" * 40, "li wei", "li;drop"])
def test_bad_usernames_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        validate_username(bad)


def test_passwords_and_jurisdictions_are_checked() -> None:
    with pytest.raises(InvalidInput):
        validate_password("short")
    assert validate_password("a long enough pass")
    with pytest.raises(InvalidInput):
        validate_jurisdiction("999999")
    assert validate_jurisdiction("440305") == "440305"
