"""A thin wrapper over RapidOCR (PP-OCRv4 detection + recognition, ONNX, CPU).

The models ship inside the ``rapidocr-onnxruntime`` wheel: nothing is
downloaded at run time. These settings matter for itineraries, all measured
on synthetic pages:

* the angle classifier is off: it flips short boxes (``9%`` read as ``%6``);
* the page is shrunk to at most :data:`MAX_SIDE` px on its long side, never enlarged
  (upscaling a phone photo adds cost, not detail), never binarized; detection runs on a
  copy shrunk to :data:`DET_SIDE` px (it needs the lines, not the glyphs) unless the page
  is small already (:data:`DET_KEEP` px: a low-resolution scan has no pixel to spare);
* a page speckled like a phone photo has its specks replaced by their surroundings first
  (:func:`prepare`, :func:`.crops.despeckled`);
* a lone glyph's box that the detector turned askew of the page's lines is read again level
  with them (:func:`.crops.levelled`), kept when sure: a ``K`` boxed at 30 degrees read ``人``;
* every line as tall as a scan's values has its one-pixel gaps filled before it is
  recognized (:func:`.crops.dots_joined`): a dot-matrix head's dots read as other glyphs;
* a line whose first glyph a form's rule cuts is read again from before the rule
  (:mod:`.rules`), kept when sure and only adding glyphs before what was read;
* one thread per process (ONNX Runtime's and OpenCV's): pages run in parallel in worker
  processes, and a single thread wastes no CPU on spinning;
* a line the extractor doubts is read a second time stretched to twice its width
  (:func:`reread`): the recognizer merges a digit into a long run of identical characters
  (``440106*********658``), and more time steps per glyph stop it;
* the caller may name the lines it knows without reading them (``known`` of
  :func:`read_page`): recognition is most of the cost;
* a reading keeps the confidence in each character (:class:`Reading`): RapidOCR's is a mean.

The engine is loaded once per process, on first use (:func:`engine`).

>>> Box("CA1401", 0.99, ((0, 0), (60, 0), (60, 20), (0, 20))).text
'CA1401'
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from PIL import Image

from ..vocabulary.lexicon import known_word
from .crops import despeckled, dots_joined, gaps, inked, levelled
from .orientation import HALF_PROBE, PROBE, longest, quarter_turn, sideways, upside_down
from .rules import cut_heads, regained

MAX_SIDE = 2000  # at 1600 px a masked ID line was sometimes missed
DET_SIDE = 960  # detection runs on a smaller copy: boxes, not glyphs, are needed there...
DET_KEEP = 1100  # ...unless the page is this small already (at 960 a ~1000-px page lost fields)
DET_AREA = 700_000  # px at most in the detection pass (921k px: a 490 MB process peak)
BOX_THRESH = 0.3  # RapidOCR's 0.5 drops lone class letters (``F``, ``Y``) on phone photos
TEXT_SCORE = 0.3  # keep weak readings: the extractor's checks decide what to trust
REC_MIN_WIDTH = 96  # RapidOCR pads every line to 320 px: a lone "F" cost as much as a name...
SHORT = 1.2  # ...but a crop narrower than this (width/height: one glyph) is padded to
SHORT_WIDTH = 320  # the model's training width: at 96 a lone "Q" reads as nothing. Value crops
#   of 40 heavy pages read right at 96 / 192 / 320 px: ratio < 1.2 74 / 76 / 83 of 85;
#   1.2-1.5 (two glyphs, in a blurred photo's roomier boxes) 73 / 73 / 77 of 78, three of
#   the four only a trailing dot apart, which the cleaners drop; wider 349 / 349 / 346 of 363.
LEVEL_SURE = 0.9  # a levelled box's reading kept from (a Y's box without its stem: V, 0.48)
REC_BATCH = 1  # one line per run: per box the cheapest (6: ~20% more CPU, ~100 MB more RSS)

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]


@dataclass(frozen=True, slots=True)
class Box:
    """One recognized line: its text, the recognizer's confidence, and its corners.

    ``quad`` runs clockwise from the top-left corner, in the coordinates of the
    page that :func:`read_page` returns. ``glyphs`` holds the recognizer's confidence in
    each character of ``text`` (empty for a text it did not read: a template's label).
    """

    text: str
    score: float
    quad: Quad
    glyphs: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """The OCR of one image: its (possibly shrunk) size and its boxes."""

    width: int
    height: int
    boxes: tuple[Box, ...]
    # Turned a quarter or a half (:mod:`.orientation`): nothing was read; ``upright`` is the
    # turn (counter-clockwise: 90, 180 or 270) that sets it upright.
    turned: bool = False
    upright: int = 0
    # The boxes whose text ``known`` gave (a template's label, not what the page prints there):
    # worth reading for real when the page turns out not to be that template.
    assumed: frozenset[int] = frozenset()


_engine: Any = None
_lock = threading.Lock()


def engine() -> Any:
    """The process's RapidOCR instance, created on first use."""
    global _engine
    with _lock:
        if _engine is None:
            import cv2
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]

            cv2.setNumThreads(0)  # OpenCV's resizes and warps run inline, like the models

            eng = RapidOCR(use_cls=False, intra_op_num_threads=1, inter_op_num_threads=1)
            det = eng.text_det
            det.limit_type, det.limit_side_len = "min", 0  # run at the size detect() gives
            det.postprocess_op.box_thresh = BOX_THRESH
            _engine = eng
        return _engine


def fit(image: Image.Image) -> Image.Image:
    """RGB, long side at most :data:`MAX_SIDE` (never enlarged).

    >>> fit(Image.new("L", (4000, 1000))).size
    (2000, 500)
    """
    if image.mode != "RGB":
        image = image.convert("RGB")
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def prepare(image: Image.Image) -> Image.Image:
    """The page as it is read: :func:`fit`, and a photo's specks removed
    (:func:`.crops.despeckled`)."""
    import numpy as np

    page = fit(image)
    pixels = np.asarray(page)
    clean = despeckled(pixels)
    return page if clean is pixels else Image.fromarray(clean)


class Reading(NamedTuple):
    """A line's text, the recognizer's confidence in it (its glyphs' mean), and in each
    character of it: a glyph misread in a name drags its own probability down, hardly the
    mean (``广州联程…`` for 广州鹏程…: 0.95 on the whole, 0.31 on ``联``)."""

    text: str
    score: float
    glyphs: tuple[float, ...] = ()


Read = Callable[[Sequence[Quad]], list[Reading]]  # regions of the page → their readings
Known = Callable[[Sequence[Quad], Read], dict[int, Box]]


def read_page(image: Image.Image, known: Known | None = None, *, orient: bool = False) -> Page:
    """Detect and recognize every text line of ``image`` (see the module docstring).

    ``known(quads, read)``, when given, returns the boxes whose text it can tell,
    by index, recognizing what it needs with ``read``: the other lines are
    recognized here. A page turned a quarter is not read (:attr:`Page.turned`), nor, with
    ``orient``, one upside down (:func:`.orientation.upside_down`).
    """
    import numpy as np

    page = fit(image)
    pixels = np.asarray(page)
    quads = [_quad(q) for q in detect(pixels)]
    if sideways(quads):  # reading it as it is would cost the whole page for nothing
        crops = _crops(pixels, [quads[i] for i in longest(quads, PROBE)])
        turn = quarter_turn(crops, recognize_crops)
        return Page(page.width, page.height, (), turned=True, upright=turn)
    readings: dict[int, Reading] = {}  # (with ``orient``, the longest lines' read first)
    if orient:
        probe = longest(quads, HALF_PROBE)
        crops = _crops(pixels, [quads[i] for i in probe])
        readings = dict(zip(probe, recognize_crops(crops), strict=True))
        if upside_down(crops, list(readings.values()), recognize_crops):
            return Page(page.width, page.height, (), turned=True, upright=180)

    def read(regions: Sequence[Quad]) -> list[Reading]:
        return _read(pixels, regions)

    found = dict(known(quads, read)) if known is not None else {}
    given = set(found)  # told by ``known``, not recognized here
    rest = [i for i in range(len(quads)) if i not in given]
    unread = [i for i in rest if i not in readings]
    readings |= dict(zip(unread, read([quads[i] for i in unread]), strict=True))
    for i in rest:
        r = readings[i]
        found[i] = Box(r.text, r.score, quads[i], r.glyphs)
    level = {i: _quad(q) for i, q in enumerate(levelled(quads)) if i in rest and q != quads[i]}
    for (i, q), r in zip(level.items(), read(list(level.values())), strict=True):
        if r.score >= LEVEL_SURE:  # (else the cell is read as it is, if nothing is kept)
            found[i] = Box(r.text, r.score, q, r.glyphs)
    cut = {rest[k]: crop for k, crop in cut_heads(pixels, [quads[i] for i in rest]).items()}
    for i, r in zip(cut, recognize_crops(list(cut.values())), strict=True):
        if r.score >= LEVEL_SURE and regained(found[i].text, r.text):
            found[i] = Box(r.text, r.score, found[i].quad, r.glyphs)
    kept = [(i, found[i]) for i in range(len(quads))
            if found[i].text and found[i].score >= TEXT_SCORE]  # fmt: skip
    assumed = frozenset(k for k, (i, _) in enumerate(kept) if i in given)
    return Page(page.width, page.height, tuple(b for _, b in kept), assumed=assumed)


def read_assumed(image: Image.Image, page: Page) -> Page:
    """``page`` with the boxes ``known`` gave recognized as they are (the ones that read as
    nothing dropped): for a page read in full, the template's guesses are no reading."""
    import numpy as np

    if not page.assumed:
        return page
    order = sorted(page.assumed)
    texts = _read(np.asarray(fit(image)), [page.boxes[i].quad for i in order])
    boxes = list(page.boxes)
    for i, r in zip(order, texts, strict=True):
        boxes[i] = Box(r.text, r.score, boxes[i].quad, r.glyphs)
    kept = tuple(b for b in boxes if b.text and b.score >= TEXT_SCORE)
    return Page(page.width, page.height, kept, page.turned, page.upright)


def _read(pixels: Any, quads: Sequence[Quad], *, all_short: bool = False) -> list[Reading]:
    """Recognize the regions ``quads`` of ``pixels``."""
    return recognize_crops(_crops(pixels, quads), all_short=all_short) if quads else []


def _crops(pixels: Any, quads: Sequence[Quad]) -> list[Any]:
    """The line images of ``quads``, each warped level (a tall one turned a quarter
    counter-clockwise, as RapidOCR does)."""
    import numpy as np

    return list(engine().get_crop_img_list(pixels, [np.array(q, dtype=np.float32) for q in quads]))


def recognize_crops(crops: list[Any], *, all_short: bool = False) -> list[Reading]:
    """(text, score) of each line crop; short crops padded wider (see :data:`SHORT`).

    Batches are built here rather than by RapidOCR so that the padding width is
    a parameter, not shared state: threads (``batchocr serve``) may call this at once.
    """
    crops = [dots_joined(c) for c in crops]
    out = [Reading("", 0.0)] * len(crops)
    short = [i for i, c in enumerate(crops) if all_short or c.shape[1] < SHORT * c.shape[0]]
    chosen = set(short)
    long = [i for i in range(len(crops)) if i not in chosen]
    for group, width in ((short, SHORT_WIDTH), (long, REC_MIN_WIDTH)):
        for i, result in zip(group, _recognize(crops, group, width), strict=True):
            out[i] = result
    return out


def _recognize(crops: list[Any], which: list[int], width: int) -> list[Reading]:
    import numpy as np

    rec = engine().text_rec
    ratio = {i: crops[i].shape[1] / crops[i].shape[0] for i in which}
    order = sorted(which, key=ratio.__getitem__)  # similar widths batch with little padding
    found: dict[int, Reading] = {}
    for start in range(0, len(order), REC_BATCH):
        batch = order[start : start + REC_BATCH]
        wide = max([width / 48, *(ratio[i] for i in batch)])
        pixels = np.stack([rec.resize_norm_img(crops[i], wide) for i in batch]).astype(np.float32)
        preds = rec.session(pixels)[0]
        decoded = rec.postprocess_op(preds)
        for k, (i, (text, score, *_)) in enumerate(zip(batch, decoded, strict=True)):
            word = known_word(preds[k], str(text), rec.postprocess_op.character)
            found[i] = Reading(word, float(score), _glyphs(preds[k], len(word)))
    return [found[i] for i in which]


def _glyphs(pred: Any, n: int) -> tuple[float, ...]:
    """Each decoded character's probability: the best class's at each time step where the
    best class changes and is no blank (index 0), as RapidOCR's CTC decoder keeps them
    (empty if its count is not ``n``)."""
    import numpy as np

    best = pred.argmax(axis=1)
    kept = np.ones(len(best), dtype=bool)
    kept[1:] = best[1:] != best[:-1]
    kept &= best != 0
    probs = pred.max(axis=1)[kept]
    return tuple(float(p) for p in probs) if len(probs) == n else ()


def detect(pixels: Any) -> list[Any]:
    """Text-line quads of an RGB array, found on a copy shrunk to :data:`DET_SIDE` if large."""
    import cv2

    eng = engine()
    h, w = pixels.shape[:2]
    scale = 1.0 if max(h, w) <= DET_KEEP else DET_SIDE / max(h, w)
    scale = min(scale, math.sqrt(DET_AREA / (h * w)))  # the pass's memory grows with its area
    small = (
        pixels
        if scale == 1.0
        else cv2.resize(pixels, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    )
    quads, _ = eng.text_det(small)
    if quads is None or len(quads) == 0:
        return []
    return [q / scale for q in eng.sorted_boxes(quads)]


def reread(image: Image.Image, page: Page, indices: Iterable[int], stretch: float = 2.0) -> Page:
    """``page`` with the boxes at ``indices`` recognized again, ``stretch`` times as wide
    (see :func:`_stretched`).

    ``image`` is the one :func:`read_page` was given; boxes that come back
    empty keep their first reading.
    """
    import numpy as np

    pixels = np.asarray(fit(image))
    boxes = list(page.boxes)
    for i in indices:
        b = boxes[i]
        crop = _crops(pixels, [b.quad])[0]
        r = _stretched(crop, Reading(b.text, b.score, b.glyphs), stretch)
        boxes[i] = replace(b, text=r.text, score=r.score, glyphs=r.glyphs)
    return Page(page.width, page.height, tuple(boxes))


PART_STARTS = 4  # gaps tried as the start of a part of a line (see read_part)


def read_part(image: Image.Image, quad: Quad, start: float, end: float) -> list[Reading]:
    """(text, score) of the part of a line's box ``quad`` from ``start`` to ``end`` (fractions
    of its length), recognized alone, from each of the gaps between words (a fifth of a
    line wide) nearest the start, up to four line heights before it: fractions told by
    characters' typical widths fall inside a glyph (a label's English is printed smaller
    than the value after it). The end moves to the first gap after it.
    """
    import numpy as np

    crop = _crops(np.asarray(fit(image)), [quad])[0]
    grey = crop.min(axis=2).astype(np.int16)
    ink = (grey < (int(grey.min()) + int(np.median(grey))) // 2).any(axis=0)
    h, w = grey.shape
    cuts = gaps(ink, h // 5)
    x0, x1 = int(start * w), int(end * w)
    near = sorted((g for g in cuts if x0 - 4 * h <= g <= x0 + h // 2), key=lambda g: abs(g - x0))
    b = min((g for g in cuts if g >= x1 - h // 2), default=w)
    starts = near[:PART_STARTS] or [x0]
    return recognize_crops([crop[:, a : max(b, a + 1)] for a in starts])


def read_quads(image: Image.Image, quads: Iterable[Quad]) -> list[Box]:
    """Recognize the given regions of ``image`` as they are, without detection.

    Detection misses a lone class letter (``F``, ``Y``) on a phone photo; the
    extractor knows where the table cell is, so the cell itself is read.
    Regions that read as nothing are left out.
    """
    import numpy as np

    quads = list(quads)
    crops = _crops(np.asarray(fit(image)), quads)
    # A cell holds a glyph or two; read whole and cut to its ink, the surer reading is kept
    # (cutting to the ink helps on a clean scan and is misled by a photo's specks).
    texts = [max(pair, key=lambda r: r.score) for pair in zip(
        recognize_crops(crops, all_short=True),
        recognize_crops([inked(c) for c in crops], all_short=True), strict=True)]
    return [
        Box(r.text, r.score, q, r.glyphs)
        for q, r in zip(quads, texts, strict=True)
        if r.text.strip() and r.score >= TEXT_SCORE
    ]


def _stretched(crop: Any, first: Reading, stretch: float) -> Reading:
    """The reading of ``crop`` stretched ``stretch`` times as wide, or ``first`` if that
    reads nothing."""
    import cv2

    wide = cv2.resize(crop, None, fx=stretch, fy=1.0, interpolation=cv2.INTER_CUBIC)
    (again,) = recognize_crops([wide])
    return again if again.text else first


def _quad(points: Any) -> Quad:
    p = [(float(x), float(y)) for x, y in points]
    return (p[0], p[1], p[2], p[3])
