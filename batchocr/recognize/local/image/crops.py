"""What a page's and a line's pixels are before the recognizer reads them (pure, numpy and
OpenCV): a photo's specks removed, a dot-matrix head's gaps filled, a cell cut to its ink,
the gaps a line can be cut at, a lone glyph's box set level with the page's lines."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

__all__ = ["DOTTED_HEIGHT", "despeckled", "dots_joined", "gaps", "inked", "levelled"]

SPECK = 40  # grey levels by which a speck is darker (or lighter) than all around it
ALONE = 3  # px: how far around a pixel nothing is nearly as dark for a page to count it
# The share of a page's pixels alone within ALONE from which the page is speckled. Measured on
# the tuning families (seeds 1600000-2, 45 pages a noise level): phone photos 1.0-3.1 per
# thousand; scans and renders at most 0.09 (a dot-matrix print's stray dots). (Counted among
# the eight neighbours only, a dot-matrix scan's dots made up to 0.8 per thousand on tuning
# pages, and more on a held-out face's: its clean receipts were cleaned of their dots.) On 660
# tuning and probe pages since (seeds 12900000-5, 1600000-3, 12300000-3) photos held 2.9-4.6
# per thousand, scans and renders up to 0.31: a clean 24-pin page at 0.31, read as a photo
# at the bound of 0.3 once used, lost its dots' strokes (HU5260 read IR5260). The bound sits
# half-way (on a log scale) between that print and the least speckled photo of either count.
SPECKLED = 0.0006


def despeckled(pixels: Any) -> Any:
    """An RGB page with its specks replaced by their 3 x 3 median, when it is speckled.

    A phone photo's sensor and a dusty glass leave single pixels far darker or lighter than
    everything around them; at a photo's 10-px print they cut strokes and join glyphs, and
    the detector and recognizer read them as marks (without its specks the same photos read
    10 % more fields). Whether a page is speckled is told by the pixels that stand alone
    within :data:`ALONE` (a printer's dots have others a few pixels off, a speck has not);
    on a speckled page every pixel off all eight around it goes, the specks beside a stroke
    too, and a stroke's pixels stay (each has a neighbour along the stroke as dark). A page
    that is not speckled (a scan, a dot-matrix print) is returned as it is.

    >>> import numpy as np
    >>> page = np.full((100, 100, 3), 220, np.uint8)
    >>> page[30, 5:45] = 20  # a stroke one pixel thick
    >>> page[50:80:3, 50:80:3] = 40  # a dot-matrix glyph's dots, two pixels apart
    >>> despeckled(page) is page  # not a speckled page
    True
    >>> page[90, 0:100:5] = 120  # specks
    >>> page[32, 10] = 120  # one beside the stroke
    >>> out = despeckled(page)
    >>> int(out[90, 10, 0]), int(out[32, 10, 0]), int(out[30, 20, 0])
    (220, 220, 20)
    """
    import cv2
    import numpy as np

    # (each pixel's darkest channel: 7 ms on a 2000-px page, where pixels.min(axis=2) took 86)
    grey = np.minimum(np.minimum(pixels[..., 0], pixels[..., 1]), pixels[..., 2])
    if _alone(grey, ALONE).mean() < SPECKLED:
        return pixels
    specks = _alone(grey, 1)
    out = pixels.copy()
    out[specks] = cv2.medianBlur(pixels, 3)[specks]
    return out


def _alone(grey: Any, reach: int) -> Any:
    """Where a pixel is :data:`SPECK` darker or lighter than every other within ``reach``."""
    import cv2
    import numpy as np

    around = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
    around[reach, reach] = 0
    g = grey.astype(np.int16)
    darkest = cv2.erode(grey, around).astype(np.int16)
    lightest = cv2.dilate(grey, around).astype(np.int16)
    return (g < darkest - SPECK) | (g > lightest + SPECK)


DOTTED_HEIGHT = 30  # px: a line this tall has its one-pixel gaps filled (see dots_joined)
# (a phone photo's lines are 11-25 px tall, a 2000-px scan's values 35-46 px: measured on the
# tuning families; at 20 px the photos' lines were filled too and lost 92 fields of 1495)


def dots_joined(crop: Any) -> Any:
    """A line of print at least :data:`DOTTED_HEIGHT` tall with its one-pixel gaps filled.

    A dot-matrix head prints a glyph as dots a pixel or so apart, and the recognizer, which
    learned on solid print, reads them as other glyphs (``MP5215`` for MF5215, a first
    character lost) and is as sure of it. At that height no stroke of solid print is a pixel
    from the next, so the light gaps one pixel wide (a 2 x 2 opening) are the head's: filled
    on every such line, solid or not, rather than on lines that look dotted (no measure of
    the texture told a dotted line from a solid one on a scan). A smaller line keeps its
    gaps: on a phone photo one pixel can part two strokes.
    """
    import cv2
    import numpy as np

    if crop.shape[0] < DOTTED_HEIGHT:
        return crop
    return cv2.morphologyEx(crop, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


INK_BELOW = 60  # grey levels under the crop's paper (its median) from which a pixel is ink
RULE = 0.5  # a row or column of a crop this much ink is a ruled line, not a glyph


def inked(crop: Any) -> Any:
    """A cell's crop cut to the ink in it, half a glyph of paper around: a whole cell is
    mostly paper and rules, and the recognizer doubts a lone letter in it (a clear ``Y``
    read at 0.22, under :data:`.ocr.TEXT_SCORE`). The crop as it is when it holds no ink.

    >>> import numpy as np
    >>> cell = np.full((40, 200, 3), 250, np.uint8)
    >>> cell[0, :] = cell[-1, :] = 30  # the cell's rules
    >>> cell[12:30, 20:34] = 20  # a glyph
    >>> inked(cell).shape
    (36, 32, 3)
    """
    import numpy as np

    gray = crop.mean(axis=2) if crop.ndim == 3 else crop
    ink = gray < np.median(gray) - INK_BELOW
    ink[ink.mean(axis=1) > RULE, :] = False
    ink[:, ink.mean(axis=0) > RULE] = False
    rows, cols = np.flatnonzero(ink.sum(axis=1) >= 2), np.flatnonzero(ink.sum(axis=0) >= 2)
    if not len(rows) or not len(cols):
        return crop
    pad = max(2, (rows[-1] - rows[0] + 1) // 2)
    top, bottom = max(0, rows[0] - pad), min(crop.shape[0], rows[-1] + 1 + pad)
    left, right = max(0, cols[0] - pad), min(crop.shape[1], cols[-1] + 1 + pad)
    return crop[top:bottom, left:right]


def gaps(ink: Any, wide: int) -> list[int]:
    """The middles of the runs of inkless columns of ``ink`` at least ``wide`` long.

    >>> import numpy as np
    >>> gaps(np.array([1, 1, 0, 0, 0, 1, 0, 1], bool), 2)
    [3]
    """
    out, run = [], None
    for x, filled in enumerate([*ink, True]):
        if not filled and run is None:
            run = x
        elif filled and run is not None:
            if x - run >= wide:
                out.append((run + x) // 2)
            run = None
    return out


Corners = tuple[tuple[float, float], ...]  # a box's four corners, clockwise from top-left
ASKEW = math.radians(10)  # a lone glyph's box this far off the page's lines is set level


def levelled(quads: Sequence[Corners]) -> list[Corners]:
    """``quads`` with each short box (a glyph or two) that stands askew of the page's long
    lines (:data:`ASKEW`) replaced by the box at their angle around its corners.

    The detector fits the tightest box around each blob of ink, and around a lone letter
    with slanting strokes (``K``, a kai face's) that box is turned (30 degrees on a probe
    page): its crop reads ``人`` at 0.34, the level box ``K`` at 0.998.

    >>> line = ((0, 0), (300, 0), (300, 30), (0, 30))
    >>> turned = ((10, 50), (30, 38), (40, 58), (20, 70))
    >>> [tuple(round(v) for v in p) for p in levelled([line, line, turned])[2]]
    [(10, 38), (40, 38), (40, 70), (10, 70)]
    """
    def tilt(q: Corners) -> float:
        return math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0])

    def sides(q: Corners) -> tuple[float, float]:
        return math.dist(q[0], q[1]), math.dist(q[1], q[2])

    long_ = [tilt(q) for q in quads if sides(q)[0] >= 3 * sides(q)[1]]
    if not long_:
        return list(quads)
    page = statistics.median(long_)
    c, s = math.cos(page), math.sin(page)
    out = []
    for q in quads:
        w, h = sides(q)
        off = abs((tilt(q) - page + math.pi / 2) % math.pi - math.pi / 2)
        if max(w, h) >= 2 * min(w, h) or off < ASKEW:
            out.append(q)
            continue
        # its corners in the page's frame, their bounds, back on the page
        xs = [x * c + y * s for x, y in q]
        ys = [y * c - x * s for x, y in q]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        out.append(tuple((x * c - y * s, x * s + y * c)
                         for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))))
    return out
