"""A page printed in two inks, parted into one image per ink (pure, numpy).

Pre-printed forms carry their labels in one ink and the issuer's printer adds the values in
another, in a second pass that may land off the form's lines, over the labels. OCR reads a
value printed over a label as one garbled line. Where the two inks differ in colour (a blue
form filled in black, a green one in dark red) each ink is lifted onto a page of its own,
and each page reads cleanly. Inks are told apart by hue; black and grey, which have none, by
lightness: the black ink with its soft edges (they are grey too), and the grey that lies away
from any black, around the strokes of the grey's own lightness (a value's faded patches are
lighter than the form's ink, and stay with the value).

>>> import numpy as np
>>> page = np.full((40, 80, 3), 255, np.uint8)
>>> page[5:15, 5:30] = (30, 50, 150)  # a blue label
>>> page[20:30, 40:70] = (20, 20, 24)  # a black value
>>> [int((layer < 128).any(axis=2).sum()) for layer in separate(page) or []]
[250, 300]
>>> page[5:15, 5:30] = (105, 105, 105)  # the label in grey: black and grey, parted
>>> [int((layer < 200).any(axis=2).sum()) for layer in separate(page) or []]
[300, 250]
>>> separate(np.where(page == 105, 20, page).astype(np.uint8)) is None  # one ink
True

Two hues nearer than most inks' (a dark red pass over an ochre form, 40 degrees apart) part
when nothing lies between them:

>>> page = np.full((40, 80, 3), 255, np.uint8)
>>> page[5:15, 5:30] = (200, 145, 40)
>>> page[20:30, 40:70] = (130, 20, 25)
>>> [int((layer < 200).any(axis=2).sum()) for layer in separate(page) or []]
[300, 250]

A sparse pass of dots in a hue over a grey form (a few per cent of the ink) is an ink too:

>>> page = np.full((40, 80, 3), 255, np.uint8)
>>> page[5:35, 5:75] = (105, 105, 105)
>>> page[18:21, 10:60] = (40, 60, 200)
>>> [int((layer < 200).any(axis=2).sum()) for layer in separate(page) or []]
[150, 1950]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

__all__ = ["chroma", "chroma_hue", "separate"]

PAPER = 245  # luminance from which a pixel is paper (a glyph's softest edge is below)
INK = 200  # luminance below this is ink (the paper and a light scan's background are above)
HUED = 40  # chroma (opponent-colour units) from which an ink pixel has a hue
GREY = 20  # chroma below which it has none (black, grey)
BINS = 36  # hue histogram bins (10° each)
APART = 6  # two inks' hues are at least this many bins apart (60°)...
CLOSE = 4  # ...or this many (40°), with next to no ink between them:
VALLEY = 0.1  # a bin between holds at most this share of the second ink's pixels
SHARE = 0.1  # the lesser ink holds at least this share of the ink...
DOTTED_SHARE = 0.05  # ...or, with no black ink, a second hue this share (a dot-matrix pass
# over a ruled coloured form: 9.9 % of a tuning page's ink, 5.5 % scanned, its values unread)
REACH = 45.0  # a pixel within this many degrees of an ink's hue is that ink's
BLACK = 70  # luminance below this is black ink; grey ink (a form's labels) is lighter
EDGE = 2  # px: a black glyph's soft edge reaches this far
CORE = 40  # luminance either side of the form ink's commonest from which a grey pixel is its


def separate(pixels: Any) -> list[Any] | None:
    """Two RGB arrays, one per ink, each on white; None when the page has one ink (or two
    that only lightness tells apart).

    Only the pixels darker than the paper are measured (a page is mostly paper: this keeps
    the memory a page needs here to a few copies of its grey image).
    """
    flat = pixels.reshape(-1, 3)
    lum = np.asarray(Image.fromarray(pixels).convert("L")).ravel()  # ITU-R 601 luminance
    cand = np.flatnonzero(lum < PAPER)
    chroma, hue = chroma_hue(flat[cand])
    ink = lum[cand] < INK
    hued, grey = ink & (chroma >= HUED), ink & (chroma < GREY)
    total = int(hued.sum() + grey.sum())
    if total == 0:
        return None
    raw, _ = np.histogram(hue[hued], bins=BINS, range=(0, 360))
    # An ink's hue straddles two bins as often as not (a scan's blur mixes it with the
    # paper): each bin counts with its neighbours.
    hist = raw + np.roll(raw, 1) + np.roll(raw, -1)
    first = int(np.argmax(hist))
    far = [i for i in range(BINS) if _apart(i, first) >= APART]
    second = max(far, key=lambda i: hist[i])
    black = grey.sum() >= SHARE * total
    if hist[first] < SHARE * total:  # no hued ink worth the name: black over grey, maybe
        parted = _by_lightness(pixels, cand, lum[cand], grey)
        if parted is not None or not black or hist[first] < DOTTED_SHARE * total:
            return parted
        # ...or a pale dot-matrix pass in a hue over a grey form (a light scan's blue dots:
        # 8.6 % of a tuning page's ink, its ticket's fields unread on the whole page)
        return _layers(pixels, cand, [_near(hue, chroma, first), grey], ink, DOTTED_SHARE * total)
    # (no black ink: a sparse second hue is the values)
    least = SHARE if black or hist[second] >= SHARE * total else DOTTED_SHARE
    masks = [_near(hue, chroma, first)]
    if hist[second] >= least * total:
        masks.append(_near(hue, chroma, second))
    elif black:
        masks.append(grey)
    elif (beside := _beside(raw, hist, first)) is not None and hist[beside] >= least * total:
        reach = _apart(first, beside) * 180 / BINS  # each ink up to half-way to the other
        masks = [_near(hue, chroma, first, reach), _near(hue, chroma, beside, reach)]
    else:
        return _by_lightness(pixels, cand, lum[cand], grey)
    return _layers(pixels, cand, masks, ink, least * total)


def _apart(a: int, b: int) -> int:
    """How many hue bins lie between bins ``a`` and ``b``, the short way round."""
    return min(abs(a - b), BINS - abs(a - b))


def _beside(raw: Any, hist: Any, first: int) -> int | None:
    """The hue bin of a second ink nearer ``first``'s than :data:`APART` (a dark red over an
    ochre form, 40 degrees apart), when next to no ink lies between the two: one ink's hues
    spread evenly round its own, a scan's blur never leaves a gap in them."""
    best = None
    for i in range(BINS):
        gap = _apart(i, first)
        if not CLOSE <= gap < APART or (best is not None and hist[i] <= hist[best]):
            continue
        step = 1 if (i - first) % BINS == gap else -1
        between = [raw[(first + step * k) % BINS] for k in range(1, gap)]
        if min(between) <= VALLEY * hist[i]:
            best = i
    return best


def _layers(pixels: Any, cand: Any, masks: list[Any], ink: Any, least: float) -> list[Any] | None:
    """One layer per mask of the candidate pixels ``cand``; None unless each mask holds at
    least ``least`` of the ink pixels (``ink``)."""
    if min(int((m & ink).sum()) for m in masks) < least:
        return None
    return [_layer(pixels, cand[m]) for m in masks]


def chroma_hue(rgb: Any) -> tuple[Any, Any]:
    """Chroma and hue (degrees) of RGB pixels (any shape ending in 3), in opponent colours:
    red-green and yellow-blue.

    >>> c, h = chroma_hue(np.array([[200, 145, 40], [20, 20, 24]], np.uint8))
    >>> [round(float(v)) for v in c], round(float(h[0]))
    ([143, 4], 67)
    """
    a, yb = _opponent(rgb)
    return np.hypot(a, yb), np.degrees(np.arctan2(yb, a)) % 360


def chroma(rgb: Any) -> Any:
    """The chroma of :func:`chroma_hue` alone (a whole page's hue costs an arctan2 a pixel)."""
    return np.hypot(*_opponent(rgb))


def _opponent(rgb: Any) -> tuple[Any, Any]:
    """The red-green and yellow-blue opponent axes of RGB pixels."""
    rgb = rgb.astype(np.float32)
    return rgb[..., 0] - rgb[..., 1], (rgb[..., 0] + rgb[..., 1]) / 2 - rgb[..., 2]


def _by_lightness(pixels: Any, cand: Any, lum: Any, grey: Any) -> list[Any] | None:
    """Black over grey: the grey away from any black that is the form's ink or its soft
    edge, and the rest (the black ink, its soft edges, and the black's faded patches,
    lighter than the form); None unless each holds a share of the ink."""
    dark = grey & (lum < BLACK)
    near = _near_pixels(pixels, cand, dark)
    light = grey & (lum >= BLACK) & ~near
    if not light.any():
        return None
    counts = np.bincount(lum[light], minlength=256)
    ink = int(np.argmax(counts))  # the form's ink: its strokes' cores are its commonest grey
    core = light & (np.abs(lum.astype(np.int16) - ink) <= CORE)
    form = light & _near_pixels(pixels, cand, core)
    data = grey & ~form
    if min(int(form.sum()), int(dark.sum())) < SHARE * int(grey.sum()):
        return None
    return [_layer(pixels, cand[m]) for m in (data, form)]


def _near_pixels(pixels: Any, cand: Any, mask: Any) -> Any:
    """Which of the candidate pixels ``cand`` lie within :data:`EDGE` of one in ``mask``."""
    marked = np.zeros(pixels.shape[0] * pixels.shape[1], dtype=bool)
    marked[cand[mask]] = True
    return _grown(marked.reshape(pixels.shape[:2]), EDGE).ravel()[cand]


def _layer(pixels: Any, where: Any) -> Any:
    """White, with the pixels at the flat indices ``where`` as they are on the page."""
    out = np.full_like(pixels, 255)
    out.reshape(-1, 3)[where] = pixels.reshape(-1, 3)[where]
    return out


def _grown(mask: Any, reach: int) -> Any:
    """``mask`` grown by ``reach`` pixels every way (a square neighbourhood)."""
    out = mask.copy()
    h, w = mask.shape
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] |= mask[
                max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
            ]
    return out


def _near(hue: Any, chroma: Any, peak: int, reach: float = REACH) -> Any:
    """The pixels with a hue near the ink whose hue bin is ``peak`` (its soft edges too)."""
    centre = (peak + 0.5) * 360 / BINS
    gap = np.abs((hue - centre + 180) % 360 - 180)
    return (chroma >= GREY / 2) & (gap <= reach)
