"""Request pacing: a GCRA token bucket on an injectable clock.

The bucket starts holding a single token, not ``burst`` of them, so a run
never opens with a burst: the service sees at most ``qps * t + burst``
request starts in any window of length ``t``, from the first second on.
Idle time refills the bucket up to ``burst``.

Each caller reserves its slot with no ``await`` in between (so no lock is
needed) and then sleeps until it: waiters are served in arrival order, and a
late waiter never pushes the others back.

>>> import anyio
>>> async def demo() -> int:
...     limiter = RateLimiter(qps=1000, burst=1)
...     for _ in range(3):
...         await limiter.acquire()
...     return limiter.granted
>>> anyio.run(demo)
3
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """Generic cell rate algorithm: one start every ``1/qps`` seconds, ``burst`` after idling."""

    def __init__(
        self,
        qps: float,
        burst: int = 1,
        *,
        clock: Clock = anyio.current_time,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        if qps <= 0 or burst < 1:
            raise ValueError("qps must be > 0 and burst >= 1")
        self._interval = 1.0 / qps
        self._tolerance = (burst - 1) * self._interval
        self._clock = clock
        self._sleep = sleep
        self._tat: float | None = None  # theoretical arrival time of the next request
        self.granted = 0

    async def acquire(self) -> None:
        """Wait until one more request may start."""
        now = self._clock()
        if self._tat is None:
            # Start as if the bucket had just been drained: no start-up burst.
            self._tat = now + self._tolerance
        start_at = max(self._tat - self._tolerance, now)
        self._tat = max(self._tat, now) + self._interval
        self.granted += 1
        if start_at > now:
            await self._sleep(start_at - now)


class Unlimited:
    """A limiter that never waits (dry runs, or backends with no quota)."""

    granted = 0

    async def acquire(self) -> None:
        self.granted += 1
