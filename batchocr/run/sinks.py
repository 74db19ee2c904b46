"""The output files in OUT: ``results.jsonl``, ``errors.jsonl``, ``summary.json``.

Every file is created owner-only (0600): they hold names and ID numbers.

``results.jsonl`` is append-only and derived from the state database: a
result is committed there first, with the byte offset its line will occupy,
and only then appended. So after a crash at any moment the file is either
complete or short of lines the database holds; :meth:`ResultsFile.open`
truncates a torn tail and re-appends what is missing. The other two files are
rewritten whole, atomically (write a temporary file, then rename).

>>> import json, tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> write_json_atomic(out / "summary.json", {"seen": 1})
>>> json.loads((out / "summary.json").read_text())
{'seen': 1}
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .state import State

RESULTS = "results.jsonl"
ERRORS = "errors.jsonl"
SUMMARY = "summary.json"


def dumps_line(record: dict[str, Any]) -> bytes:
    """One JSON line, UTF-8, Chinese kept readable."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` in one step; readers never see half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_json_atomic(path: Path, doc: dict[str, Any]) -> None:
    write_atomic(path, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def write_lines_atomic(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write a JSON-lines file atomically; returns the number of lines."""
    lines = [dumps_line(r) for r in records]
    write_atomic(path, b"".join(lines))
    return len(lines)


class ResultsFile:
    """The append-only ``results.jsonl``, kept in step with the state database."""

    def __init__(self, path: Path, state: State) -> None:
        self._path = path
        self._state = state
        self._fd = -1
        self._size = 0
        self.repaired = 0  # lines re-appended by the last open()

    def open(self) -> None:
        """Open for appending, first repairing a torn or short file from the state."""
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        size = os.fstat(self._fd).st_size
        expected = self._state.results_end()
        if size < expected:
            size = self._repair(size)
        elif size > expected and not self._ends_with_newline(size):
            # Bytes we never committed (an external edit): close the line, keep them.
            _write_all(self._fd, b"\n")
            size += 1
        self._size = size

    def _ends_with_newline(self, size: int) -> bool:
        return size == 0 or os.pread(self._fd, 1, size - 1) == b"\n"

    def _repair(self, size: int) -> int:
        """Cut at the first line the file lacks (or holds torn), re-append the rest."""
        missing = self._state.results_from(size)
        position = min(missing[0][1], size) if missing else size
        os.ftruncate(self._fd, position)
        for sha256, offset, line in missing:
            _write_all(self._fd, line)
            if offset != position:
                self._state.relocate(sha256, position, position + len(line))
            position += len(line)
        self.repaired = len(missing)
        return position

    @property
    def offset(self) -> int:
        """Where the next line will start."""
        return self._size

    def append(self, line: bytes) -> None:
        """Append a line whose result the state has already committed at :attr:`offset`."""
        _write_all(self._fd, line)
        self._size += len(line)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
