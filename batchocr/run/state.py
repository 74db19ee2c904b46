"""What is done, what is pending, and the run lock: the state kept in OUT.

One SQLite database in WAL mode (``OUT/state.sqlite``) is the source of truth:

- ``files``: path, size, mtime → sha256, so an unchanged file is never read twice;
- ``items``: every id seen, the content it points at, the run that last saw it,
  and the problem of an input that has no content (unreadable, bad manifest row);
- ``contents``: per image content (sha256): ``done``, ``failed`` (for good),
  ``retry`` (failed, worth sending again) or ``pending`` (never answered);
- ``results``: the JSON line of every recognized content and its byte offset in
  ``results.jsonl``. A result is committed here *before* its line is appended,
  so the file can always be repaired from the database (see ``sinks``);
- ``tickets``: ticket number (or invoice number) → the contents that carry it,
  to catch one ticket claimed twice under different images.

Only the event-loop thread touches the connection; every statement is an
indexed point query, so none of them holds the loop for long.

>>> import tempfile, pathlib
>>> with State.open(pathlib.Path(tempfile.mkdtemp())) as st:
...     st.content_status("ab" * 32) is None
True
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from ..models import InputKind, Item, Stage, Status
from .schema import DB_NAME, connect, stored_kind


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a content or an item is not done, as the error report shows it."""

    stage: Stage
    reason: str
    error_code: int | None = None
    retryable: bool = False
    attempts: int = 0
    failed_at: str | None = None
    kind: InputKind | None = None  # for input failures: what is wrong, as data


@dataclass(frozen=True, slots=True)
class IdRecord:
    """An id as last recorded: its source, the run that saw it, its content."""

    source: str
    run: int
    sha256: str | None


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One line of the error report: an item seen in this run that is not done."""

    id: str
    source: str
    sha256: str | None
    failure: Failure


class _NullDB:
    """Swallows the writes of a dry run."""

    def execute(self, *args: object) -> None:
        return None


class State:
    """The run state in ``OUT/state.sqlite``; see the module docstring."""

    def __init__(self, db: sqlite3.Connection, readonly: bool = False) -> None:
        self._db = db
        self.readonly = readonly
        self.run = 0

    @classmethod
    def open(cls, out: Path, *, readonly: bool = False) -> Self:
        return cls(connect(out / DB_NAME, readonly=readonly), readonly)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection | _NullDB]:
        """One write transaction; in a read-only state (dry runs) writes go nowhere."""
        if self.readonly:
            yield _NullDB()
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ------------------------------------------------------------ runs

    def begin_run(self, started_at: str) -> int:
        if self.readonly:
            row = self._db.execute("SELECT coalesce(max(run), 0) + 1 FROM runs").fetchone()
            self.run = int(row[0])
            return self.run
        cur = self._db.execute("INSERT INTO runs (started_at) VALUES (?)", (started_at,))
        self.run = int(cur.lastrowid or 0)
        return self.run

    def end_run(self, finished_at: str, exit_code: int) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at=?, exit_code=? WHERE run=?",
                (finished_at, exit_code, self.run),
            )

    def last_success(self) -> str | None:
        """When the latest run that exited 0 finished (ISO 8601), if any did."""
        row = self._db.execute(
            "SELECT finished_at FROM runs WHERE exit_code=0 ORDER BY run DESC LIMIT 1"
        ).fetchone()
        return str(row[0]) if row else None

    # ------------------------------------------------------------ lookups

    def learned_qps(self) -> float | None:
        """The pace a previous run on this OUT ended at (adaptive pacing), if one learned it."""
        row = self._db.execute("SELECT v FROM meta WHERE k='learned_qps'").fetchone()
        return float(row[0]) if row else None

    def remember_qps(self, qps: float | None) -> None:
        """Keep (or, with None, forget) the learned pace for the next run."""
        with self._tx() as db:
            if qps is None:
                db.execute("DELETE FROM meta WHERE k='learned_qps'")
            else:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('learned_qps', ?)", (repr(qps),))

    def known_file(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The sha256 of an unchanged file (same path, size and mtime), else None."""
        row = self._db.execute(
            "SELECT sha256 FROM files WHERE path=? AND size=? AND mtime_ns=?",
            (path, size, mtime_ns),
        ).fetchone()
        return str(row[0]) if row else None

    def content_status(self, sha256: str) -> Status | None:
        row = self._db.execute("SELECT status FROM contents WHERE sha256=?", (sha256,)).fetchone()
        return Status(row[0]) if row else None

    def content_attempts(self, sha256: str) -> int:
        row = self._db.execute("SELECT attempts FROM contents WHERE sha256=?", (sha256,)).fetchone()
        return int(row[0]) if row else 0

    def id_record(self, item_id: str) -> IdRecord | None:
        """What an id pointed at when last seen, if it was."""
        row = self._db.execute(
            "SELECT source, run, sha256 FROM items WHERE id=?", (item_id,)
        ).fetchone()
        return IdRecord(str(row[0]), int(row[1]), row[2]) if row else None

    # ------------------------------------------------------------ writes

    def link(self, item_id: str, source: str, sha256: str, size: int, mtime_ns: int) -> None:
        """Record that ``item_id`` (at ``source``) holds ``sha256`` and was seen in this run."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", (source, size, mtime_ns, sha256)
            )
            db.execute(
                "INSERT OR REPLACE INTO items (id, source, sha256, run) VALUES (?, ?, ?, ?)",
                (item_id, source, sha256, self.run),
            )
            db.execute(
                "INSERT OR IGNORE INTO contents (sha256, status) VALUES (?, ?)",
                (sha256, Status.PENDING),
            )

    def item_problem(
        self, item_id: str, source: str, reason: str, at: str, kind: InputKind
    ) -> None:
        """An input with no readable content: it goes straight to the error report."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO items (id, source, run, problem, problem_at, problem_kind)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (item_id, source, self.run, reason, at, kind),
            )

    def not_reached(self, items: Iterable[Item], reason: str, at: str) -> None:
        """Put inputs the run never got to into this run's error report.

        A broken input is reported as such (it costs nothing to say so); an id
        whose content is already done stays done; anything else is pending.
        """
        with self._tx() as db:
            for item in items:
                if item.problem is not None or item.path is None:
                    db.execute(
                        "INSERT OR REPLACE INTO items (id, source, run, problem, problem_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (item.id, item.source, self.run, item.problem or "no path", at),
                    )
                    continue
                known = self._db.execute(
                    "SELECT c.status FROM items i JOIN contents c ON c.sha256 = i.sha256"
                    " WHERE i.id = ?",
                    (item.id,),
                ).fetchone()
                if known is not None:
                    if known[0] != Status.DONE:
                        db.execute("UPDATE items SET run=? WHERE id=?", (self.run, item.id))
                    continue
                db.execute(
                    "INSERT OR REPLACE INTO items (id, source, run, problem_at, note)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (item.id, item.source, self.run, at, reason),
                )

    def fail(self, sha256: str, failure: Failure) -> None:
        """Record a content's failure; retryable ones are sent again by the next run."""
        status = Status.RETRY if failure.retryable else Status.FAILED
        if failure.stage is Stage.PENDING:
            status = Status.PENDING
        with self._tx() as db:
            db.execute(
                "UPDATE contents SET status=?, attempts=attempts+?, stage=?, error_code=?,"
                " reason=?, retryable=?, failed_at=?, kind=? WHERE sha256=?",
                (
                    status,
                    failure.attempts,
                    failure.stage.value,
                    failure.error_code,
                    failure.reason,
                    int(failure.retryable),
                    failure.failed_at,
                    failure.kind,
                    sha256,
                ),
            )

    def same_ticket(self, ticket: str, sha256: str) -> list[str]:
        """Ids of other contents already recorded with this ticket key."""
        rows = self._db.execute(
            "SELECT id FROM tickets WHERE ticket=? AND sha256!=? ORDER BY id", (ticket, sha256)
        )
        return [str(r[0]) for r in rows]

    def add_result(
        self,
        sha256: str,
        line: bytes,
        offset: int,
        attempts: int,
        ticket: tuple[str, str] | None = None,
    ) -> None:
        """Commit a recognized content and its output line (before the line is written).

        ``ticket`` is ``(ticket key, id)`` for the duplicate-ticket index.
        """
        with self._tx() as db:
            if ticket is not None:
                db.execute(
                    "INSERT OR IGNORE INTO tickets VALUES (?, ?, ?)", (ticket[0], sha256, ticket[1])
                )
            db.execute(
                "UPDATE contents SET status='done', attempts=attempts+?, stage=NULL,"
                " error_code=NULL, reason=NULL, retryable=NULL, failed_at=NULL WHERE sha256=?",
                (attempts, sha256),
            )
            db.execute(
                "INSERT INTO results VALUES (?, ?, ?, ?)",
                (sha256, offset, offset + len(line), line),
            )

    # ------------------------------------------------------------ results file support

    def results_end(self) -> int:
        """Where ``results.jsonl`` should end: the end of the last committed line."""
        row = self._db.execute('SELECT coalesce(max("end"), 0) FROM results').fetchone()
        return int(row[0])

    def results_from(self, size: int) -> list[tuple[str, int, bytes]]:
        """The committed lines not wholly inside the first ``size`` bytes, in file order."""
        return self._db.execute(
            'SELECT sha256, offset, line FROM results WHERE "end" > ? ORDER BY offset', (size,)
        ).fetchall()

    def relocate(self, sha256: str, offset: int, end: int) -> None:
        with self._tx() as db:
            db.execute('UPDATE results SET offset=?, "end"=? WHERE sha256=?', (offset, end, sha256))

    # ------------------------------------------------------------ the error report

    def report_rows(self) -> Iterator[ReportRow]:
        """Items seen in this run that are not done, ordered by id."""
        rows = self._db.execute(
            "SELECT i.id, i.source, i.sha256, i.problem, i.problem_at, i.note, c.status,"
            " c.stage, c.error_code, c.reason, c.retryable, c.attempts, c.failed_at,"
            " i.problem_kind, c.kind"
            " FROM items i LEFT JOIN contents c ON c.sha256 = i.sha256"
            " WHERE i.run = ? AND (i.problem IS NOT NULL OR c.status IS NOT 'done')"
            " ORDER BY i.id",
            (self.run,),
        )
        for (item_id, source, sha, problem, problem_at, note, status, stage, code, reason,
             retryable, attempts, failed_at, problem_kind, kind) in rows:  # fmt: skip
            if problem is not None:
                failure = Failure(
                    Stage.INPUT, problem, failed_at=problem_at, kind=stored_kind(problem_kind)
                )
            elif sha is None:
                failure = Failure(Stage.PENDING, note or "not reached", None, True, 0, problem_at)
            elif status == Status.PENDING or stage is None:
                failure = Failure(
                    Stage.PENDING,
                    reason or "not sent yet; the next run sends it",
                    error_code=code,
                    retryable=True,
                    attempts=attempts or 0,
                    failed_at=failed_at,
                )
            else:
                failure = Failure(
                    Stage(stage), reason or "", code, bool(retryable), attempts or 0, failed_at,
                    stored_kind(kind),
                )  # fmt: skip
            yield ReportRow(item_id, source, sha, failure)
