"""The flight table of positioned text → its rows of Name/Value pairs (pure).

Three ways a table is printed, each told by its marks:

* the e-invoice: 自, 至, 自, 至 — one segment per pair of station lines, its values in the
  band between them, each under the header whose centre is nearest;
* the paper itinerary: one 自 line, then 至 lines — flight k printed on the k-th city's line,
  from that station to the next;
* a slip: no header row — each flight a block of labels with their values beside them
  (:mod:`.slip`).

A table whose marks went unread (a photo's small print) is read by its header row alone, or
with that unread too by its cells' forms (:mod:`.unmarked`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from ...models import NameValue
from ..words import (
    FLIGHT_HEADERS,
    HAN,
    STATIONS,
    Word,
    add,
    is_label,
    lines,
    right_of,
    same_line,
)
from .cells import CITY, Blank, segment
from .slip import slip_flights
from .unmarked import dated, headless, unmarked

__all__ = ["flights", "merged"]


def flights(ws: Sequence[Word], labels: dict[str, Word], blanks: list[Blank]) -> list[NameValue]:
    """The flight table's entries, a ``Row`` per flight, read the way the page prints it (see
    the module docstring); the cells where a value belongs but none was read go to
    ``blanks``."""
    slip = slip_flights(ws, blanks)
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
    # The marks may have gone unread (then every flight is lost), or some flight's (its row
    # is): the table read by its header row, and with no flight read, by its cells' forms too
    # (three headers may be misreads that named no 航班号).
    by_form = headless(ws)
    tries: list[tuple[list[NameValue], list[Blank]]] = []
    if len(read) >= _HEADER_ROW:
        other: list[Blank] = []
        tries.append((unmarked(ws, heads, first_col, other), other))
    if not _numbers(out) and not _skips_first(by_form, ws, marks):
        tries.append((by_form, []))
    for found, other in tries:
        # (a table read by its marks keeps its reading unless another finds more flights, and
        # as many rows: a flight whose number went unread would shift the ones after it)
        tie = 0 if _numbers(out) else len(found) - len(out)
        if (_numbers(found) - _numbers(out), tie) > (0, 0) and _rows(found) >= _rows(out):
            out, cells = found, other or cells  # (the marks' empty cells are still worth a look)
    blanks += cells
    # A cell whose header went unread is named by its form on its flight's line. (Not its
    # stations: by form alone, the city under a flight may be the next one's origin.)
    return merged(out, [d for d in by_form if d["Name"] not in STATIONS])


def merged(first: Sequence[NameValue], second: Sequence[NameValue]) -> list[NameValue]:
    """``first``, with the flight fields only ``second`` read, for the flights whose number
    both read alike (each put in ``first``'s row of that number), or, where the numbers
    differ, whose stations, date and time read alike (:func:`_alike`). The ticket's own
    fields are ``first``'s alone.

    >>> a = [{"Name": "航班号", "Value": "3U9573", "Row": 1}, {"Name": "票价", "Value": "1.00"}]
    >>> b = [{"Name": "自", "Value": "厦门", "Row": 0}, {"Name": "航班号", "Value": "3U9573",
    ...       "Row": 0}, {"Name": "签注", "Value": "不得签转"}]
    >>> [(d["Value"], d.get("Row")) for d in merged(a, b)]
    [('3U9573', 1), ('1.00', None), ('厦门', 1)]
    """

    def numbers(data: Sequence[NameValue]) -> dict[str, int]:
        return {d["Value"]: d.get("Row", -1) for d in data if d["Name"] == "航班号"}

    ours = numbers(first)
    rows = {row: ours[number] for number, row in numbers(second).items() if number in ours}
    rows |= _alike(first, second, rows)
    have = {(d["Name"], d.get("Row", -1)) for d in first}
    out = list(first)
    for d in second:
        row = rows.get(d.get("Row", -1))
        if row is not None and (d["Name"], row) not in have:
            out.append({**d, "Row": row})
    return out


_SAME_FLIGHT = ("自", "至", "日期", "时间")  # what tells one flight from another, its number aside


def _alike(first: Sequence[NameValue], second: Sequence[NameValue], rows: dict[int, int]
           ) -> dict[int, int]:  # fmt: skip
    """The rows of ``second`` that ``rows`` does not match to one of ``first``, each matched
    to the one row of ``first``, unmatched too, that reads two or more of its stations, date
    and time alike and none of them otherwise: one flight, its number read two ways
    (``HO5253`` and ``HO8253``, an ink-parted reading and the page's).

    >>> a = [{"Name": "航班号", "Value": "HO8253", "Row": 0}, {"Name": "自", "Value": "厦门",
    ...       "Row": 0}, {"Name": "时间", "Value": "10:55", "Row": 0}]
    >>> b = [{"Name": "航班号", "Value": "HO5253", "Row": 0}, {"Name": "自", "Value": "厦门",
    ...       "Row": 0}, {"Name": "时间", "Value": "10:55", "Row": 0}, {"Name": "座位等级",
    ...       "Value": "Y", "Row": 0}]
    >>> _alike(a, b, {}), _alike(a, b[:2], {})
    ({0: 0}, {})
    """

    def flights(data: Sequence[NameValue]) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {}
        for d in data:
            if d["Name"] in _SAME_FLIGHT and int(d.get("Row", -1)) >= 0:
                out.setdefault(int(d["Row"]), {})[d["Name"]] = d["Value"]
        return out

    ours, theirs = flights(first), flights(second)
    free = [row for row in ours if row not in rows.values()]
    out: dict[int, int] = {}
    for row, seen in theirs.items():
        if row in rows:
            continue
        fits = [r for r in free if all(ours[r].get(k, v) == v for k, v in seen.items())
                and sum(ours[r].get(k) == v for k, v in seen.items()) >= 2]  # fmt: skip
        if len(fits) == 1 and fits[0] not in out.values():
            out[row] = fits[0]
    return out


def _skips_first(found: Sequence[NameValue], ws: Sequence[Word], marks: Sequence[Word]) -> bool:
    """Whether a reading by form starts below a 自 line that holds a flight's values (a
    paper itinerary prints its first flight on that line): that flight's number went
    unread, and the reading's first row would be the next flight.

    >>> start = Word("自", 0, 0, 10, 10)
    >>> line = [start, Word("9707", 50, 0, 90, 10), Word("2025-04-19", 100, 0, 160, 10)]
    >>> _skips_first([{"Name": "航班号", "Value": "HU3074", "Row": 0}], line, [start])
    True
    """
    start = next((m for m in marks if m.key == "自"), None)
    number = next((d["Value"] for d in found if d["Name"] == "航班号"), None)
    if start is None or number is None:
        return False
    line = [w for w in ws if same_line(w, start) and w is not start]
    return not any(w.text.strip() == number for w in line) and dated(line)


def _numbers(entries: Sequence[NameValue]) -> int:
    return sum(d["Name"] == "航班号" for d in entries)


def _rows(entries: Sequence[NameValue]) -> int:
    return len({d.get("Row", -1) for d in entries})


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
    # One 自 line, then 至 lines: a paper itinerary. (至 lines with the 自 above them unread
    # are no chain to count stations down: the first 至 would be taken for the origin.)
    if keys.startswith("自至至") and "至自" not in keys:
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
                out += segment(ws, heads, first_col, (top, mark.top), row, blanks)[0]
            elif floor is not None:  # whole segments above it whose marks went unread
                row += _unread_segments(ws, floor, mark)
            row, start = row + 1, mark
            add(out, "自", _city(mark, ws, first_col), row)
            continue
        if start is not None:
            top = start.top - start.height / 2
        elif floor is not None and 0 <= mark.top - floor < 3 * mark.height:
            top, row = floor, row + 1  # its origin is left out: no mark says where it is
        else:
            continue
        values, merged = segment(ws, heads, first_col, (top, mark.bottom + mark.height / 2), row,
                                  blanks)  # fmt: skip
        if not merged:  # two flights ran together: this 至 may be the second one's
            add(out, "至", _city(mark, ws, first_col), row)
        out += values
        start, floor = None, mark.bottom
    return out


def _unread_segments(ws: Sequence[Word], floor: float, mark: Word) -> int:
    """How many e-invoice segments stand between ``floor`` and a 自 ``mark`` with both their
    marks unread: each prints two station lines, so half the lines of cities in the marks'
    column there. Their rows are kept (left empty), so the flights after them keep theirs.

    >>> mark = Word("自", 0, 100, 10, 110)
    >>> cities = [Word(c, 15, y, 60, y + 10) for c, y in (("哈尔滨 HRB", 60), ("天津 TSN", 80))]
    >>> _unread_segments([*cities, mark], 50, mark)
    1
    """
    h = mark.height
    cities = [w for w in ws if floor < w.cy < mark.top and mark.x0 - h <= w.x0 <= mark.x1 + 3 * h
              and not is_label(w) and CITY.fullmatch(w.text.strip())]  # fmt: skip
    return len(lines(cities)) // 2


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
    printed = lines(w for w in ws if floor <= w.cy <= bottom and w.x0 >= first_col - 1
                    and not is_label(w))  # fmt: skip
    places = [next(iter(_city(m, ws, first_col)), m) for m in marks]  # each city, or its mark
    out: list[NameValue] = []
    for k, m in enumerate(marks):
        add(out, "自", _city(m, ws, first_col), k)
        if k:
            add(out, "至", _city(m, ws, first_col), k - 1)
    taken: set[int] = set()
    nearest = []
    for line in printed:
        cy = sum(w.cy for w in line) / len(line)
        near = [(abs(p.cy - cy), k) for k, p in enumerate(places)]
        nearest.append(min(near))
    if printed and sorted(d for d, _ in nearest)[(len(printed) - 1) // 2] > 0.35 * h:
        return None
    for line, (dist, k) in zip(printed, nearest, strict=True):
        if dist > h or k in taken or k == len(marks) - 1:
            continue  # between two stations, or the last one (no flight leaves from it)
        taken.add(k)
        band_y = (min(w.top for w in line), max(w.bottom for w in line))
        out += segment(ws, heads, first_col, band_y, k, blanks)[0]
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


def _pass_offset(marks: Sequence[Word], ws: Sequence[Word], first_col: float) -> float:
    """How far the data pass is printed below the form (up to a line either way): the offset
    that sets the most of the stations' column (cities, ``VOID``) within half a line of a
    自/至 mark, the one that sets them nearest of those (a pass half a line up has every city
    within half a line of its mark unmoved too). Half a line off or more, the nearest mark is
    the wrong one: counting every mark's city tells a pass shifted down from one shifted up.

    >>> marks = [Word(t, 0, y, 10, y + 10) for t, y in (("自", 0), ("至", 20), ("至", 40))]
    >>> pass_ = (("广州", 12), ("哈尔滨", 32), ("VOID", 52))
    >>> cities = [Word(t, 15, y, 40, y + 10) for t, y in pass_]
    >>> _pass_offset(marks, marks + cities, 50)
    12.0
    >>> high = (("广州", -4.5), ("哈尔滨", 15.5), ("VOID", 35.5))
    >>> up = [Word(t, 15, y, 40, y + 10) for t, y in high]
    >>> _pass_offset(marks, marks + up, 50)
    -4.5
    """
    h = max(m.height for m in marks)
    left = min(m.x0 for m in marks)
    column = [w for w in ws if left <= w.x0 < first_col and not is_label(w)
              and (HAN.search(w.text) or w.key == "VOID")]  # fmt: skip
    offsets = {0.0, *(w.cy - m.cy for w in column for m in marks if abs(w.cy - m.cy) <= 1.2 * h)}

    def level(dy: float) -> tuple[int, float]:
        near = [min(abs(w.cy - m.cy - dy) for w in column) for m in marks] if column else []
        matched = [d for d in near if d < h / 2]
        return len(matched), -sum(matched)

    return max(offsets, key=level)
