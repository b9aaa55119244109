"""Port for the reviewer console's read side: the police queue and supervision figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from settlement.domain.case import Case
from settlement.domain.evidence import PhotoRecord


class ReviewQueries(Protocol):
    async def queue(self, jurisdiction: str, limit: int) -> Sequence[Case]:
        """Cases waiting for police review in a jurisdiction (``*``: all), oldest first."""
        ...

    async def cases_since(self, jurisdiction: str, since: datetime, limit: int) -> Sequence[Case]:
        """Cases created since ``since`` in a jurisdiction (``*``: all), oldest first."""
        ...

    async def reused_photos(self, case_ids: Sequence[str]) -> Sequence[PhotoRecord]:
        """Photos of these cases that match a photo of another case (exact or near)."""
        ...

    async def search(
        self,
        jurisdiction: str,
        *,
        case_id: str = "",
        plate: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> Sequence[Case]:
        """Cases matching every criterion given: an id (exact), a plate of either party
        (exact), an accident time in ``[since, until)``; newest accident first."""
        ...

    async def decided(self, jurisdiction: str, limit: int) -> Sequence[Case]:
        """Cases the police decided or refused, most recently decided first."""
        ...

    async def reconsiderations(self, jurisdiction: str, limit: int) -> Sequence[Case]:
        """Determined cases a party asked a 复核 of, earliest determination first."""
        ...
