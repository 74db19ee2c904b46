"""Why a request gets refused at the cap: the arrival time of every request, window by window.

    .venv/bin/python bench/pacing_trace.py [--qps 20] [--cap 20] [--n 1200] [--latency 0.1]
                                           [--limiter stock|spaced]

The server (:class:`batchocr.server.RehearsalServer`, in a thread of this process, which
does nothing else meanwhile) counts requests in fixed 1-second windows; this script wraps its
window counter to record the time of every admission check. The engine is the real
``python -m batchocr run`` in a child process, at ``--qps`` against a cap of ``--cap``.

It prints the spacing of consecutive arrivals against the ideal ``1/qps``, how many requests
each full window got, for each refusal where it fell in its window, and how often ``cap + 1``
arrivals fell within one second (a refusal needs that, whatever the windows' alignment).

``--limiter spaced`` runs the same command with :class:`SpacedLimiter` in place of the engine's
limiter: an experiment for a proposed change (``docs/benchmarks.md``), not production code.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
from _common import PYTHON, bench_env, make_images, run_measured, table

from batchocr.run.limiter import RateLimiter
from batchocr.server import Behaviour, RehearsalServer
from batchocr.server.answers import synthetic_answer


class SpacedLimiter(RateLimiter):
    """An experiment, not the engine's limiter: GCRA reservations, then a turnstile that keeps
    actual starts at least ``1/qps`` apart, so a caller that woke late does not let the
    next ones catch up on the schedule (the change this script's --limiter spaced measures).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turnstile = anyio.Lock()  # FIFO: callers pass in the order they reserved
        self._last_start = float("-inf")

    async def acquire(self) -> None:
        await super().acquire()
        async with self._turnstile:
            wait = self._last_start + self._interval - self._clock()
            if wait > 0:
                await self._sleep(wait)
            self._last_start = self._clock()


def child_main() -> int:
    """``batchocr`` with :class:`SpacedLimiter` in place of the engine's limiter."""
    import batchocr.run.submit
    from batchocr.cli import main as cli_main

    batchocr.run.submit.RateLimiter = SpacedLimiter  # type: ignore[misc]
    return cli_main(sys.argv[1:])


_SPACED_BOOT = (
    f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r});"
    " import pacing_trace; sys.exit(pacing_trace.child_main())"
)


class RecordingCap:
    """Delegates to the server's window counter and keeps ``(time, admitted)`` of each check."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.log: list[tuple[float, bool]] = []

    def admit(self, now: float) -> bool:
        admitted: bool = self._inner.admit(now)
        with self._lock:
            self.log.append((now, admitted))
        return admitted


def trace(args: argparse.Namespace) -> list[tuple[float, bool]]:
    behaviour = Behaviour(latency=args.latency, jitter=args.jitter, cap_qps=args.cap)
    with tempfile.TemporaryDirectory(prefix="batchocr-trace-") as tmp:
        images = Path(tmp) / "images"
        make_images(images, args.n)
        with RehearsalServer(synthetic_answer, behaviour) as server:
            app = server._httpd.app  # a diagnostic: reach into the server to time each arrival
            recorder = RecordingCap(app._cap)
            app._cap = recorder  # type: ignore[assignment]
            entry = ["-c", _SPACED_BOOT] if args.limiter == "spaced" else ["-m", "batchocr"]
            cmd = [PYTHON, *entry, "run", str(images), "-o", str(Path(tmp) / "out"),
                   "--endpoint", server.url, "--qps", str(args.qps),
                   "--concurrency", str(args.concurrency), "--no-progress", "-q"]  # fmt: skip
            result = run_measured(cmd, env=bench_env(), timeout=args.n / args.qps * 2 + 120)
            if result.returncode != 0:
                print(f"batchocr exited {result.returncode}: {result.stderr}")
            return sorted(recorder.log)


def analyse(log: list[tuple[float, bool]], qps: float, cap: float) -> None:
    times = [t for t, _ in log]
    ideal_ms = 1000 / qps
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(times)]
    q = statistics.quantiles(gaps, n=1000, method="inclusive")
    achieved = (len(times) - 1) / (times[-1] - times[0]) / cap
    refused = sum(not ok for _, ok in log)
    print(f"arrivals: {len(times)}; refused: {refused}; achieved {achieved:.3f} of the cap")
    print(f"gap between consecutive arrivals, ms (ideal {ideal_ms:.1f}):")
    print(table(
        ("min", "p0.1", "p1", "p10", "median", "p90", "p99", "p99.9", "max"),
        [(min(gaps), q[0], q[9], q[99], statistics.median(gaps), q[899], q[989], q[998],
          max(gaps))],
    ))  # fmt: skip
    short = sum(g < ideal_ms - 1 for g in gaps)
    print(f"gaps shorter than ideal - 1 ms: {short} ({100 * short / len(gaps):.1f}%)")
    windows = Counter(int(t) for t in times)
    full = list(windows.values())[1:-1]  # the first and last windows are partial
    hist = Counter(full)
    print(f"requests per full 1-s window (cap {cap:g}):")
    print(table(("requests in window", "windows"), sorted(hist.items())))
    for t, ok in log:
        if not ok:
            i = times.index(t)
            before = [round(g, 1) for g in gaps[max(0, i - 3) : i + 1]]
            print(f"refused at +{(t - int(t)) * 1000:.1f} ms into its window;"
                  f" gaps before it (ms): {before}")  # fmt: skip
    # Whatever the server's window alignment, a refusal needs cap + 1 arrivals within 1 s.
    k = int(cap)
    spans = [b - a for a, b in zip(times, times[k:], strict=False)]
    overfull = sum(span < 1.0 for span in spans)
    print(
        f"{k + 1} arrivals within less than 1 s (a refusal needs one): {overfull} times"
        f" of {len(spans)}; shortest span of {k + 1} arrivals: {min(spans) * 1000:.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--qps", type=float, default=20.0, help="engine --qps")
    parser.add_argument("--cap", type=float, default=20.0, help="server cap, requests per 1-s")
    parser.add_argument("--n", type=int, default=1200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--jitter", type=float, default=0.03)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--limiter",
        choices=("stock", "spaced"),
        default="stock",
        help="stock: batchocr as is; spaced: with SpacedLimiter, the proposed change",
    )
    args = parser.parse_args(argv)
    log = trace(args)
    print(f"# engine --qps {args.qps:g} ({args.limiter} limiter) against a cap of {args.cap:g},"
          f" N={args.n}")  # fmt: skip
    analyse(log, args.qps, args.cap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
