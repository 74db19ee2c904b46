"""The output directory and its run lock: one run per OUT at a time.

The lock is an exclusive ``flock`` on ``OUT/.lock``: the kernel releases it if its holder
dies, so a crashed run never leaves OUT locked.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import LockedError, UsageError

__all__ = ["LOCK_NAME", "RunLock", "make_out_dir"]

LOCK_NAME = ".lock"


def make_out_dir(out: Path) -> None:
    """Create OUT (owner-only) or explain in one line why it cannot be used."""
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"output path exists and is not a directory: {out}") from None
    except OSError as exc:
        raise UsageError(f"cannot create output directory {out}: {exc.strerror}") from None


class RunLock:
    """An exclusive ``flock`` on ``OUT/.lock``; the kernel drops it if we die."""

    def __init__(self, out: Path) -> None:
        self._path = out / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockedError(
                f"another batchocr run is using {self._path.parent} (lock held); nothing was sent"
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
