"""The console lockout holds against parallel guessing (one atomic count per failure)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from settlement.domain.staff import LockoutPolicy, Role, StaffAccount
from tests.e2e.console.conftest import PASSWORD, Browserless, Console


async def test_twenty_concurrent_wrong_passwords_lock_the_account(console: Console) -> None:
    guessers = [Browserless(console.base_url) for _ in range(20)]
    await asyncio.gather(*(g.request("GET", "/console/login") for g in guessers))
    answers = await asyncio.gather(
        *(g.request("POST", "/console/login", {"username": "reviewer.ns2", "password": f"guess-{i}"})
          for i, g in enumerate(guessers))
    )  # fmt: skip
    assert all(answer.code in (401, 403, 429) for answer in answers)
    stored = await console.runtime.db["staff_accounts"].find_one({"_id": "reviewer.ns2"})
    assert stored is not None
    assert stored["locked_until"] is not None
    # The right password no longer opens the account.
    owner = Browserless(console.base_url)
    late = await owner.login("reviewer.ns2", PASSWORD)
    assert late.code in (403, 429)
    assert "__Host-console" not in owner.cookies
    assert "console_session" not in owner.cookies


async def test_the_atomic_count_follows_the_domain_rule(console: Console) -> None:
    staff = console.runtime.services.staff_auth
    assert staff is not None
    repository = staff._staff  # the Mongo repository behind the service
    policy = LockoutPolicy(max_failures=3, lock_for=timedelta(minutes=15))
    start = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    expected = StaffAccount("x", Role.REVIEWER, "440305", "h", start)
    # Three failures lock; a failure during the lock changes nothing; after it a new count.
    moments = [start + timedelta(minutes=m) for m in (0, 1, 2, 3, 20, 21, 22)]
    for moment in moments:
        stored = await repository.record_failed_login("reviewer.ns", moment, policy)
        if not expected.is_locked(moment):
            expected = expected.after_failed_login(moment, policy)
        assert (stored.failed_logins, stored.locked_until) == (
            expected.failed_logins, expected.locked_until)  # fmt: skip
    assert expected.is_locked(moments[-1])
    assert not await repository.record_successful_login("reviewer.ns", moments[-1])
    assert await repository.record_successful_login("reviewer.ns", moments[-1] + timedelta(hours=1))
