"""The local engine's entry points: :func:`recognize` and :class:`LocalBackend`.

``recognize(image_bytes)`` is what ``batchocr serve`` calls for each request:
decode (Pillow, EXIF orientation applied, shrunk to the reading size once), OCR (the
form's own printed labels found by geometry and not recognized:
:mod:`batchocr.recognize.local.template.printed`), extract; then a second look:
boxes that sat where a value belongs but did not read as one are read again
stretched, and flight-table cells where a value belongs but nothing was
detected are recognized as they are. A page that fits neither known drawing is read
in full (:mod:`.fullpage`): what the template only named is read after all, a masked ID
number that does not read as one is read again stretched, a page that reads as little (or
as few of the ticket's own fields) and is printed in two inks is read one ink at a time
(:mod:`.inks`), and numbers nothing checks are kept only when read the same twice
(:mod:`.confirm`). Either way, free text (a name, an agency) one of whose characters the
recognizer doubts is left out (:func:`.confirm.glyphs_sure`).
Pages whose lines stand upright are turned a quarter; pages that read as little and
as poorly as upside-down text, half a turn.

``LocalBackend`` speaks the engine's backend protocol: ``send`` runs
``recognize`` in the engine's one process pool (:mod:`.pool`, the same as
``batchocr serve``'s: spawned workers, each loading the model once), so the
event loop never blocks and ``workers`` bounds the memory. A page that raises
while it is read, or that kills its worker (a crash in native code), costs that
page only: it answers 252604 with the reason, and the run goes on.

>>> LocalBackend(workers=1).encode(b"raw image bytes")
b'raw image bytes'
"""

from __future__ import annotations

import ctypes
import functools
import io
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace

from PIL import Image, ImageOps, UnidentifiedImageError

from ...documents.flights.table import merged
from ...documents.positioned import KNOWN_LABELS
from ...models import NameValue, Reply
from ...records import BackendName
from .image import inks, marks, ocr, stamps
from .labelled.confirm import SURE, confirmed, glyphs_sure, own_score
from .labelled.fullpage import FullReading, aligned, floor, misregistered
from .labelled.upright import span
from .labelled.values import clean
from .pool import CRASHED, PagePool, PageResult, describe_exception
from .readings import pooled, ticket_entries, with_missing
from .rereads import has_id, starred, stars_reread, with_blanks, with_id_reread
from .template import printed
from .template.extract import Reading, read
from .validate.checks import scheduled
from .validate.repair import squeeze
from .vocabulary.labels import label_text

__all__ = ["CRASHED", "NOT_RECOGNIZED", "LocalBackend", "recognize", "release_memory", "warm_up"]

NOT_RECOGNIZED = 252604
WEAK = 8  # entries: a page that reads as fewer is tried turned (an itinerary prints 20+)
STRONG = 16  # entries: a turned page that reads as this many is not tried the other way
# Median line confidence below which a page that reads as little is tried upside down: text
# read upside down scores 0.48-0.63 (median of its lines, 4 pages), upright heavy photos
# 0.64-0.99 (28 pages), nearly all above 0.78 (measured 2026-12-05, tuning families).
UPSIDE_DOWN = 0.7
# How much wider a number nothing checks is read the second time (:mod:`.confirm`): lines
# holding such numbers on tuning pages (seeds 1600000-1 and 1760000-1, every noise) read the
# same again at 1.3x 205 of 207 times when right, 0 of 3 when wrong (at 2x: 197 of 207).
CONFIRM_STRETCH = 1.3
# Entries: a page read in full as fewer is read an ink at a time, if it can be (at 20, probe
# dot-matrix slips read 20-23 and lost what their ink alone reads); so is one with this few of
# the ticket's own fields (of 16 or 22): values over the English labels (27 entries, 5 its own).
# (At 13, a dot-matrix slip whose ID and office code read whole at last reached 13 and lost the
# fund, surcharge and a time its ink reads; at 15 the probes read 9 fields more, tuning the same.)
PARTED_BELOW = 24
TICKET_PARTED_BELOW = 15
TRIM_ABOVE = 360 << 20  # bytes resident after a page above which freed memory is returned
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
MMAP_ABOVE = 8 << 20  # bytes: an allocation this large gets its own mapping, freed at once

Recognize = Callable[[bytes], list[NameValue]]


def recognize(image: bytes) -> list[NameValue]:
    """The service's ``data`` list for one image; ``LookupError`` when nothing is recognized.

    Raises ``LookupError`` too for bytes that are not an image Pillow can read, and
    for a page the reader fails on (the reason names the exception).
    """
    try:
        with Image.open(io.BytesIO(image)) as raw:
            picture = ImageOps.exif_transpose(raw)
            picture.load()
        # Shrunk (and a photo's specks removed) once, here: every later look (turns,
        # re-reads, cells) works on this copy, and a page drawn or scanned at twice the size
        # holds its full pixels only briefly.
        picture = ocr.prepare(picture)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise LookupError(f"not an image: {exc}") from None
    try:
        reading = _read(picture)
    except Exception as exc:
        # A page the reader cannot cope with (degenerate geometry, an empty or noisy page)
        # is that page's failure, named by its exception, never the caller's crash.
        raise LookupError(describe_exception(exc)) from exc
    finally:
        release_memory()
    data = scheduled(reading.data)
    if not data:
        raise LookupError("nothing recognized")
    return data


def _read(picture: Image.Image) -> Reading:
    """The page as it comes; turned a quarter when its lines stand upright (the way its
    probe lines read best first, the other if that reads as little), or half a turn when its
    longest lines read as text upside down does (told before the rest is read), or when it
    reads as nothing, or as almost nothing and its lines read as poorly as upside-down text."""
    reading, page = _read_upright(picture)
    # (a page that reads as nothing at all is tried either way: kai upside down, its lines'
    # median 0.71, reads as well as a heavy photo's)
    upside_down = len(reading.data) < WEAK and (
        not reading.data or _median_score(page) < UPSIDE_DOWN)
    turns: tuple[int, ...] = (180,) if upside_down else ()
    if page.turned:  # (a quarter turn its probe lines told may be the other; half a turn is
        # sure: see :mod:`.image.orientation`)
        turns = (180,) if page.upright == 180 else (page.upright, 360 - page.upright)
    for turn in turns:
        other, _ = _read_upright(picture.rotate(turn, expand=True))
        if len(other.data) > len(reading.data):
            reading = other
        if len(reading.data) >= STRONG:  # an itinerary read the right way up: the other
            break  # way up reads as next to nothing
    return reading


def _median_score(page: ocr.Page) -> float:
    """The recognizer's median confidence in the lines it read (not the ones it was told)."""
    scores = sorted(b.score for i, b in enumerate(page.boxes) if i not in page.assumed)
    return scores[len(scores) // 2] if scores else 0.0


def _read_upright(picture: Image.Image) -> tuple[Reading, ocr.Page]:
    page = ocr.read_page(picture, printed.known, orient=True)
    if page.turned:  # nothing was read: the caller turns it
        return Reading([]), page
    reading = read(page.boxes)
    if not reading.fits:
        # Not a form we know the drawing of (another issuer, another printer): the template's
        # positions would read the wrong places, so the page is read in full, by its labels.
        return Reading(_read_in_full(picture, page).data), page
    lines = page.boxes
    if reading.doubtful or reading.blanks:
        again = (*ocr.reread(picture, page, reading.doubtful).boxes,
                 *ocr.read_quads(picture, reading.blanks))  # fmt: skip
        second = read(again)
        if len(second.data) >= len(reading.data):
            reading, lines = second, again
    return replace(reading, data=glyphs_sure(reading.data, lines)), page


def _read_in_full(picture: Image.Image, page: ocr.Page) -> FullReading:
    """The page read by its labels: what the template's geometry named without reading is
    read after all; a page that reads as little, or as few of the ticket's own fields, and
    is printed in two inks is read again one ink at a time (values printed over labels
    garble both); numbers nothing checks are kept only when read the same twice
    (:mod:`.confirm`)."""
    import numpy as np

    page = ocr.read_assumed(picture, page)
    full = with_id_reread(picture, page, with_blanks(picture, page.boxes))
    sources = [(picture, page)]  # the images and lines its values were read from
    unstamped, restamped = stamps.unstamped(picture, page)
    if restamped is not page:
        # Only what the page read without its stamp adds: on held-out phone photos (seeds
        # 6700000+) the lines read again under a seal were worse as often as better.
        full = with_missing(full, with_blanks(unstamped, restamped.boxes))
        sources.append((unstamped, restamped))
    layers = inks.separate(np.asarray(picture))  # (once: the marks and the weak page use it)
    if (lifted := marks.unmarked(picture, page, layers)) is not None:
        # The lines a mark in another ink met, read from the values' ink alone: what they
        # add (only what the page's own reading lacks)
        image, again = lifted
        read_again = {b.quad for b in again.boxes}
        unmarked = with_blanks(picture, (*again.boxes, *(b for b in page.boxes
                                                         if b.quad not in read_again)))
        full = with_missing(replace(full, data=merged(full.data, unmarked.data)), unmarked)
        sources.append((image, again))
    thin = len(full.data) < PARTED_BELOW or ticket_entries(full.data) < TICKET_PARTED_BELOW
    offset = misregistered(page.boxes)  # its labels and values boxed as one slanted line
    weak = (thin or offset) and _median_score(page) >= UPSIDE_DOWN  # (else: it is turned)
    if weak and layers:
        images = [Image.fromarray(layer) for layer in layers]
        (_, form), (ink, data) = sorted(((image, ocr.read_page(image)) for image in images),
                                        key=lambda seen: _labels(seen[1].boxes), reverse=True)
        # Each reading loses stations the other keeps (the ink-parted one reads a city printed
        # over its mark, the full one a city printed over a label).
        parted = with_blanks(picture, aligned(form.boxes, data.boxes))
        # (a page printed off its form reads better an ink at a time: it wins a tie)
        full = pooled(parted, full) if offset else pooled(full, parted)
        if not has_id(full) and starred(data):  # (an ID crossed by a rule, alone in its ink)
            data = stars_reread(ink, data)
            full = with_missing(full, with_blanks(picture, aligned(form.boxes, data.boxes)))
        sources.append((ink, data))
    full = _with_doubted_read(picture, page, full)
    all_lines = [b for _, seen in sources for b in seen.boxes]
    kept = confirmed(full.data, all_lines, functools.partial(_again, sources))
    return FullReading(glyphs_sure(kept, all_lines), full.blanks)


def _again(sources: list[tuple[Image.Image, ocr.Page]], at: Sequence[int]) -> list[ocr.Box]:
    """The lines of ``sources`` (all their pages' boxes, in order), those at ``at`` read
    again stretched from their own image (:data:`CONFIRM_STRETCH`)."""
    out: list[ocr.Box] = []
    for image, seen in sources:
        mine = [i - len(out) for i in at if len(out) <= i < len(out) + len(seen.boxes)]
        out += ocr.reread(image, seen, mine, stretch=CONFIRM_STRETCH).boxes if mine else seen.boxes
    return out


def _with_doubted_read(picture: Image.Image, page: ocr.Page, full: FullReading) -> FullReading:
    """``full`` with the free text it doubted (:attr:`FullReading.doubted`) whose own glyphs
    the recognizer was sure enough of (:func:`.confirm.own_score`, against the field's
    floor), or that reads the
    same, and all but surely (:data:`.confirm.SURE`), recognized alone: the part of its
    line it was read from (a label's English misread in the same line,
    ``ENDORSMENTSRESTRICTONS``, drags the line's score under the field's floor, not the
    value's: alone, 0.999). A line that holds the value alone is not read again (a glyph the
    recognizer doubts, ``董鹃`` for 董鹏 at 0.75, reads the same and no surer)."""
    data = list(full.data)
    for d in full.doubted:
        value = clean(d["Name"], d["Value"])
        # (its own glyphs: the value cleaned, a misread English half of its label cut off)
        own = (value and own_score(value, page.boxes)) or own_score(d["Value"], page.boxes)
        if value is not None and own is not None and own >= floor(d["Name"]):
            data.append({"Name": d["Name"], "Value": value, "Row": d.get("Row", -1),
                         "Confidence": round(own, 3)})  # fmt: skip
            continue
        part = _value_part(d["Value"], page)
        if part is None:
            continue
        score = max((r.score for r in ocr.read_part(picture, *part)
                     if clean(d["Name"], r.text) == value), default=0.0)  # fmt: skip
        if score >= SURE:
            data.append({"Name": d["Name"], "Value": value, "Row": d.get("Row", -1),
                         "Confidence": round(score, 3)})  # fmt: skip
    return FullReading(data, full.blanks)


def _value_part(value: str, page: ocr.Page) -> tuple[ocr.Quad, float, float] | None:
    """The one line of ``page`` holding ``value`` and more, and where in it the value lies
    (fractions of its length); None unless exactly one line holds it, with more."""
    key = squeeze(value)
    lines = [b for b in page.boxes if key and key in squeeze(b.text)]
    if len(lines) != 1 or squeeze(lines[0].text) == key:
        return None
    text = squeeze(lines[0].text)
    start = text.index(key)
    return (lines[0].quad, *span(text, start, start + len(key)))


def _labels(boxes: tuple[ocr.Box, ...]) -> int:
    """How many of ``boxes`` read as a label: the form's ink has the most."""
    return sum(label_text(b.text.strip()) in KNOWN_LABELS for b in boxes)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 (both glibc's)
    except (OSError, AttributeError):  # not glibc
        return None
    return libc


def _malloc_trim() -> Callable[[int], int] | None:
    libc = _libc()
    return None if libc is None else libc.malloc_trim


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
    """Load the OCR model now (a worker's initializer), not on the first page, in a heap
    that hands large buffers back (see :data:`MMAP_ABOVE`)."""
    _bound_heap()
    ocr.engine()


def _bound_heap() -> None:
    """Serve allocations above :data:`MMAP_ABOVE` from their own mappings (glibc only).

    ONNX Runtime's activations (tens of MB a pass) otherwise land in the heap, which
    fragments: a worker's peak then depends on the pages before. Measured on the tuning
    families (120 pages, 2 workers): peak RSS 507-544 MB by default, 391-394 MB at 8 MB
    (370 at 4 MB, for ~10% more CPU; 467 at 16 MB), CPU per page within a few percent.
    """
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_ABOVE)


class LocalBackend:
    """The engine's backend over :func:`recognize`, in ``workers`` processes.

    ``recognizer`` and ``initializer`` must be picklable top-level functions
    (workers are spawned); they default to :func:`recognize` and :func:`warm_up`.
    """

    backend = BackendName.LOCAL
    paced = False  # bounded by its worker processes, not by a rate
    billed = False

    def __init__(
        self,
        workers: int | None = None,
        recognizer: Recognize = recognize,
        initializer: Callable[[], None] | None = warm_up,
    ) -> None:
        self._pool = PagePool(recognizer, workers, initializer)
        self.workers = self._pool.workers

    def encode(self, image: bytes) -> bytes:
        """The body is the image itself: nothing to encode for a local engine."""
        return image

    async def send(self, body: bytes) -> Reply:
        """Recognize ``body`` in a worker process; never blocks the event loop, never raises."""
        return reply_of(await self._pool.read(body))

    async def aclose(self) -> None:
        """Stop the workers (waiting for them in a thread, off the event loop)."""
        await self._pool.aclose()


def reply_of(page: PageResult) -> Reply:
    """The service's answer for one page: its data, or 252604 and why not.

    >>> reply_of(PageResult(reason="ZeroDivisionError: float division by zero")).reason
    '识别失败: ZeroDivisionError: float division by zero'
    """
    if page.data:
        return Reply(0, "success", page.data, request_id=str(uuid.uuid4()))
    return Reply(NOT_RECOGNIZED, CRASHED if page.crashed else f"识别失败: {page.reason}")
