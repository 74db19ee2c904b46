"""Lines whose first glyph a form's rule cuts (pure, numpy).

A data pass printed off its form puts a value's first glyph on the cell's left rule:
``3120.00`` printed across it is detected and read from the rule on, ``120.00``, a value
still, and wrong. Such a line is told by its rule (a column dark across the line and above
or below it: a cell may end at the line) with ink just left of it at the line's rows only
(a glyph's, not the rule's own soft edge, which runs on above or below); the line is cut
again from a line height before the rule, the rule painted over from around it, for the
recognizer to read whole.

>>> import numpy as np
>>> page = np.full((60, 120, 3), 250, np.uint8)
>>> page[:, 40:42] = 30  # a cell's rule
>>> page[20:40, 34:40:3] = 30  # a glyph's strokes left of it
>>> page[20:40, 43:100:4] = 30  # and right of it, the rest of the line
>>> quad = ((42, 20), (100, 20), (100, 40), (42, 40))
>>> [c.shape for c in cut_heads(page, [quad]).values()]
[(21, 81, 3)]
>>> page[20:40, 34:40] = 250  # nothing left of the rule: the line starts there
>>> cut_heads(page, [quad])
{}
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["cut_heads", "regained"]

RULE = 0.9  # share of a column's rows, across the line and above or below it, dark for a rule
CONTRAST = 50  # grey levels below the line's paper from which a pixel is dark
ABOUT = 0.3  # line heights above and below the line a rule runs on
SEARCH = (0.6, 0.25)  # line heights before and after the line's start a rule is looked for
#   (further in, the line was boxed across the rule: 东航 read whole, the station left of it
#   a neighbour's, not a glyph of its own)
NEAR, NEAR_SHARE = 4, 0.3  # px (or line heights, if more) left of the rule a cut glyph inks
INKED = 0.25  # share of a column there inked at the line's rows, less above and below it
REACH = 1.0  # line heights before the rule the line is cut again from
WIDEST = 12  # px: a rule is no wider
INPAINT = 3  # px around the rule its paint is taken from

Corners = Sequence[tuple[float, float]]


def cut_heads(pixels: Any, quads: Sequence[Corners]) -> dict[int, Any]:
    """The RGB crops, by index, of the level lines of ``quads`` whose first glyph a rule
    cuts: each from :data:`REACH` line heights before the rule to the line's end, the rule
    painted over."""
    import cv2

    grey = np.minimum(np.minimum(pixels[..., 0], pixels[..., 1]), pixels[..., 2])
    out = {}
    for i, quad in enumerate(quads):
        found = _cut_at(grey, quad)
        if found is None:
            continue
        x1, y0, y1, a, b = found
        start = max(0, round(a - REACH * (y1 - y0)))
        crop = np.ascontiguousarray(pixels[y0 : y1 + 1, start : x1 + 1])
        rule = np.zeros(crop.shape[:2], np.uint8)
        rule[:, max(0, a - 1 - start) : b + 2 - start] = 255
        # (painted over from around it: a stroke that crosses the rule goes on across it)
        out[i] = cv2.inpaint(crop, rule, INPAINT, cv2.INPAINT_TELEA)
    return out


def _cut_at(grey: Any, quad: Corners) -> tuple[int, int, int, int, int] | None:
    """The line's right end, top and bottom, and its cutting rule's first and last columns,
    if a rule cuts it."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    x0, x1, y0, y1 = round(min(xs)), round(max(xs)), round(min(ys)), round(max(ys))
    h = y1 - y0
    height, width = grey.shape
    # (a level line only: a tilted page's rules cross the rows above and below aslant)
    if h < 8 or x1 - x0 < h or abs(quad[1][1] - quad[0][1]) > 0.1 * h:
        return None
    top, bottom = max(0, y0 - round(ABOUT * h)), min(height, y1 + 1 + round(ABOUT * h))
    near = max(NEAR, round(NEAR_SHARE * h))
    left = max(0, x0 - round(SEARCH[0] * h) - near)  # the window: the strip before a rule
    if y0 - top < 2 or bottom - y1 < 3:
        return None
    right = min(width, x0 + round(SEARCH[1] * h) + WIDEST)
    paper = np.percentile(grey[y0 : y1 + 1, x0 : min(x1, x0 + 4 * h) + 1], 90)  # (its head's)
    dark = grey[top:bottom, left:right] < paper - CONTRAST
    on = np.zeros(bottom - top, dtype=bool)
    on[y0 - top : y1 + 1 - top] = True
    above, below = np.arange(bottom - top) < y0 - top, ~on & (np.arange(bottom - top) > y1 - top)
    # dark across the line and above or below it (a cell may end at the line)
    ruled = (dark[on].mean(axis=0) >= RULE) & (
        np.maximum(dark[above].mean(axis=0), dark[below].mean(axis=0)) >= RULE)
    found = np.flatnonzero(ruled[near : right - left - WIDEST])  # (a strip's width before it)
    if len(found) == 0:
        return None
    a = b = near + int(found[0])
    while b + 1 < len(ruled) and ruled[b + 1]:
        b += 1
    strip = dark[:, a - near : a]
    across = strip.mean(axis=1) >= RULE  # a horizontal rule's rows: no glyph's
    line = np.zeros(bottom - top, dtype=bool)
    line[y0 - top + round(0.15 * h) : y1 + 1 - top - round(0.15 * h)] = True
    if not (line & ~across).any():  # (the line's rows a horizontal rule's: nothing to see)
        return None
    # (a rule's soft edge is as dark above or below the line, on the side the rule goes on)
    outside = np.max([strip[side & ~across].mean(axis=0) if (side & ~across).any()
                      else np.zeros(near) for side in (above, below)], axis=0)  # fmt: skip
    inside = strip[line & ~across].mean(axis=0)
    return (x1, y0, y1, left + a, left + b) if (inside - outside).max() >= INKED else None


def regained(read: str, again: str) -> bool:
    """Whether ``again`` is ``read`` with one or two glyphs before it, a letter or digit
    among them: what the rule hid, nothing read otherwise (a reading that differs anywhere
    else is no surer; a bracket, a bar or a stroke, ``一``, is the rule's or half a glyph; a
    sign alone before ``CNY`` is none). Not a 1 before a whole amount: a dot-matrix ``¥``
    cut by the rule reads as a 1 as surely as a 1 does (``¥1530.00`` read ``11530.00`` at
    0.99), and the amount read was whole.

    >>> regained("120.00", "3120.00"), regained("00.00", "100.00"), regained("490.00", "¥5490.00")
    (True, True, True)
    >>> regained("120.00", "3126.00"), regained("/签转", "（/签转"), regained("填开", "一填开")
    (False, False, False)
    >>> regained("50.00", "150.00"), regained("FEB24", "1FEB24"), regained("CNY 5.00", "¥CNY 5.00")
    (False, True, False)
    """
    read, again = read.strip(), again.strip()
    head = again[: len(again) - len(read)]
    if head == "1" and _WHOLE_AMOUNT.fullmatch(read):
        return False
    return (0 < len(head) <= 2 and again.endswith(read) and any(c.isalnum() for c in head)
            and all((c.isalnum() or c in "¥￥") and c not in _STROKES for c in head))


_WHOLE_AMOUNT = re.compile(r"(0|[1-9]\d*)\.\d\d")
_STROKES = frozenset("一丨丿乙")  # a rule's or a stroke's remains read as a glyph
