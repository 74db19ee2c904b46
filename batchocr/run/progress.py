"""Progress on stderr: a live line on a terminal, plain periodic lines elsewhere.

Rendering is a pure function of the counters and the time, so it is tested
with plain values; :class:`Progress` only decides when to print.

>>> from batchocr.models import Counters
>>> render(Counters(seen=10, done_now=8, requests=9), total=20, rate=2.0, elapsed=4.0)
'10/20 seen · 8 done · 0 failed · 0 retrying · 2.0 req/s · ETA 4s'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..models import Counters


def duration(seconds: float) -> str:
    """``75`` → ``"1m15s"``; short and unambiguous."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def render(c: Counters, *, total: int | None, rate: float, elapsed: float) -> str:
    """One status line; the ETA is shown once the number of inputs is known."""
    seen = f"{c.seen}/{total}" if total is not None else f"{c.seen}"
    failed = c.failed_now + c.failed_earlier
    parts = [
        f"{seen} seen",
        f"{c.done_now + c.done_earlier + c.same_content} done",
        f"{failed} failed",
        f"{c.retrying} retrying",
        f"{rate:.1f} req/s",
    ]
    if c.rate_refusals:  # adaptive pacing slowed down: say to what, and what it cost
        parts.append(f"paced {c.pace_qps or 0:.1f}/s after {c.rate_refusals} refused")
    if total is not None and c.seen and elapsed > 0:
        left = max(total - c.seen, 0)
        parts.append(f"ETA {duration(left * elapsed / c.seen)}")
    return " · ".join(parts)


class Progress:
    """Call :meth:`tick` often; it prints at most every ``every`` seconds off a terminal."""

    def __init__(
        self,
        stream: TextIO,
        *,
        live: bool,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.live = live
        self.every = every
        self.clock = clock
        self.total: int | None = None
        self._start = clock()
        self._last_print = self._start
        self._shown = False
        self._printed = False

    def tick(self, c: Counters) -> None:
        now = self.clock()
        line = self._line(c, now)
        if self.live:
            self.stream.write("\r\x1b[K" + line)
            self.stream.flush()
            self._shown = True
        elif now - self._last_print >= self.every:
            self._last_print = now
            self._print(line)

    def close(self, c: Counters) -> None:
        """End the live line so the summary starts on a clean one.

        Off a terminal the last periodic line may be up to ``every`` seconds old
        ("5/5 seen · 4 done" above a summary of 5 done): a log that showed
        progress ends on the final counts.
        """
        if self.live and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        elif self._printed:
            self._print(self._line(c, self.clock()))

    def _line(self, c: Counters, now: float) -> str:
        elapsed = now - self._start
        rate = c.requests / elapsed if elapsed > 0 else 0.0
        return render(c, total=self.total, rate=rate, elapsed=elapsed)

    def _print(self, line: str) -> None:
        self.stream.write(f"progress: {line}\n")
        self.stream.flush()
        self._printed = True
