"""Group commit: many coroutines hand over small writes; one transaction writes all that queued up.

Under load this turns one transaction per message into one per handful of messages (on SQLite a
write transaction costs milliseconds), while every ``submit`` still returns only once its write is
committed — the outbox is never ahead of the database. ``submit`` returns what the write returned
for the batch its entry was in (e.g. the ids a conditional UPDATE changed), so each caller can tell
whether its own entry took effect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class GroupCommitter(Generic[T]):
    def __init__(self, write: Callable[[list[T]], Awaitable[Any]]):
        self._write = write
        self._queue: list[tuple[T, asyncio.Future]] = []
        self._running: asyncio.Task | None = None

    async def submit(self, entry: T) -> Any:
        fut = asyncio.get_running_loop().create_future()
        self._queue.append((entry, fut))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._drain())
        return await fut

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                result = await self._write([entry for entry, _ in batch])
            except BaseException as exc:  # noqa: BLE001 - handed to every waiter
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
            else:
                for _, fut in batch:
                    if not fut.done():
                        fut.set_result(result)
