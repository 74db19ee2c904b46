"""Page geometry: deskew the OCR boxes and register them on a layout's template.

Labels on a degraded scan are small and garble while the values still read,
so fields are not found by label text alone. Instead, the page is mapped onto
the layout's canonical 2000-px drawing: the title and every label that does
read are anchors with known canonical positions; a least-squares affine map
from page to canonical coordinates absorbs scale, offset, residual rotation
and shear (most of a phone photo's keystone). Values are then looked up by
canonical position.

>>> t = Affine.fit([((0, 0), (10, 20)), ((1, 0), (12, 20)), ((0, 1), (10, 22))])
>>> t.apply((1.0, 1.0))
(12.0, 22.0)
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ....models import Extent
from .ocr import Box, Point

Pair = tuple[Point, Point]  # (page point, canonical point)


@dataclass(frozen=True, slots=True)
class Rect(Extent):
    """An axis-aligned box in canonical coordinates, with its text and OCR box index."""

    text: str
    score: float
    index: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Affine:
    """``(x, y) → (a x + b y + c, d x + e y + f)``."""

    a: float
    b: float
    c: float
    d: float
    e: float
    f: float

    def apply(self, p: Point) -> Point:
        x, y = p
        return (self.a * x + self.b * y + self.c, self.d * x + self.e * y + self.f)

    @staticmethod
    def similarity(scale: float, angle: float, src: Point, dst: Point) -> Affine:
        """Rotate by ``angle`` (radians) and scale about ``src``, landing on ``dst``."""
        co, si = scale * math.cos(angle), scale * math.sin(angle)
        return Affine(
            co, -si, dst[0] - co * src[0] + si * src[1], si, co, dst[1] - si * src[0] - co * src[1]
        )

    @staticmethod
    def fit(pairs: Sequence[Pair]) -> Affine:
        """The least-squares affine map of at least three non-collinear pairs.

        ValueError when the page points, or the canonical ones, are collinear.
        """
        m = [[0.0] * 3 for _ in range(3)]
        vx, vy = [0.0] * 3, [0.0] * 3
        for (x, y), (u, v) in pairs:
            row = (x, y, 1.0)
            for i in range(3):
                for j in range(3):
                    m[i][j] += row[i] * row[j]
                vx[i] += row[i] * u
                vy[i] += row[i] * v
        a, b, c = _solve3(m, vx)
        d, e, f = _solve3(m, vy)
        fitted = Affine(a, b, c, d, e, f)
        if fitted.singular:
            # Anchors whose canonical points lie on one line (three labels of one printed
            # row) fit a map that flattens the page onto that line: no fit, and the
            # caller keeps the map it had (issue 9: it divided by zero in `inverse`).
            raise ValueError("degenerate anchors: the fit flattens the page")
        return fitted

    @property
    def singular(self) -> bool:
        """Whether the map squashes the plane (nearly) onto a line: no page is like that.

        A page's map has ``|det|`` about ``scale²``; 1e-6 of the map's stretch allows a
        page a million times longer than wide before calling it flat.

        >>> Affine(1, 0, 0, 0, 0, 5).singular, Affine(2, 0, 3, 0, 2, 4).singular
        (True, False)
        """
        det = self.a * self.e - self.b * self.d
        stretch = self.a**2 + self.b**2 + self.d**2 + self.e**2
        return abs(det) <= 1e-6 * stretch

    def inverse(self) -> Affine:
        """The map back: ``t.inverse().apply(t.apply(p)) == p``; ValueError if singular."""
        if self.singular:
            raise ValueError("a singular map has no inverse")
        det = self.a * self.e - self.b * self.d
        a, b, d, e = self.e / det, -self.b / det, -self.d / det, self.a / det
        return Affine(a, b, -(a * self.c + b * self.f), d, e, -(d * self.c + e * self.f))

    @property
    def scale(self) -> float:
        return math.sqrt(abs(self.a * self.e - self.b * self.d))


def _solve3(m: list[list[float]], v: list[float]) -> tuple[float, float, float]:
    det = _det3(m)
    if abs(det) < 1e-9:
        raise ValueError("degenerate anchors")
    out = []
    for k in range(3):
        mk = [[v[i] if j == k else m[i][j] for j in range(3)] for i in range(3)]
        out.append(_det3(mk) / det)
    return out[0], out[1], out[2]


def _det3(m: list[list[float]]) -> float:
    return (
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    )


def skew(boxes: Sequence[Box]) -> float:
    """The page's tilt in radians: the median angle of the long boxes' top edges.

    >>> skew([Box("ab", 1.0, ((0, 0), (100, 10), (99, 30), (-1, 20)))])
    0.09966865249116202
    """
    angles = [angle(b) for b in boxes if long_line(b)]
    return statistics.median(angles) if angles else 0.0


def long_line(b: Box) -> bool:
    """Whether a box is long enough for its top edge to tell a tilt: 2.5 times its height."""
    return math.dist(b.quad[0], b.quad[1]) >= 2.5 * math.dist(b.quad[0], b.quad[3])


def angle(b: Box) -> float:
    """The angle of a box's top edge, in radians (y down: positive turns clockwise)."""
    (x0, y0), (x1, y1) = b.quad[0], b.quad[1]
    return math.atan2(y1 - y0, x1 - x0)


def left_mid(b: Box) -> Point:
    """The middle of a box's left edge (labels and values are left-aligned)."""
    (x0, y0), (x3, y3) = b.quad[0], b.quad[3]
    return ((x0 + x3) / 2, (y0 + y3) / 2)


def center(b: Box) -> Point:
    """The centre of a box (titles and table headers are centred)."""
    xs, ys = [p[0] for p in b.quad], [p[1] for p in b.quad]
    return (sum(xs) / 4, sum(ys) / 4)


def width(b: Box) -> float:
    """The length of a box's top edge."""
    return math.dist(b.quad[0], b.quad[1])


def to_rect(b: Box, t: Affine, index: int = -1) -> Rect:
    """A box mapped by ``t``, as the axis-aligned rectangle around its corners."""
    pts = [t.apply(p) for p in b.quad]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return Rect(b.text, b.score, index, min(xs), min(ys), max(xs), max(ys))
