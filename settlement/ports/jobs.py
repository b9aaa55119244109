"""Leases for periodic jobs, so several processes can run them and only one does at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class JobLeases(Protocol):
    async def try_acquire(
        self, name: str, *, owner: str, lease_for: timedelta, now: datetime
    ) -> bool:
        """Take or renew the lease of job ``name`` for ``owner``; False if another owner
        holds an unexpired lease."""
        ...
