"""Reading an OUT directory back as typed records: results, errors, the summary, duplicates.

One reader for everything that looks at a finished run (``export``, ``report``, the review
page): torn last lines (a killed run) and unreadable files are skipped with a warning, never
a traceback.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..models import Warning_
from ..records import ErrorRecord, ResultRecord, Summary
from .fields import ticket_key

__all__ = [
    "duplicate_groups", "find_duplicates", "load_errors", "load_records", "load_results",
    "load_summary", "merged_warnings",
]  # fmt: skip

DUPLICATE = "duplicate_ticket"
Warn = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"batchocr: warning: {message}", file=sys.stderr)


def load_records(path: Path, warn: Warn = _stderr) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines file; unreadable lines are skipped with a warning.

    The last line is torn when a run was killed mid-write (the next run repairs
    it); reading must not fail on that. A missing file has no records.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "r.jsonl"
    >>> _ = p.write_bytes(b'{"id": "a"}\\n{"id": "b", "fi')
    >>> load_records(p, warn=print)
    r.jsonl line 2: torn last line skipped (an interrupted run? the next run repairs it)
    [{'id': 'a'}]
    """
    try:
        lines = path.read_bytes().split(b"\n")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from exc
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (UnicodeDecodeError, ValueError):
            record = None
        if isinstance(record, dict):
            records.append(record)
        elif number == len(lines):  # no newline after it: written in part
            warn(
                f"{path.name} line {number}: torn last line skipped"
                " (an interrupted run? the next run repairs it)"
            )
        else:
            warn(f"{path.name} line {number}: not a JSON object, skipped")
    return records


def load_results(path: Path, warn: Warn = _stderr) -> list[ResultRecord]:
    """The records of ``results.jsonl``."""
    return [ResultRecord.from_json(d) for d in load_records(path, warn)]


def load_errors(path: Path, warn: Warn = _stderr) -> list[ErrorRecord]:
    """The records of ``errors.jsonl``."""
    return [ErrorRecord.from_json(d) for d in load_records(path, warn)]


def load_summary(path: Path) -> Summary | None:
    """``summary.json``, or None when no run has finished (or it is unreadable)."""
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _stderr(f"{path.name} unreadable ({type(exc).__name__})")
        return None
    return Summary.from_json(summary) if isinstance(summary, dict) else None


# ---------------------------------------------------------------- duplicates


def _groups(records: Iterable[ResultRecord]) -> dict[str, list[ResultRecord]]:
    """ticket key → its records, for keys held by more than one image content."""
    groups: dict[str, list[ResultRecord]] = defaultdict(list)
    for record in records:
        if key := ticket_key(record.fields):
            groups[key].append(record)
    return {k: g for k, g in groups.items() if len({r.sha256 for r in g}) > 1}


def duplicate_groups(records: Iterable[ResultRecord]) -> list[tuple[str, list[str]]]:
    """``("e_ticket_no 999…", [ids])`` for each ticket held by differing image bytes.

    >>> duplicate_groups([ResultRecord.from_json(r) for r in (
    ...     {"id": "b", "sha256": "2", "fields": {"invoice_no": "7"}},
    ...     {"id": "a", "sha256": "1", "fields": {"invoice_no": "7"}})])
    [('invoice_no 7', ['a', 'b'])]
    """
    return sorted(
        (key.replace(":", " ", 1), sorted({r.id for r in group}))
        for key, group in _groups(records).items()
    )


def find_duplicates(records: Iterable[ResultRecord]) -> dict[str, list[str]]:
    """id → the other ids whose ticket key is the same but whose image bytes differ.

    Identical bytes are one content (sent once), never a duplicate.
    """
    found: dict[str, set[str]] = defaultdict(set)
    for group in _groups(records).values():
        for record in group:
            found[record.id] |= {o.id for o in group if o.sha256 != record.sha256}
    return {id_: sorted(others) for id_, others in sorted(found.items())}


def merged_warnings(record: ResultRecord, others: Sequence[str]) -> list[Warning_]:
    """The record's warnings with exactly one ``duplicate_ticket`` when ``others`` is not empty.

    The engine already warned the later of two records; that warning is kept
    when it names every other id, else its detail is widened to name them all.

    >>> r = ResultRecord.from_json({"fields": {"e_ticket_no": "9"}})
    >>> merged_warnings(r, ["x.png"])[0].detail
    'e_ticket_no 9 is also in x.png'
    """
    warnings = list(record.warnings)
    if not others:
        return warnings
    kind, _, number = (ticket_key(record.fields) or ":").partition(":")
    ours = Warning_(DUPLICATE, kind or None, f"{kind} {number} is also in {', '.join(others)}")
    found = [w for w in warnings if w.code == DUPLICATE]
    if not found:
        return [*warnings, ours]
    keep = found[0] if all(o in found[0].detail for o in others) else ours
    first = warnings.index(found[0])
    rest = [w for w in warnings[first:] if w.code != DUPLICATE]
    return [*warnings[:first], keep, *rest]
