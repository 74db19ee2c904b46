"""The progress lines a log or a terminal shows."""

from __future__ import annotations

import io

from batchocr.models import Counters
from batchocr.run.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_log_ends_on_the_final_counts_not_the_last_periodic_line() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, live=False, every=10.0, clock=clock)
    progress.total = 5
    progress.tick(Counters(seen=1))  # at once: nothing yet
    clock.now = 10.0
    progress.tick(Counters(seen=5, done_now=4, requests=5))
    clock.now = 12.0
    progress.tick(Counters(seen=5, done_now=5, requests=5))  # too soon for a line
    progress.close(Counters(seen=5, done_now=5, requests=5))
    assert out.getvalue().splitlines() == [
        "progress: 5/5 seen · 4 done · 0 failed · 0 retrying · 0.5 req/s · ETA 0s",
        "progress: 5/5 seen · 5 done · 0 failed · 0 retrying · 0.4 req/s · ETA 0s",
    ]


def test_a_short_run_off_a_terminal_prints_no_progress_at_all() -> None:
    out = io.StringIO()
    progress = Progress(out, live=False, every=10.0, clock=Clock())
    progress.tick(Counters(seen=2, done_now=2))
    progress.close(Counters(seen=2, done_now=2))
    assert out.getvalue() == ""


def test_a_terminal_line_is_rewritten_in_place_and_wiped_at_the_end() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, live=True, clock=clock)
    clock.now = 2.0
    progress.tick(Counters(seen=1, done_now=1, requests=1))
    progress.close(Counters(seen=1, done_now=1, requests=1))
    assert out.getvalue() == (
        "\r\x1b[K1 seen · 1 done · 0 failed · 0 retrying · 0.5 req/s\r\x1b[K"
    )
