"""The old import path of the local server, kept for the tests and benchmarks that use it.

The server now lives in three modules named for what they do:
:mod:`~batchocr.server.protocol` (the sans-I/O core: requests in, answers out),
:mod:`~batchocr.server.stats` (what it saw) and :mod:`~batchocr.server.http`
(the socket edge, :class:`RehearsalServer`). New code imports from ``batchocr.server``.
"""

from __future__ import annotations

from .http import RehearsalServer
from .protocol import FAULT_KINDS, PATH, REASONS, STATS_PATH, Behaviour, parse_form
from .stats import Stats

__all__ = [
    "FAULT_KINDS",
    "PATH",
    "REASONS",
    "STATS_PATH",
    "Behaviour",
    "RehearsalServer",
    "Stats",
    "parse_form",
]
