"""The lines a run writes, as typed records: results, the error report, the summary.

Each record is a frozen dataclass, built by the run and serialized only at the
edge (:meth:`to_json`); whatever reads an OUT directory back (``export``,
``report``, the review page) gets the same records from :meth:`from_json`,
which is lenient: a field of the wrong type in a hand-edited file reads as
missing, never as a traceback.

>>> r = ErrorRecord("a.png", "/in/a.png", None, Stage.INPUT, None, "empty file", False, 0, None)
>>> ErrorRecord.from_json(r.to_json()) == r
True
>>> StopRecord.from_json({"reason": "abort", "message": "m", "code": 10001})
StopRecord(reason=<Halt.ABORT: 'abort'>, message='m', code=10001)
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

from .exits import MEANINGS, Halt
from .models import SCHEMA_VERSION, InputKind, NameValue, Stage, Warning_

__all__ = [
    "BackendName", "ErrorRecord", "ResultRecord", "Skipped", "StopRecord", "Summary",
]  # fmt: skip

Json = dict[str, Any]


class BackendName(enum.StrEnum):
    """What produced a result: a recognizer, or a document file's own text."""

    JUHE = "juhe"
    LOCAL = "local"
    PDF = "pdf"
    OFD = "ofd"
    XML = "xml"


def _str(d: Mapping[str, Any], key: str) -> str | None:
    v = d.get(key)
    return v if isinstance(v, str) else None


def _int(d: Mapping[str, Any], key: str, default: int | None = None) -> int | None:
    v = d.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else default


E = TypeVar("E", bound=enum.Enum)


def _enum(kind: type[E], value: Any) -> E | None:
    try:
        return kind(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """One line of ``results.jsonl``: a recognized ticket, normalized and checked."""

    id: str
    source: str
    sha256: str
    backend: BackendName | None
    request_id: str | None
    attempts: int
    fields: Mapping[str, Any]  # the normalized ticket (``fields.md``)
    raw: list[NameValue]  # the recognizer's Name/Value list, as answered
    warnings: tuple[Warning_, ...]
    recognized_at: str | None

    def to_json(self) -> Json:
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "source": self.source,
            "sha256": self.sha256,
            "backend": self.backend.value if self.backend else None,
            "request_id": self.request_id,
            "attempts": self.attempts,
            "fields": dict(self.fields),
            "raw": self.raw,
            "warnings": [w.as_dict() for w in self.warnings],
            "recognized_at": self.recognized_at,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Self:
        """A line read back; what is missing or mistyped reads as empty.

        >>> ResultRecord.from_json({"id": "a", "fields": [], "warnings": [{"code": "x"}]})
        ... # doctest: +ELLIPSIS
        ResultRecord(id='a', source='', sha256='', backend=None, ..., warnings=(Warning_(code='x', field=None, detail=''),), recognized_at=None)
        """  # noqa: E501
        fields_ = d.get("fields")
        raw = d.get("raw")
        return cls(
            id=str(d.get("id", "")),
            source=_str(d, "source") or "",
            sha256=_str(d, "sha256") or "",
            backend=_enum(BackendName, d.get("backend")),
            request_id=_str(d, "request_id"),
            attempts=_int(d, "attempts", 0) or 0,
            fields=fields_ if isinstance(fields_, Mapping) else {},
            raw=[x for x in raw if isinstance(x, dict)] if isinstance(raw, list) else [],
            warnings=tuple(_warnings(d.get("warnings"))),
            recognized_at=_str(d, "recognized_at"),
        )


def _warnings(items: Any) -> list[Warning_]:
    if not isinstance(items, list):
        return []
    return [
        Warning_(str(w.get("code", "")), _str(w, "field"), str(w.get("detail") or ""))
        for w in items
        if isinstance(w, Mapping)
    ]


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """One line of ``errors.jsonl``: an item of this run that is not done, and why."""

    id: str
    source: str
    sha256: str | None
    stage: Stage
    error_code: int | None
    reason: str
    retryable: bool
    attempts: int
    failed_at: str | None
    input_kind: InputKind | None = None  # what is wrong with an input, as data

    def to_json(self) -> Json:
        d: Json = {"schema_version": SCHEMA_VERSION}
        for f in dataclasses.fields(self):
            d[f.name] = getattr(self, f.name)
        d["stage"] = self.stage.value
        d["input_kind"] = self.input_kind.value if self.input_kind else None
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Self:
        return cls(
            id=str(d.get("id", "")),
            source=_str(d, "source") or "",
            sha256=_str(d, "sha256"),
            stage=_enum(Stage, d.get("stage")) or Stage.INPUT,
            error_code=_int(d, "error_code"),
            reason=str(d.get("reason") or ""),
            retryable=d.get("retryable") is True,
            attempts=_int(d, "attempts", 0) or 0,
            failed_at=_str(d, "failed_at"),
            input_kind=_enum(InputKind, d.get("input_kind")),
        )


@dataclass(frozen=True, slots=True)
class StopRecord:
    """Why a run ended early; the service code it stopped on travels as data."""

    reason: Halt
    message: str
    code: int | None = None

    def to_json(self) -> Json:
        return {"reason": self.reason.value, "message": self.message, "code": self.code}

    @classmethod
    def from_json(cls, d: Any) -> Self | None:
        if not isinstance(d, Mapping) or (reason := _enum(Halt, d.get("reason"))) is None:
            return None
        return cls(reason, str(d.get("message") or ""), _int(d, "code"))


@dataclass(frozen=True, slots=True)
class Skipped:
    """What directory walks passed over: never a silent "0 seen" over a folder of files."""

    total: int = 0
    by_reason: Mapping[str, int] = field(default_factory=dict)
    examples: tuple[str, ...] = ()

    def to_json(self) -> Json:
        return {"total": self.total, "by_reason": dict(self.by_reason),
                "examples": list(self.examples)}  # fmt: skip

    @classmethod
    def from_json(cls, d: Any) -> Self:
        if not isinstance(d, Mapping):
            return cls()
        by_reason = d.get("by_reason")
        examples = d.get("examples")
        return cls(
            _int(d, "total", 0) or 0,
            {str(k): v for k, v in by_reason.items() if isinstance(v, int)}
            if isinstance(by_reason, Mapping)
            else {},
            tuple(str(x) for x in examples) if isinstance(examples, list) else (),
        )


# The summary's counts, in the order summary.json lists them.
_COUNTS = (
    "seen", "done_now", "done_earlier", "same_content", "duplicate_tickets", "failed",
)  # fmt: skip
_REQUESTS = (
    "failed_retryable", "pending", "not_reached", "requests_sent", "billable_requests",
    "retries", "would_send", "would_read", "read_from_files", "max_in_flight",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Summary:
    """``summary.json``: what a run did, how fast, and why it ended."""

    exit_code: int
    elapsed_seconds: float
    seen: int = 0
    done_now: int = 0
    done_earlier: int = 0
    same_content: int = 0
    duplicate_tickets: int = 0
    failed: int = 0
    failed_by_stage: Mapping[str, int] = field(default_factory=dict)
    failed_by_code: Mapping[str, int] = field(default_factory=dict)
    failed_retryable: int = 0
    pending: int = 0
    not_reached: int = 0
    requests_sent: int = 0
    billable_requests: int = 0
    retries: int = 0
    would_send: int = 0
    would_read: int = 0
    read_from_files: int = 0
    max_in_flight: int = 0
    requests_per_second: float = 0.0
    # About the run rather than its counts.
    dry_run: bool = False
    batchocr_version: str | None = None
    run: int | None = None
    started_at: str | None = None
    finished_at: str | None = None
    stopped: StopRecord | None = None
    backend: BackendName | None = None
    skipped: Skipped = field(default_factory=Skipped)
    pacing: Mapping[str, Any] | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)

    @property
    def exit_meaning(self) -> str:
        return MEANINGS.get(self.exit_code, "")

    def to_json(self) -> Json:
        """The file's object: the run's facts first, then its counts."""
        about: Json = {
            "batchocr_version": self.batchocr_version,
            "run": self.run,
            "dry_run": self.dry_run,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "stopped": self.stopped.to_json() if self.stopped else None,
            "backend": self.backend.value if self.backend else None,
            "skipped": self.skipped.to_json(),
            "pacing": dict(self.pacing) if self.pacing is not None else None,
            "settings": dict(self.settings),
            "files": dict(self.files),
        }
        counts: Json = {
            "exit_code": self.exit_code,
            "exit_meaning": self.exit_meaning,
            "elapsed_seconds": self.elapsed_seconds,
            **{k: getattr(self, k) for k in _COUNTS},
            "failed_by_stage": dict(self.failed_by_stage),
            "failed_by_code": dict(self.failed_by_code),
            **{k: getattr(self, k) for k in _REQUESTS},
            "requests_per_second": self.requests_per_second,
        }
        return {"schema_version": SCHEMA_VERSION, **about, **counts}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Self:
        """A summary read back (``report``); what is missing or mistyped reads as zero/none."""
        ints = {k: _int(d, k, 0) or 0 for k in (*_COUNTS, *_REQUESTS)}
        rate, elapsed = d.get("requests_per_second"), d.get("elapsed_seconds")

        def counts(key: str) -> dict[str, int]:
            v = d.get(key)
            return {str(k): n for k, n in v.items() if isinstance(n, int)} if isinstance(
                v, Mapping
            ) else {}  # fmt: skip

        def mapping(key: str) -> Mapping[str, Any] | None:
            v = d.get(key)
            return v if isinstance(v, Mapping) else None

        return cls(
            exit_code=_int(d, "exit_code", 0) or 0,
            elapsed_seconds=float(elapsed) if isinstance(elapsed, int | float) else 0.0,
            **ints,
            failed_by_stage=counts("failed_by_stage"),
            failed_by_code=counts("failed_by_code"),
            requests_per_second=float(rate) if isinstance(rate, int | float) else 0.0,
            dry_run=d.get("dry_run") is True,
            batchocr_version=_str(d, "batchocr_version"),
            run=_int(d, "run"),
            started_at=_str(d, "started_at"),
            finished_at=_str(d, "finished_at"),
            stopped=StopRecord.from_json(d.get("stopped")),
            backend=_enum(BackendName, d.get("backend")),
            skipped=Skipped.from_json(d.get("skipped")),
            pacing=mapping("pacing"),
            settings=mapping("settings") or {},
            files={str(k): str(v) for k, v in (mapping("files") or {}).items()},
        )
