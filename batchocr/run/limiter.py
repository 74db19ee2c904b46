"""Request pacing: a GCRA token bucket on an injectable clock.

The bucket starts holding a single token, not ``burst`` of them, so a run
never opens with a burst: the service sees at most ``qps * t + burst``
request starts in any window of length ``t``, from the first second on.
Idle time refills the bucket up to ``burst``.

Callers queue on a FIFO lock and each computes its start from the *actual*
start of the one before: when a sleep overshoots (a busy event loop), the
next request moves back with it instead of catching up, so two starts are
never closer than ``1/qps`` (less a 2 ms allowance for timer overshoot) unless
idle time has earned a burst. (Reserving
slots ahead, the textbook way, lets a late request and its punctual successor
reach the service a few milliseconds apart, and a service that counts per
second then refuses one: ``bench/pacing_trace.py``.)

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

OVERSHOOT = 0.002  # seconds of sleep overshoot absorbed without moving the schedule

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
        self._burst = burst
        self._interval = 1.0 / qps
        self._tolerance = (burst - 1) * self._interval
        self._clock = clock
        self._sleep = sleep
        self._tat: float | None = None  # theoretical arrival time of the next request
        self._slack = min(OVERSHOOT, self._interval / 10)
        self._lock = anyio.Lock()
        self.granted = 0

    @property
    def qps(self) -> float:
        return 1.0 / self._interval

    def set_rate(self, qps: float) -> None:
        """Pace at ``qps`` from now on (adaptive pacing): the next start keeps its place, the
        ones after it follow the new interval; no burst is released by the change."""
        if qps <= 0:
            raise ValueError("qps must be > 0")
        self._interval = 1.0 / qps
        self._tolerance = (self._burst - 1) * self._interval
        self._slack = min(OVERSHOOT, self._interval / 10)

    async def acquire(self) -> None:
        """Wait until one more request may start."""
        async with self._lock:
            now = self._clock()
            if self._tat is None:
                # Start as if the bucket had just been drained: no start-up burst.
                self._tat = now + self._tolerance
            start_at = self._tat - self._tolerance
            slack = 0.0
            if start_at > now:
                await self._sleep(start_at - now)
                now = self._clock()  # the real start, possibly later than planned
                # A few milliseconds of timer overshoot do not shift the schedule (or every
                # request would lose them); a longer stall does, so nothing catches up after it.
                slack = self._slack
            self._tat = max(self._tat, now - slack) + self._interval
            self.granted += 1


class Unlimited:
    """A limiter that never waits (dry runs, or backends with no quota)."""

    granted = 0

    async def acquire(self) -> None:
        self.granted += 1
