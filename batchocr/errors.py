"""One error hierarchy, and the pure classification of service answers.

::

    BatchOCRError
    ├── UsageError               exit 2: bad flag, config value or manifest
    │   ├── ConfigError
    │   └── ManifestError
    ├── LockedError              exit 2: another run holds OUT
    ├── InputError               one item: unreadable, not an image, too small…
    ├── ServiceError             one request: the service answered error_code != 0
    └── TransportError           one request: timeout, reset, 5xx/429, malformed body

Only ``cli`` turns these into exit codes and one-line messages. What the engine
does with a service answer is decided by :func:`classify`, a pure function of
the code and the configured code sets.

>>> classify(0, CodePolicy())
<Verdict.DONE: 'done'>
>>> classify(10012, CodePolicy())
<Verdict.RETRY: 'retry'>
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# What each documented code means, from the service's error table.
CODE_MEANINGS: dict[int, str] = {
    0: "success",
    252601: "bad data format",
    252602: "service busy, try again later",
    252603: "bad base64 encoding",
    252604: "recognition failed",
    10001: "wrong request key",
    10002: "the key has no permission for this API",
    10003: "the key has expired",
    10004: "wrong OPENID",
    10005: "application not yet approved; submit verification",
    10007: "unknown request source",
    10008: "IP address banned",
    10009: "key banned",
    10011: "this IP exceeded its request limit",
    10012: "request count limit exceeded",
    10013: "test key exceeded its request limit",
    10014: "service internal error",
    10020: "API under maintenance",
    10021: "API discontinued",
}


def describe(code: int | None, reason: str = "") -> str:
    """Human text for a code: ``"10003 the key has expired (KEY过期)"``."""
    if code is None:
        return reason
    meaning = CODE_MEANINGS.get(code, "undocumented code")
    return f"{code} {meaning}" + (f" ({reason})" if reason and reason != meaning else "")


class BatchOCRError(Exception):
    """Base of every error batchocr raises on purpose."""


class UsageError(BatchOCRError):
    """The user asked for something that cannot run; exit 2."""


class ConfigError(UsageError):
    """A config file, environment variable or flag has a bad value."""


class ManifestError(UsageError):
    """The manifest cannot be used as a whole (unreadable, no path column, duplicate ids)."""


class LockedError(BatchOCRError):
    """Another run holds the lock on the output directory."""


class InputError(BatchOCRError):
    """An input file cannot become a service-ready image; no request is made."""


class ServiceError(BatchOCRError):
    """The service answered with a non-zero ``error_code``."""

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        super().__init__(describe(code, reason))


class TransportError(BatchOCRError):
    """No usable answer: timeout, connection failure, HTTP 5xx/429 or a malformed body."""


class Verdict(enum.StrEnum):
    """What the engine does after one answer."""

    DONE = "done"
    RETRY = "retry"  # transient: back off and send again
    FAIL = "fail"  # this item failed for good; no retry
    ABORT = "abort"  # account-level: stop sending, exit 2
    STOP = "stop"  # service-wide condition that may clear: stop early, exit 3


def _codes(*spans: tuple[int, int] | int) -> frozenset[int]:
    out: set[int] = set()
    for s in spans:
        out.update(range(s[0], s[1] + 1) if isinstance(s, tuple) else (s,))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class CodePolicy:
    """The configurable code sets; the defaults follow the service's error table."""

    retry: frozenset[int] = _codes(252602, 10011, 10012, 10014)
    fail: frozenset[int] = _codes(252601, 252603, 252604)
    abort: frozenset[int] = _codes((10001, 10005), (10007, 10009), 10013, 10021)
    stop: frozenset[int] = _codes(10020)


def classify(code: int, policy: CodePolicy) -> Verdict:
    """Map a service ``error_code`` to what the engine does next.

    Unknown codes fail the item without retry: resending an answer we do not
    understand would spend quota for nothing, and the report shows the code.
    """
    if code == 0:
        return Verdict.DONE
    for verdict, codes in (
        (Verdict.ABORT, policy.abort),
        (Verdict.STOP, policy.stop),
        (Verdict.RETRY, policy.retry),
        (Verdict.FAIL, policy.fail),
    ):
        if code in codes:
            return verdict
    return Verdict.FAIL


class DocumentError(InputError):
    """A PDF, OFD or XML file that cannot be read safely: encrypted, truncated, a bomb…"""
