"""The offline engine's one process pool: a page that raises or crashes its worker fails alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from page_readers import raises_unpicklable, scripted

from batchocr.recognize.local.pool import CRASHED, PagePool, PageResult


def ticket(number: str) -> list[dict[str, object]]:
    return [{"Name": "电子客票号码", "Value": number, "Row": -1}]


@pytest.fixture
def pool() -> Iterator[PagePool]:
    p = PagePool(scripted, workers=2)
    yield p
    p.close()


def test_exceptions_become_the_page_reason_and_the_worker_goes_on(pool: PagePool) -> None:
    """A ZeroDivisionError, a LookupError, an empty list: each is that page's reason only."""
    results = [pool.read_blocking(page) for page in (b"raise", b"blank", b"111", b"222")]
    assert results == [
        PageResult(reason="ZeroDivisionError: division by zero"),
        PageResult(reason="nothing recognized"),
        PageResult(ticket("111")),
        PageResult(ticket("222")),
    ]


def test_an_exception_that_cannot_be_pickled_is_still_just_a_reason() -> None:
    """Exceptions are caught in the worker, so one that cannot travel back breaks nothing."""
    p = PagePool(raises_unpicklable, workers=1)
    try:
        assert p.read_blocking(b"x") == PageResult(reason="Unpicklable: no pickle")
    finally:
        p.close()


def test_a_page_that_kills_its_worker_fails_alone_and_the_next_page_is_read(
    pool: PagePool,
) -> None:
    """os._exit in the worker: that page is CRASHED; the pool is replaced for the next."""
    crashed = pool.read_blocking(b"crash")
    after = pool.read_blocking(b"333")
    assert crashed == PageResult(reason=CRASHED, crashed=True)
    assert after == PageResult(ticket("333"))


def test_an_innocent_page_in_the_broken_pool_is_read_again_and_succeeds(pool: PagePool) -> None:
    """Two pages in the pool, one kills it: the other is re-read alone and gives its data."""
    results: dict[bytes, PageResult] = {}

    def read(page: bytes) -> None:
        results[page] = pool.read_blocking(page)

    threads = [threading.Thread(target=read, args=(p,)) for p in (b"slow:444", b"crash-late")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {
        b"slow:444": PageResult(ticket("444")),
        b"crash-late": PageResult(reason=CRASHED, crashed=True),
    }


def test_the_async_face_reads_concurrently_without_blocking_the_loop() -> None:
    """Under anyio, four pages at once (one crash among them) each get their own outcome."""
    pool = PagePool(scripted, workers=2)
    results: dict[bytes, PageResult] = {}
    ticks = 0

    async def read(page: bytes) -> None:
        results[page] = await pool.read(page)

    async def ticker() -> None:
        nonlocal ticks
        while len(results) < 4:
            ticks += 1
            await anyio.sleep(0.01)

    async def main() -> None:
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(ticker)
                for page in (b"555", b"raise", b"crash", b"666"):
                    tg.start_soon(read, page)
        finally:
            await pool.aclose()

    anyio.run(main)
    assert results == {
        b"555": PageResult(ticket("555")),
        b"raise": PageResult(reason="ZeroDivisionError: division by zero"),
        b"crash": PageResult(reason=CRASHED, crashed=True),
        b"666": PageResult(ticket("666")),
    }
    assert ticks > 5  # the loop kept running while the workers read


def test_a_closed_pool_answers_at_once(pool: PagePool) -> None:
    """After close, a page is refused with a reason instead of starting new workers."""
    assert pool.read_blocking(b"777") == PageResult(ticket("777"))
    pool.close()
    assert pool.read_blocking(b"888") == PageResult(reason="the local engine was shut down")


def test_closing_ends_a_worker_a_racing_submit_added_to_a_dropped_pool() -> None:
    """CPython 3.11: a submit racing a pool's breakage can spawn a worker into it after the
    pool was dropped and its workers killed; nothing then stops that worker, and it kept the
    test run waiting at interpreter exit. Closing the engine's pool ends it."""
    import multiprocessing
    import time

    p = PagePool(scripted, workers=1)
    assert p.read_blocking(b"crash") == PageResult(reason=CRASHED, crashed=True)
    (workers,) = p._dropped  # the dropped pool's pid → worker table
    stray = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(60,))
    stray.start()
    workers[stray.pid] = stray  # as the racing submit adds it
    p.close()
    stray.join(timeout=10)
    assert not stray.is_alive()


def test_a_submit_whose_worker_cannot_be_spawned_reads_the_page_in_a_fresh_pool() -> None:
    """A submit that spawns a worker while another thread tears a broken pool down fails to
    start it (``ValueError: bad value(s) in fds_to_keep``, the pool's pipes closed under
    it: it once took a whole run down). The pool is replaced and the page read."""
    from concurrent.futures import ProcessPoolExecutor

    class TornDown(ProcessPoolExecutor):
        def submit(self, *args: object, **kwargs: object) -> Any:
            raise ValueError("bad value(s) in fds_to_keep")

    class Racing(PagePool):
        torn = 0

        def _current(self) -> ProcessPoolExecutor:
            if not self.torn:
                self.torn += 1
                return TornDown(1)
            return super()._current()

    p = Racing(scripted, workers=1)
    try:
        assert p.read_blocking(b"777") == PageResult(ticket("777"))
        assert p.torn == 1
    finally:
        p.close()
