"""Test doubles for the edges the code takes as parameters: clock, sleep and the service.

The service double plugs into the one seam for HTTP, an ``httpx`` transport
(:meth:`FakeService.transport`): tests that drive the engine or the runner use it, while the
HTTP layer's own unit tests (``test_client``) mock routes with respx.
"""

from __future__ import annotations

import asyncio
import base64
import heapq
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import anyio
import httpx
from anyio.lowlevel import checkpoint

from batchocr.server.answers import synthetic_answer


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


@dataclass
class FakeService:
    """Answers per request from a script; remembers what it received."""

    script: Callable[[int, bytes], dict[str, Any] | int]
    images: list[bytes] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    @classmethod
    def answering(cls, code: int = 0) -> FakeService:
        """Every request gets ``code`` (0: a synthetic ticket for the image)."""

        def script(_: int, image: bytes) -> dict[str, Any]:
            if code:
                return {"error_code": code, "reason": "x", "result": None}
            return {"error_code": 0, "reason": "success",
                    "result": {"data": synthetic_answer(image)}}  # fmt: skip

        return cls(script)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def handler(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        self.keys.append(form["key"][0])
        image = base64.b64decode(form["ImageBase64"][0])
        self.images.append(image)
        answer = self.script(len(self.images), image)
        if isinstance(answer, int):
            return httpx.Response(answer)
        return httpx.Response(200, json=answer)
