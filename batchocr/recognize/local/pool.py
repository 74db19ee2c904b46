"""The offline engine's one process pool, shared by ``batchocr run`` and ``batchocr serve``.

The OCR engine is CPU-bound Python and native code: in worker processes it
uses every core, ``workers`` bounds the memory, and a crash in native code
costs one page, not the run or the server. One crash semantics, in one place:

- an exception while reading a page (a ``ZeroDivisionError`` deep in the
  geometry, a ``LookupError`` for "nothing here") is caught *in the worker* and
  comes back as that page's :class:`PageResult` with a short reason naming it;
  the worker goes on;
- a page that kills its worker (a segfault, ``os._exit``) breaks the whole
  ``ProcessPoolExecutor``, and every page in it with it. The pool is replaced;
  each page that was in it is read again *alone*, in a process of its own, so
  the page that kills that process too is the culprit: it fails with
  :data:`CRASHED`, and the innocent pages succeed.

At most ``workers`` pages are in the pool at once (a semaphore), so a crash
touches at most ``workers`` pages. :meth:`PagePool.read_blocking` serves the
server's request threads; :meth:`PagePool.read` the run's event loop (anyio:
the blocking wait runs in a worker thread behind a ``CapacityLimiter``).

``func`` and ``initializer`` must be picklable top-level functions: workers
are spawned (forking a process that runs threads is unsafe).

>>> PagePool(len, workers=2).workers
2
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread

from ...models import NameValue

__all__ = ["CRASHED", "NOTHING_READ", "PagePool", "PageResult", "read_guarded"]

CRASHED = "local engine crashed on this image"
NOTHING_READ = "nothing recognized"
_SHUT_DOWN = "the local engine was shut down"
_NO_WORKER = "the local engine could not start a worker"

PageReader = Callable[[bytes], list[NameValue]]
"""Image bytes → the service's ``data`` list; ``LookupError`` (or []) when nothing is read."""


@dataclass(frozen=True, slots=True)
class PageResult:
    """One page's outcome: its ``data``, or (empty data) the ``reason`` it was not read."""

    data: list[NameValue] = field(default_factory=list)
    reason: str = ""  # "" when read
    crashed: bool = False  # the page killed its worker process, twice


def read_guarded(func: PageReader, image: bytes) -> PageResult:
    """Run ``func`` on one page (in the worker): any exception becomes the page's reason.

    Exceptions never cross the process boundary, so one that cannot be pickled
    back cannot break the pool either.

    >>> read_guarded(lambda image: [{"Name": "航班号", "Value": "CA1501"}], b"").data
    [{'Name': '航班号', 'Value': 'CA1501'}]
    >>> read_guarded(lambda image: [1 / 0], b"").reason
    'ZeroDivisionError: division by zero'
    >>> read_guarded(lambda image: [], b"").reason
    'nothing recognized'
    """
    try:
        data = func(image)
    except LookupError as exc:  # the reader's own "not an itinerary", with its words
        return PageResult(reason=str(exc.args[0]) if exc.args else NOTHING_READ)
    except Exception as exc:  # any other error of one page is that page's failure
        return PageResult(reason=describe_exception(exc))
    return PageResult(list(data)) if data else PageResult(reason=NOTHING_READ)


def describe_exception(exc: BaseException) -> str:
    """``Type: first line of the message`` (at most 120 characters of it).

    >>> describe_exception(ValueError("bad\\nmore")), describe_exception(KeyError())
    ('ValueError: bad', 'KeyError')
    """
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Closed(Exception):
    """The pool was closed: no new page starts."""


class PagePool:
    """Worker processes reading pages; a page that crashes its worker fails alone.

    The executor starts on the first page, not on construction.
    """

    def __init__(
        self,
        func: PageReader,
        workers: int | None = None,
        initializer: Callable[[], None] | None = None,
    ) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._func = func
        self._initializer = initializer
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.workers)
        self._limiter: anyio.CapacityLimiter | None = None  # made in the event loop using it
        self._pool: ProcessPoolExecutor | None = None
        self._dropped: list[dict[int, Any]] = []  # the workers of pools dropped as broken
        self._closed = False

    async def read(self, image: bytes) -> PageResult:
        """Read one page without blocking the event loop.

        Cancelling abandons the wait, not the page: :meth:`aclose` waits for it.
        """
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.workers)
        return await anyio.to_thread.run_sync(
            self.read_blocking, image, limiter=self._limiter, abandon_on_cancel=True
        )

    def read_blocking(self, image: bytes) -> PageResult:
        """Read one page, blocking the calling thread until it is done."""
        with self._slots:
            try:
                submitted = self._submit(image)
            except _Closed:
                return PageResult(reason=_SHUT_DOWN)
            if submitted is not None:
                pool, future = submitted
                try:
                    return future.result()
                except BrokenProcessPool:
                    self._replace(pool)
                except CancelledError:  # close() cancelled it before it started
                    return PageResult(reason=_SHUT_DOWN)
            return self._read_alone(image)

    def _submit(self, image: bytes) -> tuple[ProcessPoolExecutor, Future[PageResult]] | None:
        # A pool that another thread found broken refuses new work (BrokenProcessPool, or
        # RuntimeError once shut down) until it is replaced: try the replacement. A submit
        # that spawns a worker while another thread tears the broken pool down fails to
        # start it (ValueError "bad value(s) in fds_to_keep": the pool's pipes were closed
        # under it; seen once on a clean clone's test run, and the run died of it).
        for _ in range(3):
            pool = self._current()
            try:
                return pool, pool.submit(read_guarded, self._func, image)
            except (BrokenProcessPool, RuntimeError, OSError, ValueError):
                self._replace(pool)
        return None  # pools keep breaking under us: read this page alone

    def _read_alone(self, image: bytes) -> PageResult:
        """A page that was in a pool when a worker died, read again in a process of its own."""
        with ProcessPoolExecutor(1, self._context, initializer=self._initializer) as solo:
            try:
                return solo.submit(read_guarded, self._func, image).result()
            except BrokenProcessPool:
                return PageResult(reason=CRASHED, crashed=True)
            except (OSError, ValueError) as exc:  # no worker could be started for it
                return PageResult(reason=f"{_NO_WORKER}: {describe_exception(exc)}")

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise _Closed
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers, self._context, initializer=self._initializer
                )
            return self._pool

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Drop a pool a worker died in; the next page starts a fresh one."""
        with self._lock:
            if self._pool is broken:
                self._pool = None
        # (its workers' table itself: shutting down drops the pool's reference to it)
        workers: dict[int, Any] = getattr(broken, "_processes", None) or {}
        broken.shutdown(wait=False, cancel_futures=True)
        # CPython 3.11: a worker spawned by a submit racing the pool's breakage is not among
        # those the pool terminates, and the pool's manager thread then waits for it forever
        # (seen once: the test suite hung at interpreter exit). End every worker still alive,
        # now and again when the pool is closed or the interpreter exits: the racing submit can
        # add its worker after this (seen too: the manager thread died of "dictionary changed
        # size during iteration" and the stray kept pytest waiting at exit).
        _kill_workers(workers)
        with self._lock:
            self._dropped.append(workers)
        atexit.register(_kill_workers, workers)

    def close(self) -> None:
        """Stop the workers, waiting for the pages they are reading. Idempotent."""
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        for dropped in self._dropped:
            _kill_workers(dropped)

    async def aclose(self) -> None:
        """:meth:`close`, waited for in a thread, off the event loop."""
        await anyio.to_thread.run_sync(self.close)


def _kill_workers(workers: dict[int, Any]) -> None:
    """Kill the worker processes still alive of a pool dropped as broken (its pid → process
    table)."""
    for process in list(workers.values()):
        if process.is_alive():
            process.kill()
