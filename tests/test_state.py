"""The state and results.jsonl: crash repair, owner-only files, the run lock."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from batchocr.errors import LockedError
from batchocr.models import InputKind, Stage
from batchocr.run import schema
from batchocr.run.lock import RunLock
from batchocr.run.sinks import ResultsFile, dumps_line, write_json_atomic
from batchocr.run.state import Failure, State


def line(n: int) -> bytes:
    return dumps_line({"id": f"img{n}", "sha256": f"{n:064x}", "fields": {"name": "张三"}})


def record(state: State, results: ResultsFile, n: int) -> None:
    sha = f"{n:064x}"
    state.link(f"img{n}", f"/in/img{n}.png", sha, 10, 1)
    state.add_result(sha, line(n), results.offset, 1)
    results.append(line(n))


def fill(out: Path, count: int) -> bytes:
    with State.open(out) as st:
        st.begin_run("t")
        rf = ResultsFile(out / "results.jsonl", st)
        rf.open()
        for n in range(count):
            record(st, rf, n)
        rf.close()
    return (out / "results.jsonl").read_bytes()


def reopen(out: Path) -> tuple[bytes, int]:
    with State.open(out) as st:
        rf = ResultsFile(out / "results.jsonl", st)
        rf.open()
        rf.close()
    return (out / "results.jsonl").read_bytes(), rf.repaired


def test_torn_last_line_is_repaired(tmp_path: Path) -> None:
    """A crash mid-write leaves half a line; the next open restores it exactly."""
    full = fill(tmp_path, 3)
    (tmp_path / "results.jsonl").write_bytes(full[:-17])
    repaired, count = reopen(tmp_path)
    assert (repaired, count) == (full, 1)


def test_lines_committed_but_never_written_are_restored(tmp_path: Path) -> None:
    """A crash between commit and write: the missing lines are appended on the next open."""
    full = fill(tmp_path, 4)
    first_two = b"".join(full.splitlines(keepends=True)[:2])
    (tmp_path / "results.jsonl").write_bytes(first_two)
    assert reopen(tmp_path) == (full, 2)


def test_deleted_results_file_is_rebuilt(tmp_path: Path) -> None:
    """Even a deleted results.jsonl comes back whole from the state."""
    full = fill(tmp_path, 2)
    (tmp_path / "results.jsonl").unlink()
    assert reopen(tmp_path) == (full, 2)


def test_intact_file_is_left_alone(tmp_path: Path) -> None:
    """No crash, no change."""
    full = fill(tmp_path, 3)
    assert reopen(tmp_path) == (full, 0)


def test_every_line_parses_after_repair(tmp_path: Path) -> None:
    """After repair each line is valid JSON and each content appears once."""
    full = fill(tmp_path, 5)
    (tmp_path / "results.jsonl").write_bytes(full[: len(full) // 2])
    repaired, _ = reopen(tmp_path)
    shas = [json.loads(x)["sha256"] for x in repaired.splitlines()]
    assert shas == [f"{n:064x}" for n in range(5)]


def test_files_are_owner_only(tmp_path: Path) -> None:
    """The state, results and atomically written files are created 0600 even with umask 0."""
    old = os.umask(0)
    try:
        fill(tmp_path, 1)
        write_json_atomic(tmp_path / "summary.json", {"a": 1})
    finally:
        os.umask(old)
    for name in ("state.sqlite", "results.jsonl", "summary.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_report_rows_cover_problems_failures_and_pending(tmp_path: Path) -> None:
    """The error report lists this run's items that are not done, by id, with their reasons."""
    with State.open(tmp_path) as st:
        st.begin_run("t")
        st.item_problem("a-broken", "/in/a", "empty file (0 bytes)", "t1", InputKind.EMPTY)
        st.link("b-failed", "/in/b", "b" * 64, 1, 1)
        st.fail(
            "b" * 64, Failure(Stage.SERVICE, "252604 recognition failed", 252604, False, 1, "t2")
        )
        st.link("c-pending", "/in/c", "c" * 64, 1, 1)
        st.link("d-done", "/in/d", "d" * 64, 1, 1)
        st.add_result("d" * 64, b"{}\n", 0, 1)
        rows = [
            (r.id, r.failure.stage.value, r.failure.error_code, r.failure.retryable,
             r.failure.kind)
            for r in st.report_rows()
        ]  # fmt: skip
    assert rows == [
        ("a-broken", "input", None, False, InputKind.EMPTY),
        ("b-failed", "service", 252604, False, None),
        ("c-pending", "pending", None, True, None),
    ]


def test_an_out_written_before_input_kinds_gains_the_columns(tmp_path: Path) -> None:
    """A state database without the kind columns (an older batchocr) opens, gains them
    empty, and its old problems report with no kind."""
    db = sqlite3.connect(tmp_path / "state.sqlite")
    old_schema = schema.SCHEMA.replace(", problem_kind TEXT", "").replace(", kind TEXT", "")
    db.executescript(old_schema)
    db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    db.execute("INSERT INTO runs (run, started_at) VALUES (1, 't0')")
    db.execute("INSERT INTO items (id, source, run, problem) VALUES ('x', '/x', 1, 'empty')")
    db.commit()
    db.close()
    with State.open(tmp_path) as st:
        st.run = 1
        [row] = st.report_rows()
    assert (row.id, row.failure.reason, row.failure.kind) == ("x", "empty", None)


def test_second_lock_is_refused(tmp_path: Path) -> None:
    """While one run holds OUT, another gets LockedError; after release it can lock."""
    first = RunLock(tmp_path)
    first.acquire()
    with pytest.raises(LockedError, match="another batchocr run is using"):
        RunLock(tmp_path).acquire()
    first.release()
    RunLock(tmp_path).acquire()


def test_lock_dies_with_its_process(tmp_path: Path) -> None:
    """A killed holder's lock is released by the kernel."""
    code = (
        f"from batchocr.run.lock import RunLock; from pathlib import Path; import os, sys;"
        f"RunLock(Path({str(tmp_path)!r})).acquire(); print('locked', flush=True);"
        f"sys.stdin.read()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    with pytest.raises(LockedError):
        RunLock(tmp_path).acquire()
    proc.kill()
    proc.wait()
    RunLock(tmp_path).acquire()


def test_the_learned_pace_is_kept_for_the_next_run_and_can_be_forgotten(tmp_path: Path) -> None:
    """remember_qps survives closing the state; None forgets it."""
    with State.open(tmp_path) as state:
        assert state.learned_qps() is None
        state.remember_qps(9.625)
    with State.open(tmp_path) as state:
        assert state.learned_qps() == 9.625
        state.remember_qps(None)
        assert state.learned_qps() is None
