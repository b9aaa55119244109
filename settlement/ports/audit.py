"""Port for the append-only, hash-chained audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol

from settlement.domain.audit import AuditEntry, AuditEvent, ChainHead


class AuditLog(Protocol):
    async def append(self, event: AuditEvent, at: datetime) -> AuditEntry:
        """Chain ``event`` after the current last entry and store it.

        Implementations must make concurrent appends impossible to fork: two appends may
        never both take the same sequence number (a unique index or a transaction).
        """
        ...

    def entries(self, from_seq: int = 1) -> AsyncIterator[AuditEntry]:
        """Every entry from ``from_seq`` on, in sequence order."""
        ...

    async def head(self) -> ChainHead | None:
        """The separately kept head (last appended sequence number and hash)."""
        ...

    async def for_case(self, case_id: str, limit: int) -> Sequence[AuditEntry]:
        """The newest entries about one case, newest first."""
        ...

    async def recent(self, limit: int) -> Sequence[AuditEntry]:
        """The newest entries, newest first."""
        ...

    async def search(
        self, *, case_id: str = "", actor: str = "", action: str = "", limit: int = 100
    ) -> Sequence[AuditEntry]:
        """The newest entries matching every criterion given (``action`` also matches as
        a prefix ending in a dot, e.g. ``case.``), newest first."""
        ...
