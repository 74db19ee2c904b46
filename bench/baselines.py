"""Two naive ways to pace requests to a capped service, for ``bench/engine.py`` to compare.

- :func:`sequential`: one request at a time, ``sleep(1/qps)`` between sends.
- :func:`gather_paced`: ``asyncio.gather`` of every request, request ``i`` started at
  ``i/qps`` by ``asyncio.sleep``; nothing else bounds the requests in flight.

Both post the way a quick script would (``httpx`` ``data=``), and neither retries a
refusal: a refused image is simply not recognized. Run alone against a server::

    .venv/bin/python bench/baselines.py --url http://127.0.0.1:8000/flightinvoiceOcr/index \\
        --qps 20 --n 200 --which gather
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
from _common import BENCH_KEY, make_images


@dataclass(frozen=True, slots=True)
class BaselineRun:
    """What a baseline saw from its side."""

    sent: int
    codes: Counter[str]  # error_code (or exception name) → count
    wall: float  # seconds from the first send to the last answer


def _form(path: Path) -> dict[str, str]:
    return {"key": BENCH_KEY, "ImageBase64": base64.b64encode(path.read_bytes()).decode()}


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error_code"])
    except (ValueError, KeyError, TypeError):
        return f"http{response.status_code}"


def sequential(url: str, paths: list[Path], qps: float, seconds: float) -> BaselineRun:
    """Send one at a time, sleeping ``1/qps`` after each answer; stop after ``seconds``."""
    codes: Counter[str] = Counter()
    sent = 0
    started = time.monotonic()
    with httpx.Client(timeout=30) as client:
        for path in paths:
            if time.monotonic() - started > seconds:
                break
            sent += 1
            try:
                codes[_code(client.post(url, data=_form(path)))] += 1
            except httpx.HTTPError as exc:
                codes[type(exc).__name__] += 1
            time.sleep(1 / qps)
    return BaselineRun(sent, codes, time.monotonic() - started)


async def _gather(url: str, paths: list[Path], qps: float) -> BaselineRun:
    codes: Counter[str] = Counter()
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(i: int, path: Path) -> None:
            await asyncio.sleep(i / qps)
            try:
                codes[_code(await client.post(url, data=_form(path)))] += 1
            except httpx.HTTPError as exc:
                codes[type(exc).__name__] += 1

        started = time.monotonic()
        await asyncio.gather(*(one(i, p) for i, p in enumerate(paths)))
    return BaselineRun(len(paths), codes, time.monotonic() - started)


def gather_paced(url: str, paths: list[Path], qps: float) -> BaselineRun:
    """Start request ``i`` at ``i/qps`` with ``asyncio.sleep``, all of them under one gather."""
    return asyncio.run(_gather(url, paths, qps))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one naive baseline against a server.")
    parser.add_argument("--url", required=True, help="the OCR endpoint of a running server")
    parser.add_argument("--qps", type=float, default=20.0)
    parser.add_argument("--n", type=int, default=200, help="images to send")
    parser.add_argument("--which", choices=("sequential", "gather"), default="gather")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="batchocr-bench-") as tmp:
        paths = make_images(Path(tmp), args.n)
        if args.which == "sequential":
            run = sequential(args.url, paths, args.qps, seconds=3600)
        else:
            run = gather_paced(args.url, paths, args.qps)
    print(f"{args.which}: sent {run.sent} in {run.wall:.2f} s; codes {dict(run.codes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
