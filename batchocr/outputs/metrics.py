"""The Prometheus textfile-collector file written at the end of every run.

node_exporter's textfile collector reads ``*.prom`` files from one folder; an
alert on ``time() - batchocr_run_finished_timestamp_seconds`` catches a nightly
job that stopped running, and ``batchocr_run_exit_code`` one that runs badly.
The file holds counts only (no names, no ids), so it is world-readable.

>>> from batchocr.records import Summary
>>> text = render_metrics(Summary(0, 1.0, seen=1), finished=1.5e9, last_success=1.5e9)
>>> "batchocr_run_exit_code 0" in text
True
"""

from __future__ import annotations

from pathlib import Path

from ..records import Summary
from ..run.sinks import write_atomic

_ITEMS = ("seen", "done_now", "done_earlier", "same_content", "failed", "pending")
_REQUESTS = (("sent", "requests_sent"), ("billable", "billable_requests"), ("retries", "retries"))


def _number(value: float) -> str:
    """Full precision: ``1732838400`` must not become ``1.73284e+09``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _metric(name: str, kind: str, help_: str, samples: list[tuple[str, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{labels} {_number(value)}" for labels, value in samples]
    return lines


def render_metrics(
    summary: Summary, *, finished: float, last_success: float | None
) -> str:
    """The text exposition format for one finished (or stopped) run."""
    lines = _metric(
        "batchocr_run_items",
        "gauge",
        "Items of the last run by outcome.",
        [(f'{{outcome="{k}"}}', float(getattr(summary, k))) for k in _ITEMS],
    )
    lines += _metric(
        "batchocr_run_requests",
        "gauge",
        "Requests of the last run: sent, billable (answered with success), retries.",
        [(f'{{kind="{label}"}}', float(getattr(summary, key))) for label, key in _REQUESTS],
    )
    pacing = summary.pacing or {}
    if pacing:
        lines += _metric(
            "batchocr_run_pace_qps",
            "gauge",
            "The adaptive pace at the end of the last run (requests per second).",
            [("", float(pacing["rate"]))],
        )
        lines += _metric(
            "batchocr_run_rate_refusals",
            "gauge",
            "Requests of the last run the service refused for their rate (sent again).",
            [("", float(pacing["refusals"]))],
        )
    lines += _metric(
        "batchocr_run_duration_seconds",
        "gauge",
        "Wall-clock duration of the last run.",
        [("", summary.elapsed_seconds)],
    )
    lines += _metric(
        "batchocr_run_exit_code",
        "gauge",
        "Exit code of the last run (0 all done, 1 failures, 2 usage/abort, 3 stopped early).",
        [("", float(summary.exit_code))],
    )
    lines += _metric(
        "batchocr_run_finished_timestamp_seconds",
        "gauge",
        "Unix time the last run finished.",
        [("", finished)],
    )
    if last_success is not None:
        lines += _metric(
            "batchocr_run_last_success_timestamp_seconds",
            "gauge",
            "Unix time of the last run that exited 0.",
            [("", last_success)],
        )
    return "\n".join(lines) + "\n"


def write_metrics(path: Path, text: str) -> None:
    """Replace the file atomically, so the collector never reads half of it."""
    write_atomic(path, text.encode("utf-8"), mode=0o644)
