"""A stamp lifted off a page (numpy and OpenCV), and the lines it met read again: a company's
seal, a 已报销 mark.

Itineraries and invoices are stamped: the issuer's red seal on a paper itinerary, a finance
team's "received" mark on either. A stamp is printed in an ink of its own, semi-transparent,
over fields, and the recognizer reads a value under it as garble (``2025年世解``). The ink of
a stamp is told by its shape, not its colour (a seal is red, a mark violet or blue, and a
form or its values may be any of those): one connected run of coloured ink several lines
tall and wide yet far smaller than the page (a form's ruled grid spans the page; a title's
glyph is a line tall), neither in the hue of the form's labels nor one of several such runs
in one hue (a photo's noise breaks a coloured form's grid into such runs). Within its
bounds, the pixels of its hue and about its lightness go white; the darker ones, where it
lies over a value's ink, stay, and so the value reads. The lines it met are detected and
read again across its height (:func:`unstamped`).

>>> import numpy as np
>>> page = np.full((600, 1000, 3), 255, np.uint8)
>>> page[100:102, 100:300] = page[250:252, 100:300] = (190, 175, 225)  # a violet frame
>>> page[100:252, 100:102] = page[100:252, 298:300] = (190, 175, 225)
>>> page[170:180, 150:250] = (20, 20, 24)  # a black value under it
>>> clean, found = lift(page, line=30.0)
>>> found, int((clean[100:252, 100:300] < 128).all(axis=2).sum()), int(clean[101, 150, 0])
([(100, 100, 300, 252)], 1000, 255)
>>> lift(page[:, :, :1].repeat(3, axis=2), line=30.0) is None  # no colour: no stamp
True
>>> grid = page.copy()  # three such runs in one hue: a coloured form's rules, broken up
>>> grid[300:302, 400:600] = grid[300:452, 400:402] = grid[300:302, 700:900] = (190, 175, 225)
>>> grid[300:452, 700:702] = (190, 175, 225)
>>> lift(grid, line=30.0) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from PIL import Image

from ....documents.positioned import KNOWN_LABELS
from ..vocabulary.labels import label_text
from . import ocr
from .inks import chroma, chroma_hue

__all__ = ["Rect", "lift", "meet", "unstamped"]

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 in px

HUED = 40  # chroma from which a pixel has a hue (as in .inks)
PAPER = 245  # luminance from which a pixel is paper
TALL = 2.0  # lines: a stamp is at least this tall and wide
SMALL = 0.3  # of the page's width: and at most this wide or tall
HUE_REACH = 40.0  # degrees either side of a stamp's hue that are its ink
LABEL_INK = 50  # coloured pixels in the labels from which they have a hue
FORM_REACH = 20.0  # degrees from the labels' hue within which a run is a piece of the form
PIECES = 3  # runs of one hue from which they are pieces of a form (a page has a stamp or two)
DARKER = 40  # luminance below a stamp's own from which a pixel is ink under it
PAD = 4  # px around a stamp's bounds that its soft edge may reach


def unstamped(picture: Image.Image, page: ocr.Page) -> tuple[Image.Image, ocr.Page]:
    """The page with its stamps lifted off (:func:`lift`), and its lines, those that met a
    stamp detected and recognized afresh across the stamp's height; ``page`` itself when it
    has no stamp."""
    heights = sorted(_height(b.quad) for b in page.boxes)
    if not heights:
        return picture, page
    line = heights[len(heights) // 2]
    pixels = np.asarray(picture)
    labels = [_bounds(b.quad) for b in page.boxes if label_text(b.text.strip()) in KNOWN_LABELS]
    lifted = lift(pixels, line, labels)
    if lifted is None:
        return picture, page
    pixels, rects = lifted
    clean = Image.fromarray(pixels)
    boxes = [b for b in page.boxes if not any(meet(_bounds(b.quad), r) for r in rects)]
    for r in rects:
        top = max(0, int(r[1] - line))
        band = clean.crop((0, top, clean.width, min(clean.height, int(r[3] + line))))
        for b in ocr.read_page(band).boxes:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3) = b.quad
            quad = ((x0, y0 + top), (x1, y1 + top), (x2, y2 + top), (x3, y3 + top))
            if meet(_bounds(quad), r):
                boxes.append(replace(b, quad=quad))
    return clean, ocr.Page(page.width, page.height, tuple(boxes))


def _bounds(quad: ocr.Quad) -> Rect:
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    return int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1


def _height(quad: ocr.Quad) -> float:
    ys = [y for _, y in quad]
    return max(ys) - min(ys)


def lift(pixels: Any, line: float, labels: Sequence[Rect] = ()) -> tuple[Any, list[Rect]] | None:
    """``pixels`` (RGB) with its stamps lifted off, and their bounds; None when it has none.
    ``line`` is the page's line height in px (its OCR boxes' median), ``labels`` the bounds
    of the form's labels read on it (their ink's hue is the form's)."""
    import cv2

    lum = pixels.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    hued = ((chroma(pixels) >= HUED) & (lum < PAPER)).astype(np.uint8)
    if not hued.any():
        return None
    count, runs, stats, _ = cv2.connectedComponentsWithStats(hued, connectivity=8)
    limit = SMALL * max(pixels.shape[:2])
    found: list[tuple[int, Rect]] = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if TALL * line < min(w, h) and max(w, h) < limit:
            found.append((i, (x, y, x + w, y + h)))
    found = [(i, r) for i, r in found if not any(_inside(r, o) for _, o in found if o != r)]
    if not found:
        return None
    form = _hue_of(pixels, [lb for lb in labels if not any(meet(lb, r) for _, r in found)])
    # (hues only where a stamp may be: a whole page's cost an arctan2 a pixel)
    owns = {i: runs[y0:y1, x0:x1] == i for i, (x0, y0, x1, y1) in found}
    centres = {i: float(np.median(chroma_hue(pixels[y0:y1, x0:x1][owns[i]])[1]))
               for i, (x0, y0, x1, y1) in found}  # fmt: skip
    clean, lifted = pixels.copy(), []
    for i, (x0, y0, x1, y1) in found:
        centre = centres[i]
        shade = float(np.median(lum[y0:y1, x0:x1][owns[i]]))
        alike = sum(_apart(centre, c) <= FORM_REACH for c in centres.values())
        if (form is not None and _apart(centre, form) <= FORM_REACH) or alike >= PIECES:
            continue  # pieces of a coloured form's ruled grid that a photo's noise broke up
        lifted.append((x0, y0, x1, y1))
        y0, x0 = max(0, y0 - PAD), max(0, x0 - PAD)
        window = (slice(y0, y1 + PAD), slice(x0, x1 + PAD))
        near, hue = chroma_hue(pixels[window])
        gap = np.abs((hue - centre + 180) % 360 - 180)
        ink = (near >= HUED / 4) & (gap <= HUE_REACH) & (lum[window] >= shade - DARKER)
        clean[window][ink] = 255
    return (clean, lifted) if lifted else None


def _hue_of(pixels: Any, rects: Sequence[Rect]) -> float | None:
    """The hue (degrees) of the coloured ink within ``rects`` (a form's labels), None when
    there is little (a black or grey form).

    >>> page = np.full((40, 80, 3), 255, np.uint8); page[5:15, 5:30] = (200, 145, 40)
    >>> round(_hue_of(page, [(0, 0, 40, 20)])), _hue_of(page, [(40, 20, 80, 40)])
    (67, None)
    """
    hues = []
    for x0, y0, x1, y1 in rects:
        chroma, hue = chroma_hue(pixels[max(0, y0) : y1, max(0, x0) : x1].reshape(-1, 3))
        hues.append(hue[chroma >= HUED])
    found = np.concatenate(hues) if hues else np.zeros(0)
    if found.size < LABEL_INK:
        return None
    return float(np.degrees(np.angle(np.exp(1j * np.radians(found)).mean())) % 360)


def _apart(a: float, b: float) -> float:
    """Degrees between two hues."""
    return abs((a - b + 180) % 360 - 180)


def _inside(a: Rect, b: Rect) -> bool:
    """Whether ``a`` lies within ``b`` (a seal's inner ring, a mark's inner frame)."""
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


def meet(a: Rect, b: Rect) -> bool:
    """Whether two bounds overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
