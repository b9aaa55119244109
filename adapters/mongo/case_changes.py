"""A resumable feed of every case change, for the drivers' notices.

The position is kept in ``feed_positions`` after each change is handled, so a restart
resumes where the last run stopped instead of missing what happened while it was down;
a position too old to resume from follows from now (logged).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo.errors import OperationFailure

from adapters.mongo.cases import from_document
from adapters.mongo.types import Database
from settlement.domain.case import Case

log = logging.getLogger(__name__)

IDLE_POLL_MS = 500
_PIPELINE = [{"$match": {"operationType": {"$in": ["insert", "update", "replace"]}}}]


class MongoCaseChanges:
    """Follows the ``cases`` collection's change stream under the position ``name``."""

    def __init__(self, db: Database, name: str) -> None:
        self._cases = db["cases"]
        self._positions = db["feed_positions"]
        self._name = name

    async def _open(self, resume: Any) -> Any:
        return await self._cases.watch(
            _PIPELINE,
            full_document="updateLookup",
            resume_after=resume,
            max_await_time_ms=IDLE_POLL_MS,
        )

    async def follow(
        self, handle: Callable[[Case], Awaitable[object]], stop: Callable[[], bool]
    ) -> None:
        """Call ``handle`` with each changed case, in order, until ``stop()`` is true."""
        saved = await self._positions.find_one({"_id": self._name})
        resume = (saved or {}).get("token")
        stream = await self._open(resume)
        try:
            while not stop():
                try:
                    change = await stream.try_next()
                except OperationFailure:
                    if resume is None:
                        raise
                    log.warning("case feed position cannot be resumed; following from now")
                    await stream.close()
                    resume = None
                    stream = await self._open(None)
                    continue
                if change is None:
                    continue
                document = change.get("fullDocument")
                if document is not None:
                    await handle(from_document(document))
                resume = change["_id"]
                await self._positions.update_one(
                    {"_id": self._name}, {"$set": {"token": resume}}, upsert=True
                )
        finally:
            await stream.close()
