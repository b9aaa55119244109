"""The group-commit helper behind claim reads, evidence lists and audit appends: concurrent
calls share batch calls, each caller gets its own result only after the batch that carries
its item ran, and a failing batch fails every caller in it."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Sequence

import pytest

from settlement.services.batching import Coalescer


class Recorder:
    """A batch call that remembers its batches and answers each item with its square."""

    def __init__(self, *, delay: float = 0.01, fail_with: Exception | None = None) -> None:
        self.batches: list[list[int]] = []
        self.delay = delay
        self.fail_with = fail_with
        self.running = 0
        self.most_running = 0

    async def __call__(self, items: Sequence[int]) -> list[int | BaseException]:
        self.batches.append(list(items))
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await asyncio.sleep(self.delay)
            if self.fail_with is not None:
                raise self.fail_with
            return [ValueError(f"odd {i}") if i < 0 else i * i for i in items]
        finally:
            self.running -= 1


async def test_concurrent_calls_share_batches_and_each_gets_its_own_result() -> None:
    run = Recorder()
    squares = Coalescer(run)
    results = await asyncio.gather(*(squares(i) for i in range(200)))
    assert results == [i * i for i in range(200)]
    # All 200 were queued before the flush task first ran: one batch call for them all.
    assert len(run.batches) == 1
    assert sorted(i for batch in run.batches for i in batch) == list(range(200))


async def test_a_caller_calling_again_right_after_its_answer_is_served() -> None:
    run = Recorder(delay=0)
    squares = Coalescer(run)
    async with asyncio.timeout(5):
        for i in range(5):  # woken by the batch's end, each call comes before the flush ends
            assert await squares(i) == i * i
    assert run.batches == [[0], [1], [2], [3], [4]]


async def test_an_item_queued_during_a_flush_waits_for_the_next_one() -> None:
    run = Recorder(delay=0.05)
    squares = Coalescer(run)
    first = asyncio.create_task(squares(2))
    await asyncio.sleep(0.01)  # the first batch is in flight now
    assert run.batches == [[2]]
    second = asyncio.create_task(squares(3))
    await asyncio.sleep(0)
    assert run.batches == [[2]], "a call must not join a batch that already started"
    assert await first == 4
    assert await second == 9
    assert run.batches == [[2], [3]]


async def test_at_most_in_flight_batches_run_at_once_and_batches_are_bounded() -> None:
    run = Recorder(delay=0.01)
    squares = Coalescer(run, limit=7, in_flight=2)
    await asyncio.gather(*(squares(i) for i in range(100)))
    assert run.most_running == 2
    assert max(len(batch) for batch in run.batches) == 7


async def test_a_failed_batch_fails_every_caller_in_it_and_later_calls_run_again() -> None:
    boom = ConnectionError("database gone")
    run = Recorder(fail_with=boom)
    squares = Coalescer(run)
    results = await asyncio.gather(*(squares(i) for i in range(20)), return_exceptions=True)
    assert results == [boom] * 20
    run.fail_with = None
    assert await squares(5) == 25


async def test_a_per_item_error_goes_to_its_caller_only() -> None:
    squares = Coalescer(Recorder())
    results = await asyncio.gather(squares(2), squares(-1), squares(3), return_exceptions=True)
    assert results[0] == 4
    assert results[2] == 9
    assert isinstance(results[1], ValueError)


async def test_a_batch_call_with_the_wrong_number_of_results_fails_its_callers() -> None:
    async def short(items: Sequence[int]) -> list[int | BaseException]:
        return list(items)[:-1]

    squares = Coalescer(short)
    with pytest.raises(RuntimeError, match="results"):
        await asyncio.gather(squares(1), squares(2))


async def test_a_cancelled_caller_does_not_disturb_the_others() -> None:
    run = Recorder(delay=0.05)
    squares = Coalescer(run)
    gone = asyncio.create_task(squares(7))
    kept = asyncio.create_task(squares(8))
    await asyncio.sleep(0.01)
    gone.cancel()
    assert await kept == 64
    with pytest.raises(asyncio.CancelledError):
        await gone


async def test_a_batch_runs_in_no_caller_s_context() -> None:
    # Items carry what the batch needs to know about their callers; the batch itself must
    # not see (and act in the name of) the first caller's request.
    caller: contextvars.ContextVar[str] = contextvars.ContextVar("caller", default="none")
    seen: list[str] = []

    async def run(items: Sequence[int]) -> list[int | BaseException]:
        seen.append(caller.get())
        return list(items)

    batched = Coalescer(run)

    async def call(name: str, item: int) -> int:
        caller.set(name)
        return await batched(item)

    assert await asyncio.gather(call("first", 1), call("second", 2)) == [1, 2]
    assert seen == ["none"]
