"""``batchocr export OUT``: the recorded results as two tables for spreadsheets.

usage: batchocr export [-h] [--format {csv,xlsx}] [-o PATH] OUT

* **tickets**: one row per recorded ticket: fields.md's ticket-level keys in
  order (:data:`TICKET_COLUMNS`), then ``id``, ``source``, ``sha256``,
  ``warnings`` (warning codes joined by ``"; "``) and ``duplicate_of`` (the
  other ids holding the same ticket, ``"; "``-joined).
* **segments**: one row per flight: ``id``, ``flight_index`` (0-based, as in
  the warnings' ``segments[i]``), then fields.md's flight-level keys.

Rows are ordered by ``id`` (then ``sha256``, then flight), so two exports of
the same OUT are byte-identical, XLSX included: its document date is the
latest ``recognized_at`` in the results, and the zip entries carry a fixed
date. Files are written owner-only (0600; they hold names and ID numbers),
atomically.

CSV (``--format csv``, the default): UTF-8 with a BOM so that Excel on a
Chinese-locale desktop reads the characters; ``PATH`` is a stem (default
``OUT/export``; a trailing ``.csv`` is dropped) and the files are
``PATH-tickets.csv`` and ``PATH-segments.csv``. A cell that a spreadsheet would
run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR, and not a
plain number) gets a leading ``'``: the values come from OCR.

XLSX (``--format xlsx``): one workbook at ``PATH`` (default
``OUT/export.xlsx``) with sheets ``tickets`` and ``segments``; amounts are
numbers shown with two decimals, dates are dates, the header row is frozen.

Duplicates: records whose :func:`~batchocr.outputs.fields.ticket_key` matches but whose
image bytes differ each get one ``duplicate_ticket`` warning naming the others
(merged with the one the engine recorded, never repeated).

>>> records = [ResultRecord.from_json(r) for r in (
...     {"id": "b", "sha256": "2", "fields": {"e_ticket_no": "1"}},
...     {"id": "a", "sha256": "1", "fields": {"e_ticket_no": "1"}})]
>>> find_duplicates(records)
{'a': ['b'], 'b': ['a']}
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # ships no type information

from ..errors import UsageError
from ..models import Warning_
from ..records import ResultRecord
from ..run.sinks import RESULTS, write_atomic
from .fields import SEGMENT_KEYS, TICKET_KEYS

# The reader of OUT, shared with the report; re-exported for export's callers.
from .outdir import duplicate_groups, find_duplicates, load_results, merged_warnings

__all__ = [
    "SEGMENT_COLUMNS",
    "TICKET_COLUMNS",
    "add_arguments",
    "csv_bytes",
    "duplicate_groups",
    "find_duplicates",
    "load_results",
    "merged_warnings",
    "run",
    "segment_rows",
    "ticket_rows",
    "xlsx_bytes",
]

TICKET_COLUMNS: tuple[str, ...] = (
    *TICKET_KEYS,
    *("id", "source", "sha256", "warnings", "duplicate_of"),
)
SEGMENT_COLUMNS: tuple[str, ...] = ("id", "flight_index", *SEGMENT_KEYS)
AMOUNT_COLUMNS = frozenset(
    {"fare", "caac_dev_fund", "fuel_surcharge", "other_taxes", "insurance", "total", "vat_amount"}
)
DATE_COLUMNS = frozenset(
    {"issue_date", "invoice_date", "date", "not_valid_before", "not_valid_after"}
)

Row = dict[str, Any]


def _codes(warnings: Iterable[Warning_]) -> str:
    return "; ".join(dict.fromkeys(w.code for w in warnings))


# ---------------------------------------------------------------- rows


def _ordered(records: Iterable[ResultRecord]) -> list[ResultRecord]:
    return sorted(records, key=lambda r: (r.id, r.sha256))


def ticket_rows(records: Iterable[ResultRecord]) -> list[Row]:
    """One row per record, keys :data:`TICKET_COLUMNS`, ordered by id; absent values are None.

    >>> warned = [{"code": "bad_date"}, {"code": "bad_date"}]
    >>> rows = ticket_rows([ResultRecord.from_json(
    ...     {"id": "a", "sha256": "1", "fields": {"fare": "10.00"}, "warnings": warned})])
    >>> rows[0]["fare"], rows[0]["id"], rows[0]["warnings"], rows[0]["duplicate_of"]
    ('10.00', 'a', 'bad_date', None)
    """
    records = list(records)
    duplicates = find_duplicates(records)
    rows = []
    for record in _ordered(records):
        others = duplicates.get(record.id, [])
        row: Row = {key: record.fields.get(key) for key in TICKET_KEYS}
        row |= {"id": record.id, "source": record.source, "sha256": record.sha256}
        row["warnings"] = _codes(merged_warnings(record, others)) or None
        row["duplicate_of"] = "; ".join(others) or None
        rows.append(row)
    return rows


def segment_rows(records: Iterable[ResultRecord]) -> list[Row]:
    """One row per flight, keys :data:`SEGMENT_COLUMNS`, ordered by ticket id then flight.

    >>> rows = segment_rows([ResultRecord.from_json(
    ...     {"id": "a", "fields": {"segments": [{"flight_no": "CA1401"}]}})])
    >>> rows[0]["id"], rows[0]["flight_index"], rows[0]["flight_no"]
    ('a', 0, 'CA1401')
    """
    rows = []
    for record in _ordered(records):
        segments = record.fields.get("segments") or []
        for index, flight in enumerate(s for s in segments if isinstance(s, Mapping)):
            rows.append(
                {"id": record.id, "flight_index": index}
                | {key: flight.get(key) for key in SEGMENT_KEYS}
            )
    return rows


# ---------------------------------------------------------------- CSV

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs "=…" as a formula; OCR text must stay text.
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    r"""A CSV table: UTF-8 with a BOM, CRLF line ends, a header row, None as empty.

    >>> csv_bytes(["a", "b"], [{"a": "旅客", "b": None}, {"a": "=1+1", "b": "-2.50"}])
    b"\xef\xbb\xbfa,b\r\n\xe6\x97\x85\xe5\xae\xa2,\r\n'=1+1,-2.50\r\n"
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_csv_cell(row.get(c)) for c in columns] for row in rows)
    return out.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------- XLSX

_AMOUNT = re.compile(r"-?\d+\.\d{2}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = datetime(1980, 1, 1)  # the zip format's own epoch; Excel has no zones


def _typed(column: str, value: Any) -> Any:
    """A cell's value for XLSX: Decimal-string amounts → float, ISO dates → datetime."""
    if isinstance(value, str) and column in AMOUNT_COLUMNS and _AMOUNT.fullmatch(value):
        return float(value)
    if isinstance(value, str) and column in DATE_COLUMNS and _ISO_DATE.fullmatch(value):
        try:
            return datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            return value
    return value


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 10
    if isinstance(value, float):
        return len(f"{value:.2f}")
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_sheet(book: Any, name: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
    sheet = book.add_worksheet(name)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
    formats = {
        "amount": book.add_format({"num_format": "0.00"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    widths = [_width(c) for c in columns]
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column, header)
    for r, row in enumerate(rows, 1):
        for col, column in enumerate(columns):
            value = _typed(column, row.get(column))
            widths[col] = max(widths[col], _width(value))
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(r, col, value, formats["date"])
            elif isinstance(value, float):
                sheet.write_number(r, col, value, formats["amount"])
            elif isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            else:  # write_string, never write(): OCR text must not become a formula or link
                sheet.write_string(r, col, str(value))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width, 60) + 2)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(columns) - 1)


def _created(records: Iterable[ResultRecord]) -> datetime:
    """The document date: the latest recognition, so the same state gives the same bytes."""
    stamps = [r.recognized_at for r in records if r.recognized_at]
    try:
        return datetime.fromisoformat(max(stamps).replace("Z", "")) if stamps else _EPOCH
    except ValueError:
        return _EPOCH


def xlsx_bytes(
    tables: Sequence[tuple[str, Sequence[str], Sequence[Row]]], created: datetime
) -> bytes:
    """A workbook with one sheet per ``(name, columns, rows)``; identical input, identical bytes."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"created": created, "title": "batchocr export"})
    for name, columns, rows in tables:
        _write_sheet(book, name, columns, rows)
    book.close()
    return out.getvalue()


# ---------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``batchocr export`` ."""
    parser.add_argument("out", type=Path, metavar="OUT", help="the output directory of a run")
    parser.add_argument(
        "--format", choices=("csv", "xlsx"), default="csv", help="file format (default csv)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="csv: the stem of PATH-tickets.csv and PATH-segments.csv, a trailing .csv dropped"
        " (default OUT/export); xlsx: the workbook file (default OUT/export.xlsx)",
    )


def _targets(args: argparse.Namespace) -> list[Path]:
    if args.format == "xlsx":
        return [args.output or args.out / "export.xlsx"]
    stem = args.output or args.out / "export"
    if stem.suffix.lower() == ".csv":
        stem = stem.with_suffix("")
    return [stem.with_name(f"{stem.name}-tickets.csv"), stem.with_name(f"{stem.name}-segments.csv")]


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from exc


def run(args: argparse.Namespace) -> int:
    """Write the export files of ``args.out``; print what was written; returns 0."""
    if not args.out.is_dir():
        raise UsageError(f"{args.out} is not a directory (give the OUT of a run)")
    records = load_results(args.out / RESULTS)
    tickets, segments = ticket_rows(records), segment_rows(records)
    targets = _targets(args)
    if args.format == "xlsx":
        tables = [("tickets", TICKET_COLUMNS, tickets), ("segments", SEGMENT_COLUMNS, segments)]
        _write(targets[0], xlsx_bytes(tables, _created(records)))
    else:
        _write(targets[0], csv_bytes(TICKET_COLUMNS, tickets))
        _write(targets[1], csv_bytes(SEGMENT_COLUMNS, segments))
    print(f"exported {len(tickets)} ticket(s), {len(segments)} flight(s):")
    for path in targets:
        print(f"  {path}")
    return 0
