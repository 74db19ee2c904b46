"""Test doubles for the edges the code takes as parameters: clock and sleep."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from anyio import wait_all_tasks_blocked
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
