"""Feeding the workers: items pulled and stat'ed in the walker thread, files read and hashed.

>>> take(iter([1, 2, 3]), 2)
[1, 2]
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from ..documents.prepare import read_file
from ..errors import InputError
from ..models import InputKind, Item

__all__ = ["CHUNK", "Work", "next_chunk", "read_and_hash", "take"]

CHUNK = 64  # items stat'ed per trip to the walker thread


@dataclass(frozen=True, slots=True)
class Work:
    """One input on its way to a worker, with the size and mtime the walk saw."""

    item: Item
    size: int = 0
    mtime_ns: int = 0


def next_chunk(items: Iterator[Item]) -> list[Work]:
    """Pull and stat the next few items (in the walker thread)."""
    out = []
    for item in islice(items, CHUNK):
        size = mtime_ns = 0
        if item.path is not None and item.problem is None:
            try:
                st = item.path.stat()
                size, mtime_ns = st.st_size, st.st_mtime_ns
            except OSError:
                pass  # reported when the read fails, with the reason
        out.append(Work(item, size, mtime_ns))
    return out


def take(items: Iterator[Any], n: int) -> list[Any]:
    return list(islice(items, n))


def read_and_hash(path: Path | None, max_bytes: int) -> tuple[bytes, str]:
    if path is None:
        raise InputError("no path", InputKind.MANIFEST_ROW)
    data = read_file(path, max_bytes)
    return data, hashlib.sha256(data).hexdigest()
