"""Exit codes: every code batchocr exits with, what it means, and why a run ends early.

Only :mod:`batchocr.cli` exits; the engine and the runner return these values.

>>> int(Exit.STOPPED), MEANINGS[Exit.STOPPED], EXIT_FOR_HALT[Halt.LIMIT]
(3, 'stopped early; rerun to resume', <Exit.STOPPED: 3>)
"""

from __future__ import annotations

import enum

__all__ = ["EXIT_FOR_HALT", "MEANINGS", "Exit", "Halt"]


class Exit(enum.IntEnum):
    DONE = 0  # every item is done
    FAILED = 1  # the run finished and some items failed
    USAGE = 2  # usage, config or manifest error, OUT locked, or an account-level abort
    STOPPED = 3  # stopped early on something that may clear; a rerun resumes
    PIPE = 141  # the reader of our output went away (`batchocr report OUT | head`)
    SIGINT = 130
    SIGTERM = 143


MEANINGS: dict[int, str] = {
    Exit.DONE: "every item is done",
    Exit.FAILED: "finished; some items failed",
    Exit.USAGE: "stopped: usage, config or account error",
    Exit.STOPPED: "stopped early; rerun to resume",
    Exit.SIGINT: "interrupted (SIGINT)",
    Exit.SIGTERM: "terminated (SIGTERM)",
}


class Halt(enum.Enum):
    """Why a run ended early."""

    USAGE = "usage"  # a manifest broke mid-stream
    ABORT = "abort"  # account-level service error: the key, its permissions, the API itself
    STOP = "stop"  # a condition that may clear: maintenance, a sustained outage, disk full
    LIMIT = "limit"  # --limit reached; items already sent still finish
    SIGINT = "sigint"
    SIGTERM = "sigterm"


EXIT_FOR_HALT: dict[Halt, Exit] = {
    Halt.USAGE: Exit.USAGE,
    Halt.ABORT: Exit.USAGE,
    Halt.STOP: Exit.STOPPED,
    Halt.LIMIT: Exit.STOPPED,
    Halt.SIGINT: Exit.SIGINT,
    Halt.SIGTERM: Exit.SIGTERM,
}
