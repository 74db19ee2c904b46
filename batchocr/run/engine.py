"""The batch engine: sources → prepare → submit → classify → record.

One task group holds a producer and a fixed pool of ``concurrency`` workers joined by a
bounded stream, so memory does not grow with the number of inputs and at most
``concurrency`` requests are in flight. CPU and disk work (reading, hashing, Pillow, PDFium,
base64) runs in worker threads; the event loop only waits. How a run stops is
:mod:`~batchocr.run.control`; the send path is :mod:`~batchocr.run.submit`.
"""

from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import anyio
from anyio.abc import TaskGroup

from ..config import Config
from ..documents.pages import DocKind, Foreign, Itinerary, Page, sniff
from ..documents.prepare import Limits
from ..documents.read import next_page, page_count, page_item, read_document
from ..documents.sources import Skips, iter_items
from ..errors import (
    BatchOCRError,
    DocumentError,
    InputError,
)
from ..exits import EXIT_FOR_HALT, Exit, Halt
from ..models import Counters, InputKind, Item, Reply, Stage, Status
from ..records import BackendName
from .control import Control
from .feed import Work, next_chunk, read_and_hash, take
from .limiter import Clock, Sleep
from .pacing import Pacer
from .recorder import Recorder
from .retry import RetryBudget, RetryPolicy
from .sinks import ResultsFile
from .state import State
from .submit import Backend, Submitter

log = logging.getLogger("batchocr")

RATE_CODES = frozenset({10011, 10012})  # refused for the request rate: pace down, send again


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What to run on, as opposed to how (:class:`~batchocr.config.Config`)."""

    inputs: tuple[str, ...] = ()
    manifest: Path | None = None
    dry_run: bool = False
    limit: int | None = None
    retry_failed: bool = False


@dataclass(slots=True)
class Engine:
    """Runs one batch; see the module docstring. Every edge is injected."""

    config: Config
    options: RunOptions
    state: State
    results: ResultsFile | None
    backend: Backend | None
    clock: Clock = anyio.current_time
    sleep: Sleep = anyio.sleep
    rng: random.Random = field(default_factory=random.Random)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    stdin: TextIO | None = None
    limits: Limits = field(default_factory=Limits)
    on_tick: Callable[[Counters], None] | None = None
    tick_every: float = 0.5
    handle_signals: bool = False

    counters: Counters = field(default_factory=Counters)
    skips: Skips = field(default_factory=Skips)
    learned_qps: float | None = None  # the rate a previous run on this OUT ended at
    _inflight: dict[str, anyio.Event] = field(default_factory=dict)
    recorder: Recorder = field(init=False)
    control: Control = field(init=False)
    sender: Submitter = field(init=False)

    def __post_init__(self) -> None:
        cfg = self.config
        self.recorder = Recorder(
            self.state,
            self.results,
            self.counters,
            self.now,
            lambda: self.backend.backend if self.backend else None,
        )
        self.control = Control(self.sleep, self.counters)
        policy = RetryPolicy(
            cfg.max_attempts,
            cfg.backoff_initial,
            cfg.backoff_max,
            cfg.item_deadline,
            sleep=self.control.nap,
            clock=self.clock,
            rng=self.rng,
        )
        self.sender = Submitter(
            cfg, self.control, self.recorder, self.counters, self.clock, self.sleep,
            self.limits, dry_run=self.options.dry_run, limit=self.options.limit,
            budget=RetryBudget(ratio=cfg.retry_budget), policy=policy,
        )  # fmt: skip
        self.use_backend(self.backend)

    def use_backend(self, backend: Backend | None) -> None:
        """Set the backend (the runner opens it once the run is locked and prepared)."""
        self.backend = backend
        self.sender.learned_qps = self.learned_qps
        self.sender.use_backend(backend)

    # ------------------------------------------------------------------ control

    @property
    def halted(self) -> bool:
        return self.control.halted

    def halt(self, reason: Halt, message: str, code: int | None = None) -> None:
        self.control.halt(reason, message, code)

    @property
    def pacer(self) -> Pacer | None:
        return self.sender.pacer

    @property
    def exit_code(self) -> int:
        if self.control.reason is not None:
            return EXIT_FOR_HALT[self.control.reason]
        c = self.counters
        done = c.done_now + c.done_earlier + c.same_content + c.would_send + c.would_read
        return Exit.DONE if c.seen == done else Exit.FAILED

    # ------------------------------------------------------------------ run

    async def run(self) -> Counters:
        """Process every input once; returns the counters (see :attr:`exit_code`)."""
        async with anyio.create_task_group() as outer:
            if self.handle_signals:
                outer.start_soon(self.control.watch_signals, outer)
            if self.on_tick is not None:
                outer.start_soon(self._ticker)
            async with anyio.create_task_group() as tg:
                self._start_pipeline(tg)
            outer.cancel_scope.cancel()
        return self.counters

    def _start_pipeline(self, tg: TaskGroup) -> None:
        send, recv = anyio.create_memory_object_stream[Work](self.config.concurrency * 2)
        tg.start_soon(self._produce, send)
        with recv:
            for _ in range(self.config.concurrency):
                tg.start_soon(self._work, recv.clone())

    async def _ticker(self) -> None:
        assert self.on_tick is not None
        while True:
            self.on_tick(self.counters)
            await anyio.sleep(self.tick_every)

    # ------------------------------------------------------------------ producer

    async def _produce(self, send: anyio.abc.ObjectSendStream[Work]) -> None:
        items = iter_items(
            self.options.inputs,
            self.options.manifest,
            stdin=self.stdin,
            extensions=self.config.extensions,
            skips=self.skips,
        )
        try:
            async with send:
                await self._feed(items, send)
            while self.control.closing:  # list what is left, so the report covers every input
                rest = await anyio.to_thread.run_sync(take, items, 1000, abandon_on_cancel=True)
                if not rest:
                    break
                self._not_reached(rest)
        except BatchOCRError as exc:  # a manifest that breaks mid-stream
            self.halt(Halt.USAGE, str(exc))

    async def _feed(self, items: Iterator[Item], send: anyio.abc.ObjectSendStream[Work]) -> None:
        while not self.control.closing:
            chunk = await anyio.to_thread.run_sync(next_chunk, items, abandon_on_cancel=True)
            if not chunk:
                return
            for i, work in enumerate(chunk):
                try:
                    if self.control.closing:
                        raise anyio.ClosedResourceError
                    await send.send(work)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    self._not_reached([w.item for w in chunk[i:]])
                    return

    # ------------------------------------------------------------------ workers

    async def _work(self, recv: anyio.abc.ObjectReceiveStream[Work]) -> None:
        async with recv:
            async for work in recv:
                if self.control.closing:
                    self._not_reached([work.item])  # left in the queue
                    continue
                try:
                    await self._process(work)
                except OSError as exc:
                    # Our own files failed (disk full, OUT removed): stop, resumable.
                    self.halt(Halt.STOP, f"cannot write to the output directory: {exc.strerror}")
                except sqlite3.Error as exc:
                    self.halt(Halt.STOP, f"cannot update the run state: {exc}")

    async def _process(self, work: Work) -> None:
        item = work.item
        self.counters.seen += 1
        if item.problem is not None or item.path is None:
            if item.problem is not None:
                self.recorder.input_problem(item, item.problem, item.kind)
            else:
                self.recorder.input_problem(item, "no path", InputKind.MANIFEST_ROW)
            return
        before = self.state.id_record(item.id)
        if before is not None and before.run == self.state.run and before.source != item.source:
            self.recorder.input_problem(
                Item(f"{item.id} ({item.source})", item.source, item.path),
                f"duplicate id {item.id!r}: also used by {before.source}",
                InputKind.MANIFEST_ROW,
            )
            return
        data: bytes | None = None
        known = self.state.known_file(item.source, work.size, work.mtime_ns)
        if known is None:
            try:
                data, sha = await anyio.to_thread.run_sync(
                    read_and_hash, item.path, self._max_bytes
                )
            except InputError as exc:
                self.recorder.input_problem(item, str(exc), exc.kind)
                return
        else:
            sha = known
        if data is not None and (kind := sniff(data)) is not None:
            await self._document(work, sha, data, kind)
            return
        unchanged = (
            known is not None
            and before is not None
            and (before.source, before.sha256) == (item.source, sha)
        )
        await self._handle_content(work, sha, data, unchanged)

    @property
    def _max_bytes(self) -> int:
        return int(self.config.max_file_mb * 1024 * 1024)

    async def _handle_content(
        self,
        work: Work,
        sha: str,
        data: bytes | None,
        unchanged: bool,
        born: Itinerary | None = None,
    ) -> None:
        """``unchanged``: same id, path, size, mtime and content as last time; ``born``: a
        page read from a document's own text, recorded without any request."""
        item = work.item
        while sha in self._inflight:  # the same bytes under another id, being sent now
            await self._inflight[sha].wait()
        status = self._settled(item, sha)
        if status is Status.DONE:
            if unchanged:
                self.counters.done_earlier += 1
            else:  # a new id (or new bytes) for content already recognized
                self.counters.same_content += 1
                self.state.link(item.id, item.source, sha, work.size, work.mtime_ns)
            return
        if status is not None:
            self.state.link(item.id, item.source, sha, work.size, work.mtime_ns)
            return
        done = anyio.Event()
        self._inflight[sha] = done
        try:
            self.state.link(item.id, item.source, sha, work.size, work.mtime_ns)
            if born is not None:
                self._record_born(item, sha, born)
                return
            if data is None:
                # Known by size and mtime but not done yet: now the bytes are needed.
                data = await self._read_known(item, sha)
                if data is None:
                    return
            await self.sender.prepare_and_send(item, sha, data)
        finally:
            del self._inflight[sha]
            done.set()

    async def _read_known(self, item: Item, sha: str) -> bytes | None:
        try:
            data, _ = await anyio.to_thread.run_sync(read_and_hash, item.path, self._max_bytes)
        except InputError as exc:
            self.recorder.failure(sha, Stage.INPUT, str(exc), kind=exc.kind)
            return None
        return data

    def _settled(self, item: Item, sha: str) -> Status | None:
        """The content's status when nothing needs sending (done, or failed for good)."""
        if self.options.dry_run and sha in self.sender.dry_seen:
            return Status.DONE  # counted once, in would_send
        status = self.state.content_status(sha)
        if status is Status.DONE:
            return status
        if sha in self.sender.gave_up:  # the same bytes under another id: once per run is enough
            return status
        if status is Status.FAILED and not self.options.retry_failed:
            self.counters.failed_earlier += 1
            log.debug("%s failed in an earlier run; --retry-failed sends it again", item.id)
            return status
        return None

    # ------------------------------------------------------------------ documents

    async def _document(self, work: Work, file_sha: str, data: bytes, kind: DocKind) -> None:
        """A PDF, OFD or XML file: each page is an item of its own (``id#pN`` for a PDF's
        pages), resumed and deduplicated by page. Text is read, not recognized; a page
        without usable text is rendered and goes down the image path."""
        item = work.item
        try:
            count = await anyio.to_thread.run_sync(page_count, data, kind)
        except DocumentError as exc:
            self.recorder.input_problem(item, str(exc), exc.kind)
            return
        self.counters.seen += count - 1
        pages = {n: page_item(item, kind, n, file_sha) for n in range(1, count + 1)}
        done = {n for n, (_, sha) in pages.items() if self.state.content_status(sha) is Status.DONE}
        for n in sorted(done):
            await self._page(work, *pages[n], None)
        reader = read_document(data, kind, wanted=lambda n: n not in done)
        left = [n for n in pages if n not in done]
        while left and not self.halted:
            page = await anyio.to_thread.run_sync(next_page, reader)
            if isinstance(page, DocumentError):
                for n in left:
                    self.recorder.input_problem(pages[n][0], str(page), page.kind)
                return
            if page is None:
                return
            left.remove(page.page)
            await self._page(work, *pages[page.page], page)
        if left:
            self._not_reached([pages[n][0] for n in left])

    async def _page(self, work: Work, item: Item, sha: str, page: Page | None) -> None:
        if isinstance(page, Foreign):
            self.recorder.input_problem(item, page.reason(), InputKind.OTHER_INVOICE)
            return
        before = self.state.id_record(item.id)
        unchanged = before is not None and (before.source, before.sha256) == (item.source, sha)
        pwork = Work(item, work.size, work.mtime_ns)
        if isinstance(page, Itinerary):
            await self._handle_content(pwork, sha, None, unchanged, born=page)
        else:  # a Scan, or a page already done (None: nothing is read)
            await self._handle_content(pwork, sha, page.image if page else None, unchanged)

    def _record_born(self, item: Item, sha: str, page: Itinerary) -> None:
        if self.options.dry_run or self.results is None:
            self.sender.dry_seen.add(sha)
            self.counters.would_read += 1
            return
        reply = Reply(0, f"read from the {page.backend.upper()} file", page.data)
        self.recorder.result(item, sha, reply, 0, backend=BackendName(page.backend))
        self.counters.read_from_files += 1

    def _not_reached(self, items: list[Item]) -> None:
        if self.control.reason is not Halt.USAGE:
            self.recorder.not_reached(items, f"not reached: {self.control.message}")
