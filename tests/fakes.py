"""Test doubles for the edges the code takes as parameters: clock and sleep."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from anyio.lowlevel import checkpoint


class InstantSleep:
    """A sleep that returns at once but moves a fake clock, and remembers every wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += max(seconds, 0.0)
        await checkpoint()


async def wait_all_tasks_blocked() -> None:
    """Yield until every other task waits on something (anyio's version polls every 0.1 s)."""
    me = asyncio.current_task()
    for _ in range(10_000):
        await asyncio.sleep(0)
        others = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        waiters = [getattr(t, "_fut_waiter", None) for t in others]
        if all(w is not None and not w.done() for w in waiters):
            return
    raise AssertionError("tasks never settled")


class VirtualClock:
    """Virtual time for many tasks: time jumps to the next wake-up once all tasks wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await checkpoint()
            return
        event = anyio.Event()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._seq), event))
        await event.wait()

    async def run(self, main: Callable[[], Awaitable[Any]]) -> None:
        """Run ``main`` to completion, advancing time whenever every task is blocked."""
        finished = False

        async def wrapper() -> None:
            nonlocal finished
            await main()
            finished = True

        async with anyio.create_task_group() as tg:
            tg.start_soon(wrapper)
            while not finished:
                await wait_all_tasks_blocked()
                if finished:
                    break
                if not self._sleepers:
                    # A task that just finished may not have woken its parent yet.
                    await anyio.sleep(0.01)
                    if finished or self._sleepers:
                        continue
                    raise AssertionError(
                        f"deadlock at {self.now}: every task waits and nobody sleeps"
                    )
                wake_at, _, event = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake_at)
                event.set()
