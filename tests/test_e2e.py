"""End to end: ``batchocr run`` as a subprocess against a real local server.

Each test runs the CLI in its own process (``python -m batchocr run``) against a
:class:`~batchocr.server.RehearsalServer` served from this process on a real
127.0.0.1 socket, over small distinct PNGs written with Pillow, and checks what
a user relies on: the exit code, the files in OUT, and what the server received.
Waits poll a condition against a deadline; every subprocess has a timeout.
"""

from __future__ import annotations

import hashlib
import re
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import (
    by_key,
    count_lines,
    expected_fields,
    finish,
    make_images,
    make_png_bytes,
    read_json,
    read_jsonl,
    run_cli,
    running,
    sha256_of,
    wait_until,
    write_config,
)

from batchocr.server import Behaviour, RehearsalServer
from batchocr.server.answers import synthetic_answer

pytestmark = pytest.mark.e2e

Serve = Callable[..., RehearsalServer]

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
JUHE = ("--backend", "juhe")  # the service, chosen explicitly (auto would print a notice)
KILL_KEY = "KILL-KEY-Q7X"
FAST_BACKOFF = {"backoff_initial": 0.01, "backoff_max": 0.05}
COUNTS = ("exit_code", "seen", "done_now", "done_earlier", "failed", "pending")
REFUSED = "10001 wrong request key (错误的请求KEY)"
ABORT_LINE = f"batchocr: WARNING: the service refused the account: {REFUSED}"


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start rehearsal servers on 127.0.0.1:0; all are stopped after the test."""
    servers: list[RehearsalServer] = []

    def start(behaviour: Behaviour | None = None) -> RehearsalServer:
        server = RehearsalServer(synthetic_answer, behaviour or Behaviour()).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The test's working directory, resolved as the CLI's getcwd() sees it."""
    return tmp_path.resolve()


def opts(server: RehearsalServer, *more: str, qps: str = "200") -> list[str]:
    """The options every run shares: OUT, the service at our server, a high rate, no progress."""
    return ["-o", "out", *JUHE, "--endpoint", server.url, "--qps", qps, "--no-progress", *more]


def pick(doc: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: doc[k] for k in keys}


def counts(
    seen: int, now: int, earlier: int, failed: int, pending: int, *, code: int
) -> dict[str, Any]:
    """The summary counts of :data:`COUNTS`, in a readable order."""
    return {
        "exit_code": code,
        "seen": seen,
        "done_now": now,
        "done_earlier": earlier,
        "failed": failed,
        "pending": pending,
    }


def assert_result(record: Mapping[str, Any], item_id: str, path: Path) -> None:
    """A results.jsonl line holds exactly the synthetic ticket of the image at ``path``."""
    data = path.read_bytes()
    wanted = expected_fields(data)
    assert record["id"] == item_id
    assert record["source"] == str(path)
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["backend"] == "juhe"
    assert UUID.fullmatch(record["request_id"])
    assert record["attempts"] == 1
    assert pick(record["fields"], tuple(wanted)) == wanted
    segments = [(s["from"], s["to"], s["flight_no"]) for s in record["fields"]["segments"]]
    assert segments == [("北京", "上海", "CA1501")]
    assert record["raw"] == synthetic_answer(data)
    assert record["warnings"] == []
    assert STAMP.fullmatch(record["recognized_at"])


def one_success_each(paths: list[Path]) -> dict[str, int]:
    return {sha256_of(p): 1 for p in paths}


def would_send(n: int) -> str:
    """The dry run's summary line."""
    return f"  would send {n} image(s): at most that many billable requests"


# ---------------------------------------------------------------- clean runs


def test_clean_run_records_each_image_exactly_and_a_rerun_sends_nothing(
    root: Path, serve: Serve
) -> None:
    """A clean folder run writes one exact line per image; the rerun sends no request."""
    server = serve()
    paths = make_images(root / "in", 4) + make_images(root / "in" / "sub", 2, start=4)
    (root / "in" / ".hidden.png").write_bytes(make_png_bytes(50))  # hidden: never sent
    done = run_cli(["in", *opts(server)], cwd=root)
    assert (done.code, done.stderr) == (0, "")
    out = root / "out"
    results = by_key(read_jsonl(out / "results.jsonl"), "id")
    ids = {p.relative_to(root / "in").as_posix(): p for p in paths}
    assert sorted(results) == sorted(ids) == [*(f"img0{i}.png" for i in range(4)),
                                              "sub/img04.png", "sub/img05.png"]  # fmt: skip
    for item_id, path in ids.items():
        assert_result(results[item_id], item_id, path)
    assert len({r["request_id"] for r in results.values()}) == 6
    assert (out / "errors.jsonl").read_bytes() == b""
    summary = read_json(out / "summary.json")
    assert pick(summary, COUNTS) == counts(6, 6, 0, 0, 0, code=0)
    assert (summary["requests_sent"], summary["billable_requests"], summary["retries"]) == (6, 6, 0)
    assert summary["stopped"] is None
    snap = server.stats.snapshot()
    assert (snap["requests"], snap["succeeded_by_sha256"]) == (6, one_success_each(paths))

    before = (out / "results.jsonl").read_bytes()
    again = run_cli(["in", *opts(server)], cwd=root)
    assert (again.code, again.stderr) == (0, "")
    assert server.stats.snapshot()["requests"] == 6
    assert (out / "results.jsonl").read_bytes() == before
    summary = read_json(out / "summary.json")
    assert pick(summary, COUNTS) == counts(6, 0, 6, 0, 0, code=0)
    assert summary["requests_sent"] == 0


def test_manifest_run_uses_the_manifest_ids_and_its_folder(root: Path, serve: Serve) -> None:
    """A CSV manifest's ids name the results; its relative paths resolve against its folder."""
    server = serve()
    paths = make_images(root / "scans", 3)
    lists = root / "lists"
    lists.mkdir()
    rows = [f"T-{i:03d},../scans/{p.name}" for i, p in enumerate(paths)]
    (lists / "m.csv").write_text("id,path\n" + "\n".join(rows) + "\n", encoding="utf-8")
    done = run_cli(["--manifest", "lists/m.csv", *opts(server)], cwd=root)
    assert (done.code, done.stderr) == (0, "")
    results = by_key(read_jsonl(root / "out" / "results.jsonl"), "id")
    assert sorted(results) == ["T-000", "T-001", "T-002"]
    for i, path in enumerate(paths):
        assert_result(results[f"T-{i:03d}"], f"T-{i:03d}", path)
    assert (root / "out" / "errors.jsonl").read_bytes() == b""
    assert pick(read_json(root / "out" / "summary.json"), COUNTS) == counts(3, 3, 0, 0, 0, code=0)
    assert server.stats.snapshot()["succeeded_by_sha256"] == one_success_each(paths)


def test_paths_read_from_stdin(root: Path, serve: Serve) -> None:
    """``-`` reads newline-separated paths from stdin, skipping blank lines."""
    server = serve()
    paths = make_images(root / "in", 3)
    stdin = "in/img00.png\n\n  in/img02.png\n"
    done = run_cli(["-", *opts(server)], cwd=root, stdin=stdin)
    assert (done.code, done.stderr) == (0, "")
    results = by_key(read_jsonl(root / "out" / "results.jsonl"), "id")
    assert sorted(results) == ["in/img00.png", "in/img02.png"]
    assert_result(results["in/img00.png"], "in/img00.png", paths[0])
    assert_result(results["in/img02.png"], "in/img02.png", paths[2])
    sent = [paths[0], paths[2]]
    assert server.stats.snapshot()["succeeded_by_sha256"] == one_success_each(sent)


def test_same_content_under_two_paths_is_sent_once(root: Path, serve: Serve) -> None:
    """Identical bytes under two names cost one request and make one results line."""
    server = serve()
    paths = make_images(root / "in", 3)
    (root / "in" / "copy.png").write_bytes(paths[0].read_bytes())
    done = run_cli(["in", *opts(server)], cwd=root)
    assert (done.code, done.stderr) == (0, "")
    results = read_jsonl(root / "out" / "results.jsonl")
    assert sorted(r["sha256"] for r in results) == sorted(sha256_of(p) for p in paths)
    assert server.stats.snapshot()["by_sha256"] == one_success_each(paths)
    assert (root / "out" / "errors.jsonl").read_bytes() == b""


def test_same_content_counts_as_same_content_not_done_earlier(root: Path, serve: Serve) -> None:
    """On a fresh OUT, the second name of identical bytes counts as same_content, not earlier."""
    server = serve()
    paths = make_images(root / "in", 3)
    (root / "in" / "copy.png").write_bytes(paths[0].read_bytes())
    done = run_cli(["in", *opts(server)], cwd=root)
    summary = read_json(root / "out" / "summary.json")
    assert done.code == 0
    assert (summary["done_now"], summary["done_earlier"], summary["same_content"]) == (3, 0, 1)


# ---------------------------------------------------------------- service trouble


def test_transient_faults_all_end_done_with_bounded_retries(root: Path, serve: Serve) -> None:
    """With 10% transient faults every image ends done once; retries are the extra requests."""
    faults = ("252602", "http500", "garbage", "reset")
    server = serve(Behaviour(fault_rate=0.1, faults=faults, seed=7))
    paths = make_images(root / "in", 30)
    write_config(root / "fast.toml", FAST_BACKOFF)
    done = run_cli(["in", "-c", "fast.toml", *opts(server)], cwd=root)
    assert (done.code, done.stderr) == (0, "")
    snap = server.stats.snapshot()
    summary = read_json(root / "out" / "summary.json")
    assert pick(summary, COUNTS) == counts(30, 30, 0, 0, 0, code=0)
    assert summary["requests_sent"] == snap["requests"]
    assert summary["retries"] == snap["requests"] - 30
    fault_answers = {code: n for code, n in snap["by_code"].items() if code != "0"}
    assert set(fault_answers) <= set(faults)
    assert sum(fault_answers.values()) == summary["retries"] > 0
    assert snap["succeeded_by_sha256"] == one_success_each(paths)
    results = read_jsonl(root / "out" / "results.jsonl")
    assert sorted(r["sha256"] for r in results) == sorted(one_success_each(paths))
    assert sum(r["attempts"] for r in results) == snap["requests"]
    assert (root / "out" / "errors.jsonl").read_bytes() == b""


def abort_run(root: Path, server: RehearsalServer, images: int) -> list[Path]:
    paths = make_images(root / "in", images)
    done = run_cli(["in", *opts(server, "--concurrency", "4")], cwd=root, key="wrong")
    assert done.code == 2
    assert done.stderr.splitlines() == [ABORT_LINE]
    assert server.stats.snapshot()["requests"] == 1  # the first request goes alone
    return paths


def test_bad_key_aborts_after_one_request_and_a_rerun_resumes(root: Path, serve: Serve) -> None:
    """10001 stops the run after its first request (exit 2), every item pending; a rerun ends it."""
    server = serve(Behaviour(keys=frozenset({"right"})))
    paths = abort_run(root, server, 20)
    summary = read_json(root / "out" / "summary.json")
    assert summary["stopped"]["reason"] == "abort"
    assert "10001" in summary["stopped"]["message"]
    assert summary["stopped"]["code"] == 10001  # as data: nobody parses the message
    report = read_jsonl(root / "out" / "errors.jsonl")
    assert len(report) == summary["pending"] == 20  # every image is left for the next run
    assert {(r["stage"], r["retryable"]) for r in report} == {("pending", True)}
    answered = [r for r in report if r["reason"] == f"not recognized: run aborted on {REFUSED}"]
    assert [(r["error_code"], r["attempts"]) for r in answered] == [(10001, 1)]
    others = {r["reason"] for r in report if r not in answered}
    assert others <= {
        f"not sent: the service refused the account: {REFUSED}",
        f"not reached: the service refused the account: {REFUSED}",
    }
    assert (root / "out" / "results.jsonl").read_bytes() == b""

    again = run_cli(["in", *opts(server, "--concurrency", "4")], cwd=root, key="right")
    assert (again.code, again.stderr) == (0, "")
    snap = server.stats.snapshot()
    assert snap["by_code"] == {"10001": 1, "0": 20}
    assert snap["succeeded_by_sha256"] == one_success_each(paths)
    assert (root / "out" / "errors.jsonl").read_bytes() == b""


def test_attempts_recorded_add_up_to_requests_sent(root: Path, serve: Serve) -> None:
    """After an abort and a rerun, the attempts in the records add up to the requests sent."""
    server = serve(Behaviour(keys=frozenset({"right"})))
    abort_run(root, server, 6)
    report = read_jsonl(root / "out" / "errors.jsonl")
    assert sum(r["attempts"] for r in report) == 1
    again = run_cli(["in", *opts(server, "--concurrency", "4")], cwd=root, key="right")
    assert again.code == 0
    results = read_jsonl(root / "out" / "results.jsonl")
    assert sum(r["attempts"] for r in results) == server.stats.snapshot()["requests"] == 7


def test_persistent_10012_stops_early_and_a_rerun_resumes(root: Path, serve: Serve) -> None:
    """A service that keeps answering 10012 stops the run (exit 3) once the pacer has seen the
    refusals go on for 2 s however slowly it sent; bounded; a rerun resumes."""
    server = serve(Behaviour(force_code=10012))
    paths = make_images(root / "in", 20)
    write_config(root / "fast.toml", {**FAST_BACKOFF, "max_attempts": 2})
    args = ["in", "-c", "fast.toml", *opts(server, "--concurrency", "4")]
    done = run_cli(args, cwd=root)
    assert done.code == 3
    snap = server.stats.snapshot()
    assert 0 < snap["requests"] <= 30  # at --qps 200: 66/s after the first cut, then fewer
    assert snap["by_code"] == {"10012": snap["requests"]}
    summary = read_json(root / "out" / "summary.json")
    assert summary["stopped"]["reason"] == "stop"
    assert summary["requests_sent"] == snap["requests"]
    report = read_jsonl(root / "out" / "errors.jsonl")
    assert len(report) == 20
    assert summary["seen"] < 20
    assert {r["retryable"] for r in report} == {True}
    sent = [r for r in report if r["stage"] != "pending"]
    assert {(r["stage"], r["error_code"]) for r in sent} == {("service", 10012)}
    assert min(r["attempts"] for r in sent) >= 1
    assert "quota used up?" in summary["stopped"]["message"]
    assert summary["stopped"]["code"] == 10012
    assert summary["pending"] + summary["failed"] == 20
    assert summary["failed_by_code"] == {"10012": len(sent)}
    assert (root / "out" / "results.jsonl").read_bytes() == b""

    healthy = serve()
    again = run_cli(["in", "-c", "fast.toml", *opts(healthy)], cwd=root)
    assert (again.code, again.stderr) == (0, "")
    assert healthy.stats.snapshot()["succeeded_by_sha256"] == one_success_each(paths)
    assert (root / "out" / "errors.jsonl").read_bytes() == b""


# ---------------------------------------------------------------- bad inputs


def test_bad_inputs_are_reported_and_never_sent(root: Path, serve: Serve) -> None:
    """Empty, non-image and truncated files go to errors.jsonl (stage input); good ones are sent."""
    server = serve()
    good = make_images(root / "in", 4)
    (root / "in" / "empty.png").write_bytes(b"")
    (root / "in" / "notes.jpg").write_text("a text file, not a scan\n", encoding="utf-8")
    whole = make_png_bytes(99)
    (root / "in" / "cut.png").write_bytes(whole[: len(whole) // 2])
    done = run_cli(["in", *opts(server)], cwd=root)
    assert (done.code, done.stderr) == (1, "")
    report = by_key(read_jsonl(root / "out" / "errors.jsonl"), "id")
    expected = {
        "cut.png": "truncated or corrupt image (Truncated File Read)",
        "empty.png": "empty file (0 bytes)",
        "notes.jpg": "not an image (unrecognized format)",
    }
    assert {i: r["reason"] for i, r in report.items()} == expected
    kinds = {i: r["input_kind"] for i, r in report.items()}
    assert kinds == {"cut.png": "damaged_image", "empty.png": "empty", "notes.jpg": "not_an_image"}
    for item_id, record in report.items():
        path = root / "in" / item_id
        assert record["source"] == str(path)
        assert record["sha256"] == sha256_of(path)
        fixed = (record["stage"], record["error_code"], record["retryable"], record["attempts"])
        assert fixed == ("input", None, False, 0)
    snap = server.stats.snapshot()
    assert (snap["requests"], snap["by_sha256"]) == (4, one_success_each(good))
    summary = read_json(root / "out" / "summary.json")
    assert pick(summary, COUNTS) == counts(7, 4, 0, 3, 0, code=1)
    assert summary["failed_by_stage"] == {"input": 3}
    assert len(read_jsonl(root / "out" / "results.jsonl")) == 4


# ---------------------------------------------------------------- crashes and signals


def test_kill_9_mid_run_then_rerun_loses_nothing_and_repeats_at_most_in_flight(
    root: Path, serve: Serve
) -> None:
    """After kill -9 mid-run, a rerun completes: each image once in results, few billed twice."""
    server = serve(Behaviour(latency=0.05))
    paths = make_images(root / "in", 40)
    results_file = root / "out" / "results.jsonl"
    args = ["in", *opts(server, "--concurrency", "4", qps="100")]
    with running(args, cwd=root, key=KILL_KEY) as proc:
        wait_until(lambda: count_lines(results_file) >= 10, what="10 results", proc=proc)
        proc.send_signal(signal.SIGKILL)
        killed = finish(proc)
    assert killed.code == -signal.SIGKILL
    assert count_lines(results_file) < 40  # the kill did land mid-run
    left = {p.name: p.read_bytes() for p in (root / "out").iterdir()}
    assert "state.sqlite-wal" in left  # not checkpointed: the key must not be in it either
    assert [name for name, data in left.items() if KILL_KEY.encode() in data] == []

    done = run_cli(args, cwd=root, key=KILL_KEY)
    assert done.code == 0
    results = read_jsonl(results_file)
    assert len(results) == 40
    assert sorted(r["sha256"] for r in results) == sorted(one_success_each(paths))
    assert (root / "out" / "errors.jsonl").read_bytes() == b""
    successes = server.stats.snapshot()["succeeded_by_sha256"]
    assert set(successes) == set(one_success_each(paths))
    assert min(successes.values()) == 1
    assert sum(n == 2 for n in successes.values()) <= 4
    assert max(successes.values()) <= 2
    summary = read_json(root / "out" / "summary.json")
    assert summary["done_now"] + summary["done_earlier"] == 40


def test_sigterm_finishes_in_flight_requests_and_exits_143(root: Path, serve: Serve) -> None:
    """SIGTERM: in-flight answers are recorded, the rest stays pending, exit 143; rerun ends it."""
    server = serve(Behaviour(latency=0.2))
    paths = make_images(root / "in", 30)
    results_file = root / "out" / "results.jsonl"
    args = ["in", *opts(server, "--concurrency", "4", qps="20")]
    with running(args, cwd=root) as proc:
        wait_until(lambda: count_lines(results_file) >= 3, what="3 results", proc=proc)
        proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        stopped = finish(proc, timeout=10)
    assert stopped.code == 143
    assert time.monotonic() - signalled < 3
    results = read_jsonl(results_file)
    answered = set(server.stats.snapshot()["succeeded_by_sha256"])
    assert {r["sha256"] for r in results} == answered  # no paid answer lost
    assert 3 <= len(results) < 30
    summary = read_json(root / "out" / "summary.json")
    assert summary["stopped"]["reason"] == "sigterm"
    assert summary["exit_code"] == 143
    report = read_jsonl(root / "out" / "errors.jsonl")
    assert {(r["stage"], r["retryable"]) for r in report} <= {("pending", True)}
    assert len(report) == summary["pending"] == 30 - len(results)

    done = run_cli(args, cwd=root)
    assert done.code == 0
    assert server.stats.snapshot()["succeeded_by_sha256"] == one_success_each(paths)
    assert len(read_jsonl(results_file)) == 30


def test_second_run_on_a_locked_out_exits_2_and_sends_nothing(root: Path, serve: Serve) -> None:
    """While a run holds OUT, another run on it exits 2 at once with one line, sending nothing."""
    server = serve(Behaviour(latency=0.5))
    make_images(root / "in", 10)
    others = make_images(root / "other", 2, start=20)
    with running(["in", *opts(server, "--concurrency", "1")], cwd=root) as first:
        wait_until(lambda: server.stats.snapshot()["requests"] >= 1, what="a request", proc=first)
        started = time.monotonic()
        second = run_cli(["other", *opts(server)], cwd=root, key="second-key")
        took = time.monotonic() - started
        first.send_signal(signal.SIGTERM)
        ended = finish(first, timeout=10)
    assert second.code == 2
    assert second.stderr == (
        "batchocr: error: another batchocr run is using out (lock held); nothing was sent\n"
    )
    assert second.stdout == ""
    assert took < 5
    snap = server.stats.snapshot()
    assert snap["keys_seen_count"] == 1  # the second run's key never reached the server
    assert not set(one_success_each(others)) & set(snap["by_sha256"])
    assert ended.code == 143


# ---------------------------------------------------------------- secrets, modes, config


def test_the_key_is_in_no_output_and_files_are_owner_only(root: Path, serve: Serve) -> None:
    """With -vv the key appears in no file of OUT nor on stdout/stderr; files 0600, OUT 0700."""
    key = "SECRET-KEY-ZZ9"
    server = serve(Behaviour(fault_rate=0.2, faults=("252602", "reset"), seed=3))
    make_images(root / "in", 6)
    (root / "in" / "bad.png").write_bytes(b"not a png")
    write_config(root / "fast.toml", {**FAST_BACKOFF, "qps": 200})
    args = ["in", "-c", "fast.toml", "-o", "out", *JUHE, "--endpoint", server.url, "-vv"]
    done = run_cli(args, cwd=root, key=key, umask=0)
    assert done.code == 1
    assert "batchocr: DEBUG: img00.png done" in done.stderr  # -vv did log every item
    assert key not in done.stdout + done.stderr
    out = root / "out"
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert {"results.jsonl", "errors.jsonl", "summary.json", "state.sqlite"} <= {
        p.name for p in files
    }
    for path in files:
        assert key.encode() not in path.read_bytes(), path.name
        assert oct(path.stat().st_mode & 0o777) == oct(0o600), path.name
    assert oct(out.stat().st_mode & 0o777) == oct(0o700)


CONFIG_ERRORS = [
    (
        "unknown config key",
        ["in", "-c", "bad.toml"],
        "test-key",
        "batchocr: error: bad.toml: unknown key 'colour'",
    ),
    (
        "no key",
        ["in"],
        None,
        "batchocr: error: no API key for --backend juhe: set the JUHE_KEY environment variable,"
        " or key / key_file in the config file",
    ),
    (
        "bad --qps",
        ["in", "--qps", "abc"],
        "test-key",
        "batchocr: error: option --qps: bad value for 'qps': expected a float, got 'abc'",
    ),
    (
        "duplicate manifest ids",
        ["--manifest", "dup.csv"],
        "test-key",
        "batchocr: error: duplicate ids in dup.csv: 'a' (lines 2, 4)",
    ),
    (
        "missing manifest",
        ["--manifest", "nowhere.csv"],
        "test-key",
        "batchocr: error: cannot read manifest nowhere.csv: no such file or directory",
    ),
]


def test_usage_errors_exit_2_with_one_line_and_touch_nothing(root: Path, serve: Serve) -> None:
    """Config, key, flag and manifest errors: exit 2, one exact stderr line, no OUT, no request."""
    server = serve()
    make_images(root / "in", 2)
    (root / "bad.toml").write_text('colour = "blue"\n', encoding="utf-8")
    (root / "dup.csv").write_text("id,path\na,in/img00.png\nb,in/img01.png\na,in/img01.png\n")
    base = ["-o", "out", *JUHE, "--endpoint", server.url, "--no-progress"]
    with ExitStack() as stack:  # all at once: five interpreter start-ups in parallel
        procs = [
            (name, stack.enter_context(running([*args, *base], cwd=root, key=key)), line)
            for name, args, key, line in CONFIG_ERRORS
        ]
        for name, proc, line in procs:
            done = finish(proc)
            assert (name, done.code, done.stderr, done.stdout) == (name, 2, line + "\n", "")
    assert not (root / "out").exists()
    assert server.stats.snapshot()["requests"] == 0


def test_dry_run_sends_nothing_and_counts_what_it_would_send(root: Path, serve: Serve) -> None:
    """--dry-run exits 0, sends nothing, creates no OUT, and says how many it would send."""
    server = serve()
    make_images(root / "in", 5)
    done = run_cli(["in", *opts(server, "--dry-run")], cwd=root)
    assert (done.code, done.stderr) == (0, "")
    assert would_send(5) in done.stdout.splitlines()
    assert server.stats.snapshot()["requests"] == 0
    assert not (root / "out").exists()


# ---------------------------------------------------------------- --limit


def test_limit_caps_new_requests_and_a_rerun_finishes(root: Path, serve: Serve) -> None:
    """--limit 3 over 10 images sends 3 (exit 3); a dry run then counts 7; a rerun sends them."""
    server = serve()
    paths = make_images(root / "in", 10)
    done = run_cli(["in", *opts(server, "--limit", "3")], cwd=root)
    assert done.code == 3
    assert server.stats.snapshot()["requests"] == 3
    summary = read_json(root / "out" / "summary.json")
    assert (summary["stopped"]["reason"], summary["done_now"]) == ("limit", 3)
    assert len(read_jsonl(root / "out" / "results.jsonl")) == 3
    report = read_jsonl(root / "out" / "errors.jsonl")
    assert len(report) == 7
    assert {(r["stage"], r["reason"]) for r in report} <= {
        ("pending", "not sent: --limit reached"),
        ("pending", "not reached: --limit 3 reached: the rest stays pending"),
    }

    dry = run_cli(["in", *opts(server, "--dry-run")], cwd=root)
    assert dry.code == 0
    assert would_send(7) in dry.stdout.splitlines()

    again = run_cli(["in", *opts(server)], cwd=root)
    assert (again.code, again.stderr) == (0, "")
    assert server.stats.snapshot()["succeeded_by_sha256"] == one_success_each(paths)
    assert len(read_jsonl(root / "out" / "results.jsonl")) == 10


def test_limit_reports_every_unsent_item_as_pending(root: Path, serve: Serve) -> None:
    """--limit 3 over 10 images lists all 7 unsent images as pending in errors.jsonl."""
    server = serve()
    make_images(root / "in", 10)
    done = run_cli(["in", *opts(server, "--limit", "3", "--concurrency", "2")], cwd=root)
    assert done.code == 3
    summary = read_json(root / "out" / "summary.json")
    assert (summary["done_now"], summary["pending"]) == (3, 7)
    report = read_jsonl(root / "out" / "errors.jsonl")
    assert sorted(r["id"] for r in report) == [f"img{i:02d}.png" for i in range(3, 10)]
