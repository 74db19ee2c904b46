"""User inputs → a lazy stream of :class:`~batchocr.models.Item`.

Three kinds of input, all streamed: memory does not grow with the number of
inputs (generators all the way; the walk holds one sorted listing per level
of depth, never the whole tree).

* ``INPUT`` arguments: image files, or directories walked recursively;
* ``-``: newline-separated paths read from stdin, each handled like an ``INPUT``
  (blank lines skipped, surrounding whitespace and a trailing ``\\r`` stripped);
* ``--manifest FILE``: CSV with a ``path`` column and an optional ``id`` column,
  or JSONL with ``{"path": ..., "id": ...}`` objects. Relative paths resolve
  against the manifest's folder.

Walk rules:

* depth first, each directory's entries sorted by name, so runs are
  deterministic; ids are paths relative to the ``INPUT`` directory (``a/b.png``);
* hidden files and directories (name starting with ``.``) are skipped;
* only files whose extension is in ``extensions`` (images, and the PDF, OFD and
  XML documents an expense folder holds) are yielded; a file named explicitly
  (argument, stdin line, manifest row) is always yielded, because the format is
  detected from the bytes later;
* whatever a walk passes over is counted in a :class:`Skips` (by reason, the
  first few named), so that a folder of files nobody reads never ends in a
  silent "0 seen";
* symlinks: a directory symlink is never followed, which makes loops harmless
  and keeps the walk inside the tree. A file symlink is followed only when its
  resolved target is a regular file inside the resolved ``INPUT`` root; links
  pointing outside, and broken links, are skipped. An ``INPUT`` that is itself
  a symlink was named by the user and is followed.

A broken input becomes an item with ``problem`` set (it goes to the error
report), never an exception; only a manifest that cannot be used as a whole
raises :class:`~batchocr.errors.ManifestError`. Manifest rows are not stat()ed
here: an image that is missing is reported when its bytes are read.

>>> import io
>>> paths = io.StringIO("nowhere/a.png\\n\\n  ./nowhere/b.jpg\\r\\n")
>>> [(i.id, i.problem) for i in iter_inputs(["-"], stdin=paths)]
[('nowhere/a.png', 'no such file or directory'), ('nowhere/b.jpg', 'no such file or directory')]
"""

from __future__ import annotations

import csv
import json
import os
import stat
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path, PurePath
from typing import Any, TextIO

from batchocr.errors import ManifestError
from batchocr.models import Item

__all__ = [
    "DEFAULT_EXTENSIONS",
    "Skips",
    "check_manifest",
    "iter_inputs",
    "iter_items",
    "iter_manifest",
]

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {"jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp", "gif"}
)
DOCUMENT_EXTENSIONS: frozenset[str] = frozenset({"pdf", "ofd", "xml"})
DEFAULT_EXTENSIONS: frozenset[str] = IMAGE_EXTENSIONS | DOCUMENT_EXTENSIONS

# Why a walk passed over a file (the keys of Skips.by_reason).
SKIP_EXTENSION = "not an image or document"
SKIP_HIDDEN = "hidden"
SKIP_LINK = "symlink outside the folder, or broken"
SKIP_DIR_LINK = "directory symlink (not followed)"

_NO_SUCH = "no such file or directory"
# A directory being walked: the id prefix of its entries and those not yet visited.
_Frame = tuple[str, Iterator[os.DirEntry[str]]]
_MAX_DUPLICATES_SHOWN = 10
_MAX_LINES_SHOWN = 5


@dataclass(slots=True)
class Skips:
    """What directory walks passed over: counted by reason, the first few named.

    >>> s = Skips(); s.add("notes.txt", SKIP_EXTENSION); s.add(".DS_Store", SKIP_HIDDEN)
    >>> s.total, s.examples
    (2, ['notes.txt', '.DS_Store'])
    """

    by_reason: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    shown: int = 10

    def add(self, id_: str, reason: str) -> None:
        self.by_reason[reason] += 1
        if len(self.examples) < self.shown:
            self.examples.append(id_)

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())


def iter_items(
    inputs: Sequence[str],
    manifest: Path | None,
    *,
    stdin: TextIO | None = None,
    extensions: frozenset[str] = DEFAULT_EXTENSIONS,
    skips: Skips | None = None,
) -> Iterator[Item]:
    """Every item of a run: the manifest rows first, then the ``INPUT`` arguments.

    The caller runs :func:`check_manifest` first; this only streams. Files a
    walk passes over are added to ``skips``.

    >>> list(iter_items([], None))
    []
    """
    if manifest is not None:
        yield from iter_manifest(manifest)
    yield from iter_inputs(inputs, stdin=stdin, extensions=extensions, skips=skips)


# --- INPUT arguments and stdin ------------------------------------------------


def iter_inputs(
    inputs: Sequence[str],
    *,
    stdin: TextIO | None = None,
    extensions: frozenset[str] = DEFAULT_EXTENSIONS,
    skips: Skips | None = None,
) -> Iterator[Item]:
    """Items for files, directories (walked) and ``-`` (paths from ``stdin``, default sys.stdin).

    >>> [(i.id, i.problem) for i in iter_inputs(["./nowhere//x.txt"])]
    [('nowhere/x.txt', 'no such file or directory')]
    """
    walk = _Walk(frozenset(e.lower().lstrip(".") for e in extensions), skips or Skips())
    for given in inputs:
        if given == "-":
            for path in _stdin_paths(sys.stdin if stdin is None else stdin):
                yield from _iter_path(path, walk)
        else:
            yield from _iter_path(given, walk)


@dataclass(frozen=True, slots=True)
class _Walk:
    exts: frozenset[str]
    skips: Skips


def _stdin_paths(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        path = line.strip()  # also drops the "\r" of a Windows line ending
        if path:
            yield path


def _iter_path(given: str, walk: _Walk) -> Iterator[Item]:
    source = os.path.abspath(given)
    try:
        mode = os.stat(given).st_mode  # follows a symlink the user named
    except OSError as e:
        yield _problem(_posix(given), source, _reason(e))
        return
    if stat.S_ISDIR(mode):
        yield from _walk(given, walk)
    elif stat.S_ISREG(mode):
        yield Item(id=_posix(given), source=source, path=Path(source))
    else:  # a fifo or a device would block or never end when read
        yield _problem(_posix(given), source, "not a regular file")


def _walk(root: str, walk: _Walk) -> Iterator[Item]:
    abs_root = os.path.abspath(root)
    real_root = Path(os.path.realpath(root))
    stack: list[_Frame] = []
    reason = _enter(abs_root, "", stack)
    if reason is not None:
        yield _problem(_posix(root), abs_root, reason)
    while stack:
        prefix, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
        elif entry.name.startswith("."):
            walk.skips.add(prefix + entry.name, SKIP_HIDDEN)
        elif _is_real_dir(entry):
            reason = _enter(entry.path, f"{prefix}{entry.name}/", stack)
            if reason is not None:
                yield _problem(prefix + entry.name, entry.path, reason)
        else:
            skipped = _skipped(entry, real_root, walk.exts)
            if skipped is None:
                yield Item(id=prefix + entry.name, source=entry.path, path=Path(entry.path))
            else:
                walk.skips.add(prefix + entry.name, skipped)


def _enter(path: str, prefix: str, stack: list[_Frame]) -> str | None:
    """Push a directory's sorted entries; return why it cannot be listed, if so."""
    try:
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        return f"cannot list directory: {_reason(e)}"
    stack.append((prefix, iter(entries)))
    return None


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _skipped(entry: os.DirEntry[str], real_root: Path, exts: frozenset[str]) -> str | None:
    """Why the walk passes over this entry; None for a wanted regular file or inside symlink."""
    if os.path.splitext(entry.name)[1][1:].lower() not in exts:
        return SKIP_DIR_LINK if entry.is_symlink() and os.path.isdir(entry.path) else SKIP_EXTENSION
    try:
        if entry.is_file(follow_symlinks=False):
            return None
        if not entry.is_symlink():
            return "not a regular file"
    except OSError as e:
        return _reason(e)
    target = Path(os.path.realpath(entry.path))
    inside = target.is_file() and target.is_relative_to(real_root)
    return None if inside else SKIP_LINK


def _posix(given: str) -> str:
    return PurePath(os.path.normpath(given)).as_posix()


def _reason(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return _NO_SUCH
    return (e.strerror or str(e)).lower()


def _problem(id_: str, source: str, reason: str) -> Item:
    return Item(id=id_, source=source, path=None, problem=reason)


# --- manifest -------------------------------------------------------------------


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
        return _problem(id_, f"{self.source}:{line}", f"line {line}: {reason}")

    def good(self, path_text: str, row_id: str) -> Item:
        source = os.path.abspath(os.path.join(self.base, path_text))
        return Item(id=row_id or _posix(path_text), source=source, path=Path(source))


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
        raise ManifestError(f"cannot read manifest {path}: {_reason(e)}") from e


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
