"""Positioned text of an e-invoice page → the service's Name/Value list (pure).

PDF and OFD pages both come here as characters (or runs) with boxes in points on the page
as displayed (x from the left, y from the top). Nothing is expected at a fixed place: labels
are found by their text, and each value by its relation to its label —

* ``label：value`` lines: the words right of the label, up to the next label;
* ruled cells (旅客姓名, 有效身份证件号码, 签注): the first line under the label;
* the flight table: one segment per 自/至 pair of lines, its values in the band between
  them, each under the header whose centre is nearest; the stations right of 自 and 至;
* the amount row: each value under the label whose column it overlaps most.

>>> ws = words([("发", 10, 10, 17, 17), ("票", 17, 10, 24, 17), ("号", 24, 10, 31, 17),
...             ("码", 31, 10, 38, 17), ("：", 38, 10, 45, 17), ("1", 60, 10, 64, 17)])
>>> [w.text for w in ws]
['发票号码：', '1']
>>> interpret(ws + words([("签", 10, 30, 17, 37), ("注", 17, 30, 24, 37)])).data
[{'Name': '发票号码', 'Value': '1', 'Row': -1}]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..models import Extent, NameValue

AIR_TITLE = "航空运输电子客票行程单"
COLON_LABELS = frozenset({
    "开票状态", "开具状态", "国内国际标识", "发票号码", "开票日期", "电子客票号码", "验证码",
    "提示信息", "保险费", "销售网点代号", "填开单位", "填开日期", "购买方名称",
    "统一社会信用代码/纳税人识别号", "统一社会信用代码", "纳税人识别号",
    # the paper itinerary's (a scan read in full comes here too)
    "印刷序号", "销售单位代号",
})  # fmt: skip
CELL_LABELS = ("旅客姓名", "有效身份证件号码", "签注")
AMOUNT_LABELS = (
    "票价", "燃油附加费", "增值税税率", "增值税税额", "民航发展基金", "其他税费", "合计",
)  # fmt: skip
FLIGHT_HEADERS = ("承运人", "航班号", "座位等级", "日期", "时间", "客票级别/客票类别",
                  "客票生效日期", "有效截止日期", "免费行李")  # fmt: skip
STATIONS = ("自", "至")
# Label texts printed by some issuers for the same field: the key is the canonical one.
ALIASES = {"客票级别/类别": "客票级别/客票类别", "有效期截止日期": "有效截止日期",
           "国内国际标签": "国内国际标识"}  # fmt: skip
KNOWN_LABELS = COLON_LABELS | set(CELL_LABELS) | set(AMOUNT_LABELS) | set(FLIGHT_HEADERS)
_COLONS = ":："
_GAP = 0.6  # a horizontal gap wider than this many char heights starts a new word

Char = tuple[str, float, float, float, float]  # text, x0, top, x1, bottom


@dataclass(frozen=True, slots=True)
class Word(Extent):
    """Text that belongs together on one line, with its box."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def key(self) -> str:
        """The text as a label: no spaces, no trailing colon, the canonical label text."""
        key = re.sub(r"\s+", "", self.text).rstrip(_COLONS)
        return ALIASES.get(key, key)


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


def words(chars: Iterable[Char]) -> list[Word]:
    """Group characters (in content order) into words: a wide gap or a jump to another
    line ends a word, and so does a colon (a label ends at its colon). Line breaks in the
    character stream are ignored: extractors insert them wherever a text object ends, which
    can be mid-word (a font subset changes); the geometry decides."""
    out: list[Word] = []
    cur: list[Char] = []
    space = False

    def flush() -> None:
        if cur:
            text = "".join(c[0] for c in cur).strip()
            if text:
                out.append(Word(text, min(c[1] for c in cur), min(c[2] for c in cur),
                                max(c[3] for c in cur), max(c[4] for c in cur)))  # fmt: skip
            cur.clear()

    for ch in chars:
        text, x0, top, _, bottom = ch
        if text in "\r\n" or not text:
            continue
        if text == "\u3000":  # OCR's mark of a wide gap: two cells read as one line
            flush()
            continue
        if text.isspace():
            space = bool(cur)
            continue
        if cur and _apart(cur[-1], ch):
            flush()
        if space and cur:
            cur.append((" ", x0, top, x0, bottom))
        space = False
        cur.append(ch)
        if text == "：" or (text == ":" and not (len(cur) > 1 and cur[-2][0].isdigit())):
            flush()  # a label ends at its colon; 18:15 is a time
    flush()
    return out


def _apart(prev: Char, ch: Char) -> bool:
    h = max(prev[4] - prev[2], ch[4] - ch[2], 1.0)
    jump = abs((prev[2] + prev[4]) / 2 - (ch[2] + ch[4]) / 2) > h / 2
    return jump or ch[1] - prev[3] > _GAP * h or ch[3] < prev[1]


def _same_line(a: Word, b: Word) -> bool:
    return abs(a.cy - b.cy) < max(a.height, b.height) / 2


def _title(ws: Sequence[Word]) -> str | None:
    heads = [w for w in ws if "发票" in w.text or "行程单" in w.text or "客票" in w.key]
    heads = [w for w in heads if w.key not in KNOWN_LABELS]
    if not heads:
        return None
    head = max(heads, key=lambda w: w.height)
    line = sorted((w for w in ws if _same_line(w, head)), key=lambda w: w.x0)
    return "".join(w.key for w in line if w.height >= head.height * 0.8)


def interpret(ws: Sequence[Word]) -> Reading:
    """Map a page's words onto Name/Value pairs; see the module docstring."""
    labels = _labels(ws)
    title = _title(ws)
    data: list[NameValue] = []
    for key, label in labels.items():
        if label.text[-1] in _COLONS:  # ``label：value``: a blank value is blank, not below
            _add(data, key, _right_of(label, ws))
    data += _label_rows(ws, labels)
    blanks: list[Blank] = []
    data += _flights(ws, labels, blanks)
    return Reading(data, title, len(labels), tuple(blanks))


def _labels(ws: Sequence[Word]) -> dict[str, Word]:
    found: dict[str, Word] = {}
    for w in ws:
        if w.key in KNOWN_LABELS and w.key not in found:
            found[w.key] = w
    return found


def _add(data: list[NameValue], name: str, value: str, row: int = -1) -> None:
    if value:
        data.append({"Name": name, "Value": value, "Row": row})


def is_label(w: Word) -> bool:
    return w.key in KNOWN_LABELS or w.key in STATIONS or w.text[-1] in _COLONS


def _right_of(label: Word, ws: Sequence[Word], stop_x: float = float("inf")) -> str:
    # A scan's box can reach past the next label's left edge: the centre decides.
    line = sorted((w for w in ws if w.x0 >= label.x1 - 0.5 and w.cx <= stop_x
                   and _same_line(w, label) and w is not label), key=lambda w: w.x0)  # fmt: skip
    taken: list[str] = []
    for w in line:
        if is_label(w):
            break
        taken.append(w.text)
    return " ".join(taken)


def _label_rows(ws: Sequence[Word], labels: dict[str, Word]) -> list[NameValue]:
    """Labels printed without a colon, a row of them side by side (a ruled form, the amount
    row): each takes the first line under the row where it overlaps its column most, the
    column reaching to the next label; a label alone with nothing under it, what is beside."""
    heads = [w for w in labels.values()
             if w.text[-1] not in _COLONS and w.key not in FLIGHT_HEADERS]  # fmt: skip
    out: list[NameValue] = []
    while heads:
        row = sorted((w for w in heads if _same_line(w, heads[0])), key=_x)
        heads = [w for w in heads if w not in row]
        # Under the row: centred below the labels' (an OCR box is taller than its glyphs,
        # so a value's box may overlap its label's), within three lines.
        mid, h = max(w.cy for w in row), max(w.height for w in row)
        values = [w for w in ws if mid + 0.6 * h <= w.cy <= mid + 3 * h and not is_label(w)
                  and w.x1 > row[0].x0 - h]  # fmt: skip
        if values:  # the first line under the labels: a scan's taller boxes reach the next one
            first = min(values, key=lambda w: w.top)
            values = [w for w in values if _same_line(w, first)]
        edges = [w.x0 for w in row[1:]] + [float("inf")]
        cols: dict[str, list[Word]] = {}
        for v in values:
            best = max(range(len(row)), key=lambda i: _overlap(v, row[i].x0, edges[i]))
            if _overlap(v, row[best].x0, edges[best]) > 0:
                cols.setdefault(row[best].key, []).append(v)
        for label, edge in zip(row, edges, strict=True):
            beside = _beside(label, ws, edge)
            under = " ".join(w.text for w in sorted(cols.get(label.key, []), key=_x))
            _add(out, label.key, beside or under)
    return out


def _beside(label: Word, ws: Sequence[Word], stop_x: float) -> str:
    """The value printed after a label on its line, before the next label (labels left of
    their values); nothing when a label comes first (a row of labels over their values)."""
    line = [w for w in ws if label.x1 - 0.5 <= w.x0 and w.cx <= stop_x
            and _same_line(w, label) and w is not label]  # fmt: skip
    return _right_of(label, ws, stop_x) if line and not any(is_label(w) for w in line) else ""


def _overlap(w: Word, lo: float, hi: float) -> float:
    return min(w.x1, hi) - max(w.x0, lo)


def _x(w: Word) -> float:
    return w.x0


Blank = tuple[float, float, float, float]


def _flights(ws: Sequence[Word], labels: dict[str, Word], blanks: list[Blank]) -> list[NameValue]:
    slip = _slip_flights(ws)
    if slip is not None:
        return slip
    heads = sorted((labels[k] for k in FLIGHT_HEADERS if k in labels), key=lambda w: w.cx)
    marks = sorted((w for w in ws if w.key in STATIONS), key=lambda w: w.top)
    if not marks:
        return []
    # The stations' column ends where the first header's column begins: half-way to the
    # second header's centre, or its own left edge if that is further left (a narrow column).
    first_col = min(heads[0].cx - (heads[1].cx - heads[0].cx) / 2, heads[0].x0 - heads[0].height / 2
                    ) if len(heads) > 1 else float("inf")  # fmt: skip
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
            _add(out, "自", _right_of(mark, ws, first_col), row)
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
            _add(out, "至", _right_of(mark, ws, first_col), row)
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
    floor, bottom = max(hd.bottom for hd in heads), marks[-1].bottom + h / 2
    band = sorted((w for w in ws if floor <= w.cy <= bottom and w.x0 >= first_col - 1
                   and not is_label(w)), key=lambda w: w.cy)  # fmt: skip
    lines: list[list[Word]] = []
    for w in band:
        if lines and _same_line(w, lines[-1][0]):
            lines[-1].append(w)
        else:
            lines.append([w])
    places = [_first_right(m, ws, first_col) or m for m in marks]  # each city, or its mark
    out: list[NameValue] = []
    for k, m in enumerate(marks):
        _add(out, "自", _right_of(m, ws, first_col), k)
        if k:
            _add(out, "至", _right_of(m, ws, first_col), k - 1)
    taken: set[int] = set()
    nearest = []
    for line in lines:
        cy = sum(w.cy for w in line) / len(line)
        near = [(abs(p.cy - cy), k) for k, p in enumerate(places)]
        nearest.append(min(near))
    if lines and sorted(d for d, _ in nearest)[len(lines) // 2] > 0.35 * h:
        return None
    for line, (dist, k) in zip(lines, nearest, strict=True):
        if dist > h or k in taken or k == len(marks) - 1:
            continue  # between two stations, or the last one (no flight leaves from it)
        taken.add(k)
        band_y = (min(w.top for w in line), max(w.bottom for w in line))
        out += _segment(ws, heads, first_col, band_y, k, blanks)[0]
    return [d for d in out if d["Row"] in taken]


def _first_right(mark: Word, ws: Sequence[Word], stop_x: float) -> Word | None:
    line = sorted((w for w in ws if w.x0 >= mark.x1 - 0.5 and w.cx <= stop_x
                   and _same_line(w, mark) and w is not mark), key=_x)  # fmt: skip
    return line[0] if line and not is_label(line[0]) else None


def _cells(w: Word, heads: Sequence[Word]) -> list[Word]:
    """A word that spans the centres of two headers (a scan reads two cells as one line,
    ``2024-08-31 12:30``), cut at its spaces, each piece placed by its share of the text."""
    spanned = sum(w.x0 <= h.cx <= w.x1 for h in heads)
    if spanned < 2 or " " not in w.text.strip():
        return [w]
    out: list[Word] = []
    pitch, start = (w.x1 - w.x0) / len(w.text), 0
    for piece in w.text.split(" "):
        if piece:
            x0 = w.x0 + start * pitch
            out.append(Word(piece, x0, w.top, x0 + len(piece) * pitch, w.bottom))
        start += len(piece) + 1
    return out


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
            _add(out, w.key, value, _block(w, starts))
        for mark in (w for w in ws if w.key in STATIONS):
            _add(out, mark.key, _right_of(mark, ws), _block(mark, starts))
        return out
    seen: dict[str, int] = {}
    for w, value in sorted(cells, key=lambda c: (c[0].top, c[0].x0)):
        row = seen[w.key] = seen.get(w.key, -1) + 1
        if count[w.key] == flights:
            _add(out, w.key, value, row)
    return out


def _next_to(label: Word, ws: Sequence[Word]) -> str:
    """What is printed right after ``label`` on its line, up to the next label."""
    line = sorted((w for w in ws if w.x0 >= label.x1 - 0.5 and _same_line(w, label)
                   and w is not label), key=_x)  # fmt: skip
    if not line or is_label(line[0]) or line[0].x0 - label.x1 > 8 * label.height:
        return ""
    return _right_of(label, ws)


def _block(w: Word, starts: Sequence[Word]) -> int:
    """The flight whose 自 line is the last one at or above ``w``."""
    return max(0, sum(1 for s in starts if s.cy <= w.cy + w.height / 2) - 1)


def _segment(ws: Sequence[Word], heads: Sequence[Word], first_col: float,
             band_y: tuple[float, float], row: int,
             blanks: list[Blank]) -> tuple[list[NameValue], bool]:  # fmt: skip
    """The values between a segment's 自 and 至 lines, each under its nearest header, and
    whether some cell held two lines (two flights ran together: those cells are left out);
    the cells left empty on the line the others were read on go to ``blanks``."""
    band = [part for w in ws if band_y[0] <= w.cy <= band_y[1]
            and w.x0 >= first_col - 1 and not is_label(w) for part in _cells(w, heads)]  # fmt: skip
    cols: dict[str, list[Word]] = {}
    for w in band:
        head = min(heads, key=lambda h: abs(h.cx - w.cx))
        cols.setdefault(head.key, []).append(w)
    out: list[NameValue] = []
    merged = False
    for h in heads:
        cell = sorted(cols.get(h.key, []), key=_x)
        if all(_same_line(w, cell[0]) for w in cell):
            _add(out, h.key, " ".join(w.text for w in cell), row)
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
