"""Group commit: requests that arrive together share one write; failures stay their own."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from settlement.errors import AlreadyExists
from settlement.services.unit_of_work import GroupCommit


class Store:
    def __init__(self, refuse: frozenset[int] = frozenset()) -> None:
        self.writes: list[list[int]] = []
        self.refuse = refuse
        self.running = 0
        self.most_running = 0

    async def write(self, items: Sequence[int]) -> Sequence[str]:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await asyncio.sleep(0.01)
            if self.refuse & set(items):
                raise AlreadyExists("duplicate")
            self.writes.append(list(items))
            return [f"saved {i}" for i in items]
        finally:
            self.running -= 1


async def test_a_lone_request_is_written_at_once() -> None:
    store = Store()
    group = GroupCommit(store.write)
    assert await asyncio.wait_for(group.submit(1), 1) == "saved 1"
    assert store.writes == [[1]]


async def test_requests_arriving_together_share_few_writes_and_get_their_own_results() -> None:
    store = Store()
    group = GroupCommit(store.write, limit=100, in_flight=2)
    results = await asyncio.gather(*[group.submit(i) for i in range(50)])
    assert results == [f"saved {i}" for i in range(50)]
    assert sorted(i for write in store.writes for i in write) == list(range(50))
    assert len(store.writes) <= 3  # the first alone, then the rest together
    assert store.most_running <= 2


async def test_a_failing_request_fails_alone() -> None:
    store = Store(refuse=frozenset({7}))
    group = GroupCommit(store.write)
    results = await asyncio.gather(*[group.submit(i) for i in range(20)], return_exceptions=True)
    assert isinstance(results[7], AlreadyExists)
    assert [r for i, r in enumerate(results) if i != 7] == [f"saved {i}" for i in range(20)
                                                            if i != 7]  # fmt: skip
    assert sorted(i for write in store.writes for i in write) == [i for i in range(20) if i != 7]


async def test_a_cancelled_writer_leaves_nobody_waiting() -> None:
    started = asyncio.Event()

    async def hang(items: Sequence[int]) -> Sequence[str]:
        started.set()
        await asyncio.sleep(60)
        return []

    group: GroupCommit[int, str] = GroupCommit(hang)
    waiting = asyncio.ensure_future(group.submit(1))
    await started.wait()
    for writer in list(group._writers):
        writer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, 1)
