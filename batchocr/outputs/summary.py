"""The end of a run: the error report's records, ``summary.json`` and the screen summary.

All pure: functions of the counters and the report rows.

>>> from batchocr.models import Counters
>>> s = build_summary(Counters(seen=2, done_now=2, requests=2, billable=2), [],
...                   exit_code=0, elapsed=1.0)
>>> (s.seen, s.failed, s.pending, s.exit_meaning)
(2, 0, 0, 'every item is done')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..models import Stage
from ..records import BackendName, ErrorRecord, Summary
from ..run.progress import duration
from ..run.state import ReportRow

if TYPE_CHECKING:
    from ..models import Counters

__all__ = ["build_summary", "error_record", "format_summary"]


def error_record(row: ReportRow) -> ErrorRecord:
    """One line of ``errors.jsonl``."""
    f = row.failure
    return ErrorRecord(row.id, row.source, row.sha256, f.stage, f.error_code, f.reason,
                       f.retryable, f.attempts, f.failed_at, f.kind)  # fmt: skip


def build_summary(
    c: Counters,
    rows: Iterable[ReportRow] | None,
    *,
    exit_code: int,
    elapsed: float,
    **about: Any,
) -> Summary:
    """``summary.json``: counts, rates and why the run ended.

    ``rows`` is the error report; a dry run has none and counts its own failures.
    ``about`` holds the run's facts (:class:`~batchocr.records.Summary`'s later fields).
    """
    by_stage: Counter[str] = Counter()
    by_code: Counter[str] = Counter()
    pending = retryable = 0
    if rows is None:
        by_code.update(c.failures)
        if c.failed_earlier:
            by_code["earlier"] = c.failed_earlier
    for row in rows or ():
        f = row.failure
        if f.stage is Stage.PENDING:
            pending += 1
            continue
        by_stage[f.stage.value] += 1
        by_code[str(f.error_code) if f.error_code is not None else f.stage.value] += 1
        retryable += f.retryable
    # The pace at which requests started: what the rate limiter controls.
    sending = (c.last_request_at or 0.0) - (c.first_request_at or 0.0)
    return Summary(
        exit_code=exit_code,
        elapsed_seconds=round(elapsed, 3),
        seen=c.seen,
        done_now=c.done_now,
        done_earlier=c.done_earlier,
        same_content=c.same_content,
        duplicate_tickets=c.duplicate_tickets,
        failed=sum(by_code.values()),
        failed_by_stage=dict(sorted(by_stage.items())),
        failed_by_code=dict(sorted(by_code.items())),
        failed_retryable=retryable,
        pending=pending if rows is not None else c.not_reached,
        not_reached=c.not_reached,
        requests_sent=c.requests,
        billable_requests=c.billable,
        retries=c.retries,
        would_send=c.would_send,
        would_read=c.would_read,
        read_from_files=c.read_from_files,
        max_in_flight=c.max_in_flight,
        requests_per_second=round((c.requests - 1) / sending, 3) if sending > 0 else 0.0,
        **about,
    )


def format_summary(s: Summary) -> str:
    """The one-screen summary printed at the end of every run."""
    lines = [
        f"batchocr: {'dry run ' if s.dry_run else ''}finished in"
        f" {duration(s.elapsed_seconds)}: exit {s.exit_code} ({s.exit_meaning})",
    ]
    if s.stopped:
        lines.append(f"  stopped: {s.stopped.message}")
    lines.append(
        f"  {s.seen} seen: {s.done_now} done now, {s.done_earlier} done earlier,"
        + (f" {s.same_content} same image as another," if s.same_content else "")
        + f" {s.failed} failed, {s.pending} pending"
    )
    if s.dry_run:
        lines.append(f"  would send {s.would_send} image(s): at most that many billable requests")
        if s.would_read:
            lines.append(f"  would read {s.would_read} page(s) from PDF/OFD/XML text, free")
    elif s.backend is BackendName.LOCAL:
        lines.append(f"  {s.requests_sent} page(s) read by the local engine, nothing billed")
    else:
        lines.append(
            f"  {s.requests_sent} request(s): {s.billable_requests} billable,"
            f" {s.retries} retries, {s.requests_per_second} req/s"
            f" (configured {s.settings.get('qps', '?')})"
        )
        if s.pacing and s.pacing.get("refusals"):
            lines.append(
                f"  paced down to {s.pacing['rate']} req/s: the service refused"
                f" {s.pacing['refusals']} request(s) for their rate (sent again; the next run"
                " starts at that pace)"
            )
    if s.read_from_files:
        lines.append(
            f"  {s.read_from_files} page(s) read from PDF/OFD/XML text: nothing recognized"
            " or billed"
        )
    if s.skipped.total:
        reasons = ", ".join(f"{k}: {v}" for k, v in s.skipped.by_reason.items())
        names = s.skipped.examples[:5]  # summary.json keeps ten; a screen line, five
        more = ", …" if s.skipped.total > len(names) else ""
        lines.append(
            f"  skipped {s.skipped.total} file(s) in folders ({reasons}): {', '.join(names)}{more}"
        )
    if s.failed:
        parts = [f"{k} {v}" for k, v in s.failed_by_code.items()]
        lines.append(
            f"  failed by code: {', '.join(parts)} ({s.failed_retryable} retryable by rerunning)"
        )
    for name in ("results", "errors", "summary"):
        if path := s.files.get(name):
            lines.append(f"  {name + ':':9}{path}")
    return "\n".join(lines)
