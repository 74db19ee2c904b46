"""Manifests: a CSV with a ``path`` column (optional ``id``) or JSON lines ``{"path", "id"}``.

Relative paths resolve against the manifest's folder. A bad row becomes an item with
``problem`` set (it goes to the error report); only a manifest unusable as a whole raises
:class:`~batchocr.errors.ManifestError`. Rows are not stat()ed here: an image that is
missing is reported when its bytes are read.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any

from ..errors import ManifestError
from ..models import InputKind, Item
from .naming import os_reason, posix_id, problem_item

__all__ = ["check_manifest", "iter_manifest"]

_MAX_DUPLICATES_SHOWN = 10
_MAX_LINES_SHOWN = 5


def iter_manifest(path: Path) -> Iterator[Item]:
    """Items for the rows of a CSV or JSONL manifest; a bad row is an item with ``problem``.

    Raises ManifestError (on iteration) when the file as a whole is unusable.

    >>> list(iter_manifest(Path("nowhere/m.csv")))
    Traceback (most recent call last):
    ...
    batchocr.errors.ManifestError: cannot read manifest nowhere/m.csv: no such file or directory
    """
    for _line, item in _rows(path):
        yield item


def check_manifest(path: Path) -> None:
    """Read the whole manifest once; raise ManifestError if it is unusable or repeats ids.

    Bad rows are not errors here (they become problem items); only ids that
    occur twice are, because results are keyed by id.
    """
    first_line: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    for line, item in _rows(path):
        seen = first_line.setdefault(item.id, line)
        if seen != line:
            duplicates.setdefault(item.id, [seen]).append(line)
    if duplicates:
        raise ManifestError(_duplicates_message(path.name, duplicates))


def _duplicates_message(name: str, duplicates: dict[str, list[int]]) -> str:
    ordered = sorted(duplicates.items(), key=lambda kv: kv[1][0])
    parts = []
    for id_, lines in ordered[:_MAX_DUPLICATES_SHOWN]:
        shown = ", ".join(str(n) for n in lines[:_MAX_LINES_SHOWN])
        more = ", …" if len(lines) > _MAX_LINES_SHOWN else ""
        parts.append(f"{id_!r} (lines {shown}{more})")
    hidden = len(ordered) - len(parts)
    tail = f", and {hidden} more" if hidden else ""
    return f"duplicate ids in {name}: {', '.join(parts)}{tail}"


@dataclass(frozen=True, slots=True)
class _Manifest:
    """What a row needs to know about its manifest."""

    name: str
    source: str  # absolute path of the manifest
    base: str  # its folder: relative paths resolve against it

    def bad(self, line: int, reason: str, row_id: str) -> Item:
        id_ = row_id or f"{self.name}:{line}"
        source, why = f"{self.source}:{line}", f"line {line}: {reason}"
        return problem_item(id_, source, why, InputKind.MANIFEST_ROW)

    def good(self, path_text: str, row_id: str) -> Item:
        source = os.path.abspath(os.path.join(self.base, path_text))
        return Item(id=row_id or posix_id(path_text), source=source, path=Path(source))


@dataclass(frozen=True, slots=True)
class _Header:
    width: int
    path_col: int
    id_col: int | None


def _rows(path: Path) -> Iterator[tuple[int, Item]]:
    source = os.path.abspath(path)
    manifest = _Manifest(name=path.name, source=source, base=os.path.dirname(source))
    lines = _read_lines(path)
    blanks, first = _first_line(lines, path)
    # Put the consumed lines back (blanks as "\n") so line numbers stay right.
    stream = chain(repeat("\n", blanks), [first], lines)
    if _is_jsonl(path, first):
        yield from _jsonl_rows(stream, manifest)
    else:
        yield from _csv_rows(stream, manifest)


def _read_lines(path: Path) -> Iterator[str]:
    try:
        # newline="" lets the csv module see quoted line breaks; utf-8-sig drops Excel's BOM.
        with open(path, encoding="utf-8-sig", newline="") as f:
            yield from f
    except UnicodeDecodeError as e:
        raise ManifestError(f"{path.name} is not UTF-8 text (save it as 'CSV UTF-8')") from e
    except OSError as e:
        raise ManifestError(f"cannot read manifest {path}: {os_reason(e)}") from e


def _first_line(lines: Iterator[str], path: Path) -> tuple[int, str]:
    for blanks, text in enumerate(lines):
        if text.strip():
            return blanks, text
    raise ManifestError(f"{path.name} is empty")


def _is_jsonl(path: Path, first: str) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return False
    return suffix in {".jsonl", ".ndjson"} or first.lstrip().startswith("{")


def _csv_rows(lines: Iterable[str], manifest: _Manifest) -> Iterator[tuple[int, Item]]:
    reader = csv.reader(lines)
    header: _Header | None = None
    end = 0  # every physical line, blank ones too, belongs to exactly one record
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header = _header(row, manifest.name)
            else:
                yield start, _csv_item(row, header, start, manifest)
    except csv.Error as e:
        raise ManifestError(f"{manifest.name} line {reader.line_num}: {e}") from e


def _header(row: list[str], name: str) -> _Header:
    columns = [cell.strip().lower() for cell in row]
    if "path" not in columns:
        found = ", ".join(repr(cell.strip()) for cell in row)
        raise ManifestError(f"{name} has no 'path' column (columns: {found})")
    id_col = columns.index("id") if "id" in columns else None
    return _Header(width=len(row), path_col=columns.index("path"), id_col=id_col)


def _csv_item(row: list[str], header: _Header, line: int, manifest: _Manifest) -> Item:
    def cell(col: int | None) -> str:
        return row[col].strip() if col is not None and col < len(row) else ""

    row_id = cell(header.id_col)
    if len(row) != header.width:
        reason = f"expected {header.width} columns, found {len(row)}"
        return manifest.bad(line, reason, row_id)
    path_text = cell(header.path_col)
    if not path_text:
        return manifest.bad(line, "missing path", row_id)
    return manifest.good(path_text, row_id)


def _jsonl_rows(lines: Iterable[str], manifest: _Manifest) -> Iterator[tuple[int, Item]]:
    for line, text in enumerate(lines, start=1):
        if text.strip():
            yield line, _json_item(text, line, manifest)


def _json_item(text: str, line: int, manifest: _Manifest) -> Item:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        return manifest.bad(line, f"invalid JSON ({e.msg})", "")
    if not isinstance(value, dict):
        return manifest.bad(line, f"expected a JSON object, found {_json_type(value)}", "")
    raw_id = value.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        return manifest.bad(line, f"id must be a string or integer, found {_json_type(raw_id)}", "")
    row_id = "" if raw_id is None else str(raw_id).strip()
    path_text = value.get("path")
    if path_text is None or (isinstance(path_text, str) and not path_text.strip()):
        return manifest.bad(line, "missing path", row_id)
    if not isinstance(path_text, str):
        return manifest.bad(line, f"path must be a string, found {_json_type(path_text)}", row_id)
    return manifest.good(path_text.strip(), row_id)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
