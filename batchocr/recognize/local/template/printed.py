"""The form's own printed boxes, found by geometry so that they need not be read.

Recognition is most of a page's cost, and most of the paper form's lines are
the form's labels, headers and row markers, printed in the same place on every
page. :func:`known` finds them without recognizing them:

1. the widest boxes at the top of the page are read; the one that reads as a
   layout's title names the layout and gives a first map onto its canonical
   drawing (scale from the title's width, rotation from the page's skew);
2. the map is refined on geometry alone: each detected box is paired with the
   layout's printed box nearest its mapped centre when the two are alike in
   size, and an affine map is fitted to the pairs, twice, with tighter
   tolerances (this absorbs the keystone of a phone photo as registration does);
3. a box that then coincides with a printed box, in place and in size, takes
   that box's text (score 1.0) without being recognized.

A page whose title does not read, or with too few pairs to trust the map, is
left to be read in full: skipping is an optimization, never a guess. A value
printed where a label is expected would have to match the label's size too.
The printed boxes are measured by ``bench/layout_printed.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Container, Sequence
from dataclasses import dataclass

from ..image.geometry import Affine, Pair, Rect, center, skew, to_rect, width
from ..image.ocr import Box, Point, Quad, Read
from ..validate.repair import squeeze
from . import printed_boxes
from .layout import EINVOICE, EINVOICE_LINES, PAPER, Layout
from .register import likeness

TITLE_BAND = 0.2  # the title is in the top fifth of the text's height...
TITLE_TRIES = 3  # ...and among its widest boxes
TITLE_PART = 0.4  # the left part of a candidate that is read (see _title_map)
MIN_PAIRS = 6  # geometric pairs needed to trust the refined map
STEPS = (60.0, 25.0, 12.0)  # pairing tolerances of the refinement, canonical px
AT_X, AT_Y = 12.0, 8.0  # a box is (part of) a printed box within this margin and this near its line
TALL = (0.45, 1.8)  # ...and as tall as it, within these ratios
SIZE_W, SIZE_H = 0.4, 0.7  # a printed box and the box paired with it differ at most this much
LABEL_PX = 24.0  # labels print at 24 px (canonical): a full-width character is 24 px wide
PREFIX_AT = 20.0  # a label：value line starts this near its label's place (canonical px)
CUT_AFTER = 7.0  # the label's ink ends ~1 px after its width from the box's edge, the colon's
#                  dots start ~14 px after: the cut is in the middle
_LEAD = re.compile(r"^\s*[^:：\s]{0,2}\s*(?:[:：;；]\s*)+")  # colons, a sliver of label before


@dataclass(frozen=True, slots=True)
class Prefix:
    """A label printed at a fixed place with its value after it on the same line."""

    label: str
    x: float  # canonical left edge of the label's box
    y: float  # canonical middle of the line
    width: float  # the label's printed width, canonical px (before its colon)


def label_width(label: str) -> float:
    """A label's printed width: 24 px per full-width character, 12.5 per other.

    >>> label_width("统一社会信用代码/纳税人识别号")
    348.48
    """
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in label)
    return LABEL_PX * wide + LABEL_PX * 0.52 * (len(label) - wide)


PREFIXED: dict[str, tuple[Prefix, ...]] = {
    PAPER.name: (Prefix("印刷序号", 1468.0, 54.0, label_width("印刷序号")),),
    EINVOICE.name: tuple(
        Prefix(printed, x, line.y, label_width(printed))
        for line in EINVOICE_LINES
        for _, printed, x in line.fields
        if x is not None
    ),
}


def _printed(boxes: tuple[tuple[str, float, float, float, float], ...]) -> tuple[Rect, ...]:
    return tuple(Rect(text, 1.0, -1, x0, y0, x1, y1) for text, x0, y0, x1, y1 in boxes)


PRINTED: dict[str, tuple[Rect, ...]] = {  # every page's boxes: text and canonical rectangle
    PAPER.name: _printed(printed_boxes.PAPER),
    EINVOICE.name: _printed(printed_boxes.EINVOICE),
}


def known(quads: Sequence[Quad], read: Read) -> dict[int, Box]:
    """The boxes whose text is known without reading all of it: ``index → Box``.

    Holds the title candidates (read), the printed boxes found (not read) and
    the ``label：value`` lines whose value alone was read. Only the candidates
    when the page cannot be placed.
    """
    shapes = [Box("", 0.0, q) for q in quads]
    tried = _title_candidates(shapes)
    for i in tried:  # one by one: the first is the title on most pages
        (title_part,) = read([_part(quads[i], 0.0, TITLE_PART)])
        if (placed := _title_map(title_part.text, i, shapes)) is not None:
            boxes = {i: Box(placed[0].title, title_part.score, quads[i])}
            break
    else:  # the starts of lines that are no title: read whole, they may be anything
        return {
            i: Box(r.text, r.score, quads[i], r.glyphs)
            for i, r in zip(tried, read([quads[i] for i in tried]), strict=True)
        }
    layout, title, rough = placed
    t = _refine(rough, shapes, layout, title)
    if t is None:
        return boxes
    for i, p in _coincide(shapes, PRINTED[layout.name], t, skip=set(boxes)):
        boxes[i] = Box(p.text, 1.0, quads[i])
    boxes |= _values_after_labels(shapes, t, PREFIXED[layout.name], read, skip=set(boxes))
    return boxes


def _title_candidates(shapes: Sequence[Box]) -> list[int]:
    """The widest boxes in the top band of the page's text."""
    if not shapes:
        return []
    tops = [min(y for _, y in b.quad) for b in shapes]
    bottoms = [max(y for _, y in b.quad) for b in shapes]
    limit = min(tops) + TITLE_BAND * (max(bottoms) - min(tops))
    band = [i for i, top in enumerate(tops) if top <= limit]
    return sorted(band, key=lambda i: -width(shapes[i]))[:TITLE_TRIES]


def _title_map(start: str, i: int, shapes: Sequence[Box]) -> tuple[Layout, int, Affine] | None:
    """The layout whose title box ``i`` starts as ``start`` reads, and its map.

    Only the start of a candidate is read: it tells the two titles apart (the
    paper title is the end of the e-invoice's), and the title's place and
    width come from the detected box.
    """
    found = [(_starts(start, lay.title), lay) for lay in (PAPER, EINVOICE)]
    like, layout = max(found, key=lambda f: f[0])
    if like < 0.6 or width(shapes[i]) <= 0:
        return None
    scale = layout.title_width / width(shapes[i])
    return layout, i, Affine.similarity(scale, -skew(shapes), center(shapes[i]), layout.title_at)


def _starts(read: str, title: str) -> float:
    """How alike ``read`` is to the start of ``title`` (as long as it, give or take one)."""
    n = len(squeeze(read))
    if n < 3:
        return 0.0
    return max(likeness(read, title[: n + k]) for k in (-1, 0, 1))


def _refine(t: Affine, shapes: Sequence[Box], layout: Layout, title: int) -> Affine | None:
    """The title map refined on the pairs (detected box, printed box) it implies."""
    printed = PRINTED[layout.name]
    for tol in STEPS:
        pairs: list[Pair] = [(center(shapes[title]), layout.title_at)]
        pairs += [(center(shapes[i]), (p.cx, p.cy)) for i, p in _pairs(shapes, printed, t, tol)]
        if len(pairs) < MIN_PAIRS:
            return None
        try:
            t = Affine.fit(pairs)
        except ValueError:
            return None
    return t


def _pairs(
    shapes: Sequence[Box], printed: Sequence[Rect], t: Affine, tol: float
) -> list[tuple[int, Rect]]:
    """Each printed box with the nearest detected box of its size within ``tol`` (one-to-one)."""
    best: dict[Rect, tuple[float, int]] = {}
    for i, b in enumerate(shapes):
        r = to_rect(b, t, i)
        for p in printed:
            d = math.hypot(r.cx - p.cx, r.cy - p.cy)
            if d > tol or not _alike(r, p, SIZE_W, SIZE_H):
                continue
            if p not in best or d < best[p][0]:
                best[p] = (d, i)
    return [(i, p) for p, (_, i) in best.items()]


def _coincide(
    shapes: Sequence[Box], printed: Sequence[Rect], t: Affine, skip: Container[int]
) -> list[tuple[int, Rect]]:
    """Detected boxes that are printed boxes, or part of one (a label detected in pieces)."""
    out = []
    for i, b in enumerate(shapes):
        if i not in skip:
            r = to_rect(b, t, i)
            p = next((p for p in printed if _within(r, p)), None)
            if p is not None:
                out.append((i, p))
    return out


def _within(r: Rect, p: Rect) -> bool:
    """Whether ``r`` lies inside printed box ``p``, on its line and about as tall.

    A blurred or low-resolution page's boxes come out taller than the printed
    ones were measured (up to ~1.7×); nothing but the label is ever printed
    inside a label's own box, so a fragment of it (or a speck) is the label too.
    """
    margin = AT_X + 0.05 * (p.x1 - p.x0)
    return (
        r.x0 >= p.x0 - margin
        and r.x1 <= p.x1 + margin
        and abs(r.cy - p.cy) <= AT_Y
        and TALL[0] <= r.height / p.height <= TALL[1]
    )


def _alike(r: Rect, p: Rect, dw: float, dh: float) -> bool:
    """Whether ``r``'s width and height are within fractions ``dw``, ``dh`` of ``p``'s."""
    return abs((r.x1 - r.x0) / (p.x1 - p.x0) - 1) <= dw and abs(r.height / p.height - 1) <= dh


def _values_after_labels(
    shapes: Sequence[Box], t: Affine, prefixed: Sequence[Prefix], read: Read, skip: Container[int]
) -> dict[int, Box]:
    """``label：value`` lines read from the label's end on: the label's text is known.

    The cut falls between the label's last character and its colon (a
    full-width colon's dots sit in the middle of its 24 px); whatever is read
    before the colon (the colon itself, a sliver of the label) is dropped, and
    the line becomes ``label：value`` as if it had been read whole. A value
    that reads as nothing is read again with its label.
    """
    cuts: dict[int, tuple[Prefix, Quad]] = {}
    for i, b in enumerate(shapes):
        if i in skip:
            continue
        r = to_rect(b, t, i)
        for p in prefixed:
            if (
                abs(r.x0 - p.x) <= PREFIX_AT
                and abs(r.cy - p.y) <= PREFIX_AT
                and (r.x1 - r.x0 > p.width + 2 * LABEL_PX)
            ):
                cuts[i] = (p, _part(b.quad, (p.width + CUT_AFTER) / (r.x1 - r.x0), 1.0))
                break
    out = {}
    readings = read([q for _, q in cuts.values()])
    again = []
    for (i, (p, _)), seen in zip(cuts.items(), readings, strict=True):
        value = _LEAD.sub("", seen.text).strip()
        if value:
            out[i] = Box(f"{p.label}：{value}", seen.score, shapes[i].quad)
        else:
            again.append(i)
    for i, seen in zip(again, read([shapes[i].quad for i in again]), strict=True):
        out[i] = Box(seen.text, seen.score, shapes[i].quad, seen.glyphs)
    return out


def _part(q: Quad, f0: float, f1: float) -> Quad:
    """The part of quad ``q`` between the fractions ``f0`` and ``f1`` of its width."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = q

    def top(f: float) -> Point:
        return (x0 + f * (x1 - x0), y0 + f * (y1 - y0))

    def bottom(f: float) -> Point:
        return (x3 + f * (x2 - x3), y3 + f * (y2 - y3))

    return (top(f0), top(f1), bottom(f1), bottom(f0))
