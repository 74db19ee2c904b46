"""What a page's and a line's pixels are before the recognizer reads them (pure, numpy and
OpenCV): a photo's specks removed, a dot-matrix head's gaps filled, a cell cut to its ink,
the gaps a line can be cut at."""

from __future__ import annotations

from typing import Any

__all__ = ["DOTTED_HEIGHT", "despeckled", "dots_joined", "gaps", "inked"]

SPECK = 40  # grey levels by which a pixel is darker (or lighter) than all eight around it
# The share of a page's pixels that are such specks from which the page is cleaned. Measured
# on the tuning families (seeds 1600000-2, 45 pages a noise level): phone photos 1.6-4.3 per
# thousand; scans and renders at most 0.8 (a dot-matrix print's dots), mostly under 0.1.
SPECKLED = 0.0012


def despeckled(pixels: Any) -> Any:
    """An RGB page with its isolated specks replaced by their 3 x 3 median, when it has many.

    A phone photo's sensor and a dusty glass leave single pixels far darker or lighter than
    everything around them; at a photo's 10-px print they cut strokes and join glyphs, and
    the detector and recognizer read them as marks (without its specks the same photos read
    10 % more fields). A pixel of a stroke has a neighbour along the stroke as dark as it is,
    so only specks are touched; a page with few of them (a scan, a dot-matrix print's dots)
    is returned as it is.

    >>> import numpy as np
    >>> page = np.full((50, 50, 3), 220, np.uint8)
    >>> page[10, 10] = 30  # a speck
    >>> page[30, 5:45] = 20  # a stroke one pixel thick
    >>> despeckled(page) is page  # one speck in 2500 pixels: not a speckled page
    True
    >>> page[40, 0:50:4] = 120  # more specks
    >>> out = despeckled(page)
    >>> int(out[10, 10, 0]), int(out[40, 8, 0]), int(out[30, 20, 0])
    (220, 220, 20)
    """
    import cv2
    import numpy as np

    grey = pixels.min(axis=2)
    around = np.ones((3, 3), np.uint8)
    around[1, 1] = 0
    darkest, lightest = cv2.erode(grey, around), cv2.dilate(grey, around)
    g = grey.astype(np.int16)
    specks = (g < darkest.astype(np.int16) - SPECK) | (g > lightest.astype(np.int16) + SPECK)
    if specks.mean() < SPECKLED:
        return pixels
    out = pixels.copy()
    out[specks] = cv2.medianBlur(pixels, 3)[specks]
    return out

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
