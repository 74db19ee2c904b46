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

import os
import stat
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from batchocr.models import InputKind, Item

from .manifest import check_manifest, iter_manifest
from .naming import os_kind, os_reason, posix_id, problem_item

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

# A directory being walked: the id prefix of its entries and those not yet visited.
_Frame = tuple[str, Iterator[os.DirEntry[str]]]


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
        yield problem_item(posix_id(given), source, os_reason(e), os_kind(e))
        return
    if stat.S_ISDIR(mode):
        yield from _walk(given, walk)
    elif stat.S_ISREG(mode):
        yield Item(id=posix_id(given), source=source, path=Path(source))
    else:  # a fifo or a device would block or never end when read
        yield problem_item(posix_id(given), source, "not a regular file", InputKind.NOT_A_FILE)


def _walk(root: str, walk: _Walk) -> Iterator[Item]:
    abs_root = os.path.abspath(root)
    real_root = Path(os.path.realpath(root))
    stack: list[_Frame] = []
    reason = _enter(abs_root, "", stack)
    if reason is not None:
        yield problem_item(posix_id(root), abs_root, reason, InputKind.FOLDER)
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
                yield problem_item(prefix + entry.name, entry.path, reason, InputKind.FOLDER)
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
        return f"cannot list directory: {os_reason(e)}"
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
        return os_reason(e)
    target = Path(os.path.realpath(entry.path))
    inside = target.is_file() and target.is_relative_to(real_root)
    return None if inside else SKIP_LINK
