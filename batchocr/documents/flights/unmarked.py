"""A flight table whose 自/至 marks went unread (a photo's small print), read by its header
row (:func:`unmarked`) or, with the header row unread too, by its cells' forms in the order
every form prints them (:func:`headless`) (pure)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace

from ...models import NameValue
from ..words import (
    FLIGHT_HEADERS,
    HAN,
    KNOWN_LABELS,
    STATIONS,
    Word,
    add,
    is_label,
    left,
    same_line,
)
from ..words import lines as word_lines
from .cells import CITY, Blank, between, column_of, on_level, pieces, segment

__all__ = ["dated", "headless", "unmarked"]

# A flight number, maybe with a speck and the next cell run into it (``SC2480.L``): the line
# is a flight's even when its number does not read clean.
_FLIGHT_NO = re.compile(r"[A-Z0-9]{2}\d{3,4}(?:[A-Z]?$|[^A-Z0-9])")


def unmarked(ws: Sequence[Word], heads: Sequence[Word], first_col: float,
              blanks: list[Blank]) -> list[NameValue]:  # fmt: skip
    """A table whose 自/至 marks went unread, by its header row: the lines under it with a
    flight number under 航班号 are flights, and so are those with a date under 日期 and a
    time under 时间 (:func:`_timed`: the number misread); the cities in the stations'
    column are their stations — on a flight's own line its origin (the paper itinerary: the
    destination is the next city down), else the cities just above and below it (the
    e-invoice's pairs).
    The table ends at the first label under it."""
    floor = max(h.bottom for h in heads)
    number = next((h for h in heads if h.key == "航班号"), None)
    if number is None:
        return []
    # (a speck read as a colon makes a cell's ``F:`` look like a label: it ends no table)
    below = [w for w in ws if w.cy > floor and is_label(w) and w.key not in STATIONS
             and (w.key in KNOWN_LABELS or HAN.search(w.text))]
    ceiling = min((w.top for w in below), default=float("inf"))
    inside = [w for w in ws if floor < w.cy < ceiling and not is_label(w)]
    cities = sorted((w for w in inside if w.x1 <= first_col + w.height
                     and CITY.fullmatch(w.text.strip())), key=lambda w: w.cy)  # fmt: skip
    numbers = [w for w in inside if w.x0 >= first_col - 1
               and _FLIGHT_NO.match(w.text.upper()) and column_of(w, heads) is number]  # fmt: skip
    flights = sorted(numbers + _timed(inside, heads, numbers), key=lambda w: w.cy)
    out: list[NameValue] = []
    for row, flight in enumerate(flights):
        out += _stations(cities, flights, row)
        out += segment(ws, heads, first_col, (flight.top, flight.bottom), row, blanks)[0]
    return out


def _timed(inside: Sequence[Word], heads: Sequence[Word], numbers: Sequence[Word]) -> list[Word]:
    """The dates under 日期 on the lines under the header row that hold no flight number
    but a time under 时间 too: a flight whose number misread (``C960``) keeps its row."""
    def under(w: Word, key: str, form: re.Pattern[str]) -> bool:
        return column_of(w, heads).key == key and any(
            form.fullmatch(p.text.strip()) for p in pieces(w))

    if not any(h.key == "日期" for h in heads) or not any(h.key == "时间" for h in heads):
        return []
    return [w for w in inside if under(w, "日期", _DATE)
            and not any(_within_a_line(w, n) for n in numbers)
            and any(same_line(w, t) and under(t, "时间", _TIME) for t in inside)]  # fmt: skip


def _misread_number(parts: Sequence[Word]) -> bool:
    """Whether a flight's line starts with its number misread (``C960``, ``830``): no seat
    class, date or time, or four digits like a time when a time with its colon follows (the
    seat class is then the cell after it).

    >>> time = Word("18:40", 2, 0, 3, 1)
    >>> [_misread_number([Word(t, 0, 0, 1, 1), time]) for t in ("C960", "Y", "5260", "2025-12-28")]
    [True, False, True, False]
    """
    head = parts[0].text.strip()
    if _SEAT.fullmatch(head) or _DATE.fullmatch(head):
        return False
    return not _TIME.fullmatch(head) or any(
        ":" in p.text and _TIME.fullmatch(p.text.strip()) for p in parts[1:])


def _within_a_line(a: Word, b: Word) -> bool:
    """Whether two words stand less than a line apart: no two flights' lines do (a number read
    off its cells' line, by another ink or a misregistered pass, is still their flight's)."""
    return abs(a.cy - b.cy) < max(a.height, b.height)


def _stations(cities: Sequence[Word], flights: Sequence[Word], row: int) -> list[NameValue]:
    """The stations of flight ``row`` (``flights`` one word on each flight's line, top to
    bottom) among the stations' column's ``cities``: on its own line its origin (the paper
    itinerary: the destination is the next city down), else the cities just above and below
    it (the e-invoice's pairs)."""
    flight = flights[row]
    on_line = [c for c in cities if on_level(c, flight)]
    above = on_line[:1] or [c for c in cities if c.cy < flight.cy  # not another's origin
                            and not any(on_level(c, f) for f in flights)][-1:]
    below = [c for c in cities if c.cy > flight.cy and c not in on_line][:1]
    out: list[NameValue] = []
    for mark, city in (("自", above), ("至", below)):
        # a city with another flight's line between it and this one is that flight's:
        # the station nearer this one went unread
        if city and not any(between(f, city[0], flight) for f in flights):
            add(out, mark, city, row)
    return out


# An airline's flight number: a two-character code with a letter in it (``3U``, ``MU``; a
# date's ``241204`` is no flight) and three or four digits, one of them maybe read as its
# look-alike letter (``SCS739``).
_AIRLINE_FLIGHT = re.compile(r"(?:[A-Z][A-Z0-9]|\d[A-Z])"
                             r"(?=\d*[OSIBZ]?\d*[A-Z]?$)[\dOSIBZ]{3,4}[A-Z]?")
_DATE = re.compile(r"\d{4}[-./年]?\d{1,2}[-./月]?\d{1,2}日?|\d{1,2}[A-Z]{3}(?:\d{2})?")
# (a clock's: an ID number's last four digits, ``5562``, are no time)
_TIME = re.compile(r"(?:[01]?\d|2[0-3]):[0-5]\d|(?:[01]\d|2[0-3])[0-5]\d")
_SEAT = re.compile(r"[A-Z]")
_FARE_BASIS = re.compile(r"(?=.*[A-Z])[A-Z0-9/]{1,10}")
_BAGGAGE = re.compile(r"\d{1,3}(?:KG?|PC)|无")
_ALLOWANCE = re.compile(_BAGGAGE.pattern + r"|[\dOSIBZ]{1,2}[0O]KG?")  # (SOK: 50K, no fare basis)


# A flight's line: the word its row is placed by, its number and carrier (if read), its cells.
Row = tuple[Word, Word | None, Word | None, dict[str, Word]]


def headless(ws: Sequence[Word]) -> list[NameValue]:
    """A table whose header row and marks went unread (a phone photo of the e-invoice's
    faint small print), by the forms of its cells: each line with an airline's flight number
    followed by a date or a time is a flight, its cells named by form in the order every form
    prints them (:func:`_by_form`); its carrier the Chinese word just before the number, its
    stations the cities left of them (:func:`_stations`), a city read with its carrier as
    one word parted (:func:`_parted`). A line whose number misread but which holds a date
    and a time keeps its row (:func:`_unnumbered`)."""
    ws = [p for w in ws for p in _parted(w)]
    lines: list[tuple[Word, Word | None, dict[str, Word]]] = []
    for number in sorted(ws, key=lambda w: w.cy):
        if is_label(number) or not _AIRLINE_FLIGHT.fullmatch(number.text.strip()):
            continue
        if any(same_line(number, n) for n, _, _ in lines):  # (a cell read again: one flight)
            continue
        line = sorted((w for w in ws if same_line(w, number) and w is not number
                       and not is_label(w)), key=left)  # fmt: skip
        cells = _by_form([p for w in line if w.x0 >= number.x1 - number.height / 2
                          for p in pieces(w)])  # fmt: skip
        if "日期" in cells or "时间" in cells:
            lines.append((number, _carrier(number, line), cells))
    numbered: list[Row] = [(n, n, c, cells) for n, c, cells in lines]
    rows = sorted(numbered + _unnumbered(ws, [n for n, _, _ in lines]), key=lambda r: r[0].cy)
    if not rows:
        return []
    h = rows[0][0].height
    first_col = min((c or a).x0 for a, _, c, _ in rows) - h / 2
    top = rows[0][0].top - 1.5 * h  # the e-invoice prints the first origin half a line up
    below = [w.top for w in ws if is_label(w) and w.key not in STATIONS and w.cy > rows[-1][0].cy]
    bottom = min(below, default=float("inf"))
    cities = sorted((w for w in ws if top < w.cy < bottom and w.x1 <= first_col + w.height
                     and not is_label(w) and CITY.fullmatch(w.text.strip())),
                    key=lambda w: w.cy)  # fmt: skip
    anchors = [a for a, _, _, _ in rows]
    out: list[NameValue] = []
    for row, (_, flight_no, carrier, cells) in enumerate(rows):
        out += _stations(cities, anchors, row)
        add(out, "承运人", [carrier] if carrier else [], row)
        add(out, "航班号", [flight_no] if flight_no else [], row)
        for name, word in cells.items():
            add(out, name, [word], row)
    return out


def _parted(w: Word) -> list[Word]:
    """A city and its carrier read as one word (``杭州南航``) as two, each placed by its share
    of the text: the city is a station, the carrier's short name (two characters, the last
    航) its flight's carrier.

    >>> [(p.text, p.x0) for p in _parted(Word("杭州南航", 0, 0, 40, 10))]
    [('杭州', 0), ('南航', 20.0)]
    """
    text = w.text.strip()
    if is_label(w) or not _CITY_CARRIER.fullmatch(text):
        return [w]
    cut = w.x0 + (w.x1 - w.x0) * (len(text) - 2) / len(text)
    return [replace(w, text=text[:-2], x1=cut), replace(w, text=text[-2:], x0=cut)]


_CITY_CARRIER = re.compile(r"[\u4e00-\u9fff]{2,6}[\u4e00-\u9fff]航")


_NEAR = 4  # line heights: a flight's line is 1-3 from the next one's (station lines between)


def _unnumbered(ws: Sequence[Word], numbers: Sequence[Word]) -> list[Row]:
    """The table's lines whose flight number did not read as one (``C960`` for CZ960) but
    whose cells hold a flight's date and time, within :data:`_NEAR` lines of a numbered
    flight: they keep their row (the next flight would be read into it), their number
    unread. With no number read at all, the lines whose words after a Chinese one (a city
    or carrier) hold a date and a time. Each with the word its row is placed by (its first
    cell in the numbers' column), and its carrier if read."""
    col = min(n.x0 for n in numbers) - numbers[0].height / 2 if numbers else -math.inf
    out: list[Row] = []
    for line in word_lines(w for w in ws if w.x0 >= col and not is_label(w)
                           and (numbers or not HAN.search(w.text))):  # fmt: skip
        if numbers and (any(_within_a_line(w, n) for w in line for n in numbers) or not any(
                abs(line[0].cy - n.cy) <= _NEAR * n.height for n in numbers)):  # fmt: skip
            continue
        first = min(line, key=left)
        whole = [w for w in ws if same_line(w, first) and not is_label(w)]
        if not numbers and not any(w.x1 <= first.x0 and CITY.fullmatch(w.text.strip())
                                   for w in whole):  # fmt: skip
            continue  # (a date and a time with no Chinese word before them: a timestamp)
        parts = [p for w in sorted(line, key=left) for p in pieces(w)]
        cells = _by_form(parts[1:] if _misread_number(parts) else parts)
        if "日期" in cells and "时间" in cells:
            out.append((first, None, _carrier(first, whole), cells))
    return out


def dated(line: Sequence[Word]) -> bool:
    """Whether a line holds a date (a flight's values, not only its stations).

    >>> dated([Word("兰州", 0, 0, 40, 20), Word("2025-04-19", 100, 0, 180, 20)])
    True
    """
    return any(_DATE.fullmatch(p.text.strip().rstrip(".")) for w in line for p in pieces(w))


def _carrier(number: Word, line: Sequence[Word]) -> Word | None:
    """The Chinese word printed just before a flight number (within three glyphs), if any."""
    before = [w for w in line if w.x1 <= number.x0 + number.height / 2 and HAN.search(w.text)]
    last = max(before, key=lambda w: w.x1, default=None)
    return last if last and number.x0 - last.x1 < 3 * number.height else None


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
    >>> _by_form([Word("5562", 0, 0, 1, 1)])  # an ID number's end: no clock's time
    {}
    >>> [k[:4] for k in _by_form([Word(t, 0, 0, 1, 1) for t in ("12:25", "SOK")])]  # 50K
    ['时间']
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
        nxt = texts[at + 1] if at + 1 < len(texts) else ""
        if at + 1 not in dates and _FARE_BASIS.fullmatch(nxt) and not _ALLOWANCE.fullmatch(nxt):
            out["客票级别/客票类别"] = cells[at + 1]
    elif len(dates) == 3:
        out["日期"], out["客票生效日期"], out["有效截止日期"] = (cells[i] for i in dates)
    if texts and _SEAT.fullmatch(texts[0]) and 0 not in (*dates, *times):
        out["座位等级"] = cells[0]  # (a lone letter after the time is the fare basis)
    if texts and _BAGGAGE.fullmatch(texts[-1]) and (not dates or dates[-1] < len(texts) - 1):
        out["免费行李"] = cells[-1]
    return dict(sorted(out.items(), key=lambda kv: FLIGHT_HEADERS.index(kv[0])))
