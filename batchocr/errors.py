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

from dataclasses import dataclass

from .codes import CODES, Verdict
from .models import InputKind

__all__ = [
    "CODE_MEANINGS", "BatchOCRError", "CodePolicy", "ConfigError", "DocumentError",
    "InputError", "LockedError", "ManifestError", "ServiceError", "TransportError",
    "UsageError", "Verdict", "classify", "describe",
]  # fmt: skip

# What each documented code means: derived from the one table in batchocr.codes.
CODE_MEANINGS: dict[int, str] = {n: c.meaning for n, c in CODES.items()}


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
    """An input file cannot become a service-ready image; no request is made.

    ``kind`` says what is wrong as data (the report's advice is keyed on it); the message
    says it for people.
    """

    def __init__(self, message: str, kind: InputKind = InputKind.UNUSABLE) -> None:
        super().__init__(message)
        self.kind = kind


class ServiceError(BatchOCRError):
    """The service answered with a non-zero ``error_code``."""

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        super().__init__(describe(code, reason))


class TransportError(BatchOCRError):
    """No usable answer: timeout, connection failure, HTTP 5xx/429 or a malformed body."""


def _with(verdict: Verdict) -> frozenset[int]:
    return frozenset(n for n, c in CODES.items() if c.verdict is verdict)


@dataclass(frozen=True, slots=True)
class CodePolicy:
    """The configurable code sets; the defaults are the verdicts of :data:`CODES`."""

    retry: frozenset[int] = _with(Verdict.RETRY)
    fail: frozenset[int] = _with(Verdict.FAIL)
    abort: frozenset[int] = _with(Verdict.ABORT)
    stop: frozenset[int] = _with(Verdict.STOP)


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
