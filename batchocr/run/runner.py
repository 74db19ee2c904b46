"""One ``batchocr run``: config → lock → state → engine → error report and summary.

This is the I/O edge that wires the pieces together; the command line calls
:func:`run_batch` and turns what it raises into exit codes. Tests call it too,
with an ``httpx`` transport of their own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import anyio
import httpx

from .. import __version__
from ..config import Config, load_config, resolve_backend
from ..documents.sources import check_manifest, iter_items
from ..errors import ConfigError
from ..exits import Exit
from ..models import Counters
from ..outputs.metrics import render_metrics, write_metrics
from ..outputs.summary import build_summary, error_record, format_summary
from ..recognize.client import JuheClient
from ..records import Skipped, StopRecord, Summary
from .engine import Engine, RunOptions
from .lock import RunLock, make_out_dir
from .progress import Progress
from .recorder import iso_utc
from .sinks import ERRORS, RESULTS, SUMMARY, ResultsFile, write_json_atomic, write_lines_atomic
from .state import State
from .submit import Backend

log = logging.getLogger("batchocr")


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What the command line asked for."""

    inputs: tuple[str, ...] = ()
    manifest: Path | None = None
    config_path: Path | None = None
    flags: Mapping[str, Any] = field(default_factory=dict)
    dry_run: bool = False
    limit: int | None = None
    retry_failed: bool = False
    progress: bool = True
    quiet: bool = False


def _utc_stamp() -> str:
    return iso_utc(datetime.now(UTC))


def run_batch(
    req: RunRequest,
    *,
    env: Mapping[str, str],
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Run one batch and return its exit code; raises UsageError-family errors."""
    config = load_config(req.config_path, env=env, flags=req.flags)
    if req.manifest is not None:
        check_manifest(req.manifest)
    backend = resolve_backend(config)
    if backend == "juhe" and config.key is None:
        raise ConfigError(
            "no API key for --backend juhe: set the JUHE_KEY environment variable,"
            " or key / key_file in the config file"
        )
    if config.backend == "auto" and not req.quiet:
        why = "a key is configured" if backend == "juhe" else "no key is configured"
        print(f"batchocr: backend {backend} ({why})", file=stderr)
    if req.dry_run:
        return _dry_run(req, config, stdin, stdout, stderr)
    make_out_dir(config.out)
    lock = RunLock(config.out)
    lock.acquire()
    try:
        with State.open(config.out) as state:
            return _locked_run(req, config, state, stdin, stdout, stderr, transport)
    finally:
        lock.release()


def _dry_run(req: RunRequest, config: Config, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    with State.open(config.out, readonly=True) as state:
        state.begin_run(_utc_stamp())
        engine = _engine(req, config, state, None, None, stdin)
        started = time.monotonic()
        anyio.run(_drive, engine, req, stderr)
        summary = build_summary(
            engine.counters,
            None,
            exit_code=engine.exit_code,
            elapsed=time.monotonic() - started,
            dry_run=True,
            skipped=_skipped(engine),
            settings=_settings(config),
        )
    if not req.quiet:
        print(format_summary(summary), file=stdout)
    return engine.exit_code


def _locked_run(
    req: RunRequest,
    config: Config,
    state: State,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    transport: httpx.AsyncBaseTransport | None,
) -> int:
    started_at = _utc_stamp()
    started = time.monotonic()
    state.begin_run(started_at)
    results = ResultsFile(config.out / RESULTS, state)
    results.open()
    if results.repaired:
        log.warning("results.jsonl was short after a crash: %d line(s) restored", results.repaired)
    try:
        engine = _engine(req, config, state, results, None, stdin)
        anyio.run(_drive_with_backend, engine, req, stderr, transport)
    finally:
        results.close()
    try:
        return _finish(req, config, state, engine, started_at, time.monotonic() - started, stdout)
    except OSError as exc:
        log.error("cannot write the run's reports in %s: %s", config.out, exc.strerror)
        return Exit.STOPPED


def _finish(
    req: RunRequest,
    config: Config,
    state: State,
    engine: Engine,
    started_at: str,
    elapsed: float,
    stdout: TextIO,
) -> int:
    """Write errors.jsonl, summary.json and the metrics; print the summary."""
    code = engine.exit_code
    rows = list(state.report_rows())
    write_lines_atomic(config.out / ERRORS, (error_record(r).to_json() for r in rows))
    finished_at = _utc_stamp()
    summary = build_summary(
        engine.counters,
        rows,
        exit_code=code,
        elapsed=elapsed,
        batchocr_version=__version__,
        run=state.run,
        started_at=started_at,
        finished_at=finished_at,
        stopped=_stopped(engine),
        backend=engine.backend.backend if engine.backend else None,
        skipped=_skipped(engine),
        pacing=engine.pacer.snapshot() if engine.pacer else None,
        settings=_settings(config),
        files={name: str(config.out / file)
               for name, file in (("results", RESULTS), ("errors", ERRORS), ("summary", SUMMARY))},
    )  # fmt: skip
    write_json_atomic(config.out / SUMMARY, summary.to_json())
    if engine.pacer is not None:
        state.remember_qps(engine.pacer.to_remember())
    state.end_run(finished_at, code)
    if config.metrics_file is not None:
        _write_metrics(config.metrics_file, summary, state.last_success())
    if not req.quiet:
        print(format_summary(summary), file=stdout)
    return code


async def _drive_with_backend(
    engine: Engine, req: RunRequest, stderr: TextIO, transport: httpx.AsyncBaseTransport | None
) -> None:
    """Open the backend, run, and always close it (even when cancelled)."""
    config = engine.config
    async with AsyncExitStack() as stack:
        if resolve_backend(config) == "juhe":
            assert config.key is not None
            http = httpx.AsyncClient(
                transport=transport,
                timeout=httpx.Timeout(config.timeout),
                limits=httpx.Limits(max_connections=config.concurrency),
            )
            stack.push_async_callback(_shielded, http.aclose)
            engine.use_backend(JuheClient(http, config.endpoint, config.key))
        else:
            local = _local_backend(config)
            stack.push_async_callback(_shielded, local.aclose)
            engine.use_backend(local)
        await _drive(engine, req, stderr)


async def _shielded(close: Callable[[], Awaitable[None]]) -> None:
    with anyio.CancelScope(shield=True):
        await close()


def _local_backend(config: Config) -> Backend:
    """The offline engine, imported only when used (its extra may not be installed)."""
    try:
        from ..recognize.local.recognizer import LocalBackend
    except ImportError as exc:
        raise ConfigError(
            f"the local engine is not installed ({exc.name} is missing):"
            " pip install 'batchocr[local]', or set a key to use the service"
        ) from None
    return LocalBackend(workers=config.workers)


def _engine(
    req: RunRequest,
    config: Config,
    state: State,
    results: ResultsFile | None,
    backend: JuheClient | None,
    stdin: TextIO,
) -> Engine:
    options = RunOptions(
        inputs=req.inputs,
        manifest=req.manifest,
        dry_run=req.dry_run,
        limit=req.limit,
        retry_failed=req.retry_failed,
    )
    engine = Engine(config, options, state, results, backend, stdin=stdin, handle_signals=True)
    engine.learned_qps = state.learned_qps()
    return engine


async def _drive(engine: Engine, req: RunRequest, stderr: TextIO) -> Counters:
    """Run the engine, with live progress when asked."""
    if not req.progress:
        return await engine.run()
    progress = Progress(stderr, live=stderr.isatty())
    engine.on_tick = progress.tick
    async with anyio.create_task_group() as tg:
        if "-" not in req.inputs:
            tg.start_soon(_count_inputs, req, engine.config, progress)
        try:
            await engine.run()
        finally:
            progress.close(engine.counters)
            tg.cancel_scope.cancel()
    return engine.counters


async def _count_inputs(req: RunRequest, config: Config, progress: Progress) -> None:
    """Count the inputs in a second, cheap walk so progress can show an ETA."""

    def count() -> int:
        return sum(1 for _ in iter_items(req.inputs, req.manifest, extensions=config.extensions))

    progress.total = await anyio.to_thread.run_sync(count, abandon_on_cancel=True)


def _write_metrics(path: Path, summary: Summary, last_success: str | None) -> None:
    def epoch(stamp: str) -> float:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()

    assert summary.finished_at is not None
    text = render_metrics(
        summary,
        finished=epoch(summary.finished_at),
        last_success=epoch(last_success) if last_success else None,
    )
    try:
        write_metrics(path, text)
    except OSError as exc:
        log.error("cannot write the metrics file %s: %s", path, exc.strerror)


def _stopped(engine: Engine) -> StopRecord | None:
    """Why the run ended early: the reason, the message, and the service code as data."""
    if engine.control.reason is None:
        return None
    return StopRecord(engine.control.reason, engine.control.message, engine.control.code)


def _skipped(engine: Engine) -> Skipped:
    """What directory walks passed over: never a silent "0 seen" over a folder of files."""
    s = engine.skips
    return Skipped(s.total, dict(sorted(s.by_reason.items())), tuple(s.examples))


def _settings(config: Config) -> dict[str, Any]:
    return {
        "endpoint": config.endpoint,
        "qps": config.qps,
        "burst": config.burst,
        "concurrency": config.concurrency,
        "max_attempts": config.max_attempts,
        "timeout": config.timeout,
    }
