"""The state database's schema, how an older one is brought up to date, and how it is opened.

Schema 1 has grown only by nullable columns, which an older batchocr ignores: an OUT written
before them gains them empty (:func:`_add_columns`), so no run has to start over.

>>> import tempfile, pathlib
>>> db = connect(pathlib.Path(tempfile.mkdtemp()) / DB_NAME)
>>> db.execute("SELECT v FROM meta WHERE k='schema_version'").fetchone()
('1',)
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import UsageError
from ..models import InputKind

__all__ = ["DB_NAME", "SCHEMA", "SCHEMA_VERSION", "connect", "stored_kind"]

DB_NAME = "state.sqlite"
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, exit_code INTEGER);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, sha256 TEXT, run INTEGER NOT NULL,
    problem TEXT, problem_at TEXT, note TEXT, problem_kind TEXT);
CREATE INDEX IF NOT EXISTS items_run ON items (run);
CREATE TABLE IF NOT EXISTS contents (
    sha256 TEXT PRIMARY KEY, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    stage TEXT, error_code INTEGER, reason TEXT, retryable INTEGER, failed_at TEXT, kind TEXT);
CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT PRIMARY KEY, offset INTEGER NOT NULL, "end" INTEGER NOT NULL,
    line BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS results_offset ON results (offset);
CREATE TABLE IF NOT EXISTS tickets (
    ticket TEXT NOT NULL, sha256 TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (ticket, sha256));
"""


def stored_kind(value: str | None) -> InputKind | None:
    """A stored kind; one this version does not know (or none, before kinds) reads as None."""
    try:
        return InputKind(value) if value else None
    except ValueError:
        return None


def _add_columns(db: sqlite3.Connection) -> None:
    """Columns added since schema 1 was first written: an older OUT gains them, empty."""
    for table, column in (("items", "problem_kind"), ("contents", "kind")):
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")


def _create_owner_only(path: Path) -> None:
    """Create ``path`` with mode 0600 if missing (never widen an existing file)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """The database at ``path``, created owner-only; a dry run on a new OUT gets an empty one
    in memory (it must not create files)."""
    if readonly and not path.exists():
        db = sqlite3.connect(":memory:", isolation_level=None)
    else:
        _create_owner_only(path)
        db = sqlite3.connect(path, isolation_level=None, timeout=5)
        db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a process crash (kill -9); only an OS
        # crash can lose the last transactions, which the next run re-sends.
        db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(SCHEMA)
    if not readonly:
        _add_columns(db)
    found = db.execute("SELECT v FROM meta WHERE k='schema_version'").fetchone()
    if found and int(found[0]) != SCHEMA_VERSION:
        raise UsageError(f"{path} was written by another batchocr version (schema {found[0]})")
    if not found and not readonly:
        db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    return db
