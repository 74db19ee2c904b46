"""Labels misread past a slip, named by the value printed with them or by their row (pure).

A phone photo shrinks a form's small labels until OCR keeps half their characters
(``电子多号码``, ``发账号``, ``效件``); read by their text alone they are no label, and their
values are lost. Such a word is named for a label when together they leave one reading:
the word keeps at least two of the label's characters in order (a quarter of the label,
and most of the word), the label is read nowhere else on the page, and the value beside or
under the word has that field's own form (13 digits, an ID number, an amount). Labels of
the same field count as one; two fields that fit (``开日``: 开票日期 or 填开日期, both
dates) leave the word as it is. Free text (names, agencies) has no form to check a
label by: those labels are never named this way, only by their row (:func:`mend_rows`:
the labels read around a misread one in a row printed in a known order), the flight
headers also by the order of their fragments (:func:`named_by_order`).

>>> from batchocr.documents.words import Word
>>> page = [Word("电子多号码", 0, 0, 50, 10), Word("7316547279557", 60, 0, 150, 10)]
>>> [w.text for w in named_by_value(page)]
['电子客票号码', '7316547279557']
>>> two = [Word("开日", 0, 0, 20, 10), Word("2024-06-27", 30, 0, 90, 10)]
>>> [w.text for w in named_by_value(two)]
['开日', '2024-06-27']
>>> [w.text for w in named_by_value([Word("信代税人号91370182MA3C4Y5H9Q", 0, 0, 250, 10)])]
['统一社会信用代码/纳税人识别号', '91370182MA3C4Y5H9Q']
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Sequence
from dataclasses import replace

from ....documents import positioned
from ....documents.words import BESIDE, HAN, Word, is_label, lines, right_of, same_line
from ....outputs.fields import field_of
from ..vocabulary.airlines import AIRLINES
from ..vocabulary.labels import LABELS
from ..vocabulary.places import CITIES
from .values import FREE, clean

__all__ = ["mend_rows", "named_by_order", "named_by_value"]

# The labels a value's form can vouch for: not free text, not the flight table's headers
# (a row of them is mended by its neighbours), not the stations' marks.
_CHECKABLE = tuple(lb for lb in LABELS if lb not in FREE and lb not in positioned.FLIGHT_HEADERS
                   and lb not in positioned.STATIONS and field_of(lb))  # fmt: skip
_GLUED = re.compile(r"([\u4e00-\u9fff/]+)[:：]?([0-9A-Za-z*¥].*)")
# Labels printed side by side in a known order, as both documents print them (the footer rows
# of ``einvoice.md`` are the paper itinerary's too): a misread one is named by its neighbours.
_ROWS = (
    positioned.FLIGHT_HEADERS, positioned.AMOUNT_LABELS, positioned.CELL_LABELS,
    ("票价", "民航发展基金", "燃油附加费", "其他税费", "合计"),  # the paper itinerary's order
    ("电子客票号码", "验证码", "提示信息", "保险费"),
    ("销售单位代号", "填开单位", "填开日期"), ("销售网点代号", "填开单位", "填开日期"),
    ("购买方名称", "统一社会信用代码/纳税人识别号"),
)  # fmt: skip


def named_by_value(ws: Sequence[Word]) -> list[Word]:
    """``ws`` with each misread label that its value pins down named (see the module)."""
    present = {field_of(w.key) for w in ws if is_label(w)}
    out = [[w] for w in ws]
    for i, w in enumerate(ws):
        if is_label(w):
            continue
        glued = _GLUED.fullmatch(w.key)  # 信代税人号91370182…: the value run into it
        head = glued[1] if glued else w.key
        if not 2 <= len(head) <= 16 or len(HAN.findall(head)) < 2:
            continue
        value = glued[2] if glued else _value_of(w, ws)
        if value is None:
            continue
        fits: dict[str | None, str] = {}  # field → its longest label that fits
        for lb in _CHECKABLE:
            if field_of(lb) not in present and _kept(head, lb) and clean(lb, value) is not None:
                fits.setdefault(field_of(lb), lb)
        if len(fits) != 1:
            continue
        (label,) = fits.values()
        present.add(field_of(label))
        if glued:  # parted where the value starts, by its share of the characters
            cut = w.x0 + (w.x1 - w.x0) * len(head) / len(w.key)
            out[i] = [replace(w, text=label, x1=cut), replace(w, text=value, x0=cut)]
        else:
            out[i] = [replace(w, text=label)]
    return [w for words in out for w in words]


def mend_rows(ws: list[Word]) -> list[Word]:
    """Name the misread labels of a row of labels from the ones read right around them.

    A row of labels is printed in a known order; when two of them are read exactly, on one
    line and in that order, the words between them on that line are the labels between them
    (``日明`` between 座位等级 and 时间 is 日期; two pieces of one label are joined), and the
    words before the first or after the last are the unread labels there when as many, each
    keeping a character of its label (``示内区 保质`` after 验证码: 提示信息, 保险费), else
    the one unread label whose characters the nearest keeps (``价``). Only words that can be
    labels count: Chinese, no digit, no longer than a label (a value printed beside its label,
    ``CAN471`` or an agency's name, stays a value).
    """
    for row in _ROWS:
        ws = _mend_row(ws, row)
    return ws


def _mend_row(ws: list[Word], row: Sequence[str]) -> list[Word]:
    pinned = [w for w in ws if w.key in row]
    if len(pinned) < 2:
        return ws
    anchor = sorted(pinned, key=lambda w: w.cy)[len(pinned) // 2]
    longest = max(map(len, row)) + 1
    line = sorted((w for w in ws if abs(w.cy - anchor.cy) < anchor.height * 0.7
                   and (w.key in row or _label_like(w, longest))), key=lambda w: w.x0)  # fmt: skip
    known = [(i, row.index(w.key)) for i, w in enumerate(line) if w.key in row]
    if any(a >= b for (_, a), (_, b) in itertools.pairwise(known)):
        return ws  # not this row's order: another form's row, or a misplaced word
    out: dict[int, list[Word | None]] = {id(w): [w] for w in ws}
    for (i, a), (j, b) in itertools.pairwise(known):
        _name_between(out, row[a + 1 : b], line[i + 1 : j])
    read = {w.key for w in ws if w.key in row}
    (first, a), (last, b) = known[0], known[-1]
    ends = ((row[:a], line[:first], line[first], False),
            (row[b + 1 :], line[last + 1 :], line[last], True))  # fmt: skip
    for names, end, edge, after in ends:
        unread = [n for n in names if n not in read]
        _name_end(out, unread, end if after else end[::-1], unread if after else unread[::-1])
        named = {m.text for ms in out.values() for m in ms if m is not None}
        if len(names) == 1 and names[0] not in named | read and row != positioned.FLIGHT_HEADERS:
            out[id(edge)].append(_placed(names[0], edge, ws, after=after))
    return [m for w in ws for m in out[id(w)] if m is not None]


def _name_between(out: dict[int, list[Word | None]], names: Sequence[str],
                  between: Sequence[Word]) -> None:  # fmt: skip
    """The words between two labels read are the labels between them (one, maybe in pieces)."""
    if len(names) == 1 and between:
        joined = Word(names[0], between[0].x0, min(w.top for w in between),
                      between[-1].x1, max(w.bottom for w in between))  # fmt: skip
        out[id(between[0])] = [joined]
        for w in between[1:]:
            out[id(w)] = []
    elif names and len(names) == len(between):
        for name, w in zip(names, between, strict=True):
            out[id(w)] = [replace(w, text=name)]


def _name_end(out: dict[int, list[Word | None]], names: Sequence[str], end: Sequence[Word],
              order: Sequence[str]) -> None:  # fmt: skip
    """The words past a row's last label read (``end``, nearest first) are its unread labels
    there (``order``, nearest first) when as many, each that keeps a character of its own
    named; else the nearest is the one unread label whose characters it keeps (``价``)."""
    if order and len(order) == len(end):
        for name, w in zip(order, end, strict=True):
            if _common(w.key, name):
                out[id(w)] = [replace(w, text=name)]
    elif end:
        fits = [name for name in names if set(end[0].key) <= set(name)]
        if len(fits) == 1:
            out[id(end[0])] = [replace(end[0], text=fits[0])]


def _placed(name: str, edge: Word, ws: Sequence[Word], *, after: bool) -> Word | None:
    """The row's first or last label, unread (no word of it on the page: a photo's blur),
    placed over the cell its value stands in: on the line of values under the row, the
    nearest word past the row's ``edge`` label read and that label's own value (``退改签收费``
    right of the ID number under 旅客姓名 有效身份证件号码; ``¥730.00`` left of the fund's
    value under 民航发展基金). None on a row whose values stand beside its labels.
    """
    h = edge.height

    def past(w: Word, x0: float, x1: float) -> bool:
        return w.x0 > x1 + h / 2 if after else w.x1 < x0 - h / 2

    if any(same_line(w, edge) and past(w, edge.x0, edge.x1) and not is_label(w) for w in ws):
        return None  # values beside their labels (or a word there that may be the label)
    under = [w for w in ws if edge.bottom <= w.top + 0.3 * w.height and w.cy - edge.cy < 2.5 * h
             and not is_label(w)]  # fmt: skip
    top = min(under, key=lambda w: w.top, default=None)
    if top is None:
        return None
    values = sorted((w for w in under if same_line(w, top)), key=lambda w: w.x0)
    own = [w for w in values if w.x0 < edge.x1 and w.x1 > edge.x0]
    x0, x1 = min([edge.x0, *(w.x0 for w in own)]), max([edge.x1, *(w.x1 for w in own)])
    cells = [w for w in values if past(w, x0, x1)]
    if not cells:
        return None
    cell = cells[0] if after else cells[-1]
    return Word(name, cell.x0, edge.top, cell.x0 + h * len(name), edge.bottom, edge.score)


def _label_like(w: Word, longest: int) -> bool:
    """Whether ``w`` could be a misread label: Chinese, no digit, no longer than ``longest``."""
    return (not is_label(w) and bool(HAN.search(w.key)) and len(w.key) <= longest
            and not any(c.isdigit() for c in w.key))  # fmt: skip


def named_by_order(ws: Sequence[Word]) -> list[Word]:
    """``ws`` with the flight table's header row named when a photo left little of it
    (``人 号 位等级 台期 级#票类别``): the line with the most words that share a character
    with a header, three at least, its words matched to the headers in the order the table
    prints them (an alignment that keeps the most characters: ``台期`` after 座位等级 is
    日期, not 客票生效日期), each word that keeps a character of its header named for it.

    >>> row = [Word(t, x, 0, x + 30, 10) for t, x in (("人", 0), ("号", 50), ("位等级", 100),
    ...        ("台期", 150), ("客生效明", 250))]
    >>> [w.text for w in named_by_order(row)]
    ['承运人', '航班号', '座位等级', '日期', '客票生效日期']

    A row of values is no header row, whatever characters it shares with one (``南航``,
    ``2024年07月09日``: the first flight's row under a header row a photo left unread):

    >>> values = [Word(t, x, 0, x + 30, 10) for t, x in (("南航", 0), ("2024年07月09日", 50),
    ...           ("2024年07月09日", 150), ("2024年07月09日", 250))]
    >>> [w.text for w in named_by_order(values)] == [w.text for w in values]
    True
    """
    heads = positioned.FLIGHT_HEADERS
    candidates = [w for w in ws if w.key in heads or (_header_like(w)
                  and any(_common(w.key, h) for h in heads))]  # fmt: skip
    longest: list[Word] = max(lines(candidates), key=len, default=[])
    row = sorted(longest, key=lambda w: w.x0)
    if len(row) < 3:
        return list(ws)
    names = {id(w): name for w, name in zip(row, _aligned([w.key for w in row], heads),
                                            strict=True) if name}  # fmt: skip
    return [replace(w, text=names[id(w)]) if id(w) in names else w for w in ws]


def _header_like(w: Word) -> bool:
    """Whether ``w`` could be a flight header misread: Chinese, no run of three digits (a
    date's year; a header's glyphs may read as a digit or two: ``免17``), and not an airline or
    a city (a carrier's ``南航`` shares ``航`` with 航班号)."""
    return (not is_label(w) and bool(HAN.search(w.key)) and not re.search(r"\d{3}", w.key)
            and w.key not in AIRLINES and w.key not in CITIES)  # fmt: skip


def _aligned(keys: Sequence[str], heads: Sequence[str]) -> list[str | None]:
    """Each key's header in an order-keeping alignment that keeps the most characters (a
    key read exactly counts one more), or None."""
    n, m = len(keys), len(heads)
    gain = [[_common(k, h) + (k == h) for h in heads] for k in keys]
    best = [[0] * (m + 1) for _ in range(n + 1)]  # best[i][j]: keys[i:] against heads[j:]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = gain[i][j] + best[i + 1][j + 1] if gain[i][j] else 0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out: list[str | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        if gain[i][j] and best[i][j] == gain[i][j] + best[i + 1][j + 1]:
            out[i] = heads[j]
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return out


def _common(key: str, label: str) -> int:
    """How many characters of ``label`` ``key`` keeps, in order."""
    return sum(b.size for b in difflib.SequenceMatcher(None, key, label).get_matching_blocks())


def _kept(key: str, label: str) -> bool:
    """Whether ``key`` is ``label`` with characters lost or misread: two of the label's
    characters or more, in order, a quarter of the label and most of the word."""
    kept = _common(key, label)
    return kept >= 2 and 4 * kept >= len(label) and 2 * kept > len(key)


def _value_of(label: Word, ws: Sequence[Word]) -> str | None:
    """The value printed after ``label`` on its line (:func:`right_of`, so the cell ends
    where a scan's does), else the first word under it."""
    beside = right_of(label, ws, reach=BESIDE)
    if beside:
        return " ".join(w.text for w in beside)
    under = [w for w in ws if label.bottom <= w.top + 0.3 * w.height
             and w.cy - label.cy < 3 * label.height and not same_line(w, label)
             and w.x0 < label.x1 and w.x1 > label.x0]  # fmt: skip
    first = min(under, key=lambda w: w.top, default=None)
    return None if first is None or is_label(first) else first.text
