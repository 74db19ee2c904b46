"""The local engine's entry points: :func:`recognize` and :class:`LocalBackend`.

``recognize(image_bytes)`` is what ``batchocr serve`` calls for each request:
decode (Pillow, EXIF orientation applied), OCR (the form's own printed labels
found by geometry and not recognized: :mod:`batchocr.recognize.local.printed`), extract;
then a second look:
boxes that sat where a value belongs but did not read as one are read again
stretched, and flight-table cells where a value belongs but nothing was
detected are recognized as they are.

``LocalBackend`` speaks the engine's backend protocol: ``send`` runs
``recognize`` in a pool of worker *processes* (spawned, each loading the model
once), so the event loop never blocks and ``workers`` bounds the memory. A
worker that dies on a page (a crash in native code) costs that page only: the
pool is rebuilt and the page answers 252604.

>>> LocalBackend(workers=1).encode(b"raw image bytes")
b'raw image bytes'
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import io
import multiprocessing
import os
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from PIL import Image, ImageOps, UnidentifiedImageError

from ...models import NameValue, Reply
from . import ocr, printed
from .extract import Reading, read

NOT_RECOGNIZED = 252604
TRIM_ABOVE = 360 << 20  # bytes resident after a page above which freed memory is returned
CRASHED = "local engine crashed on this image"

Recognize = Callable[[bytes], list[NameValue]]


def recognize(image: bytes) -> list[NameValue]:
    """The service's ``data`` list for one image; ``LookupError`` when nothing is recognized.

    Raises ``LookupError`` too for bytes that are not an image Pillow can read.
    """
    try:
        with Image.open(io.BytesIO(image)) as raw:
            picture = ImageOps.exif_transpose(raw)
            picture.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise LookupError(f"not an image: {exc}") from None
    try:
        reading = _read(picture)
    except (ArithmeticError, LookupError, ValueError, TypeError, AttributeError) as exc:
        # A page the reader cannot cope with (degenerate geometry, an empty or noisy page)
        # is that page's failure, never the run's: the worker and the batch go on.
        raise LookupError(f"the local engine failed on this page ({_what(exc)})") from None
    finally:
        release_memory()
    if not reading.data:
        raise LookupError("nothing recognized")
    return reading.data


def _what(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _read(picture: Image.Image) -> Reading:
    page = ocr.read_page(picture, printed.known)
    reading = read(page.boxes)
    if reading.doubtful or reading.blanks:
        boxes = ocr.reread(picture, page, reading.doubtful).boxes
        second = read((*boxes, *ocr.read_quads(picture, reading.blanks)))
        if len(second.data) >= len(reading.data):
            return second
    return reading


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def release_memory(above: int = TRIM_ABOVE) -> None:
    """Give the heap's free pages back to the system once the process holds ``above`` bytes.

    A page's ONNX Runtime buffers come and go; left alone, a worker's heap
    fragments and its memory creeps up page after page (90 pages in one
    process: 507 MB resident at the end and a 602 MB peak; trimmed after every
    page, 233 MB and 484 MB). Trimming every page costs page faults (about
    +0.05 CPU-s a page), so it is done only above :data:`TRIM_ABOVE` (the same
    90 pages: a 518 MB peak; above 480 MB the peak was 556, and over 300
    pages a worker reached 603). glibc only.
    """
    trim = _malloc_trim()
    if trim is not None and _resident() > above:
        trim(0)


def _resident() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def warm_up() -> None:
    """Load the OCR model now (a worker's initializer), not on the first page."""
    ocr.engine()


def _failed(exc: BaseException) -> str:
    """The reason recorded for a page the engine could not read: 识别失败 and why."""
    why = exc.args[0] if isinstance(exc, LookupError) and exc.args else _what(exc)
    return f"识别失败: {why}"


class LocalBackend:
    """The engine's backend over :func:`recognize`, in ``workers`` processes.

    ``recognizer`` and ``initializer`` must be picklable top-level functions
    (workers are spawned); they default to :func:`recognize` and :func:`warm_up`.
    """

    backend = "local"
    paced = False  # bounded by its worker processes, not by a rate
    billed = False

    def __init__(
        self,
        workers: int | None = None,
        recognizer: Recognize = recognize,
        initializer: Callable[[], None] | None = warm_up,
    ) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._recognizer = recognizer
        self._initializer = initializer
        self._pool: ProcessPoolExecutor | None = None

    def encode(self, image: bytes) -> bytes:
        """The body is the image itself: nothing to encode for a local engine."""
        return image

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=self._initializer,
            )
        return self._pool

    async def send(self, body: bytes) -> Reply:
        """Recognize ``body`` in a worker process; never blocks the event loop."""
        for attempt in (1, 2):
            pool = self._executor()
            try:
                data = await asyncio.wrap_future(pool.submit(self._recognizer, body))
            except LookupError as exc:
                return Reply(NOT_RECOGNIZED, _failed(exc))
            except BrokenProcessPool:
                # The pool dies with every page in it: each gets one more try in a
                # fresh pool, and the page that kills a worker twice is the culprit.
                self._replace(pool)
                if attempt == 2:
                    return Reply(NOT_RECOGNIZED, CRASHED)
                continue
            except Exception as exc:  # any error of one page is that page's failure
                return Reply(NOT_RECOGNIZED, _failed(exc))
            return Reply(0, "success", data, request_id=str(uuid.uuid4()))
        raise AssertionError("unreachable")

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Drop a pool a worker died in; the next page starts a fresh one."""
        if self._pool is broken:
            self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    async def aclose(self) -> None:
        """Stop the workers (waiting for them in a thread, off the event loop)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
