"""The single writer of outcomes: state rows, result lines and the live counters.

The engine decides *what* happened to an item; this module writes it down, in
the order that makes crashes harmless: a result is committed to the state
before its line is appended to ``results.jsonl`` (see ``sinks``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..documents.qr import InvoiceQr, reconcile
from ..models import Counters, InputKind, Item, Reply, Stage, Warning_
from ..outputs.fields import normalize, ticket_key
from ..records import BackendName, ResultRecord
from .sinks import ResultsFile, dumps_line
from .state import Failure, State

log = logging.getLogger("batchocr")


def iso_utc(moment: datetime) -> str:
    """``2026-01-31T12:00:00Z``: ISO 8601, UTC, whole seconds."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(slots=True)
class Recorder:
    """Writes each outcome to the state (and results file) and counts it."""

    state: State
    results: ResultsFile | None
    counters: Counters
    now: Callable[[], datetime]
    backend: Callable[[], BackendName | None]  # the name recorded in each result

    def stamp(self) -> str:
        return iso_utc(self.now())

    def result(
        self,
        item: Item,
        sha: str,
        reply: Reply,
        attempts: int,
        backend: BackendName | None = None,
        qr: InvoiceQr | None = None,
    ) -> None:
        """A recognized image (or a page read from a document's text, ``backend`` naming the
        format): normalize, check against the image's QR code, commit, then append its line."""
        assert self.results is not None
        raw = reply.data
        fields, warnings = normalize(raw)
        if qr is not None:
            raw, found = reconcile(raw, fields, warnings, qr)
            fields, warnings = normalize(raw) if raw is not reply.data else (fields, warnings)
            warnings += found
        ticket = ticket_key(fields)
        if ticket is not None:
            warnings.extend(self._duplicate(ticket, sha))
        record = ResultRecord(
            id=item.id,
            source=item.source,
            sha256=sha,
            backend=backend or self.backend(),
            request_id=reply.request_id,
            attempts=self.state.content_attempts(sha) + attempts,
            fields=fields,
            raw=raw,
            warnings=tuple(warnings),
            recognized_at=self.stamp(),
        )
        line = dumps_line(record.to_json())
        self.state.add_result(
            sha, line, self.results.offset, attempts, (ticket, item.id) if ticket else None
        )
        self.results.append(line)
        self.counters.done_now += 1
        log.debug("%s done (%d attempt(s))", item.id, attempts)

    def _duplicate(self, ticket: str, sha: str) -> list[Warning_]:
        """The ticket was recorded before from other image bytes: a re-scan or a double claim."""
        others = self.state.same_ticket(ticket, sha)
        if not others:
            return []
        kind, number = ticket.split(":", 1)
        self.counters.duplicate_tickets += 1
        detail = f"{kind} {number} was already recognized in {', '.join(others)}"
        return [Warning_("duplicate_ticket", kind, detail)]

    def failure(
        self,
        sha: str,
        stage: Stage,
        reason: str,
        *,
        code: int | None = None,
        retryable: bool = False,
        attempts: int = 0,
        kind: InputKind | None = None,
    ) -> None:
        """An image that is not done: for good, or until the next run (``retryable``)."""
        failure = Failure(stage, reason, code, retryable, attempts, self.stamp(), kind)
        self.state.fail(sha, failure)
        self.counters.failed_now += 1
        self.counters.failures[str(code) if code is not None else stage.value] += 1
        log.info("failed: %s (%s)", sha[:12], reason)

    def pending(self, sha: str, reason: str, attempts: int = 0, code: int | None = None) -> None:
        """An image left for the next run because this one stopped."""
        failure = Failure(Stage.PENDING, reason, code, True, attempts, self.stamp())
        self.state.fail(sha, failure)

    def input_problem(self, item: Item, reason: str, kind: InputKind) -> None:
        """An input with no usable content (unreadable, bad manifest row)."""
        self.state.item_problem(item.id, item.source, reason, self.stamp(), kind)
        self.counters.failed_now += 1
        self.counters.failures[Stage.INPUT.value] += 1
        log.info("input problem: %s: %s", item.id, reason)

    def not_reached(self, items: Sequence[Item], reason: str) -> None:
        """Inputs the run stopped before taking up: listed in the report as pending."""
        if items:
            self.counters.not_reached += len(items)
            self.state.not_reached(items, reason, self.stamp())
