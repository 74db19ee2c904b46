"""Reading an OUT directory back: result and error lines, the summary, duplicate tickets.

One reader for everything that looks at a finished run (``export``, ``report``, the review
page): torn last lines (a killed run) and unreadable files are skipped with a warning, never
a traceback.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .fields import ticket_key

__all__ = [
    "duplicate_groups", "fields_of", "find_duplicates", "load_records", "load_summary",
    "merged_warnings",
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


# ---------------------------------------------------------------- duplicates


def fields_of(record: Mapping[str, Any]) -> Mapping[str, Any]:
    fields = record.get("fields")
    return fields if isinstance(fields, Mapping) else {}


def _groups(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """ticket key → its records, for keys held by more than one image content."""
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for record in records:
        if key := ticket_key(fields_of(record)):
            groups[key].append(record)
    return {k: g for k, g in groups.items() if len({r.get("sha256") for r in g}) > 1}


def duplicate_groups(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    """``("e_ticket_no 999…", [ids])`` for each ticket held by differing image bytes.

    >>> duplicate_groups([{"id": "b", "sha256": "2", "fields": {"invoice_no": "7"}},
    ...                   {"id": "a", "sha256": "1", "fields": {"invoice_no": "7"}}])
    [('invoice_no 7', ['a', 'b'])]
    """
    return sorted(
        (key.replace(":", " ", 1), sorted({str(r.get("id")) for r in group}))
        for key, group in _groups(records).items()
    )


def find_duplicates(records: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """id → the other ids whose ticket key is the same but whose image bytes differ.

    Identical bytes are one content (sent once), never a duplicate.
    """
    found: dict[str, set[str]] = defaultdict(set)
    for group in _groups(records).values():
        for record in group:
            found[str(record.get("id"))] |= {
                str(o.get("id")) for o in group if o.get("sha256") != record.get("sha256")
            }
    return {id_: sorted(others) for id_, others in sorted(found.items())}


def merged_warnings(record: Mapping[str, Any], others: Sequence[str]) -> list[dict[str, Any]]:
    """The record's warnings with exactly one ``duplicate_ticket`` when ``others`` is not empty.

    The engine already warned the later of two records; that warning is kept
    when it names every other id, else its detail is widened to name them all.

    >>> merged_warnings({"fields": {"e_ticket_no": "9"}, "warnings": []}, ["x.png"])[0]["detail"]
    'e_ticket_no 9 is also in x.png'
    """
    warnings = [dict(w) for w in record.get("warnings") or [] if isinstance(w, Mapping)]
    if not others:
        return warnings
    kind, _, number = (ticket_key(fields_of(record)) or ":").partition(":")
    ours = {
        "code": DUPLICATE,
        "field": kind or None,
        "detail": f"{kind} {number} is also in {', '.join(others)}",
    }
    found = [w for w in warnings if w.get("code") == DUPLICATE]
    if not found:
        return [*warnings, ours]
    keep = found[0] if all(o in str(found[0].get("detail")) for o in others) else ours
    first = warnings.index(found[0])
    rest = [w for w in warnings[first:] if w.get("code") != DUPLICATE]
    return [*warnings[:first], keep, *rest]


def load_summary(path: Path) -> dict[str, Any] | None:
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"batchocr: warning: {path.name} unreadable ({type(exc).__name__})", file=sys.stderr)
        return None
    return summary if isinstance(summary, dict) else None
