"""The flights of a slip: a receipt printed in one column, each flight a block of labels
with their values beside them (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from ...models import NameValue
from ..words import BESIDE, FLIGHT_HEADERS, STATIONS, Word, add, right_of, same_line
from .cells import Blank

__all__ = ["slip_flights"]


def slip_flights(ws: Sequence[Word], blanks: list[Blank]) -> list[NameValue] | None:
    """The flights of a slip (a receipt printed in one column): no header row, each flight a
    block of labels with their values beside them, opened by its 自 line; None when the
    flight labels are not printed that way.

    A block is told by the 自 line above it; without one for every block, the n-th label of
    a name belongs to the n-th flight, for the names printed as often as there are flights
    (the others are left out: a block whose label went unread would shift them), and a
    station mark to the block those labels place it in. Where a label has nothing beside it,
    the room there goes to ``blanks`` (a lone class letter of dots goes undetected).
    """
    cells = [(w, right_of(w, ws, reach=BESIDE)) for w in ws if w.key in FLIGHT_HEADERS]
    filled = sum(1 for _, v in cells if v)
    if filled < 3 or filled * 2 < len(cells):
        return None
    blanks += [b for w, v in cells if not v and (b := _room_beside(w, ws))]
    starts = sorted((w for w in ws if w.key == "自"), key=lambda w: w.top)
    count: dict[str, int] = {}
    for w, _ in cells:
        count[w.key] = count.get(w.key, 0) + 1
    flights = max(count.values())
    out: list[NameValue] = []
    if len(starts) == flights:
        for w, value in cells:
            add(out, w.key, value, _block(w, starts))
        for mark in (w for w in ws if w.key in STATIONS):
            add(out, mark.key, right_of(mark, ws), _block(mark, starts))
        return out
    seen: dict[str, int] = {}
    blocks: dict[int, list[Word]] = {}
    for w, value in sorted(cells, key=lambda c: (c[0].top, c[0].x0)):
        row = seen[w.key] = seen.get(w.key, -1) + 1
        if count[w.key] == flights:
            add(out, w.key, value, row)
            blocks.setdefault(row, []).append(w)
    bounds = _bounds([blocks[r] for r in sorted(blocks)])
    if bounds is not None:
        for mark in (w for w in ws if w.key in STATIONS):
            add(out, mark.key, right_of(mark, ws), sum(1 for b in bounds if b < mark.cy))
    return out


def _bounds(blocks: Sequence[Sequence[Word]]) -> list[float] | None:
    """Where each block after the first begins: halfway from the lowest label of the one
    before to its own highest (a station line opens its block, above or beside its first
    labels); None when the blocks' labels overlap (then which block a mark is in is unclear).

    >>> a, b = [Word("航班号", 0, 0, 40, 20)], [Word("航班号", 0, 100, 40, 120)]
    >>> _bounds([a, b]), _bounds([a, [Word("航班号", 0, 10, 40, 30)]])
    ([60.0], None)
    """
    out = []
    for above, below in pairwise(blocks):
        low, high = max(w.bottom for w in above), min(w.top for w in below)
        if high <= low:
            return None
        out.append((low + high) / 2)
    return out


def _room_beside(label: Word, ws: Sequence[Word]) -> Blank | None:
    """The room right of ``label`` up to the next word on its line, at most :data:`BESIDE`
    glyphs; None when there is less than a glyph's.

    >>> seat, date = Word("座位等级", 0, 10, 80, 30), Word("日期", 100, 10, 140, 30)
    >>> _room_beside(seat, [seat, date]), _room_beside(seat, [seat, Word("Y", 85, 10, 95, 30)])
    ((80, 5.0, 100, 35.0), None)
    """
    h = label.height
    after = [w.x0 for w in ws if w.x0 >= label.x1 and same_line(w, label)]
    x1 = min([*after, label.x1 + BESIDE * h])
    return (label.x1, label.top - h / 4, x1, label.bottom + h / 4) if x1 - label.x1 >= h else None


def _block(w: Word, starts: Sequence[Word]) -> int:
    """The flight whose 自 line is the last one at or above ``w``."""
    return max(0, sum(1 for s in starts if s.cy <= w.cy + w.height / 2) - 1)
