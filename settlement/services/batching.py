"""Group commit for single-item database calls: concurrent calls share one round trip.

Every database call costs a command to the server, its answer's decoding and a few hundred
microseconds of CPU on both sides whatever its size; under load that per-call cost, not the
query, is what limits a request that reads one claim and appends one audit entry, and one
transaction (with its commit's journal wait) per opened case is what limits case intake.
A :class:`Coalescer` queues the items of concurrent calls and runs them together (``$in``
reads, ``insert_many`` appends, one transaction for many new cases). Each caller still
waits for the database call that carries its own item, so nothing is acknowledged early:

* a flush starts only when fewer than ``in_flight`` flushes run; items arriving meanwhile
  wait for the next one, so every item is served by a database call issued *after* it
  was queued (a read never answers from before the caller's own earlier writes);
* an error of the batch call is raised to every caller in that batch (fail closed), and
  a per-item error only to its caller; :func:`alone_on_failure` turns a batch that fails
  as a whole (one transaction) into per-item errors by writing each item on its own.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

BatchCall = Callable[[Sequence[K]], Awaitable[Sequence[V | BaseException]]]
"""Runs a batch: one result per item, in order (an exception for an item that failed)."""


class Coalescer(Generic[K, V]):
    """Runs concurrent single-item calls as batches through ``run``.

    Args:
        run: the batch call; must return exactly one result per item, in order.
        limit: most items per batch.
        in_flight: most batch calls running at once.
    """

    def __init__(self, run: BatchCall[K, V], *, limit: int = 500, in_flight: int = 1) -> None:
        self._run = run
        self._limit = limit
        self._in_flight = in_flight
        self._queue: list[tuple[K, asyncio.Future[V]]] = []
        self._running = 0  # flushes under way (counted here: a done task's callbacks lag)
        self._flushers: set[asyncio.Task[None]] = set()  # strong references to them

    async def __call__(self, item: K) -> V:
        done: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._running < self._in_flight:
            self._running += 1
            # A batch serves many callers: it runs in a context of its own, so nothing it
            # does (a log line, an audit entry) is attributed to whichever caller came first.
            flusher = asyncio.create_task(self._flush(), context=contextvars.Context())
            self._flushers.add(flusher)
            flusher.add_done_callback(self._flushers.discard)
        return await done

    async def _flush(self) -> None:
        try:
            await self._drain()
        finally:
            # No await between seeing the queue empty and this: a caller woken by the last
            # batch, calling again, always finds either this flush going on or none.
            self._running -= 1

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._limit], self._queue[self._limit :]
            try:
                results = await self._run([item for item, _ in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"batch call gave {len(results)} results for {len(batch)}")
            except Exception as exc:  # every caller of the batch learns of it
                for _, done in batch:
                    _settle(done, exc)
            except BaseException:  # the flush itself was cancelled (shutdown): so are its callers
                for _, done in batch + self._queue:
                    done.cancel()
                self._queue = []
                raise
            else:
                for (_, done), result in zip(batch, results, strict=True):
                    _settle(done, result)


def alone_on_failure(write: Callable[[Sequence[K]], Awaitable[Sequence[V]]]) -> BatchCall[K, V]:
    """A batch call for ``write`` (all items or none, e.g. one transaction): when a batch
    of several fails, each item is written on its own, so one item's failure (a duplicate
    id) reaches its caller and no other."""

    async def run(items: Sequence[K]) -> Sequence[V | BaseException]:
        try:
            return list(await write(items))
        except Exception:
            if len(items) == 1:
                raise
        outcomes = await asyncio.gather(*[write([item]) for item in items],
                                        return_exceptions=True)  # fmt: skip
        return [o if isinstance(o, BaseException) else o[0] for o in outcomes]

    return run


def _settle(done: asyncio.Future[V], result: V | BaseException) -> None:
    if done.done():
        return  # the caller was cancelled; its item was run (or not) all the same
    if isinstance(result, BaseException):
        done.set_exception(result)
    else:
        done.set_result(result)
