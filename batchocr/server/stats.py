"""What the local server saw, counted for tests and benchmarks (``GET /_stats``).

Neither the key nor image bytes are ever kept: keys are counted through a
hash salted per process (so they cannot be matched later), images by sha256.

>>> stats = Stats(clock=lambda: 5.0)
>>> stats.begin(); stats.end("0")
>>> snap = stats.snapshot()
>>> snap["requests"], snap["by_code"], snap["first_at"]
(1, {'0': 1}, 5.0)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

__all__ = ["Stats"]


class Stats:
    """Thread-safe counters of what the server saw; keys only as a salted-hash count."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._salt = secrets.token_bytes(16)  # per process: key hashes cannot be matched later
        self._keys: set[bytes] = set()
        self._counts: Counter[str] = Counter()
        self._by_code: Counter[str] = Counter()
        self._by_sha: Counter[str] = Counter()
        self._ok_sha: Counter[str] = Counter()
        self._first_at: float | None = None
        self._last_at: float | None = None

    def begin(self) -> None:
        """Count a POST that has started."""
        now = self._clock()
        with self._lock:
            self._first_at = now if self._first_at is None else self._first_at
            self._last_at = now
            self._counts.update(("requests", "in_flight"))
            peak = max(self._counts["max_in_flight"], self._counts["in_flight"])
            self._counts["max_in_flight"] = peak

    def end(self, label: str) -> None:
        """Count a POST that has been answered: ``label`` is its code, or e.g. ``http500``."""
        with self._lock:
            self._counts["in_flight"] -= 1
            self._by_code[label] += 1

    def saw_key(self, key: str) -> None:
        """Count a distinct key without keeping it."""
        digest = hmac.new(self._salt, key.encode(), hashlib.sha256).digest()
        with self._lock:
            self._keys.add(digest)

    def saw_image(self, sha256: str) -> None:
        """Count a request whose image decoded."""
        with self._lock:
            self._by_sha[sha256] += 1

    def succeeded(self, sha256: str) -> None:
        """Count a success (error_code 0) for an image."""
        with self._lock:
            self._ok_sha[sha256] += 1

    def refused(self) -> None:
        """Count a request refused by the QPS cap."""
        with self._lock:
            self._counts["refused"] += 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy of the counters (codes are string keys, as JSON makes them)."""
        with self._lock:
            return {
                "requests": self._counts["requests"],
                "by_code": dict(self._by_code),
                "by_sha256": dict(self._by_sha),
                "succeeded_by_sha256": dict(self._ok_sha),
                "max_in_flight": self._counts["max_in_flight"],
                "in_flight": self._counts["in_flight"],
                "refused": self._counts["refused"],
                "first_at": self._first_at,
                "last_at": self._last_at,
                "keys_seen_count": len(self._keys),
            }
