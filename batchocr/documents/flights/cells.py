"""The cells of a flight table (pure): which header's column a word stands under, a word
that holds two cells cut in two, and the values of one flight's band of lines."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from ...models import NameValue
from ..words import Word, add, is_label, one_cell, same_line

__all__ = ["CELL_BREAK", "CITY", "Blank", "between", "column_of", "nearest_head", "on_level",
           "pieces", "segment", "split_cells"]  # fmt: skip

Blank = tuple[float, float, float, float]

# A station as printed: a city (maybe its airport's name) and maybe its code (four letters:
# a code misread, XMIN; the reader of values refuses it, but the line is a station's), and
# maybe a speck after it.
CITY = re.compile(r"[\u4e00-\u9fff]{2,8}(?:\s*[A-Za-z]{3,4})?[.,·]?")


def on_level(a: Word, b: Word) -> bool:
    """Whether two words stand on one printed line: closer than :func:`same_line` asks (a
    photo packs the e-invoice's station lines half a line from the flight's)."""
    return abs(a.cy - b.cy) < 0.3 * max(a.height, b.height)


def between(w: Word, a: Word, b: Word) -> bool:
    """Whether ``w`` stands on a line strictly between ``a``'s and ``b``'s."""
    lo, hi = sorted((a.cy, b.cy))
    return lo < w.cy < hi and not same_line(w, a) and not same_line(w, b)


def column_of(w: Word, heads: Sequence[Word]) -> Word:
    """The header ``w`` stands under (``heads`` left to right): columns part half-way across
    the gap between two headers, so a value printed flush left under a wide header (the fare
    basis under 客票级别/客票类别) is not taken for the narrow one before it.

    >>> heads = [Word("时间", 1006, 0, 1048, 10), Word("客票级别/类别", 1133, 0, 1330, 10)]
    >>> column_of(Word("Y1", 1108, 20, 1142, 30), heads).text
    '客票级别/类别'
    """
    bounds = [(a.x1 + b.x0) / 2 for a, b in itertools.pairwise(heads)]
    return heads[sum(w.cx > x for x in bounds)]


def nearest_head(w: Word, heads: Sequence[Word]) -> Word:
    """The header whose centre is nearest ``w``'s."""
    return min(heads, key=lambda h: abs(h.cx - w.cx))


# Where two cells read as one line part: a space, a time run into the letters or digit after
# it (``19:10B2``: the time, then the fare basis; ``06:058``, a B read 8), or a date run into
# the time after it (``2024091219:15``, ``2024-07-1706:05``, ``2025年11月0612:10``,
# ``12SEP19:15``, a dash unread: ``202403-1517:45``, or read as a colon: ``2024:08-1110:25``),
# or with a speck between them (``2025-10-20:07:55``); a Chinese date run into the next date
# or the allowance (``2024年12月04日2024年12月04日30K``), a carrier's name into its flight number
# (``厦航MF8358``), a flight number into the booking class after it (``CZ2252Q``).
CELL_BREAK = re.compile(r" +|(?<=\d:\d\d)(?=[A-Za-z0-9])"
                        r"|(?:(?<=\d{8})|(?<=\d{4}[-./:]\d\d[-./:]\d\d)|(?<=\d\d月\d\d)"
                        r"|(?<=\d{6}[-./]\d\d)|(?<=\d{4}[-./]\d{4})"
                        r"|(?<=月\d\d日)|(?<=\d\d[A-Z]{3}))(?=\d\d:\d\d)"
                        r"|(?<=月\d\d日)(?=\d{4}年|\d{1,2}K)|(?<=[\u4e00-\u9fff]航)(?=[A-Z0-9]{2}\d{3,4})"
                        r"|(?<=\d{4}-\d\d-\d\d)[:.,·|丨｜](?=\d\d:\d\d)"
                        r"|(?:(?<=[A-Z0-9]{2}\d{4})|(?<=[A-Z0-9]{2}\d{3}))(?=[A-Z](?![A-Za-z0-9]))")


def pieces(w: Word) -> list[Word]:
    """``w`` cut where two cells read as one part (:data:`CELL_BREAK`), each piece placed
    by its share of the text.

    >>> [p.text for p in pieces(Word("2024-07-1706:058", 0, 0, 160, 20))]
    ['2024-07-17', '06:05', '8']
    >>> [p.text for p in pieces(Word("2025年11月0612:10", 0, 0, 160, 20))]
    ['2025年11月06', '12:10']
    >>> [p.text for p in pieces(Word("2024年12月04日2024年12月04日30K", 0, 0, 300, 20))]
    ['2024年12月04日', '2024年12月04日', '30K']
    >>> [p.text for p in pieces(Word("厦航MF8358", 0, 0, 100, 20))]
    ['厦航', 'MF8358']
    >>> [p.text for p in pieces(Word("CZ2252Q", 0, 0, 140, 20))]
    ['CZ2252', 'Q']
    >>> [p.text for p in pieces(Word("2024:08-1110:25", 0, 0, 160, 20))]
    ['2024:08-11', '10:25']
    >>> [p.text for p in pieces(Word("2025-10-20:07:55", 0, 0, 160, 20))]
    ['2025-10-20', '07:55']
    >>> [p.text for p in pieces(Word("2024-01-15|11:10", 0, 0, 160, 20))]  # a rule between
    ['2024-01-15', '11:10']
    >>> [p.text for p in pieces(Word("202403-1517:45", 0, 0, 160, 20))]
    ['202403-15', '17:45']
    """
    out: list[Word] = []
    pitch, start = (w.x1 - w.x0) / max(len(w.text), 1), 0
    for m in CELL_BREAK.finditer(w.text + " "):
        piece = w.text[start : m.start()]
        if piece:
            x0 = w.x0 + start * pitch
            out.append(Word(piece, x0, w.top, x0 + len(piece) * pitch, w.bottom, w.score))
        start = m.end()
    return out


def split_cells(w: Word, heads: Sequence[Word]) -> list[Word]:
    """A word that holds two cells (a scan reads two cells as one line: ``2024-08-31 12:30``,
    ``19:10B2``, ``3U7631 Y``), cut where cells part when its pieces, each placed by its
    share of the text, stand under different headers.

    >>> heads = [Word(h, x, 0, x + 20, 10) for h, x in (("时间", 0), ("客票级别/客票类别", 40))]
    >>> [(p.text, p.x0) for p in split_cells(Word("19:10B2", 0, 20, 70, 30), heads)]
    [('19:10', 0.0), ('B2', 50.0)]
    >>> [p.text for p in split_cells(Word("3U7631 Y", 0, 20, 40, 30), heads)]
    ['3U7631', 'Y']
    """
    if len(heads) < 2 or not CELL_BREAK.search(w.text.strip()):
        return [w]
    out = pieces(w)
    under = {nearest_head(p, heads).key for p in out}
    return out if len(under) > 1 else [w]


def segment(ws: Sequence[Word], heads: Sequence[Word], first_col: float,
             band_y: tuple[float, float], row: int,
             blanks: list[Blank]) -> tuple[list[NameValue], bool]:  # fmt: skip
    """The values between a segment's 自 and 至 lines, each in its header's column, and
    whether some cell held two lines (two flights ran together: those cells are left out);
    the cells left empty on the line the others were read on go to ``blanks``."""
    # (nothing on the header line: an English half beside a header, ``TME``, is no value)
    words = [w for w in ws if band_y[0] <= w.cy <= band_y[1] and w.x0 >= first_col - 1
             and not is_label(w) and not any(same_line(w, h) for h in heads)]  # fmt: skip
    band: list[Word] = []
    cols: dict[str, list[Word]] = {}
    for w in words:
        parts = split_cells(w, heads)
        # (a piece's place is a guess from its share of the text: its nearest header decides)
        for part in parts:
            head = column_of(part, heads) if len(parts) == 1 else nearest_head(part, heads)
            cols.setdefault(head.key, []).append(part)
        band += parts
    out: list[NameValue] = []
    merged = False
    for h in heads:
        # (past a cell's gap: the next column's value, its header unread)
        cell = one_cell(cols.get(h.key, []))
        if all(same_line(w, cell[0]) for w in cell):
            add(out, h.key, cell, row)
        else:
            merged = True
    if band:
        top, bottom = min(w.top for w in band), max(w.bottom for w in band)
        mids = [(a.cx + b.cx) / 2 for a, b in itertools.pairwise(heads)]
        for i, h in enumerate(heads):
            if h.key not in cols:
                x0 = mids[i - 1] if i else max(first_col, h.x0 - h.height)
                x1 = mids[i] if i < len(mids) else h.x1 + h.height
                blanks.append((x0, top, x1, bottom))
    return out, merged
