"""The flight table of positioned text → its rows of Name/Value pairs (pure).

Three ways a table is printed, each told by its marks:

* the e-invoice: 自, 至, 自, 至 — one segment per pair of station lines, its values in the
  band between them, each under the header whose centre is nearest;
* the paper itinerary: one 自 line, then 至 lines — flight k printed on the k-th city's line,
  from that station to the next;
* a slip: no header row — each flight a block of labels with their values beside them.

A table whose marks went unread (a photo's small print) is read by its header row alone
(:func:`_unmarked`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace

from ..models import NameValue
from .words import (
    FLIGHT_HEADERS,
    HAN,
    STATIONS,
    Word,
    add,
    is_label,
    left,
    right_of,
    same_line,
)

__all__ = ["Blank", "flights"]

Blank = tuple[float, float, float, float]


def flights(ws: Sequence[Word], labels: dict[str, Word], blanks: list[Blank]) -> list[NameValue]:
    """The flight table's entries, a ``Row`` per flight, read the way the page prints it (see
    the module docstring); the cells where a value belongs but none was read go to
    ``blanks``."""
    slip = _slip_flights(ws)
    if slip is not None:
        return slip
    read = sorted((labels[k] for k in FLIGHT_HEADERS if k in labels), key=lambda w: w.cx)
    heads = _with_unread(read)
    marks = sorted((w for w in ws if w.key in STATIONS), key=lambda w: w.top)
    # The stations' column ends where the first header's column begins: half-way to the
    # second header's centre, or its own left edge if that is further left (a narrow column).
    first_col = min(heads[0].cx - (heads[1].cx - heads[0].cx) / 2, heads[0].x0 - heads[0].height / 2
                    ) if len(heads) > 1 else float("inf")  # fmt: skip
    cells: list[Blank] = []
    out = _marked(ws, heads, marks, first_col, cells)
    if not any(d["Name"] == "航班号" for d in out):  # the marks may have gone unread
        other: list[Blank] = []
        if len(read) >= _HEADER_ROW:
            found = _unmarked(ws, heads, first_col, other)
        else:  # and the header row with them
            found = _headless(ws)
        if len(found) > len(out):
            out, cells = found, other
    blanks += cells
    return out


def _with_unread(heads: list[Word]) -> list[Word]:
    """The header row with the headers that went unread between two read ones put back,
    evenly across the gap (every form prints the nine in one order): their values would
    otherwise fall into a neighbour's column and spoil it (a time under 日期).

    >>> row = [Word("日期", 0, 0, 20, 10), Word("客票级别/客票类别", 100, 0, 180, 10)]
    >>> [(h.text, h.x0, h.x1) for h in _with_unread(row)]
    [('日期', 0, 20), ('时间', 40.0, 80.0), ('客票级别/客票类别', 100, 180)]
    """
    order = [FLIGHT_HEADERS.index(h.key) for h in heads]
    if order != sorted(order):
        return heads  # not the usual order: nothing to place by it
    out: list[Word] = heads[:1]
    for a, b in itertools.pairwise(heads):
        missing = FLIGHT_HEADERS[FLIGHT_HEADERS.index(a.key) + 1 : FLIGHT_HEADERS.index(b.key)]
        step = (b.x0 - a.x1) / (len(missing) + 1)
        for i, name in enumerate(missing, 1):
            cx = a.x1 + i * step
            out.append(Word(name, cx - step / 2, a.top, cx + step / 2, a.bottom, 0.0))
        out.append(b)
    return out


def _marked(ws: Sequence[Word], heads: Sequence[Word], marks: Sequence[Word], first_col: float,
            blanks: list[Blank]) -> list[NameValue]:  # fmt: skip
    """The table read by its 自/至 marks (the e-invoice's pairs, the paper itinerary's chain)."""
    if not marks:
        return []
    keys = "".join(m.key for m in marks)
    if "至至" in keys and "至自" not in keys:  # one 自 line, then 至 lines: a paper itinerary
        chain = _chain(ws, heads, marks, first_col, blanks)
        if chain is not None:
            return chain
    out: list[NameValue] = []
    row = -1
    start: Word | None = None
    # Where the next segment starts if its 自 line goes unread (a scan): below the header
    # line, then below the last segment's 至 line.
    floor = max((h.bottom for h in heads), default=None)
    for mark in marks:
        if mark.key == "自":
            if start is not None:  # the open segment's 至 line went unread: it ends here
                top = start.top - start.height / 2
                out += _segment(ws, heads, first_col, (top, mark.top), row, blanks)[0]
            row, start = row + 1, mark
            add(out, "自", _city(mark, ws, first_col), row)
            continue
        if start is not None:
            top = start.top - start.height / 2
        elif floor is not None and 0 <= mark.top - floor < 3 * mark.height:
            top, row = floor, row + 1  # its origin is left out: no mark says where it is
        else:
            continue
        values, merged = _segment(ws, heads, first_col, (top, mark.bottom + mark.height / 2), row,
                                  blanks)  # fmt: skip
        if not merged:  # two flights ran together: this 至 may be the second one's
            add(out, "至", _city(mark, ws, first_col), row)
        out += values
        start, floor = None, mark.bottom
    return out


def _chain(ws: Sequence[Word], heads: Sequence[Word], marks: Sequence[Word], first_col: float,
           blanks: list[Blank]) -> list[NameValue] | None:  # fmt: skip
    """The paper itinerary's table: one 自 line, then 至 lines; flight k printed on one line,
    from the k-th station to the next. Each line of values goes to the station whose city
    (printed by the same pass, so shifted with it) is nearest; a line near none is left out.
    None when the values do not stand on the cities' lines (they sit between: an e-invoice
    whose 自 lines went unread)."""
    if not heads:
        return []
    h = max(m.height for m in marks)
    dy = _pass_offset(marks, ws, first_col)  # a misregistered data pass: marks onto its lines
    marks = [replace(m, top=m.top + dy, bottom=m.bottom + dy) for m in marks]
    floor, bottom = max(hd.bottom for hd in heads), marks[-1].bottom + h / 2
    band = sorted((w for w in ws if floor <= w.cy <= bottom and w.x0 >= first_col - 1
                   and not is_label(w)), key=lambda w: w.cy)  # fmt: skip
    lines: list[list[Word]] = []
    for w in band:
        if lines and same_line(w, lines[-1][0]):
            lines[-1].append(w)
        else:
            lines.append([w])
    places = [next(iter(_city(m, ws, first_col)), m) for m in marks]  # each city, or its mark
    out: list[NameValue] = []
    for k, m in enumerate(marks):
        add(out, "自", _city(m, ws, first_col), k)
        if k:
            add(out, "至", _city(m, ws, first_col), k - 1)
    taken: set[int] = set()
    nearest = []
    for line in lines:
        cy = sum(w.cy for w in line) / len(line)
        near = [(abs(p.cy - cy), k) for k, p in enumerate(places)]
        nearest.append(min(near))
    if lines and sorted(d for d, _ in nearest)[(len(lines) - 1) // 2] > 0.35 * h:
        return None
    for line, (dist, k) in zip(lines, nearest, strict=True):
        if dist > h or k in taken or k == len(marks) - 1:
            continue  # between two stations, or the last one (no flight leaves from it)
        taken.add(k)
        band_y = (min(w.top for w in line), max(w.bottom for w in line))
        out += _segment(ws, heads, first_col, band_y, k, blanks)[0]
    return [d for d in out if d["Row"] in taken]


def _city(mark: Word, ws: Sequence[Word], first_col: float) -> list[Word]:
    """The city right of a 自/至 mark: its words up to the first header's column, or the one
    word that starts before that column and runs into it (the carrier's cell read into the
    city's, ``深圳川航``: the reader of values parts them)."""
    found = right_of(mark, ws, first_col)
    if found:
        return found
    line = right_of(mark, ws)
    return line[:1] if line and line[0].x0 < first_col else []


_HEADER_ROW = 3  # flight headers read: enough to read a table by its columns alone
# A station as printed: a city (maybe its airport's name) and maybe its code (four letters:
# a code misread, XMIN; the reader of values refuses it, but the line is a station's), and
# maybe a speck after it.
_CITY = re.compile(r"[\u4e00-\u9fff]{2,8}(?:\s*[A-Za-z]{3,4})?[.,·]?")
_FLIGHT_NO = re.compile(r"[A-Z0-9]{2}\d{3,4}[A-Z]?")


def _unmarked(ws: Sequence[Word], heads: Sequence[Word], first_col: float,
              blanks: list[Blank]) -> list[NameValue]:  # fmt: skip
    """A table whose 自/至 marks went unread, by its header row: the lines under it with a
    flight number under 航班号 are flights; the cities in the stations' column are their
    stations — on a flight's own line its origin (the paper itinerary: the destination is
    the next city down), else the cities just above and below it (the e-invoice's pairs).
    The table ends at the first label under it."""
    floor = max(h.bottom for h in heads)
    number = next((h for h in heads if h.key == "航班号"), None)
    if number is None:
        return []
    below = [w for w in ws if w.cy > floor and is_label(w) and w.key not in STATIONS]
    ceiling = min((w.top for w in below), default=float("inf"))
    inside = [w for w in ws if floor < w.cy < ceiling and not is_label(w)]
    cities = sorted((w for w in inside if w.x1 <= first_col + w.height
                     and _CITY.fullmatch(w.text.strip())), key=lambda w: w.cy)  # fmt: skip
    flights = sorted((w for w in inside if w.x0 >= first_col - 1 and _FLIGHT_NO.fullmatch(w.text)
                      and _column(w, heads) is number),
                     key=lambda w: w.cy)  # fmt: skip
    out: list[NameValue] = []
    for row, flight in enumerate(flights):
        out += _stations(cities, flights, row)
        out += _segment(ws, heads, first_col, (flight.top, flight.bottom), row, blanks)[0]
    return out


def _stations(cities: Sequence[Word], flights: Sequence[Word], row: int) -> list[NameValue]:
    """The stations of flight ``row`` (``flights`` one word on each flight's line, top to
    bottom) among the stations' column's ``cities``: on its own line its origin (the paper
    itinerary: the destination is the next city down), else the cities just above and below
    it (the e-invoice's pairs)."""
    flight = flights[row]
    on_line = [c for c in cities if _level(c, flight)]
    above = on_line[:1] or [c for c in cities if c.cy < flight.cy  # not another's origin
                            and not any(_level(c, f) for f in flights)][-1:]
    below = [c for c in cities if c.cy > flight.cy and c not in on_line][:1]
    out: list[NameValue] = []
    for mark, city in (("自", above), ("至", below)):
        # a city with another flight's line between it and this one is that flight's:
        # the station nearer this one went unread
        if city and not any(_between(f, city[0], flight) for f in flights):
            add(out, mark, city, row)
    return out


# An airline's flight number: a two-character code with a letter in it (``3U``, ``MU``; a
# date's ``241204`` is no flight) and three or four digits.
_AIRLINE_FLIGHT = re.compile(r"(?:[A-Z][A-Z0-9]|\d[A-Z])\d{3,4}[A-Z]?")
_DATE = re.compile(r"\d{4}[-./年]?\d{1,2}[-./月]?\d{1,2}日?|\d{1,2}[A-Z]{3}(?:\d{2})?")
_TIME = re.compile(r"\d{1,2}:\d{2}|\d{4}")
_SEAT = re.compile(r"[A-Z]")
_FARE_BASIS = re.compile(r"(?=.*[A-Z])[A-Z0-9/]{1,10}")
_BAGGAGE = re.compile(r"\d{1,3}(?:KG?|PC)|无")


def _headless(ws: Sequence[Word]) -> list[NameValue]:
    """A table whose header row and marks went unread (a phone photo of the e-invoice's
    faint small print), by the forms of its cells: each line with an airline's flight number
    followed by a date or a time is a flight, its cells named by form in the order every form
    prints them (:func:`_by_form`); its carrier the Chinese word just before the number, its
    stations the cities left of them (:func:`_stations`)."""
    lines = []
    for number in sorted(ws, key=lambda w: w.cy):
        if is_label(number) or not _AIRLINE_FLIGHT.fullmatch(number.text.strip()):
            continue
        line = sorted((w for w in ws if same_line(w, number) and w is not number
                       and not is_label(w)), key=left)  # fmt: skip
        cells = _by_form([p for w in line if w.x0 >= number.x1 - number.height / 2
                          for p in _pieces(w)])  # fmt: skip
        if "日期" in cells or "时间" in cells:
            lines.append((number, _carrier(number, line), cells))
    if not lines:
        return []
    h = lines[0][0].height
    first_col = min((c or n).x0 for n, c, _ in lines) - h / 2
    top = lines[0][0].top - 1.5 * h  # the e-invoice prints the first origin half a line up
    below = [w.top for w in ws if is_label(w) and w.cy > lines[-1][0].cy]
    bottom = min(below, default=float("inf"))
    cities = sorted((w for w in ws if top < w.cy < bottom and w.x1 <= first_col + w.height
                     and not is_label(w) and _CITY.fullmatch(w.text.strip())),
                    key=lambda w: w.cy)  # fmt: skip
    numbers = [n for n, _, _ in lines]
    out: list[NameValue] = []
    for row, (number, carrier, cells) in enumerate(lines):
        out += _stations(cities, numbers, row)
        add(out, "承运人", [carrier] if carrier else [], row)
        add(out, "航班号", [number], row)
        for name, word in cells.items():
            add(out, name, [word], row)
    return out


def _carrier(number: Word, line: Sequence[Word]) -> Word | None:
    """The Chinese word printed just before a flight number (within three glyphs), if any."""
    before = [w for w in line if w.x1 <= number.x0 + number.height / 2 and HAN.search(w.text)]
    last = max(before, key=lambda w: w.x1, default=None)
    return last if last and number.x0 - last.x1 < 3 * number.height else None


def _pieces(w: Word) -> list[Word]:
    """``w`` cut where two cells read as one part (:data:`_CELL_BREAK`), each piece placed
    by its share of the text."""
    out: list[Word] = []
    pitch, start = (w.x1 - w.x0) / max(len(w.text), 1), 0
    for m in _CELL_BREAK.finditer(w.text + " "):
        piece = w.text[start : m.start()]
        if piece:
            x0 = w.x0 + start * pitch
            out.append(Word(piece, x0, w.top, x0 + len(piece) * pitch, w.bottom, w.score))
        start = m.end()
    return out


def _by_form(cells: Sequence[Word]) -> dict[str, Word]:
    """The cells after a flight number named by their form, in the order every form prints
    them (座位等级, 日期, 时间, 客票级别, 生效日期, 截止日期, 免费行李); what the forms
    leave open is left out: a lone letter right after the number is the seat class, one
    date before the time is the flight's, the two after it are the validity dates
    (one alone could be either), the word right after the time is the fare basis.

    >>> row = [Word(t, 0, 0, 1, 1) for t in ("C", "2024-12-04", "12:25", "C", "30K")]
    >>> [(k[:4], w.text) for k, w in _by_form(row).items()]  # doctest: +NORMALIZE_WHITESPACE
    [('座位等级', 'C'), ('日期', '2024-12-04'), ('时间', '12:25'), ('客票级别', 'C'),
     ('免费行李', '30K')]
    """
    texts = [c.text.strip() for c in cells]
    times = [i for i, t in enumerate(texts) if ":" in t and _TIME.fullmatch(t)]
    if len(times) != 1:  # (a time printed ``1455`` is only told from a number by its place)
        times = [i for i, t in enumerate(texts) if _TIME.fullmatch(t) and not _DATE.fullmatch(t)]
    dates = [i for i, t in enumerate(texts) if _DATE.fullmatch(t)]
    out: dict[str, Word] = {}
    if len(times) == 1:
        (at,) = times
        out["时间"] = cells[at]
        before, after = [i for i in dates if i < at], [i for i in dates if i > at]
        if len(before) == 1:
            out["日期"] = cells[before[0]]
        if len(after) == 2:
            out["客票生效日期"], out["有效截止日期"] = cells[after[0]], cells[after[1]]
        nxt = at + 1
        if nxt < len(texts) and nxt not in dates and _FARE_BASIS.fullmatch(texts[nxt]) \
                and not _BAGGAGE.fullmatch(texts[nxt]):
            out["客票级别/客票类别"] = cells[nxt]
    elif len(dates) == 3:
        out["日期"], out["客票生效日期"], out["有效截止日期"] = (cells[i] for i in dates)
    if texts and _SEAT.fullmatch(texts[0]) and 0 not in (*dates, *times):
        out["座位等级"] = cells[0]  # (a lone letter after the time is the fare basis)
    if texts and _BAGGAGE.fullmatch(texts[-1]) and (not dates or dates[-1] < len(texts) - 1):
        out["免费行李"] = cells[-1]
    return dict(sorted(out.items(), key=lambda kv: FLIGHT_HEADERS.index(kv[0])))


def _level(a: Word, b: Word) -> bool:
    """Whether two words stand on one printed line: closer than :func:`same_line` asks (a
    photo packs the e-invoice's station lines half a line from the flight's)."""
    return abs(a.cy - b.cy) < 0.3 * max(a.height, b.height)


def _between(w: Word, a: Word, b: Word) -> bool:
    """Whether ``w`` stands on a line strictly between ``a``'s and ``b``'s."""
    lo, hi = sorted((a.cy, b.cy))
    return lo < w.cy < hi and not same_line(w, a) and not same_line(w, b)


def _column(w: Word, heads: Sequence[Word]) -> Word:
    """The header ``w`` stands under (``heads`` left to right): columns part half-way across
    the gap between two headers, so a value printed flush left under a wide header (the fare
    basis under 客票级别/客票类别) is not taken for the narrow one before it.

    >>> heads = [Word("时间", 1006, 0, 1048, 10), Word("客票级别/类别", 1133, 0, 1330, 10)]
    >>> _column(Word("Y1", 1108, 20, 1142, 30), heads).text
    '客票级别/类别'
    """
    bounds = [(a.x1 + b.x0) / 2 for a, b in itertools.pairwise(heads)]
    return heads[sum(w.cx > x for x in bounds)]


def _nearest(w: Word, heads: Sequence[Word]) -> Word:
    """The header whose centre is nearest ``w``'s."""
    return min(heads, key=lambda h: abs(h.cx - w.cx))


def _pass_offset(marks: Sequence[Word], ws: Sequence[Word], first_col: float) -> float:
    """How far the data pass is printed below the form (up to a line either way): the offset
    that sets the most of the stations' column (cities, ``VOID``) level with a 自/至 mark, the
    smallest of those. Half a line off or more, the nearest mark is the wrong one: counting
    every mark's city tells a pass shifted down from one shifted up.

    >>> marks = [Word(t, 0, y, 10, y + 10) for t, y in (("自", 0), ("至", 20), ("至", 40))]
    >>> pass_ = (("广州", 12), ("哈尔滨", 32), ("VOID", 52))
    >>> cities = [Word(t, 15, y, 40, y + 10) for t, y in pass_]
    >>> _pass_offset(marks, marks + cities, 50)
    12.0
    """
    h = max(m.height for m in marks)
    left = min(m.x0 for m in marks)
    column = [w for w in ws if left <= w.x0 < first_col and not is_label(w)
              and (HAN.search(w.text) or w.key == "VOID")]  # fmt: skip
    offsets = {0.0, *(w.cy - m.cy for w in column for m in marks if abs(w.cy - m.cy) <= 1.2 * h)}

    def level(dy: float) -> tuple[int, float]:
        matched = sum(any(abs(w.cy - m.cy - dy) < h / 2 for w in column) for m in marks)
        return matched, -abs(dy)

    return max(offsets, key=level)



# Where two cells read as one line part: a space, or a time run into the letters after it
# (``19:10B2``: the time, then the fare basis).
_CELL_BREAK = re.compile(r" +|(?<=\d:\d\d)(?=[A-Za-z])")


def _cells(w: Word, heads: Sequence[Word]) -> list[Word]:
    """A word that holds two cells (a scan reads two cells as one line: ``2024-08-31 12:30``,
    ``19:10B2``, ``3U7631 Y``), cut where cells part when its pieces, each placed by its
    share of the text, stand under different headers.

    >>> heads = [Word(h, x, 0, x + 20, 10) for h, x in (("时间", 0), ("客票级别/客票类别", 40))]
    >>> [(p.text, p.x0) for p in _cells(Word("19:10B2", 0, 20, 70, 30), heads)]
    [('19:10', 0.0), ('B2', 50.0)]
    >>> [p.text for p in _cells(Word("3U7631 Y", 0, 20, 40, 30), heads)]
    ['3U7631', 'Y']
    """
    if len(heads) < 2 or not _CELL_BREAK.search(w.text.strip()):
        return [w]
    out: list[Word] = []
    pitch, start = (w.x1 - w.x0) / len(w.text), 0
    for m in _CELL_BREAK.finditer(w.text + " "):
        piece = w.text[start : m.start()]
        if piece:
            x0 = w.x0 + start * pitch
            out.append(Word(piece, x0, w.top, x0 + len(piece) * pitch, w.bottom, w.score))
        start = m.end()
    under = {_nearest(p, heads).key for p in out}
    return out if len(under) > 1 else [w]


def _slip_flights(ws: Sequence[Word]) -> list[NameValue] | None:
    """The flights of a slip (a receipt printed in one column): no header row, each flight a
    block of labels with their values beside them, opened by its 自 line; None when the
    flight labels are not printed that way.

    A block is told by the 自 line above it; without one for every block, the n-th label of
    a name belongs to the n-th flight, for the names printed as often as there are flights
    (the others are left out: a block whose label went unread would shift them).
    """
    cells = [(w, _next_to(w, ws)) for w in ws if w.key in FLIGHT_HEADERS]
    filled = sum(1 for _, v in cells if v)
    if filled < 3 or filled * 2 < len(cells):
        return None
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
    for w, value in sorted(cells, key=lambda c: (c[0].top, c[0].x0)):
        row = seen[w.key] = seen.get(w.key, -1) + 1
        if count[w.key] == flights:
            add(out, w.key, value, row)
    return out


def _next_to(label: Word, ws: Sequence[Word]) -> list[Word]:
    """What is printed right after ``label`` on its line, up to the next label."""
    line = sorted((w for w in ws if w.x0 >= label.x1 - 0.5 and same_line(w, label)
                   and w is not label), key=left)  # fmt: skip
    if not line or is_label(line[0]) or line[0].x0 - label.x1 > 8 * label.height:
        return []
    return right_of(label, ws)


def _block(w: Word, starts: Sequence[Word]) -> int:
    """The flight whose 自 line is the last one at or above ``w``."""
    return max(0, sum(1 for s in starts if s.cy <= w.cy + w.height / 2) - 1)


def _segment(ws: Sequence[Word], heads: Sequence[Word], first_col: float,
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
        parts = _cells(w, heads)
        # (a piece's place is a guess from its share of the text: its nearest header decides)
        for part in parts:
            head = _column(part, heads) if len(parts) == 1 else _nearest(part, heads)
            cols.setdefault(head.key, []).append(part)
        band += parts
    out: list[NameValue] = []
    merged = False
    for h in heads:
        cell = sorted(cols.get(h.key, []), key=left)
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
