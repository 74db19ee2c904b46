"""Which way up a page lies, told from a few of its lines before the rest are read.

Reading a page the wrong way up costs a whole reading for nothing: its detection finds the
lines whichever way it lies, but its recognition reads upside-down text as garbage, and only
after all of it was read did the page show it was turned. A few of its longest lines tell:

* lines that stand upright (most of the long ones): a page turned a quarter (:func:`sideways`);
  its :data:`PROBE` longest lines read turned one way and the other, the surer way wins
  (:func:`quarter_turn`);
* a page upside down: its :data:`HALF_PROBE` longest lines, read as they lie, score below
  :data:`READ_UPRIGHT` on average, and read turned half a turn, :data:`SURER` more
  (:func:`upside_down`). Measured on 198 upright and 9 upside-down pages (the tuning and probe
  families, seeds 12500100-12500103, every noise level): the three longest lines of an upright
  page read 0.78-1.00 on average as they lie and 0.54 or more worse turned; of an upside-down
  one, 0.06-0.17, and 0.78 or more better turned. An upright page's lines are read once, as
  they would be anyway; only a page whose lines read poorly has them read turned too.

Recognition is injected (``recognize``: line crops → readings with a ``score``), so this module
needs no model.

>>> sideways([((0, 0), (10, 0), (10, 80), (0, 80))] * 3)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

__all__ = ["HALF_PROBE", "PROBE", "longest", "quarter_turn", "sideways", "upside_down"]

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]

PROBE = 6  # lines of a sideways page read both ways up to tell which way it is turned
HALF_PROBE = 3  # lines read as they lie (and maybe turned) to tell a page upside down
READ_UPRIGHT = 0.5  # their mean score from which the page is upright (0.78 at least measured)
SURER = 0.3  # how much surer they must read turned half a turn (0.78 more at least measured)


class _Read(Protocol):
    @property
    def score(self) -> float: ...


Recognize = Callable[[list[Any]], Sequence[_Read]]


def sideways(quads: Sequence[Quad]) -> bool:
    """Whether most long text lines stand upright: a page turned by a quarter."""
    sides = [(math.dist(q[0], q[1]), math.dist(q[1], q[2])) for q in quads]
    long_ = [(w, h) for w, h in sides if max(w, h) >= 3 * min(w, h)]
    return len(long_) >= 3 and sum(h > w for w, h in long_) > len(long_) / 2


def longest(quads: Sequence[Quad], n: int) -> list[int]:
    """The indices of the ``n`` longest of ``quads`` (by their longer side).

    >>> longest([((0, 0), (10, 0), (10, 5), (0, 5)), ((0, 0), (90, 0), (90, 5), (0, 5))], 1)
    [1]
    """
    def length(i: int) -> float:
        q = quads[i]
        return max(math.dist(q[0], q[1]), math.dist(q[1], q[2]))

    return sorted(range(len(quads)), key=lambda i: -length(i))[:n]


def quarter_turn(crops: list[Any], recognize: Recognize) -> int:
    """Which quarter turn (counter-clockwise, 90 or 270) sets a sideways page upright, from
    its longest lines' crops (which come back turned a quarter counter-clockwise from a page
    turned by 90): read as they come and turned half a turn, the surer way wins."""
    flipped = [_half_turned(c) for c in crops]
    score = [sum(r.score for r in recognize(cs)) for cs in (crops, flipped)]
    return 90 if score[0] >= score[1] else 270


def upside_down(crops: list[Any], readings: Sequence[_Read], recognize: Recognize) -> bool:
    """Whether the page whose longest lines' ``crops`` read as ``readings`` lies upside down
    (see the module docstring): only lines that read poorly are read again turned."""
    if not readings:
        return False
    mean = sum(r.score for r in readings) / len(readings)
    if mean >= READ_UPRIGHT:
        return False
    turned = recognize([_half_turned(c) for c in crops])
    return sum(r.score for r in turned) / len(turned) >= mean + SURER


def _half_turned(crop: Any) -> Any:
    import numpy as np

    return np.ascontiguousarray(np.rot90(crop, 2))
