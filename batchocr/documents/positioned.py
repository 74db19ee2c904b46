"""Positioned text of an e-invoice page → the service's Name/Value list (pure).

PDF and OFD pages both come here as characters (or runs) with boxes in points on the page
as displayed (x from the left, y from the top). Nothing is expected at a fixed place: labels
are found by their text, and each value by its relation to its label —

* ``label：value`` lines: the words right of the label, up to the next label;
* ruled cells (旅客姓名, 有效身份证件号码, 签注): the first line under the label;
* the flight table, by its 自/至 marks (:mod:`.flights`);
* the amount row: each value under the label whose column it overlaps most.

>>> ws = words([("发", 10, 10, 17, 17), ("票", 17, 10, 24, 17), ("号", 24, 10, 31, 17),
...             ("码", 31, 10, 38, 17), ("：", 38, 10, 45, 17), ("1", 60, 10, 64, 17)])
>>> [w.text for w in ws]
['发票号码：', '1']
>>> interpret(ws + words([("签", 10, 30, 17, 37), ("注", 17, 30, 24, 37)])).data
[{'Name': '发票号码', 'Value': '1', 'Row': -1}]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..models import NameValue
from .flights import Blank, flights
from .words import (
    AMOUNT_LABELS,
    BESIDE,
    CELL_LABELS,
    COLONS,
    FLIGHT_HEADERS,
    HAN,
    KNOWN_LABELS,
    OVERLAP,
    STATIONS,
    Char,
    Word,
    add,
    is_label,
    left,
    one_cell,
    right_of,
    same_line,
    words,
)

__all__ = [
    "AMOUNT_LABELS", "CELL_LABELS", "FLIGHT_HEADERS", "KNOWN_LABELS", "STATIONS", "Char",
    "Reading", "Word", "interpret", "is_label", "words",
]  # fmt: skip

AIR_TITLE = "航空运输电子客票行程单"


@dataclass(frozen=True, slots=True)
class Reading:
    """What a page says it is: an air itinerary's pairs, another invoice, or nothing usable."""

    data: list[NameValue]
    title: str | None
    labels: int  # known labels found
    # Flight-table cells where a value belongs but none was found: (x0, top, x1, bottom),
    # worth reading as they are on a scan (detection misses a lone class letter).
    blanks: tuple[tuple[float, float, float, float], ...] = ()

    @property
    def is_air(self) -> bool:
        return self.title is not None and AIR_TITLE in self.title

    @property
    def foreign(self) -> bool:
        return self.title is not None and not self.is_air

    @property
    def usable(self) -> bool:
        return self.title is not None or self.labels >= 4


def _title(ws: Sequence[Word]) -> str | None:
    heads = [w for w in ws if "发票" in w.text or "行程单" in w.text or "客票" in w.key]
    heads = [w for w in heads if w.key not in KNOWN_LABELS]
    if not heads:
        return None
    head = max(heads, key=lambda w: w.height)
    line = sorted((w for w in ws if same_line(w, head)), key=lambda w: w.x0)
    return "".join(w.key for w in line if w.height >= head.height * 0.8)


def interpret(ws: Sequence[Word]) -> Reading:
    """Map a page's words onto Name/Value pairs; see the module docstring."""
    labels = _labels(ws)
    title = _title(ws)
    data: list[NameValue] = []
    for key, label in labels.items():
        if label.text[-1] in COLONS:  # ``label：value``: a blank value is blank, not below
            add(data, key, right_of(label, ws))
    data += _label_rows(ws, labels)
    blanks: list[Blank] = []
    data += flights(ws, labels, blanks)
    return Reading(data, title, len(labels), tuple(blanks))


def _labels(ws: Sequence[Word]) -> dict[str, Word]:
    found: dict[str, Word] = {}
    for w in ws:
        if w.key in KNOWN_LABELS and w.key not in found:
            found[w.key] = w
    return found


def _label_rows(ws: Sequence[Word], labels: dict[str, Word]) -> list[NameValue]:
    """Labels printed without a colon, a row of them side by side (a ruled form, the amount
    row): each takes the first line under the row where it overlaps its column most, the
    column reaching to the next label; a label alone with nothing under it, what is beside."""
    heads = [w for w in labels.values()
             if w.text[-1] not in COLONS and w.key not in FLIGHT_HEADERS]  # fmt: skip
    found: list[tuple[str, list[Word], list[Word]]] = []  # label, beside, under
    header_rows: set[str] = set()  # labels of a row of two or more with nothing beside any
    while heads:
        row = sorted((w for w in heads if same_line(w, heads[0])), key=left)
        heads = [w for w in heads if w not in row]
        # Under the row: centred below the labels' (an OCR box is taller than its glyphs,
        # so a value's box may overlap its label's), within three lines.
        # (the median label: one box OCR drew twice as tall must not push the window down)
        mid, h = _median(w.cy for w in row), _median(w.height for w in row)
        values = [w for w in ws if _under(w, mid, h) and not is_label(w)
                  and w.x1 > row[0].x0 - h]  # fmt: skip
        edges = [w.x0 for w in row[1:]] + [float("inf")]
        placed: list[tuple[Word, Word]] = []  # a value, its label
        for v in values:
            best = max(range(len(row)), key=lambda i: _overlap(v, row[i].x0, edges[i]))
            if _overlap(v, row[best].x0, edges[best]) > 0:
                placed.append((v, row[best]))
        if placed:  # the first line under the labels: a scan's taller boxes reach the next one
            first = min(_anchors(placed, h), key=lambda w: w.top)
            placed = [(v, lb) for v, lb in placed if same_line(v, first)]
        cols: dict[str, list[Word]] = {}
        for v, lb in placed:
            cols.setdefault(lb.key, []).append(v)
        cols = {k: one_cell(_without_specks(vs)) for k, vs in cols.items()}
        row_found = [(lb.key, _beside(lb, ws, edge), cols.get(lb.key, []))
                     for lb, edge in zip(row, edges, strict=True)]
        if len(row) > 1 and not any(beside for _, beside, _ in row_found):
            header_rows.update(label.key for label in row)
        found += row_found
    # A form whose labels mostly have their values beside them prints a blank as a blank:
    # what is under such a label is the next line's value, unless its whole row of labels
    # has nothing beside (a header row: the e-invoice's 旅客姓名 row on a page whose amount
    # labels went unread). Elsewhere the text far along a label's line is another cell's (a
    # slip's value stands far off only when its label's English half, read into the line
    # and dropped, stood between).
    def near(key: str, beside: list[Word]) -> bool:
        return bool(beside) and beside[0].x0 - labels[key].x1 <= BESIDE * labels[key].height

    # (and one at least close beside its label: text only far along labels' lines is other
    # cells', on a photo of a form whose values stand under labels the photo left unread)
    beside_form = (sum(bool(b) for _, b, _ in found) > 0.6 * len(found)
                   and any(near(k, b) for k, b, _ in found))  # fmt: skip
    out: list[NameValue] = []
    for key, beside, under in found:
        if beside_form and key not in header_rows:
            add(out, key, beside)
        else:
            add(out, key, beside if near(key, beside) else under)
    return out


def _under(w: Word, mid: float, h: float) -> bool:
    """Whether ``w`` stands under a row of labels centred at ``mid``, ``h`` tall, within three
    lines: centred well below them, or, holding a digit or a Chinese character read surely (a
    value, not a label's English half printed under it), its whole box below their middle
    and its centre half its own height below it (a data pass printed up to a line high: OCR
    boxes its value apart from its label, and the row's boxes are then taller than their
    glyphs).

    >>> _under(Word("CNY 150.00", 0, 634, 90, 661), mid=626, h=44)
    True
    >>> _under(Word("FUND", 0, 612, 90, 640), mid=626, h=44)  # on the labels' line
    False
    >>> _under(Word("SENGD", 0, 634, 90, 648), mid=626, h=44)  # NAME OF PASSENGER, in part
    False
    """
    if w.cy > mid + 3 * h:
        return False
    if w.cy >= mid + 0.6 * h:
        return True
    value = w.score >= _SURE_VALUE and (HAN.search(w.text) or any(c.isdigit() for c in w.text))
    return bool(value) and w.top >= mid and w.cy - mid >= w.height / 2


_SURE_VALUE = 0.8  # recognizer's score: an English half misread is read below it (``QE5``)


_UNDER = 3  # glyphs: a value under its label starts before the label's end and this


def _anchors(placed: Sequence[tuple[Word, Word]], h: float) -> list[Word]:
    """The values under a row of labels that tell where its first line is: of the line's
    height (a speck or a sliver of English is not), starting under their label or just past
    it (text further right may be the cell of a label that went unread; a right-aligned
    total is on the line the others tell); all of them if none is."""
    tall = _median(v.height for v, _ in placed) * 0.6
    sized = [v for v, _ in placed if v.height >= tall]
    return [v for v, lb in placed if v in sized and v.x0 < lb.x1 + _UNDER * h] or sized


def _beside(label: Word, ws: Sequence[Word], stop_x: float) -> list[Word]:
    """The value printed after a label on its line, before the next label (labels left of
    their values); nothing when a label comes first (a row of labels over their values)."""
    line = [w for w in ws if label.x1 - label.height * OVERLAP <= w.x0 and w.cx <= stop_x
            and same_line(w, label) and w is not label]  # fmt: skip
    # (a label further along is another cell's: the value before it is this label's)
    return right_of(label, ws, stop_x) if line and not is_label(min(line, key=left)) else []


_SPECK = 0.5  # recognizer's score: a lone character read below it beside a value is a speck


def _without_specks(column: list[Word]) -> list[Word]:
    """A cell's words without a lone character the recognizer doubts beside the others (a
    speck of the next cell read as ``8``: it would be the whole value's confidence).

    >>> cell = [Word("退改签收费", 0, 0, 50, 10, 0.99), Word("8", 70, 0, 75, 10, 0.32)]
    >>> [w.text for w in _without_specks(cell)]
    ['退改签收费']
    """
    kept = [w for w in column if len(w.text.strip()) > 1 or w.score >= _SPECK]
    return kept or column


def _overlap(w: Word, lo: float, hi: float) -> float:
    return min(w.x1, hi) - max(w.x0, lo)


def _median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
