"""The engine end to end: pacing against a capped server, memory, rerun; naive baselines beside it.

    .venv/bin/python bench/engine.py [--qps 20] [--latency 0.1] [--jitter 0.03] [--n N]
                                     [--n-small 1000] [--n-large 20000] [--quick]

Every server is ``batchocr serve`` in its own process; the engine is the
real command line, ``python -m batchocr run``, in another. Three parts:

1. Pacing: a server that answers in ``latency ± jitter`` and refuses (10012) anything over
   ``--qps`` requests in a 1-second window; the engine with ``--qps`` equal to that cap; then the
   naive baselines of ``bench/baselines.py`` against a fresh server of the same kind. ``N``
   defaults to ``qps × 60`` (about a minute at the cap). Each contender gets a fresh server.
2. Memory: peak RSS of the ``batchocr`` process (``os.wait4`` on its pid) for ``--n-small`` and
   ``--n-large`` inputs, against a server with no cap and no latency, at ``--rss-qps``
   (the cap run at 20 qps would take 1,000 s for 20,000 inputs).
3. Rerun: the same command over the ``--n-large`` inputs, all done: wall time and requests.

Targets (issue 2): achieved ≥ 0.97 of the cap with zero refused; RSS(large) ≤ 1.25 × RSS(small);
rerun ≤ 5 s with zero requests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    PYTHON,
    ChildResult,
    ServerProcess,
    bench_env,
    machine,
    make_images,
    make_jpegs,
    run_measured,
    table,
)
from baselines import BaselineRun, gather_paced, sequential


@dataclass(frozen=True, slots=True)
class Pacing:
    """One contender's numbers against a capped server."""

    name: str
    sent: int
    refused: int
    max_in_flight: int
    span_ratio: float  # (requests - 1) / (last_at - first_at) / cap, at the server
    accepted_ratio: float  # the same for answers with error_code 0
    wall_ratio: float  # items sent / contender's wall time / cap
    wall: float
    outcome: str = ""  # what the contender itself saw, item by item
    items: int = 0  # items the contender tried

    def row(self) -> tuple[object, ...]:
        refused_pct = 100 * self.refused / max(self.sent, 1)
        return (self.name, self.sent, self.refused, refused_pct, self.max_in_flight,
                self.span_ratio, self.accepted_ratio, self.wall_ratio, self.wall)  # fmt: skip


def pacing_from_stats(
    name: str, stats: dict[str, Any], cap: float, wall: float, items: int, outcome: str
) -> Pacing:
    """Rates as the server saw them: requests started between its first and last POST."""
    n = stats["requests"]
    span = (stats["last_at"] or 0.0) - (stats["first_at"] or 0.0)
    rate = (n - 1) / span if span > 0 else 0.0
    ok = stats["by_code"].get("0", 0)
    return Pacing(
        name=name,
        sent=n,
        refused=stats["refused"],
        max_in_flight=stats["max_in_flight"],
        span_ratio=rate / cap,
        accepted_ratio=rate * ok / n / cap if n else 0.0,
        wall_ratio=n / wall / cap if wall > 0 else 0.0,
        wall=wall,
        outcome=outcome,
        items=items,
    )


def engine_outcome(summary: dict[str, Any]) -> str:
    """The engine's own account, from its ``summary.json``."""
    if not summary:
        return "no summary.json"
    failed = summary["failed_by_code"] or "none"
    return (
        f"exit {summary['exit_code']}: {summary['done_now']} done, failed {failed},"
        f" {summary['pending']} pending; {summary['requests_sent']} requests"
        f" ({summary['retries']} retries)"
    )


def baseline_outcome(run: BaselineRun) -> str:
    """A baseline's own account: answers by error code, or the exception that replaced one."""
    parts = [f"{'ok' if code == '0' else code} {n}" for code, n in run.codes.most_common()]
    unsent = run.sent - sum(run.codes.values())
    return ", ".join(parts + ([f"no answer {unsent}"] if unsent else []))


def run_cli(
    images: Path, out: Path, url: str, qps: float, concurrency: int, timeout: float
) -> tuple[ChildResult, dict[str, Any]]:
    """``python -m batchocr run IMAGES -o OUT`` as a child; its result and ``summary.json``."""
    cmd = [PYTHON, "-m", "batchocr", "run", str(images), "-o", str(out), "--endpoint", url,
           "--qps", str(qps), "--concurrency", str(concurrency), "--no-progress"]  # fmt: skip
    result = run_measured(cmd, env=bench_env(), timeout=timeout)
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    if result.returncode != 0:
        print(f"batchocr exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result, summary


def pacing_part(args: argparse.Namespace, tmp: Path) -> list[Pacing]:
    """The engine, then the baselines, each against a fresh capped server."""
    images = tmp / "pacing"
    if args.image_kb:
        paths = make_jpegs(images, args.n, args.image_kb * 1024)
    else:
        paths = make_images(images, args.n)
    timeout = args.n / min(args.qps, args.engine_qps) * 2 + 120
    rows = []
    with ServerProcess(latency=args.latency, jitter=args.jitter, cap_qps=args.qps) as server:
        result, summary = run_cli(
            images, tmp / "out-pacing", server.url, args.engine_qps, args.concurrency, timeout
        )
        stats, outcome = server.stats(), engine_outcome(summary)
        rows.append(
            pacing_from_stats(
                f"batchocr run --qps {args.engine_qps:g}",
                stats,
                args.qps,
                result.wall,
                args.n,
                outcome,
            )
        )
    if args.skip_baselines:
        return rows
    seconds = args.n / args.qps
    contenders: list[tuple[str, Any]] = [
        (
            "naive: sequential loop, sleep 1/qps",
            lambda url: sequential(url, paths, args.qps, seconds),
        ),
        ("naive: asyncio.gather, sleep i/qps", lambda url: gather_paced(url, paths, args.qps)),
    ]
    for name, go in contenders:
        with ServerProcess(latency=args.latency, jitter=args.jitter, cap_qps=args.qps) as server:
            run: BaselineRun = go(server.url)
            stats, outcome = server.stats(), baseline_outcome(run)
            rows.append(pacing_from_stats(name, stats, args.qps, run.wall, run.sent, outcome))
    return rows


@dataclass(frozen=True, slots=True)
class Memory:
    label: str
    inputs: int
    requests: int
    wall: float
    maxrss_mib: float
    exit_code: int

    def row(self, small_mib: float) -> tuple[object, ...]:
        return (self.label, self.inputs, self.requests, self.wall, self.maxrss_mib,
                self.maxrss_mib / small_mib, self.exit_code)  # fmt: skip


def memory_part(args: argparse.Namespace, tmp: Path) -> list[Memory]:
    """Peak RSS for a small and a large batch, then the rerun over the large one."""
    rows = []
    with ServerProcess() as server:
        for label, n in (("first run", args.n_small), ("first run", args.n_large)):
            images = tmp / f"mem-{n}"
            make_images(images, n)
            before = server.stats()["requests"]
            result, _ = run_cli(
                images,
                tmp / f"out-{n}",
                server.url,
                args.rss_qps,
                args.concurrency,
                timeout=n / 50 + 120,
            )
            rows.append(
                Memory(
                    label,
                    n,
                    server.stats()["requests"] - before,
                    result.wall,
                    result.maxrss_mib,
                    result.returncode,
                )
            )
        before = server.stats()["requests"]
        result, _ = run_cli(
            tmp / f"mem-{args.n_large}",
            tmp / f"out-{args.n_large}",
            server.url,
            args.rss_qps,
            args.concurrency,
            timeout=120,
        )
        rows.append(
            Memory(
                "rerun, all done",
                args.n_large,
                server.stats()["requests"] - before,
                result.wall,
                result.maxrss_mib,
                result.returncode,
            )
        )
    return rows


Check = tuple[str, bool]


def report_pacing(args: argparse.Namespace, pacing: list[Pacing]) -> list[Check]:
    """Print the pacing table; the engine's verdicts."""
    print(
        f"## Pacing: cap {args.qps:g} qps (10012 above it per 1-s window), answers in"
        f" {args.latency * 1000:.0f}±{args.jitter * 1000:.0f} ms, N={args.n}"
        f" {f'JPEGs of ~{args.image_kb} KB' if args.image_kb else 'tiny PNGs'},"
        f" engine --qps {args.engine_qps:g} --concurrency {args.concurrency}\n"
    )
    headers = ("contender", "requests", "refused", "refused %", "max in flight")
    headers += ("req/s ÷ cap", "accepted/s ÷ cap", "wall-clock ÷ cap", "wall s")
    print(table(headers, [p.row() for p in pacing]))
    print("\nWhat each contender saw of its own items:\n")
    print(table(("contender", "items", "outcome"), [(p.name, p.items, p.outcome) for p in pacing]))
    engine = pacing[0]
    return [
        (f"achieved ≥ 0.97 of the cap: {engine.span_ratio:.4f}", engine.span_ratio >= 0.97),
        (f"zero refused: {engine.refused}", engine.refused == 0),
    ]


def report_memory(args: argparse.Namespace, memory: list[Memory]) -> list[Check]:
    """Print the memory and rerun table; their verdicts."""
    print(
        f"\n## Memory and rerun: server with no cap and no latency, engine --qps {args.rss_qps:g}"
        f" --concurrency {args.concurrency}\n"
    )
    small, large, rerun = memory
    headers = ("run", "inputs", "requests", "wall s", "peak RSS MiB", "RSS ÷ small", "exit")
    print(table(headers, [m.row(small.maxrss_mib) for m in memory]))
    growth = large.maxrss_mib / small.maxrss_mib
    return [
        (f"RSS at {large.inputs} ≤ 1.25 × RSS at {small.inputs}: {growth:.3f}", growth <= 1.25),
        (f"rerun ≤ 5 s: {rerun.wall:.2f} s", rerun.wall <= 5),
        (f"rerun sends nothing: {rerun.requests} requests", rerun.requests == 0),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add = parser.add_argument
    add("--qps", type=float, default=20.0, help="the server's cap and the engine's --qps")
    add(
        "--engine-qps",
        type=float,
        help="pacing part: engine --qps when it should differ from the cap (e.g. 2%% below)",
    )
    add("--latency", type=float, default=0.1, help="server answer time, seconds (default 0.1)")
    add("--jitter", type=float, default=0.03, help="± seconds around the latency (default 0.03)")
    add("--n", type=int, help="images in the pacing part (default: qps × 60, about a minute)")
    add("--concurrency", type=int, default=8, help="engine --concurrency (default 8)")
    add(
        "--image-kb",
        type=int,
        default=0,
        help="pacing part: distinct JPEGs of about this many KB instead of tiny PNGs",
    )
    add("--n-small", type=int, default=1000, help="inputs of the small memory run")
    add("--n-large", type=int, default=20000, help="inputs of the large memory run and rerun")
    add("--rss-qps", type=float, default=2000.0, help="engine --qps in the memory runs")
    add("--skip-baselines", action="store_true", help="measure the engine only")
    add("--skip-memory", action="store_true", help="the pacing part only")
    add("--keep", action="store_true", help="keep the temporary folder (printed) for a look")
    add("--quick", action="store_true", help="a 1-minute smoke run: N=qps×10, 500 and 2,000")
    args = parser.parse_args(argv)
    if args.quick:
        args.n = args.n or int(args.qps * 10)
        args.n_small = min(args.n_small, 500)
        args.n_large = min(args.n_large, 2000)
    args.n = args.n or int(args.qps * 60)
    args.engine_qps = args.engine_qps or args.qps
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="batchocr-bench-"))
    try:
        pacing = pacing_part(args, tmp)
        memory = [] if args.skip_memory else memory_part(args, tmp)
        print(f"# batchocr engine benchmark ({machine()})\n")
        checks = report_pacing(args, pacing)
        if memory:
            checks += report_memory(args, memory)
        print("\n## Targets\n")
        for text, ok in checks:
            print(f"- {'met   ' if ok else 'MISSED'} {text}")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        if args.keep:
            print(f"\n(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
