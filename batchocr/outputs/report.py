"""``batchocr report OUT``: what a run left to do, and what to do about it.

usage: batchocr report [-h] [--html FILE] OUT

The text report (stdout) has the last run's totals from ``summary.json``; the
failures of ``errors.jsonl`` grouped by kind, each kind with what the user
should do (:data:`CODE_ADVICE`, :data:`INPUT_KINDS`); the warnings of
``results.jsonl`` grouped by code; and the tickets recorded more than once.

``--html FILE`` also writes the review page (:mod:`~batchocr.outputs.review`,
rendered from a template with autoescaping), owner-only (0600).

>>> print(text_report(None, [], []))
No summary.json: no run has finished in this OUT yet.
<BLANKLINE>
Failures: none.
<BLANKLINE>
Warnings: none.
<BLANKLINE>
Duplicate tickets: none.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..codes import CODES
from ..errors import CODE_MEANINGS, UsageError
from ..exits import Halt
from ..models import InputKind, Stage, Warning_
from ..records import BackendName, ErrorRecord, ResultRecord, StopRecord, Summary
from ..run.sinks import ERRORS, RESULTS, SUMMARY, write_atomic
from .outdir import (
    duplicate_groups,
    find_duplicates,
    load_errors,
    load_results,
    load_summary,
    merged_warnings,
)

__all__ = [
    "CODE_ADVICE",
    "INPUT_KINDS",
    "WARNING_ADVICE",
    "Digest",
    "Group",
    "add_arguments",
    "classify_failure",
    "digest",
    "run",
    "text_report",
]

# What to do about an item that ended on a code: the advice column of batchocr.codes.
CODE_ADVICE: dict[int, str] = {n: c.advice for n, c in CODES.items() if n}
UNKNOWN_CODE_ADVICE = (
    "an undocumented code: look it up with the provider, then rerun with --retry-failed"
)
TRANSPORT_ADVICE = (
    "no usable answer (timeout, connection or HTTP error): check the network and --endpoint"
    " (raise --timeout if these are timeouts); rerun resumes and sends these again"
)
PENDING_ADVICE = "not sent yet: rerun the same command; it resumes where it stopped"

_AGAIN = ", then rerun with --retry-failed"
_REPLACE = ", then rerun"
# What is wrong with an input (as data, from where it was found) → (title, what to do).
INPUT_KINDS: dict[InputKind, tuple[str, str]] = {
    InputKind.NOT_FOUND: ("file not found", "check the path (it moved or was deleted)" + _AGAIN),
    InputKind.PERMISSION: ("permission denied", "let batchocr's user read the file" + _AGAIN),
    InputKind.FOLDER: ("folder not readable", "let batchocr's user read it" + _AGAIN),
    InputKind.NOT_A_FILE: ("not a file", "give image files or folders, not special files" + _AGAIN),
    InputKind.EMPTY: ("empty file", "copy the file again or re-scan it" + _REPLACE),
    InputKind.FILE_TOO_LARGE: ("file too large",
                               "re-scan at a lower resolution or as JPEG" + _REPLACE),
    InputKind.PDF_AS_IMAGE: ("a PDF, not an image", "export the page as JPEG or PNG" + _REPLACE),
    InputKind.NOT_AN_IMAGE: ("not an image", "remove it or replace it with the scan" + _REPLACE),
    InputKind.HEIF: ("HEIF/AVIF image", "export it as JPEG or PNG" + _REPLACE),
    InputKind.DAMAGED_IMAGE: ("damaged image", "copy the file again or re-scan it" + _REPLACE),
    InputKind.TOO_MANY_PIXELS: ("image too large to decode",
                                "re-scan at a lower resolution" + _REPLACE),
    InputKind.TOO_SMALL: ("image too small", "re-scan at a higher resolution" + _REPLACE),
    InputKind.TOO_ELONGATED: ("image too elongated", "crop it to the itinerary" + _REPLACE),
    InputKind.TOO_LARGE_TO_SEND: ("image too large to send",
                                  "re-scan at a lower resolution or crop" + _REPLACE),
    InputKind.OTHER_INVOICE: ("another kind of invoice",
        "nothing to redo here: it is not a flight itinerary (hotel, taxi, rail…); file it with"
        " the other expenses"),
    InputKind.PDF_LOCKED: ("password-protected PDF",
        "save an unprotected copy (or download it again)" + _REPLACE),
    InputKind.DAMAGED_PDF: ("damaged PDF", "download or export the file again" + _REPLACE),
    InputKind.PDF_PAGES: ("PDF too long or empty", "split it into the itineraries" + _REPLACE),
    InputKind.UNSAFE_XML: ("unsafe XML", "download the file again from the issuer" + _REPLACE),
    InputKind.DAMAGED_XML: ("damaged XML or OFD", "download the file again" + _REPLACE),
    InputKind.UNSAFE_OFD: ("unsafe or damaged OFD",
                           "download the file again from the issuer" + _REPLACE),
    InputKind.DAMAGED_OFD: ("damaged OFD", "download the file again" + _REPLACE),
    InputKind.MANIFEST_ROW: ("bad manifest row", "fix the row in the manifest" + _REPLACE),
    InputKind.UNUSABLE: ("unusable input", "fix or re-scan the file" + _REPLACE),
}  # fmt: skip

WARNING_ADVICE: dict[str, str] = {
    "total_mismatch": "the total is not the sum of its parts (paper: fare + CAAC fund + fuel"
    " surcharge + other taxes; e-invoice: fare + fuel + VAT + fund + other taxes): compare"
    " the amounts with the scan",
    "vat_mismatch": "the VAT amount is not (fare + fuel surcharge) x the VAT rate: compare"
    " the three amounts with the scan",
    "qr_mismatch": "a value differs from the invoice's own QR code (the detail names both):"
    " the QR code is usually right; check the printed value",
    "low_confidence": "the offline engine was unsure of this value: check it on the scan",
    "bad_e_ticket_no": "the e-ticket number is not 13 digits: read it off the scan",
    "bad_check_code": "the check code is not 4 digits: read it off the scan",
    "bad_serial_no": "the serial number is not 11 digits: read it off the scan",
    "bad_amount": "an amount could not be read: take it from the scan",
    "bad_date": "a date could not be read: take it from the scan",
    "bad_time": "a time could not be read: take it from the scan",
    "segment_gap": "a flight does not leave from where the previous one landed: check the route"
    " on the scan (an open-jaw trip is genuine)",
    "missing_core_field": "no e-ticket or invoice number: check that this is an itinerary;"
    " re-scan it if it is",
    "duplicate_ticket": "the same ticket is in more than one scan: keep one claim, reject"
    " the others",
}
UNKNOWN_WARNING_ADVICE = "check the named field against the scan"


@dataclass(frozen=True, slots=True)
class Group:
    """Items with the same problem: a title, what to do, and ``(id, detail)`` per item."""

    title: str
    advice: str
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything both reports show, computed once from the three files."""

    totals: tuple[str, ...]
    failures: tuple[Group, ...]
    warnings: tuple[Group, ...]
    duplicates: tuple[tuple[str, tuple[str, ...]], ...]  # "e_ticket_no 999…" → ids


def _code_title(code: int) -> str:
    return f"{code} {CODE_MEANINGS.get(code, 'undocumented code')}"


def classify_failure(error: ErrorRecord, stop_code: int | None = None) -> tuple[int, str, str]:
    """An ``errors.jsonl`` record → (sort rank, group title, what to do); ``stop_code`` is the
    code the run stopped on (``summary.json``), for pending items that carry none.

    >>> e = ErrorRecord.from_json({"stage": "service", "error_code": 10003})
    >>> classify_failure(e)[1:]
    ('10003 the key has expired', "key expired: renew it in the provider's console and rerun")
    """
    code = error.error_code
    if error.stage is Stage.PENDING:
        code = code if code is not None else stop_code
        if code is None:
            return 40, "pending: not sent", PENDING_ADVICE
        title = f"pending: the run stopped on {_code_title(code)}"
        return 40, title, CODE_ADVICE.get(code, UNKNOWN_CODE_ADVICE)
    if error.stage is Stage.TRANSPORT:
        return 20, "transport: no usable answer", TRANSPORT_ADVICE
    if code is not None:
        return 10, _code_title(code), CODE_ADVICE.get(code, UNKNOWN_CODE_ADVICE)
    title, advice = INPUT_KINDS[error.input_kind or InputKind.UNUSABLE]
    return 30, f"input: {title}", advice


def _failure_groups(errors: Iterable[ErrorRecord], stopped_on: int | None) -> tuple[Group, ...]:
    found: dict[tuple[int, str, str], list[tuple[str, str]]] = defaultdict(list)
    for error in errors:
        item = (error.id, error.reason)
        found[classify_failure(error, stopped_on)].append(item)
    return tuple(Group(title, advice, tuple(sorted(items)))
                 for (_, title, advice), items in sorted(found.items()))  # fmt: skip


def _warning_groups(records: Sequence[ResultRecord]) -> tuple[Group, ...]:
    duplicates = find_duplicates(records)
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for record in records:
        for w in merged_warnings(record, duplicates.get(record.id, [])):
            found[w.code].append((record.id, _finding(w)))
    return tuple(
        Group(code, WARNING_ADVICE.get(code, UNKNOWN_WARNING_ADVICE), tuple(sorted(items)))
        for code, items in sorted(found.items())
    )


def _finding(w: Warning_) -> str:
    """``segments[0].seat_class: read with confidence 0.62``: the field, then the detail."""
    if w.field and w.field not in w.detail:
        return f"{w.field}: {w.detail}" if w.detail else w.field
    return w.detail or w.field or ""


def _todo(advice: str) -> str:
    """``what to do: …`` wrapped to 100 columns, for terminals and e-mail."""
    return textwrap.fill(
        advice, 100, initial_indent="    what to do: ", subsequent_indent=" " * 16,
        break_on_hyphens=False, break_long_words=False,
    )  # fmt: skip


def stop_code(summary: Summary | None) -> int | None:
    """The service code the last run stopped on, if it stopped on one."""
    return summary.stopped.code if summary and summary.stopped else None


def _stop_advice(stopped: StopRecord) -> str:
    if stopped.code is not None:
        return CODE_ADVICE.get(stopped.code, UNKNOWN_CODE_ADVICE)
    return {
        Halt.LIMIT: "--limit was reached: rerun (with a new --limit) to send the rest",
        Halt.SIGINT: "interrupted: rerun the same command; it resumes",
        Halt.SIGTERM: "terminated: rerun the same command; it resumes",
        Halt.USAGE: "fix the manifest, then rerun",
    }.get(stopped.reason, "rerun later; it resumes where it stopped")


def _totals(s: Summary | None) -> list[str]:
    if s is None:
        return ["No summary.json: no run has finished in this OUT yet."]
    lines = [
        f"Last run: run {s.run if s.run is not None else '?'}, finished {s.finished_at or '?'}:"
        f" exit {s.exit_code} ({s.exit_meaning or '?'})",
        f"  {s.seen} seen: {s.done_now} done now, {s.done_earlier} done earlier,"
        f" {s.failed} failed, {s.pending} pending",
        f"  {s.requests_sent} page(s) read by the local engine, nothing billed"
        if s.backend is BackendName.LOCAL
        else f"  {s.requests_sent} request(s): {s.billable_requests} billable, {s.retries} retries",
    ]
    if s.read_from_files:
        lines.append(f"  {s.read_from_files} page(s) read from PDF/OFD/XML text, no cost")
    if s.pacing and s.pacing.get("refusals"):
        lines.append(f"  paced down to {s.pacing.get('rate')} req/s after"
                     f" {s.pacing.get('refusals')} refusal(s) for rate")  # fmt: skip
    if s.skipped.total:
        lines.append(f"  {s.skipped.total} file(s) skipped by the folder walk:"
                     f" {', '.join(s.skipped.examples)}")  # fmt: skip
    if s.duplicate_tickets:
        lines.append(f"  {s.duplicate_tickets} ticket(s) already recorded from another scan")
    if s.stopped:
        lines.append(f"  stopped: {s.stopped.message}")
        lines.append(_todo(_stop_advice(s.stopped)))
    return lines


def digest(
    summary: Summary | None, errors: Iterable[ErrorRecord], records: Iterable[ResultRecord]
) -> Digest:
    """Group the failures and warnings and find the duplicates (pure)."""
    records = list(records)
    warnings = _warning_groups(records)
    totals = _totals(summary)
    if records:
        warned = len({id_ for g in warnings for id_, _ in g.items})
        totals.append(f"Recorded in OUT: {len(records)} ticket(s), {warned} with warnings.")
    return Digest(
        totals=tuple(totals),
        failures=_failure_groups(errors, stop_code(summary)),
        warnings=warnings,
        duplicates=tuple((key, tuple(ids)) for key, ids in duplicate_groups(records)),
    )


def _section(name: str, groups: Sequence[Group], unit: str) -> list[str]:
    if not groups:
        return [f"{name}: none."]
    lines = [f"{name}: {sum(len(g.items) for g in groups)} {unit}"]
    for g in groups:
        lines += [f"  {g.title} ({len(g.items)})", _todo(g.advice)]
        lines += [f"      {id_}: {detail}" for id_, detail in g.items]
    return lines


def text_report(
    summary: Summary | None, errors: Iterable[ErrorRecord], records: Iterable[ResultRecord]
) -> str:
    """The plain-text report: totals, failures, warnings, duplicates."""
    d = digest(summary, errors, records)
    lines = [*d.totals, ""]
    lines += [*_section("Failures", d.failures, "item(s) not done (errors.jsonl)"), ""]
    lines += _section("Warnings", d.warnings, "finding(s) in recorded tickets (results.jsonl)")
    lines.append("")
    if d.duplicates:
        lines.append(f"Duplicate tickets: {len(d.duplicates)} ticket(s) in more than one scan")
        lines.append(_todo(WARNING_ADVICE["duplicate_ticket"]))
        lines += [f"  {key}: {', '.join(ids)}" for key, ids in d.duplicates]
    else:
        lines.append("Duplicate tickets: none.")
    return "\n".join(lines)


# ---------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``batchocr report`` ."""
    parser.add_argument("out", type=Path, metavar="OUT", help="the output directory of a run")
    parser.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="also write a self-contained review page (owner-only) to FILE",
    )


def run(args: argparse.Namespace) -> int:
    """Print the text report of ``args.out``; with ``--html``, write the page too; returns 0."""
    if not args.out.is_dir():
        raise UsageError(f"{args.out} is not a directory (give the OUT of a run)")
    summary = load_summary(args.out / SUMMARY)
    errors, records = load_errors(args.out / ERRORS), load_results(args.out / RESULTS)
    print(text_report(summary, errors, records))
    if args.html is not None:
        from .review import preview, render_review  # the page imports this module's digest

        page = render_review(summary, errors, records, preview)
        try:
            write_atomic(args.html, page.encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot write {args.html}: {exc.strerror}") from exc
        print(f"batchocr: review page written to {args.html}", file=sys.stderr)
    return 0
