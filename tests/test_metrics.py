"""The metrics file, parsed back with prometheus-client's own text parser."""

from __future__ import annotations

import io
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from fakes import FakeService
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families

from batchocr.outputs.metrics import render_metrics
from batchocr.records import Summary
from batchocr.run.runner import RunRequest, run_batch
from batchocr.server import Behaviour, RehearsalServer
from batchocr.server.answers import synthetic_answer


def samples(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a metrics file: (name, labels) → value, via the real parser."""
    out = {}
    for family in text_string_to_metric_families(path.read_text()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def images(root: Path, n: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        buf = io.BytesIO()
        Image.new("RGB", (50 + i, 40), (i * 20 % 256, 99, 9)).save(buf, "PNG")
        (root / f"i{i}.png").write_bytes(buf.getvalue())
    return root


def answer_all(code: int) -> httpx.MockTransport:
    return FakeService.answering(code).transport()


def run(tmp_path: Path, code: int, n: int = 3) -> tuple[int, dict[Any, float]]:
    prom = tmp_path / "batchocr.prom"
    req = RunRequest(
        inputs=(str(images(tmp_path / "in", n)),),
        progress=False,
        quiet=True,
        flags={"out": str(tmp_path / "out"), "metrics_file": str(prom), "qps": "1000"},
    )
    exit_code = run_batch(
        req,
        env={"JUHE_KEY": "k"},
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        transport=answer_all(code),
    )
    return exit_code, samples(prom)


def test_successful_run_metrics(tmp_path: Path) -> None:
    """A clean run: exit 0, items done, requests and a finish time close to now."""
    code, m = run(tmp_path, 0)
    assert code == 0
    assert m[("batchocr_run_exit_code", ())] == 0
    assert m[("batchocr_run_items", (("outcome", "done_now"),))] == 3
    assert m[("batchocr_run_items", (("outcome", "failed"),))] == 0
    assert m[("batchocr_run_requests", (("kind", "billable"),))] == 3
    assert abs(m[("batchocr_run_finished_timestamp_seconds", ())] - time.time()) < 60
    assert (
        m[("batchocr_run_last_success_timestamp_seconds", ())]
        == (m[("batchocr_run_finished_timestamp_seconds", ())])
    )
    assert stat.S_IMODE((tmp_path / "batchocr.prom").stat().st_mode) == 0o644


def test_aborted_run_metrics(tmp_path: Path) -> None:
    """An expired key: exit 2 in the metrics, everything pending, no last-success sample."""
    code, m = run(tmp_path, 10003)
    assert code == 2
    assert m[("batchocr_run_exit_code", ())] == 2
    assert m[("batchocr_run_items", (("outcome", "pending"),))] == 3
    assert m[("batchocr_run_requests", (("kind", "sent"),))] == 1
    assert ("batchocr_run_last_success_timestamp_seconds", ()) not in m


def test_render_keeps_timestamps_exact() -> None:
    """A Unix timestamp is written in full, not rounded to six digits."""
    text = render_metrics(Summary(1, 0.0), finished=1764460800.25, last_success=1764460800.0)
    assert "batchocr_run_finished_timestamp_seconds 1764460800.25" in text
    assert "batchocr_run_last_success_timestamp_seconds 1764460800\n" in text


def test_a_paced_run_reports_its_pace_and_rate_refusals() -> None:
    """With a pacing record, the pace at the end and the rate refusals are gauges."""
    summary = Summary(0, 0.0, pacing={"ceiling": 30.0, "rate": 9.6, "refusals": 12})
    text = render_metrics(summary, finished=1.0, last_success=None)
    assert "batchocr_run_pace_qps 9.6\n" in text
    assert "batchocr_run_rate_refusals 12\n" in text
    assert "batchocr_run_pace_qps" not in render_metrics(Summary(0, 0.0), finished=1.0,
                                                         last_success=None)  # fmt: skip


def test_interrupted_run_metrics(tmp_path: Path) -> None:
    """SIGTERM mid-run: the CLI exits 143 and still writes the metrics file."""
    root = images(tmp_path / "in", 20)
    prom = tmp_path / "m.prom"
    with RehearsalServer(synthetic_answer, Behaviour(latency=0.3)) as server:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "batchocr",
                "run",
                str(root),
                "-o",
                str(tmp_path / "out"),
                "--endpoint",
                server.url,
                "--qps",
                "50",
                "--concurrency",
                "2",
                "--metrics-file",
                str(prom),
                "--no-progress",
            ],
            env={**os.environ, "JUHE_KEY": "k"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while server.stats.snapshot()["requests"] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 143
    m = samples(prom)
    assert m[("batchocr_run_exit_code", ())] == 143
    assert m[("batchocr_run_items", (("outcome", "pending"),))] > 0
