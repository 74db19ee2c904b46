"""Which layout a page is, and the map from its pixels to that layout's canonical drawing.

Every box whose text resembles a known label (or the title) proposes an anchor
pair (page point → canonical point). Pairs of proposals give candidate
similarity maps (rotation limited to the page's measured skew); the map most
proposals agree with wins, and a least-squares affine fit over its inliers is
refined twice with a tighter tolerance. Garbled labels simply do not propose;
a wrong proposal (a value that happens to read like a label) is an outlier.

>>> from batchocr.recognize.local.image.ocr import Box
>>> similar("有效身份证件号码", "有效身份证件号玛"), similar("日期", "目期")
(True, False)
"""

from __future__ import annotations

import cmath
import difflib
import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..image.geometry import Affine, Pair, Rect, center, left_mid, skew, to_rect, width
from ..image.ocr import Box
from ..validate.repair import squeeze
from .layout import EINVOICE, PAPER, Layout

LOOSE, TIGHT = 70.0, 28.0  # inlier tolerances, canonical px
MAX_TILT = math.radians(2.5)  # a candidate map may differ this much from the measured skew


@dataclass(frozen=True, slots=True)
class Registered:
    """A page mapped onto a layout: its boxes as canonical rectangles."""

    layout: Layout
    rects: tuple[Rect, ...]
    transform: Affine
    anchors: int  # how many anchors the final fit used


@dataclass(frozen=True, slots=True)
class _Proposal:
    page: tuple[float, float]
    canon: tuple[float, float]
    weight: float


def similar(read: str, label: str) -> bool:
    """Whether OCR text ``read`` is label ``label``; two-character labels must be exact."""
    a, b = _norm(read), _norm(label)
    if len(b) > 2 and 2 * min(len(a), len(b)) < 0.6 * (len(a) + len(b)):
        return False  # the lengths alone rule it out (most box × label pairs of a page)
    if _glyphs(a).isdisjoint(_glyphs(b)):
        return False  # nothing in common (a value and a label): a ratio of 0
    return likeness(read, label) >= 0.6


@functools.lru_cache(maxsize=1 << 16)
def likeness(read: str, label: str) -> float:
    """How alike ``read`` and ``label`` are, 0…1 (two-character labels: 1 or 0).

    Cached: a page is registered twice or more (the second look) and its labels
    read the same on every page.
    """
    a, b = _norm(read), _norm(label)
    if len(b) <= 2:
        return float(a == b)
    return difflib.SequenceMatcher(None, a, b).ratio()


@functools.lru_cache(maxsize=1 << 16)
def _glyphs(text: str) -> frozenset[str]:
    return frozenset(text)


@functools.lru_cache(maxsize=1 << 16)
def _norm(text: str) -> str:
    return squeeze(text).upper().replace(" ", "")


def _head(text: str, label: str) -> str:
    """The part of a box's text that would be the label: up to a colon, else as long."""
    t = squeeze(text)
    if ":" in t:
        return t.split(":", 1)[0]
    return t[: len(_norm(label))]


def _proposals(boxes: Sequence[Box], layout: Layout, tilt: float) -> list[_Proposal]:
    out = []
    for b in boxes:
        if similar(b.text, layout.title):
            out.append(_Proposal(center(b), layout.title_at, 3.0))
            continue
        for a in layout.anchors:
            head = b.text if a.centered else _head(b.text, a.text)
            if similar(head, a.text):
                out.append(_Proposal(center(b) if a.centered else left_mid(b), (a.x, a.y), 1.0))
    return out


def _title_map(boxes: Sequence[Box], layout: Layout, tilt: float) -> list[Affine]:
    maps = []
    for b in boxes:
        if similar(b.text, layout.title) and width(b) > 0:
            scale = layout.title_width / width(b)
            maps.append(Affine.similarity(scale, -tilt, center(b), layout.title_at))
    return maps


def _pair_maps(props: Sequence[_Proposal], tilt: float) -> list[Affine]:
    maps = []
    for p, q in itertools.combinations(props, 2):
        z1, z2 = complex(*p.page), complex(*q.page)
        w1, w2 = complex(*p.canon), complex(*q.canon)
        if abs(z2 - z1) < 1e-6 or abs(w2 - w1) < 150:
            continue
        a = (w2 - w1) / (z2 - z1)
        if not 0.5 <= abs(a) <= 6 or abs(cmath.phase(a) + tilt) > MAX_TILT:
            continue
        maps.append(Affine.similarity(abs(a), cmath.phase(a), p.page, p.canon))
    return maps


def _inliers(t: Affine, props: Sequence[_Proposal], tol: float) -> list[_Proposal]:
    return [p for p in props if math.dist(t.apply(p.page), p.canon) <= tol]


def _score(t: Affine, props: Sequence[_Proposal], tol: float) -> float:
    used: dict[tuple[float, float], float] = {}
    for p in _inliers(t, props, tol):  # an anchor counts once, however many boxes read like it
        used[p.canon] = max(used.get(p.canon, 0.0), p.weight)
    return sum(used.values())


def _refine(t: Affine, props: Sequence[_Proposal]) -> tuple[Affine, int]:
    n = 0
    for tol in (LOOSE, TIGHT, TIGHT):
        pairs: list[Pair] = [(p.page, p.canon) for p in _inliers(t, props, tol)]
        if len(pairs) < 3:
            break
        try:
            t = Affine.fit(pairs)
        except ValueError:
            break
        n = len(pairs)
    return t, n


def register(boxes: Sequence[Box]) -> Registered | None:
    """Map the page onto the layout it best agrees with; ``None`` if it is neither.

    A page needs the agreement of at least three anchors (the title counts three).
    """
    tilt = skew(boxes)
    best: tuple[float, Layout, Affine, list[_Proposal]] | None = None
    for layout in (PAPER, EINVOICE):
        props = _proposals(boxes, layout, tilt)
        for t in _title_map(boxes, layout, tilt) + _pair_maps(props, tilt):
            score = _score(t, props, LOOSE)
            if best is None or score > best[0]:
                best = (score, layout, t, props)
    if best is None or best[0] < 3:
        return None
    _, layout, t, props = best
    t, n = _refine(t, props)
    return Registered(layout, tuple(to_rect(b, t, i) for i, b in enumerate(boxes)), t, n)
