"""Openings written together (one transaction): a failing item fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from settlement.errors import AlreadyExists
from settlement.services.batching import Coalescer, alone_on_failure


class Store:
    """All items of a write or none, like one transaction."""

    def __init__(self, refuse: frozenset[int] = frozenset()) -> None:
        self.writes: list[list[int]] = []
        self.refuse = refuse

    async def write(self, items: Sequence[int]) -> Sequence[str]:
        await asyncio.sleep(0.01)
        if self.refuse & set(items):
            raise AlreadyExists("duplicate")
        self.writes.append(list(items))
        return [f"saved {i}" for i in items]


async def test_a_lone_opening_is_written_at_once() -> None:
    store = Store()
    group = Coalescer(alone_on_failure(store.write), in_flight=2)
    assert await asyncio.wait_for(group(1), 1) == "saved 1"
    assert store.writes == [[1]]


async def test_openings_arriving_together_share_few_writes_and_get_their_own_results() -> None:
    store = Store()
    group = Coalescer(alone_on_failure(store.write), limit=100, in_flight=2)
    results = await asyncio.gather(*[group(i) for i in range(50)])
    assert results == [f"saved {i}" for i in range(50)]
    assert sorted(i for write in store.writes for i in write) == list(range(50))
    assert len(store.writes) <= 3  # the first alone, then the rest together


async def test_a_failing_opening_fails_alone_and_the_others_are_written() -> None:
    store = Store(refuse=frozenset({7}))
    group = Coalescer(alone_on_failure(store.write), in_flight=2)
    results = await asyncio.gather(*[group(i) for i in range(20)], return_exceptions=True)
    assert isinstance(results[7], AlreadyExists)
    assert [r for i, r in enumerate(results) if i != 7] == [f"saved {i}" for i in range(20)
                                                            if i != 7]  # fmt: skip
    assert sorted(i for write in store.writes for i in write) == [i for i in range(20) if i != 7]
