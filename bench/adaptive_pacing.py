"""Adaptive pacing against a provider whose limit we do not know (issue 10's scenarios).

    .venv/bin/python bench/adaptive_pacing.py [--quick]

Each scenario runs the real CLI (``python -m batchocr run``, a child process) against a
:class:`~batchocr.server.RehearsalServer` served from a thread of this process
(answers in 100 ± 30 ms, a synthetic ticket per image), whose recognizer records the time of
every admitted request. The server refuses with 10012 above ``cap`` requests in any sliding
second (``--cap-window sliding``), or after a quota of admitted requests. Printed per
scenario: exit code, images done, requests and refusals, the achieved rate over the second
half of the admitted requests as a share of the cap, and the child's peak RSS.

Targets: configured 30 / cap 10: exit 0, all done, refused ≤ 10 % of requests, second half
≥ 0.9 x cap; configured = cap = 30: no refusal, ≥ 0.97 x cap; configured 5 / cap 30: 5 qps,
no refusal; a quota that runs out: exit 3 within a few refused requests.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from _common import PYTHON, bench_env, machine, make_images, run_measured, table

from batchocr.models import NameValue
from batchocr.server import Behaviour, RehearsalServer
from batchocr.server.answers import synthetic_answer


@dataclass(frozen=True)
class Scenario:
    name: str
    qps: float
    cap: float
    images: int
    quota: int | None = None


class Recorder:
    """A recognizer that notes when each admitted request arrived."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, image: bytes) -> list[NameValue]:
        with self._lock:
            self.times.append(time.monotonic())
        return synthetic_answer(image)


def second_half_rate(times: list[float]) -> float:
    times = sorted(times)
    half = times[len(times) // 2 :]
    return (len(half) - 1) / (half[-1] - half[0]) if len(half) > 1 else 0.0


def run(s: Scenario, work: Path) -> tuple[object, ...]:
    folder = work / s.name.replace(" ", "-")
    make_images(folder / "in", s.images)
    recorder = Recorder()
    behaviour = Behaviour(latency=0.1, jitter=0.03, cap_qps=s.cap, cap_window="sliding",
                          quota=s.quota, seed=1)  # fmt: skip
    with RehearsalServer(recorder, behaviour).start() as server:
        cmd = [PYTHON, "-m", "batchocr", "run", str(folder / "in"), "-o", str(folder / "out"),
               "--backend", "juhe", "--endpoint", server.url, "--qps", str(s.qps),
               "--no-progress", "-q"]  # fmt: skip
        child = run_measured(cmd, env=bench_env(), timeout=600)
        snap = server.stats.snapshot()
    summary = json.loads((folder / "out" / "summary.json").read_text())
    refused = snap["by_code"].get("10012", 0)
    share = second_half_rate(recorder.times) / s.cap
    return (s.name, s.qps, s.cap, s.images, child.returncode, summary["done_now"], snap["requests"],
            refused, f"{100 * refused / max(snap['requests'], 1):.1f}%",
            round(share, 3), (summary.get("pacing") or {}).get("rate"),
            f"{child.maxrss_mib:.0f}")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller runs")
    args = p.parse_args()
    k = 3 if args.quick else 1
    scenarios = [
        Scenario("30 vs cap 10", 30, 10, 150),
        Scenario("30 vs cap 10 long", 30, 10, 600 // k),
        Scenario("30 vs cap 30", 30, 30, 900 // k),
        Scenario("5 vs cap 30", 5, 30, 100 // k),
        Scenario("quota 60 runs out", 30, 100, 300, quota=60),
    ]
    rows = []
    with tempfile.TemporaryDirectory(prefix="batchocr-adaptive-") as tmp:
        for s in scenarios:
            rows.append(run(s, Path(tmp)))
    print(f"# adaptive_pacing.py{' --quick' if args.quick else ''}: {machine()}")
    print(table(("scenario", "qps", "cap", "images", "exit", "done", "requests", "refused",
                 "refused %", "2nd half / cap", "pace at end", "peak RSS MB"), rows))  # fmt: skip


if __name__ == "__main__":
    main()
