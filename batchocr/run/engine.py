"""The batch engine: sources → prepare → submit → classify → record.

One task group holds a producer and a fixed pool of ``concurrency`` workers
joined by a bounded stream, so memory does not grow with the number of inputs
and at most ``concurrency`` requests are in flight. CPU and disk work (reading,
hashing, Pillow, base64) runs in worker threads; the event loop only waits.

Two latches stop a run. *Closing* (``--limit`` reached) lets started items
finish, retries included. *Halting* (an account-level error, a service-wide
stop, a signal) also stops every new request, retries included; in-flight
requests still finish and are recorded. Items that were not answered stay
pending in the state, and the next run sends them.
"""

from __future__ import annotations

import hashlib
import io
import logging
import random
import signal
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Protocol, TextIO

import anyio
from anyio.abc import TaskGroup
from PIL import Image

from ..config import Config
from ..documents.pages import DocKind, Foreign, Itinerary, Page, sniff
from ..documents.prepare import Limits, prepare, read_file
from ..documents.qr import InvoiceQr, read_qr
from ..documents.read import page_count, read_document
from ..documents.sources import Skips, iter_items
from ..errors import (
    BatchOCRError,
    DocumentError,
    InputError,
    ServiceError,
    TransportError,
    Verdict,
    classify,
    describe,
)
from ..exits import EXIT_FOR_HALT, Exit, Halt
from ..models import Counters, Item, PreparedImage, Reply, Stage
from .limiter import Clock, RateLimiter, Sleep, Unlimited
from .pacing import Pacer
from .pacing import Verdict as PaceVerdict
from .recorder import Recorder
from .retry import RetryBudget, RetryPolicy, Transient
from .sinks import ResultsFile
from .state import State

log = logging.getLogger("batchocr")

CHUNK = 64  # items stat'ed per trip to the walker thread
RATE_CODES = frozenset({10011, 10012})  # refused for the request rate: pace down, send again


class Backend(Protocol):
    """Anything that can recognize an encoded image (see ``recognize.client.JuheClient``)."""

    backend: str
    paced: bool  # requests go through the run's rate limiter (and adaptive pacing)
    billed: bool  # a successful answer costs quota

    def encode(self, image: bytes) -> bytes: ...

    async def send(self, body: bytes) -> Reply: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What to run on, as opposed to how (:class:`~batchocr.config.Config`)."""

    inputs: tuple[str, ...] = ()
    manifest: Path | None = None
    dry_run: bool = False
    limit: int | None = None
    retry_failed: bool = False


@dataclass(frozen=True, slots=True)
class Work:
    item: Item
    size: int = 0
    mtime_ns: int = 0


@dataclass(slots=True)
class _Tries:
    sent: int = 0
    started: float = 0.0  # when the latest request of this item left


class _Halted(Exception):
    """Raised instead of sending once the run is halting."""


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
    halt_reason: Halt | None = None
    halt_message: str = ""
    halt_code: int | None = None  # the service code the run stopped on, as data
    closing: bool = False
    _budget: RetryBudget = field(default_factory=RetryBudget)
    _limiter: RateLimiter | Unlimited = field(default_factory=Unlimited)
    learned_qps: float | None = None  # the rate a previous run on this OUT ended at
    pacer: Pacer | None = None
    _policy: RetryPolicy | None = None
    _gate: anyio.Event = field(default_factory=anyio.Event)
    _probe: str | None = None
    _inflight: dict[str, anyio.Event] = field(default_factory=dict)
    _naps: set[anyio.CancelScope] = field(default_factory=set)
    _sent_items: int = 0
    _outage_streak: int = 0
    _dry_seen: set[str] = field(default_factory=set)
    _gave_up: set[str] = field(default_factory=set)  # contents that used up retries this run
    recorder: Recorder = field(init=False)

    def __post_init__(self) -> None:
        cfg = self.config
        self.recorder = Recorder(
            self.state,
            self.results,
            self.counters,
            self.now,
            lambda: self.backend.backend if self.backend else "none",
        )
        self._budget = RetryBudget(ratio=cfg.retry_budget)
        self.use_backend(self.backend)
        self._policy = RetryPolicy(
            cfg.max_attempts,
            cfg.backoff_initial,
            cfg.backoff_max,
            cfg.item_deadline,
            sleep=self._nap,
            clock=self.clock,
            rng=self.rng,
        )

    def use_backend(self, backend: Backend | None) -> None:
        """Set the backend; one that is paced gets the limiter, at the pacer's rate."""
        self.backend = backend
        if backend is not None and backend.paced:
            self.pacer = Pacer(self.config.qps, learned=self.learned_qps)
            self._limiter = RateLimiter(
                self.pacer.rate, self.config.burst, clock=self.clock, sleep=self.sleep
            )
        else:
            self.pacer = None
            self._limiter = Unlimited()

    # ------------------------------------------------------------------ control

    @property
    def halted(self) -> bool:
        return self.halt_reason is not None and self.halt_reason is not Halt.LIMIT

    def halt(self, reason: Halt, message: str, code: int | None = None) -> None:
        """Stop sending; the first reason given is the one the run reports."""
        first = self.halt_reason is None
        if first or (self.halt_reason is Halt.LIMIT and reason is not Halt.LIMIT):
            self.halt_reason, self.halt_message, self.halt_code = reason, message, code
            log.warning("%s", message)
        self.closing = True
        if reason is not Halt.LIMIT:
            self._gate.set()  # wake the workers waiting behind the first request
            for scope in list(self._naps):
                scope.cancel()

    @property
    def exit_code(self) -> int:
        if self.halt_reason is not None:
            return EXIT_FOR_HALT[self.halt_reason]
        c = self.counters
        done = c.done_now + c.done_earlier + c.same_content + c.would_send + c.would_read
        return Exit.DONE if c.seen == done else Exit.FAILED

    async def _nap(self, seconds: float) -> None:
        """A backoff sleep that ends early when the run halts."""
        self.counters.retrying += 1
        try:
            with anyio.CancelScope() as scope:
                self._naps.add(scope)
                try:
                    await self.sleep(seconds)
                finally:
                    self._naps.discard(scope)
        finally:
            self.counters.retrying -= 1

    # ------------------------------------------------------------------ run

    async def run(self) -> Counters:
        """Process every input once; returns the counters (see :attr:`exit_code`)."""
        async with anyio.create_task_group() as outer:
            if self.handle_signals:
                outer.start_soon(self._watch_signals, outer)
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

    async def _watch_signals(self, outer: TaskGroup) -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async for signum in signals:
                if self.halted:
                    log.warning("second signal: stopping now")
                    outer.cancel_scope.cancel()
                    return
                which = Halt.SIGINT if signum == signal.SIGINT else Halt.SIGTERM
                self.halt(which, f"{signal.Signals(signum).name}: finishing requests in flight")

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
            while self.closing:  # list what is left, so the report covers every input
                rest = await anyio.to_thread.run_sync(_take, items, 1000, abandon_on_cancel=True)
                if not rest:
                    break
                self._not_reached(rest)
        except BatchOCRError as exc:  # a manifest that breaks mid-stream
            self.halt(Halt.USAGE, str(exc))

    async def _feed(self, items: Iterator[Item], send: anyio.abc.ObjectSendStream[Work]) -> None:
        while not self.closing:
            chunk = await anyio.to_thread.run_sync(_next_chunk, items, abandon_on_cancel=True)
            if not chunk:
                return
            for i, work in enumerate(chunk):
                try:
                    if self.closing:
                        raise anyio.ClosedResourceError
                    await send.send(work)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    self._not_reached([w.item for w in chunk[i:]])
                    return

    # ------------------------------------------------------------------ workers

    async def _work(self, recv: anyio.abc.ObjectReceiveStream[Work]) -> None:
        async with recv:
            async for work in recv:
                if self.closing:
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
            self.recorder.input_problem(item, item.problem or "no path")
            return
        before = self.state.id_record(item.id)
        if before is not None and before.run == self.state.run and before.source != item.source:
            self.recorder.input_problem(
                Item(f"{item.id} ({item.source})", item.source, item.path),
                f"duplicate id {item.id!r}: also used by {before.source}",
            )
            return
        data: bytes | None = None
        known = self.state.known_file(item.source, work.size, work.mtime_ns)
        if known is None:
            try:
                data, sha = await anyio.to_thread.run_sync(
                    _read_and_hash, item.path, self._max_bytes
                )
            except InputError as exc:
                self.recorder.input_problem(item, str(exc))
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
        if status == "done":
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
            await self._prepare_and_send(item, sha, data)
        finally:
            del self._inflight[sha]
            done.set()

    async def _read_known(self, item: Item, sha: str) -> bytes | None:
        try:
            data, _ = await anyio.to_thread.run_sync(_read_and_hash, item.path, self._max_bytes)
        except InputError as exc:
            self.recorder.failure(sha, Stage.INPUT, str(exc))
            return None
        return data

    def _settled(self, item: Item, sha: str) -> str | None:
        """The content's status when nothing needs sending (done, or failed for good)."""
        if self.options.dry_run and sha in self._dry_seen:
            return "done"  # counted once, in would_send
        status = self.state.content_status(sha)
        if status == "done":
            return status
        if sha in self._gave_up:  # the same bytes under another id: once per run is enough
            return status
        if status == "failed" and not self.options.retry_failed:
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
            self.recorder.input_problem(item, str(exc))
            return
        self.counters.seen += count - 1
        pages = {n: _page(item, kind, n, file_sha) for n in range(1, count + 1)}
        done = {n for n, (_, sha) in pages.items() if self.state.content_status(sha) == "done"}
        for n in sorted(done):
            await self._page(work, *pages[n], None)
        reader = read_document(data, kind, wanted=lambda n: n not in done)
        left = [n for n in pages if n not in done]
        while left and not self.halted:
            page = await anyio.to_thread.run_sync(_next_page, reader)
            if isinstance(page, DocumentError):
                for n in left:
                    self.recorder.input_problem(pages[n][0], str(page))
                return
            if page is None:
                return
            left.remove(page.page)
            await self._page(work, *pages[page.page], page)
        if left:
            self._not_reached([pages[n][0] for n in left])

    async def _page(self, work: Work, item: Item, sha: str, page: Page | None) -> None:
        if isinstance(page, Foreign):
            self.recorder.input_problem(item, page.reason())
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
            self._dry_seen.add(sha)
            self.counters.would_read += 1
            return
        reply = Reply(0, f"read from the {page.backend.upper()} file", page.data)
        self.recorder.result(item, sha, reply, 0, backend=page.backend)
        self.counters.read_from_files += 1

    # ------------------------------------------------------------------ images

    async def _prepare_and_send(self, item: Item, sha: str, data: bytes) -> None:
        try:
            prepared, qr = await anyio.to_thread.run_sync(_prepare_with_qr, data, self.limits)
        except InputError as exc:
            self.recorder.failure(sha, Stage.INPUT, str(exc))
            return
        if qr is not None and not qr.is_air:  # told apart before anything is sent
            reason = f"not a flight itinerary: {qr.kind_name} {qr.number} (from its QR code)"
            self.recorder.failure(sha, Stage.INPUT, reason)
            return
        if self.options.dry_run or self.backend is None:
            self._dry_seen.add(sha)
            self.counters.would_send += 1
            return
        limit = self.options.limit
        if limit is not None and self._sent_items >= limit:
            self.halt(Halt.LIMIT, f"--limit {limit} reached: the rest stays pending")
            self.recorder.pending(sha, "not sent: --limit reached")
            return
        self._sent_items += 1
        self._budget.first_attempts += 1
        await self._submit(item, sha, prepared, qr)

    # ------------------------------------------------------------------ submit

    async def _submit(
        self, item: Item, sha: str, prepared: PreparedImage, qr: InvoiceQr | None = None
    ) -> None:
        assert self.backend is not None and self._policy is not None
        body = await anyio.to_thread.run_sync(self.backend.encode, prepared.data)
        tries = _Tries()
        try:
            async for attempt in self._policy.retrying(self._budget, lambda: self.halted):
                with attempt:
                    reply = await self._attempt(sha, body, tries)
        except Transient as exc:
            self._exhausted(sha, exc, tries.sent)
            return
        except _Halted:
            self.recorder.pending(
                sha, f"not sent: {self.halt_message}", tries.sent, self.halt_code
            )
            return
        finally:
            if self._probe == sha:
                self._gate.set()
        self._answered(item, sha, reply, tries.sent, qr)

    async def _attempt(self, sha: str, body: bytes, tries: _Tries) -> Reply:
        """One attempt of the retry policy. A refusal for rate (10011/10012) is not a failed
        attempt and never counts toward ``stop_after``: the pacer slows down and the same
        request is sent again, until the pacer says the refusals are about quota (then the
        run stops, resumable)."""
        while True:
            reply = await self._send_once(sha, body, tries)
            code = reply.error_code
            if code not in RATE_CODES or code not in self.config.codes.retry or not self.pacer:
                break
            if self.halted:
                break
            if self.pacer.on_refusal(self.clock(), tries.started) is PaceVerdict.QUOTA:
                what = describe(code, reply.reason)
                self.halt(Halt.STOP, "the service keeps refusing however slowly we send"
                                     f" (quota used up?): {what}", code)  # fmt: skip
                break  # recorded as a retryable failure: the next run sends it again
            self._pace()
        verdict = self._verdict(reply.error_code)
        if verdict is not Verdict.ABORT:
            self._gate.set()
        if verdict is Verdict.RETRY:
            raise Transient(ServiceError(reply.error_code, reply.reason), reply.error_code)
        if self.pacer is not None:
            self.pacer.on_success(self.clock())
            self._pace()
        return reply

    def _pace(self) -> None:
        assert self.pacer is not None
        if isinstance(self._limiter, RateLimiter):
            self._limiter.set_rate(self.pacer.rate)
        self.counters.pace_qps = self.pacer.rate
        self.counters.rate_refusals = self.pacer.refusals

    async def _send_once(self, sha: str, body: bytes, tries: _Tries) -> Reply:
        assert self.backend is not None
        await self._pass_gate(sha)
        await self._limiter.acquire()
        if self.halted:
            raise _Halted
        tries.sent += 1  # only requests that really leave count as attempts
        tries.started = self.clock()
        c = self.counters
        c.requests += 1
        c.retries += tries.sent > 1
        c.in_flight += 1
        c.max_in_flight = max(c.max_in_flight, c.in_flight)
        c.last_request_at = self.clock()
        if c.first_request_at is None:
            c.first_request_at = c.last_request_at
        try:
            return await self.backend.send(body)
        except TransportError as exc:
            raise Transient(exc) from None
        finally:
            c.in_flight -= 1

    async def _pass_gate(self, sha: str) -> None:
        """Let the run's first request go alone: a bad key costs one request, not a burst."""
        if self._gate.is_set():
            if self.halted:
                raise _Halted
            return
        if self._probe is None:
            self._probe = sha
        if self._probe != sha:
            await self._gate.wait()
            if self.halted:
                raise _Halted

    def _verdict(self, code: int) -> Verdict:
        return classify(code, self.config.codes)

    # ------------------------------------------------------------------ outcomes

    def _answered(
        self, item: Item, sha: str, reply: Reply, attempts: int, qr: InvoiceQr | None = None
    ) -> None:
        verdict = self._verdict(reply.error_code)
        what = describe(reply.error_code, reply.reason)
        if verdict is Verdict.DONE:
            # Only the paid service bills; the local engine answers the same protocol for free.
            self.counters.billable += self.backend is not None and self.backend.billed
            self._outage_streak = 0
            self.recorder.result(item, sha, reply, attempts, qr=qr)
        elif verdict is Verdict.ABORT:
            self.halt(Halt.ABORT, f"the service refused the account: {what}", reply.error_code)
            self.recorder.pending(
                sha, f"not recognized: run aborted on {what}", attempts, reply.error_code
            )
        elif verdict is Verdict.STOP:
            self.halt(Halt.STOP, f"the service is unavailable: {what}", reply.error_code)
            self.recorder.pending(
                sha, f"not recognized: run stopped on {what}", attempts, reply.error_code
            )
        else:
            self.recorder.failure(
                sha, Stage.SERVICE, what, code=reply.error_code, attempts=attempts
            )

    def _exhausted(self, sha: str, exc: Transient, attempts: int) -> None:
        self._gave_up.add(sha)
        stage = Stage.TRANSPORT if isinstance(exc.error, TransportError) else Stage.SERVICE
        reason = str(exc.error)
        if self.halted:
            reason += f" (then the run stopped: {self.halt_message})"
        self.recorder.failure(sha, stage, reason, code=exc.code, retryable=True, attempts=attempts)
        if self.halted:
            return
        self._outage_streak += 1
        if self._outage_streak >= self.config.stop_after:
            self.halt(
                Halt.STOP,
                f"{self._outage_streak} items in a row used up their retries"
                f" (last: {reason}); stopping so a later run can resume",
            )

    def _not_reached(self, items: list[Item]) -> None:
        if self.halt_reason is not Halt.USAGE:
            self.recorder.not_reached(items, f"not reached: {self.halt_message}")


# ---------------------------------------------------------------------- thread helpers


def _page(item: Item, kind: DocKind, n: int, file_sha: str) -> tuple[Item, str]:
    """A document page's item and content id: ``trip.pdf#p2`` for PDFs, the file itself
    for OFD and XML (one itinerary each)."""
    if kind != "pdf":
        return item, file_sha
    sha = hashlib.sha256(f"{file_sha}#p{n}".encode()).hexdigest()
    return Item(f"{item.id}#p{n}", f"{item.source}#p{n}", item.path), sha


def _next_page(pages: Iterator[Page]) -> Page | DocumentError | None:
    try:
        return next(pages, None)
    except DocumentError as exc:
        return exc


def _prepare_with_qr(data: bytes, limits: Limits) -> tuple[PreparedImage, InvoiceQr | None]:
    """Prepare the image and read its invoice QR code, if it has one, in the same thread."""
    prepared = prepare(data, limits)
    with Image.open(io.BytesIO(prepared.data)) as image:
        return prepared, read_qr(image)


def _next_chunk(items: Iterator[Item]) -> list[Work]:
    """Pull and stat the next few items (in the walker thread)."""
    out = []
    for item in islice(items, CHUNK):
        size = mtime_ns = 0
        if item.path is not None and item.problem is None:
            try:
                st = item.path.stat()
                size, mtime_ns = st.st_size, st.st_mtime_ns
            except OSError:
                pass  # reported when the read fails, with the reason
        out.append(Work(item, size, mtime_ns))
    return out


def _take(items: Iterator[Item], n: int) -> list[Item]:
    return list(islice(items, n))


def _read_and_hash(path: Path | None, max_bytes: int) -> tuple[bytes, str]:
    if path is None:
        raise InputError("no path")
    data = read_file(path, max_bytes)
    return data, hashlib.sha256(data).hexdigest()
