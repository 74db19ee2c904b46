"""End to end: the CLI (a subprocess) against a local server that refuses above 10 requests in
any sliding second, configured at three times that: adaptive pacing finds the limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_helpers import make_images, read_json, run_cli

from batchocr.server import Behaviour, RehearsalServer
from batchocr.server.answers import synthetic_answer

pytestmark = pytest.mark.e2e

CAP = Behaviour(cap_qps=10, cap_window="sliding", latency=0.1, jitter=0.03, seed=3)


def test_three_times_the_real_limit_finishes_and_the_next_run_starts_at_the_learned_pace(
    tmp_path: Path,
) -> None:
    """--qps 30 against a sliding cap of 10: exit 0, every image done, few refusals, the pace
    learned; a second run on the same OUT starts near it and is refused (almost) nothing."""
    make_images(tmp_path / "in", 80)
    with RehearsalServer(synthetic_answer, CAP).start() as server:
        args = ["in", "-o", "out", "--backend", "juhe", "--endpoint", server.url,
                "--qps", "30", "--no-progress"]  # fmt: skip
        done = run_cli(args, cwd=tmp_path, timeout=60)
        assert done.code == 0, done.stderr
        summary = read_json(tmp_path / "out" / "summary.json")
        refused = server.stats.snapshot()["by_code"].get("10012", 0)
        assert summary["done_now"] == 80 and summary["failed"] == 0
        assert summary["pacing"]["refusals"] == refused > 0
        assert refused <= 0.15 * summary["requests_sent"]
        assert 7.0 <= summary["pacing"]["rate"] <= 10.5
        assert "paced down to" in done.stdout

        make_images(tmp_path / "in", 60, start=80)
        again = run_cli(args, cwd=tmp_path, timeout=60)
        assert again.code == 0, again.stderr
        second = read_json(tmp_path / "out" / "summary.json")
        assert second["done_now"] == 60
        assert second["pacing"]["refusals"] <= 3
        assert second["requests_per_second"] >= 0.85 * 10
