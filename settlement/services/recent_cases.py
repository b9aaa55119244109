"""A micro-cache of cases read for the drivers' case view.

Every driver polls their case; reading it from the database on each poll costs a round
trip that dominates the request. Cases read in the last ``ttl_s`` seconds answer instead.

What a reader may see: a change made by another process of the service shows at most
``ttl_s`` late. A change committed in this process (the case writer, the exchange's store)
shows at once: the case is forgotten before and after the commit, and a read that began
before a forget is never cached (it may have seen the state before the change).
"""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from settlement.domain.case import Case


class RecentCases:
    """Cases read within ``ttl_s`` seconds, at most ``size`` of them.

    Args:
        ttl_s: how old a cached read may be; 0 turns the cache off.
        now: a monotonic clock (tests pass their own).
    """

    def __init__(
        self, ttl_s: float, *, size: int = 5_000, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self._size = size
        self._now = now
        self._cases: OrderedDict[str, tuple[Case, float]] = OrderedDict()
        self._forgotten: OrderedDict[str, float] = OrderedDict()

    def clock(self) -> float:
        """The time to pass to :meth:`put` for a read about to start."""
        return self._now()

    def get(self, case_id: str) -> Case | None:
        cached = self._cases.get(case_id)
        if cached is None:
            return None
        case, read_at = cached
        if self._now() - read_at >= self.ttl_s:
            del self._cases[case_id]
            return None
        return case

    def put(self, case: Case, read_at: float) -> None:
        """Remember ``case`` as read by a read that started at ``read_at``."""
        now = self._now()
        if now - read_at >= self.ttl_s:
            return  # already too old (this also covers every forget pruned below)
        forgotten = self._forgotten.get(case.id)
        if forgotten is not None and forgotten >= read_at:
            return  # the case changed while this read was under way
        self._cases[case.id] = (case, read_at)
        self._cases.move_to_end(case.id)
        self._prune(now)

    def forget(self, case_id: str) -> None:
        """The case is changing (or has changed) here: read it afresh from now on."""
        now = self._now()
        self._cases.pop(case_id, None)
        if self.ttl_s > 0:
            self._forgotten[case_id] = now
            self._forgotten.move_to_end(case_id)
            self._prune(now)

    @contextlib.asynccontextmanager
    async def changing(self, case_id: str) -> AsyncIterator[None]:
        """Around a change of the case: forgotten before, and after, when a view read while
        the change was being committed may have seen the state before it."""
        self.forget(case_id)
        try:
            yield
        finally:
            self.forget(case_id)

    def _prune(self, now: float) -> None:
        # Oldest first: drop what expired, then what is beyond the size bound. A forget
        # older than ttl_s can no longer veto a put, and a dropped one only means a read
        # may be as old as ttl_s, which every reader accepts anyway.
        cases, forgotten = self._cases, self._forgotten
        while cases and (len(cases) > self._size or now - next(iter(cases.values()))[1]
                         >= self.ttl_s):  # fmt: skip
            cases.popitem(last=False)
        while forgotten and (len(forgotten) > self._size
                             or now - next(iter(forgotten.values())) >= self.ttl_s):  # fmt: skip
            forgotten.popitem(last=False)


def changing(recent: RecentCases | None, case_id: str | None
             ) -> AbstractAsyncContextManager[None]:  # fmt: skip
    """:meth:`RecentCases.changing`, or nothing when there is no cache or no case."""
    if recent is None or case_id is None:
        return contextlib.nullcontext()
    return recent.changing(case_id)
