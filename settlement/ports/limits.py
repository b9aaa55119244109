"""Port for counting attempts in time windows, shared by every process of the service."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class RateCounter(Protocol):
    async def hit(self, key: str, window_start: datetime, expire_at: datetime) -> int:
        """Count one attempt for ``key`` in the window starting at ``window_start``.

        Returns:
            How many attempts the window holds now, this one included. The count is
            atomic across processes and forgotten after ``expire_at``.
        """
        ...
