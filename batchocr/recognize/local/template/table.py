"""The flight table: rows by canonical y, columns by the header's x, merged cells split.

A row holds one flight: its departure city in the city column (the previous
flight's destination, drawn once) and its carrier, flight number, class,
date, time, fare basis, validity and baggage. A box that OCR stretched over
several columns (``2025-08-2322:55``) is cut where every piece reads as its
column's value, nearest to where the characters sit.

>>> cols = [Column("日期", 820, 1010), Column("时间", 1010, 1140)]
>>> split_cells("2025-08-2322:55", 820.0, 1090.0, cols, "einvoice")
{'日期': '2025-08-23', '时间': '22:55'}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..image.geometry import Rect
from ..validate import repair
from ..vocabulary.airlines import AIRLINES, CARRIERS
from .layout import Column, Layout

Cleaner = Callable[[str], str | None]
_RULES = r"|丨｜」「\[\]"  # a cell's rule, read as a bar or a corner bracket
CJK = re.compile(r"[\u4e00-\u9fff]{2,}")
VOID = "VOID"


def carrier(text: str) -> str | None:
    """A carrier's short Chinese name; a known one with a stray glyph beside it is that one.

    >>> carrier("朴厦航"), carrier("厦航"), carrier("幸福航"), carrier("J川航"), carrier("」东航")
    ('厦航', '厦航', '幸福航', '川航', '东航')
    >>> carrier("山J航")  # a dot-matrix gap read as a letter
    '山航'
    """
    t = repair.squeeze(text)
    bare = re.sub(rf"[A-Za-z0-9{_RULES}]", "", t)
    if bare in CARRIERS and len(t) - len(bare) <= 2:
        # (J川航, |川航, 山J航: a speck, a cell's rule or a gap read as a glyph more)
        return bare
    if not CJK.fullmatch(t) or len(t) > 4:
        return None
    inside = [name for name in CARRIERS if name in t and len(t) == len(name) + 1]
    return inside[0] if t not in CARRIERS and len(inside) == 1 else t


def flight_no(text: str) -> str | None:
    """``CA1401``: a two-character airline code and 3–4 digits.

    >>> flight_no("CA 14O1"), flight_no("3U8881"), flight_no("CA14"), flight_no("乙H9874")
    ('CA1401', '3U8881', None, 'ZH9874')
    """
    t = repair.squeeze(text).upper().replace("乙", "Z")  # (a Z in a Chinese font)
    m = re.fullmatch(r"([A-Z0-9]{2})([0-9OIlSBZDQ]{3,4})", t)
    if m is None or not any(c.isalpha() for c in m[1]):
        return None
    return m[1] + m[2].translate(str.maketrans("OIlSBZDQ", "01158200"))


_SPECKS = ".,:;'`‘’\"“”，。、"  # a speck after a code, read as a stop or a quote


def seat(text: str) -> str | None:
    """A one-letter booking class (a Y in a Chinese font reads as 丫).

    >>> seat("丫"), seat("¥"), seat("YY"), seat("Y’")
    ('Y', 'Y', None, 'Y')
    """
    t = repair.squeeze(text).upper().rstrip(_SPECKS).translate(str.maketrans("0185¥丫", "OIBSYY"))
    return t if re.fullmatch(r"[A-Z]", t) else None


def fare_basis(text: str) -> str | None:
    """A fare basis code: a class letter, then letters and digits (``YOW``, ``B1``).

    >>> fare_basis("Y0W"), fare_basis("B1"), fare_basis("1Y"), fare_basis("B1 20K")
    ('YOW', 'B1', None, None)
    >>> fare_basis("O9NOV24") is None  # a date
    True
    >>> fare_basis("丫"), fare_basis("丫2")  # a Y in a Chinese font
    ('Y', 'Y2')
    >>> fare_basis("YI"), fare_basis("Ll"), fare_basis("YIN")  # a 1 as I after the class
    ('Y1', 'L1', 'YIN')
    """
    *_, last = text.split() or [""]
    if last != text.strip() and baggage(last):
        return None  # the allowance's cell, its header unread, read into the fare basis's
    t = repair.squeeze(text).upper().rstrip(_SPECKS)
    t = re.sub(r"0(?=[A-Z])", "O", re.sub("^丫", "Y", t))
    t = re.sub(r"^([A-Z])[IL]$", r"\g<1>1", t)  # (a class letter and a digit: Y1, L1, Q2)
    if repair.month_year_date(t):
        return None  # the next cell's date (``O9NOV24``)
    return t if re.fullmatch(r"[A-Z][A-Z0-9]{0,7}", t) else None


def baggage(text: str) -> str | None:
    """A free baggage allowance: ``20K``.

    >>> baggage("20K."), baggage("4OK"), baggage("K")
    ('20K', '40K', None)
    >>> baggage("【20K"), baggage(".20K")  # a bracket of the form, a pen's dot before it
    ('20K', '20K')
    >>> baggage("3（OK"), baggage("2(0K"), baggage("4CK"), baggage("4(C)K")  # a dotted 0
    ('30K', '20K', '40K', '40K')
    """
    t = repair.squeeze(text).upper().strip(".,:;'`[]【】")
    # (a dot-matrix 0's left arc reads as a bracket, or the 0 as a C: a kilo allowance's
    # second digit; a lone C is no digit)
    t = re.sub(r"(?<=^[0-9OIl][0OC])[)）]", "", re.sub(r"(?<=^[0-9OIl])[（(]", "", t))
    m = re.fullmatch(r"([0-9OIl](?:[0-9OIl]|C(?=K))?)(K|KG)", t)
    return m[1].translate(str.maketrans("OIlC", "0110")) + "K" if m else None


def time_cell(text: str) -> str | None:
    """The flight's time; with its date read into the same cell (the 时间 header unread and
    put back half-way between its neighbours, the date's centre fell past the column's
    edge), the time beside the date.

    >>> time_cell("06:05"), time_cell("2024年07月17日 06:05"), time_cell("0605 1210")
    ('06:05', '06:05', None)
    """
    found = repair.clock(text)
    words = text.split()
    if found is not None or len(words) != 2:
        return found
    date, time = words
    dated = any(read(date) for read in (repair.iso_date, repair.cn_date, repair.month_year_date))
    return repair.clock(time) if dated else None


def cleaners(layout: str) -> dict[str, Cleaner]:
    """Column Name → its value cleaner, for ``layout``."""
    day = repair.month_date if layout == "paper" else repair.iso_date
    return {
        "承运人": carrier, "航班号": flight_no, "座位等级": seat, "日期": day,
        "时间": time_cell, "客票级别/类别": fare_basis, "客票级别/客票类别": fare_basis,
        "客票生效日期": day, "有效期截止日期": day, "有效截止日期": day, "免费行李": baggage,
    }  # fmt: skip


def split_cells(
    text: str, x0: float, x1: float, cols: Sequence[Column], layout: str
) -> dict[str, str] | None:
    """Cut ``text`` (a box from ``x0`` to ``x1``) into values of some of ``cols``, in order.

    Every piece must pass its column's cleaner; among the cuts that do, the one
    whose pieces start nearest their columns wins. ``None`` when no cut works.
    """
    clean = cleaners(layout)
    t = repair.squeeze(text)
    n = len(t)
    if n == 0:
        return None
    pitch = (x1 - x0) / n
    best: tuple[float, dict[str, str]] | None = None

    def walk(start: int, ci: int, cost: float, acc: dict[str, str]) -> None:
        nonlocal best
        if start == n:
            if acc and (best is None or cost < best[0]):
                best = (cost, dict(acc))
            return
        for j in range(ci, len(cols)):
            col = cols[j]
            for end in range(start + 1, n + 1):
                value = clean[col.name](t[start:end]) if col.name in clean else None
                if value is None:
                    continue
                acc[col.name] = value
                walk(end, j + 1, cost + abs(x0 + start * pitch - col.x0), acc)
                del acc[col.name]

    walk(0, 0, 0.0, {})
    return None if best is None else best[1]


def city(parts: Sequence[Rect], layout: Layout) -> str | None:
    """The city in the city column, without the row's 自/至 (FROM/TO) marker; VOID kept.

    Characters are placed evenly along their box, and those left of the layout's
    ``city_x`` are the marker (OCR often reads ``自乌鲁木齐`` as one box).
    """
    texts = [repair.squeeze(r.text) for r in parts]
    if any("VOID" in t.upper().replace("0", "O") for t in texts):
        return VOID
    if layout.name == "paper":  # the marker is 自FROM / 至TO: the city is the last Chinese run
        runs = re.findall(r"[\u4e00-\u9fff]{2,}", "".join(texts))
        name = runs[-1] if runs else ""
        if name[:1] in ("自", "至") and len(name) >= 3:
            name = name[1:]
        parted = parted_carrier(name)  # a misregistered pass ran the carrier in (长沙深航)
        return (parted[0] if parted else name) or None
    city_boxes = [i for i, r in enumerate(parts) if r.x0 >= layout.city_x - 15]
    if city_boxes:  # the city has a box of its own: what is left of it is the marker
        parts, texts = [parts[i] for i in city_boxes], [texts[i] for i in city_boxes]
    kept = []
    for r, t in zip(parts, texts, strict=True):
        if t in ("自", "至"):
            continue
        pitch = (r.x1 - r.x0) / max(len(t), 1)
        kept += [c for i, c in enumerate(t) if r.x0 + (i + 0.5) * pitch > layout.city_x]
    runs = re.findall(r"[\u4e00-\u9fff]{2,}", "".join(kept))
    return runs[-1] if runs else None


def parted_carrier(text: str) -> tuple[str, str] | None:
    """``深圳川航`` → (``深圳``, ``川航``): a city with its carrier's cell read into it (a
    carrier whose short name ends in 航; no city's does).

    >>> parted_carrier("深圳川航"), parted_carrier("深圳"), parted_carrier("北京首都")
    (('深圳', '川航'), None, None)
    """
    t = text.replace(" ", "")
    for name in AIRLINES:
        if name.endswith("航") and t.endswith(name) and len(t) - len(name) >= 2:
            return t[: -len(name)], name
    return None


PROBED = ("承运人", "航班号", "座位等级", "日期", "时间", "客票级别/类别", "客票级别/客票类别",
          "免费行李")  # fmt: skip
VALIDITY = ("客票生效日期", "有效期截止日期", "有效截止日期")


@dataclass(frozen=True, slots=True)
class Blank:
    """A table cell, in canonical coordinates, that should hold a value but reads as none."""

    name: str
    x0: float
    x1: float
    y0: float
    y1: float


def empty_cells(rows: Sequence[dict[str, str]], count: int, layout: Layout) -> list[Blank]:
    """The cells of the first ``count`` rows that should hold a value but read as none.

    Validity dates are printed for every flight or for none, so they count
    only when another row has one.
    """
    dated = any(name in row for row in rows[:count] for name in VALIDITY)
    wanted = {*PROBED, *(VALIDITY if dated else ())}
    out = []
    for i in range(count):
        y = layout.row_y + i * layout.row_step
        for col in layout.columns[1:]:
            if col.name in wanted and col.name not in rows[i]:
                out.append(Blank(col.name, col.x0 - 12, col.x1, y - 26, y + 26))
    return out


def _cut_at(r: Rect, x: float) -> tuple[Rect, Rect | None]:
    """Split ``r`` where its evenly placed characters cross ``x`` (if they do)."""
    t = repair.squeeze(r.text)
    pitch = (r.x1 - r.x0) / max(len(t), 1)
    k = sum(1 for i in range(len(t)) if r.x0 + (i + 0.5) * pitch < x)
    if k >= len(t) or r.x1 - x < pitch:
        return r, None
    cut = r.x0 + k * pitch
    left = Rect(t[:k], r.score, r.index, r.x0, r.top, cut, r.bottom)
    return left, Rect(t[k:], r.score, r.index, cut, r.top, r.x1, r.bottom)


def read_rows(
    rects: Sequence[Rect],
    layout: Layout,
    doubts: set[int] | None = None,
    scores: list[dict[str, float]] | None = None,
) -> list[dict[str, str]]:
    """Each printed row's values by column Name (``城市`` for the city), top to bottom.

    The indices of boxes that sit in a value column but do not read as its
    value are added to ``doubts``; ``scores`` gets, row by row, each value's
    lowest recognizer score over the boxes it was read from.
    """
    doubts = set() if doubts is None else doubts
    scores = [] if scores is None else scores
    rows: list[list[Rect]] = [[] for _ in range(layout.rows)]
    for r in rects:
        k = round((r.cy - layout.row_y) / layout.row_step)
        if (
            0 <= k < layout.rows
            and abs(r.cy - layout.row_y - k * layout.row_step) <= 0.42 * layout.row_step
        ):
            rows[k].append(r)
    out = []
    for row in rows:
        scores.append({})
        out.append(_read_row(sorted(row, key=lambda r: r.x0), layout, doubts, scores[-1]))
    return out


def _read_row(
    row: Sequence[Rect], layout: Layout, doubts: set[int], scores: dict[str, float]
) -> dict[str, str]:
    cols, out = layout.columns, {}
    city_parts: list[Rect] = []
    clean = cleaners(layout.name)
    for r in row:
        spanned = [
            c for c in cols if c.x0 - 12 <= r.x0 + 6 < c.x1 or (r.x0 + 6 < c.x0 and r.x1 - 6 > c.x0)
        ]
        if not spanned:
            continue
        if spanned[0] is cols[0]:
            head, tail = _cut_at(r, cols[1].x0)
            city_parts.append(head)
            if tail is None:
                continue
            r = tail  # a city box that ran on into the carrier: "杭州上航"
            spanned = spanned[1:]
        if len(spanned) == 1:
            value = clean[spanned[0].name](r.text)
            if value is not None:
                out[spanned[0].name] = value
                scores[spanned[0].name] = r.score
            else:
                doubts.add(r.index)
            continue
        cut = split_cells(r.text, r.x0, r.x1, spanned, layout.name)
        if cut is not None:
            out.update(cut)
            scores.update(dict.fromkeys(cut, r.score))
        else:
            doubts.add(r.index)
    if city_parts:
        name = city(city_parts, layout)
        if name is not None:
            out["城市"] = name
            scores["城市"] = _city_score(city_parts, name)
    return out


def _city_score(parts: Sequence[Rect], name: str) -> float:
    """The lowest score of the boxes that hold the city's characters.

    The 自FROM/至TO marker is often boxed alone and read poorly on a rough scan;
    it is not the value, so its score does not count.
    """
    used = [r.score for r in parts if set(name) & set(repair.squeeze(r.text))]
    return min(used or [r.score for r in parts])
