"""The local server's rate caps: how many requests a second it admits before answering 10012.

Providers count in windows their clients cannot see. Two ways are simulated:

- :class:`FixedWindowCap` counts per calendar second (``int(now)``): a client can
  send ``2 × cap`` requests in one second that straddles a boundary and never be
  refused (what this server did alone until issue 10).
- :class:`SlidingWindowCap` refuses a request when ``cap`` requests were already
  admitted in the last 1.0 s, whatever the calendar says, as many providers do.

Both are pure: the time comes in as an argument (the server passes its injected
clock's reading), refusals never use up the cap, and a lock makes them safe to
share between request threads.

>>> fixed, sliding = FixedWindowCap(2), SlidingWindowCap(2)
>>> times = (0.5, 0.9, 1.0, 1.2, 1.6)
>>> [fixed.admit(t) for t in times], [sliding.admit(t) for t in times]
([True, True, True, True, False], [True, True, False, False, True])
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Literal, Protocol

CapWindow = Literal["fixed", "sliding"]
CAP_WINDOWS: tuple[CapWindow, ...] = ("fixed", "sliding")
WINDOW = 1.0  # seconds: a plan's "queries per second"

__all__ = ["CAP_WINDOWS", "Cap", "CapWindow", "FixedWindowCap", "SlidingWindowCap", "make_cap"]


class Cap(Protocol):
    """Decides, for a request arriving at ``now`` (seconds), whether it is admitted."""

    def admit(self, now: float) -> bool: ...


class FixedWindowCap:
    """Admits at most ``cap`` requests per calendar second (``int(now)``); refusals are free.

    >>> cap = FixedWindowCap(1)
    >>> [cap.admit(t) for t in (100.2, 100.9, 101.0)]
    [True, False, True]
    """

    def __init__(self, cap: float) -> None:
        self._cap = cap
        self._window = -1
        self._count = 0
        self._lock = threading.Lock()

    def admit(self, now: float) -> bool:
        """Count the request in its second and say whether it fits."""
        with self._lock:
            if int(now) != self._window:
                self._window, self._count = int(now), 0
            if self._count + 1 > self._cap:
                return False
            self._count += 1
            return True


class SlidingWindowCap:
    """Admits a request unless ``cap`` requests were admitted in the last 1.0 s; refusals are free.

    A request admitted at ``t`` stops counting at ``t + 1.0`` exactly.

    >>> cap = SlidingWindowCap(2)
    >>> [cap.admit(t) for t in (0.0, 0.5, 0.9, 1.0, 1.4, 1.6)]
    [True, True, False, True, False, True]
    """

    def __init__(self, cap: float) -> None:
        self._cap = cap
        self._admitted: deque[float] = deque()  # times of the admissions still in the window
        self._lock = threading.Lock()

    def admit(self, now: float) -> bool:
        """Drop admissions older than the window, then admit if fewer than ``cap`` remain."""
        with self._lock:
            while self._admitted and self._admitted[0] <= now - WINDOW:
                self._admitted.popleft()
            if len(self._admitted) + 1 > self._cap:
                return False
            self._admitted.append(now)
            return True


def make_cap(cap_qps: float, window: CapWindow) -> Cap:
    """The cap of ``cap_qps`` requests a second counted the ``window`` way.

    >>> type(make_cap(5, "sliding")).__name__
    'SlidingWindowCap'
    """
    return SlidingWindowCap(cap_qps) if window == "sliding" else FixedWindowCap(cap_qps)
