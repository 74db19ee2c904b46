"""Positioned text as words, and the itinerary labels they are read against (pure).

The bottom of the readers of positioned text (:mod:`.positioned`, :mod:`.flights`): a PDF's or
an OFD's characters, or a scan's OCR lines cut into characters, grouped into :class:`Word` s;
the labels the two itinerary documents print, and how a value is found right of its label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..models import Extent, NameValue

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
           "国内国际标签": "国内国际标识", "姓名": "旅客姓名"}  # fmt: skip
KNOWN_LABELS = COLON_LABELS | set(CELL_LABELS) | set(AMOUNT_LABELS) | set(FLIGHT_HEADERS)
COLONS = ":："
HAN = re.compile(r"[\u4e00-\u9fff]")  # a Chinese character
_GAP = 0.6  # a horizontal gap wider than this many char heights starts a new word
_CELL_GAP = 3.0  # and one wider than this many, the next cell

Char = tuple[str, float, float, float, float]  # text, x0, top, x1, bottom


@dataclass(frozen=True, slots=True)
class Word(Extent):
    """Text that belongs together on one line, with its box."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float = 1.0  # the recognizer's, for a scan's words; a file's text is sure

    @property
    def key(self) -> str:
        """The text as a label: no spaces, no trailing colon, the canonical label text."""
        key = re.sub(r"\s+", "", self.text).rstrip(COLONS)
        return ALIASES.get(key, key)


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
        if text in COLONS and not (len(cur) > 1 and cur[-2][0].isdigit()):
            flush()  # a label ends at its colon; 18:15 (18：15 as a scan reads it) is a time
    flush()
    return out


def _apart(prev: Char, ch: Char) -> bool:
    h = max(prev[4] - prev[2], ch[4] - ch[2], 1.0)
    jump = abs((prev[2] + prev[4]) / 2 - (ch[2] + ch[4]) / 2) > h / 2
    return jump or ch[1] - prev[3] > _GAP * h or ch[3] < prev[1]


def same_line(a: Word, b: Word) -> bool:
    return abs(a.cy - b.cy) < max(a.height, b.height) / 2


def lines(ws: Iterable[Word]) -> list[list[Word]]:
    """The words in lines, top to bottom: a word joins the line above it when it stands on
    the same line as that line's word nearest it across (:func:`same_line`): a photo taken
    at a slant drops a line's far end by half a line, never one word from the next.

    >>> [[w.text for w in line] for line in lines([Word("b", 0, 12, 5, 22), Word("a", 0, 0, 5, 10),
    ...                                          Word("c", 9, 13, 15, 22)])]
    [['a'], ['b', 'c']]
    >>> slant = [Word(t, 100 * i, 3 * i, 100 * i + 60, 3 * i + 20) for i, t in enumerate("abcd")]
    >>> [[w.text for w in line] for line in lines(slant)]
    [['a', 'b', 'c', 'd']]
    """
    out: list[list[Word]] = []
    for w in sorted(ws, key=lambda w: w.cy):
        if out and same_line(w, min(out[-1], key=lambda v: _gap_across(v, w))):
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _gap_across(a: Word, b: Word) -> float:
    """The horizontal gap between two words (0 when they overlap across)."""
    return max(a.x0 - b.x1, b.x0 - a.x1, 0.0)


def add(data: list[NameValue], name: str, value: Sequence[Word], row: int = -1) -> None:
    """The entry of the words ``value`` (joined by spaces), if any, with the least sure
    word's recognizer score as its Confidence when there is one (a scan's, not a file's)."""
    text = " ".join(w.text for w in value)
    if not text:
        return
    entry: NameValue = {"Name": name, "Value": text, "Row": row}
    score = min(w.score for w in value)
    if score < 1.0:
        entry["Confidence"] = round(score, 3)
    data.append(entry)


def is_label(w: Word) -> bool:
    return w.key in KNOWN_LABELS or w.key in STATIONS or w.text[-1] in COLONS


BESIDE = 8  # glyphs: a value printed beside its label starts closer than this
OVERLAP = 1.0  # glyphs: ...and may start this far back over the label's end


def right_of(label: Word, ws: Sequence[Word], stop_x: float = float("inf"), *,
             reach: float = float("inf")) -> list[Word]:  # fmt: skip
    """The words after ``label`` on its line up to the next label or, on a scan, a gap that
    parts two cells (a value's words stand closer than :data:`_CELL_GAP` glyphs); nothing
    when the first starts more than ``reach`` glyphs after the label (:data:`BESIDE`: the
    text further off on the line is another cell's). A word mostly inside the one before
    it is the same ink read again by an overlapping box, not more of the value.

    >>> mark, city = Word("至：", 0, 0, 20, 10), Word("昆明", 20, 0, 40, 10)
    >>> [w.text for w in right_of(mark, [mark, city, Word("月", 32, 0, 44, 10)])]
    ['昆明']
    """
    # A scan's box can reach past the next label's left edge, and a label's box take in its
    # English half up to the value: the centre decides, a little overlap is allowed (a data
    # pass printed off its form starts a value up to a glyph back, over the label's end).
    # (the rest of the label's own box first: the next label's box may start left of it,
    # ``座位等级Y`` and ``日期14DEC25``)
    line = sorted((w for w in ws if w.x0 >= label.x1 - label.height * OVERLAP
                   and label.x1 < w.cx <= stop_x and same_line(w, label) and w is not label),
                  key=lambda w: (not _parted_from(w, label), w.x0))  # fmt: skip
    taken: list[Word] = []
    for w in line:
        gap = w.x0 - taken[-1].x1 if taken else 0.0
        if is_label(w) or gap > _CELL_GAP * max(w.height, label.height):
            break
        if not taken and w.x0 - label.x1 > reach * label.height:
            break
        if taken and w.x1 - taken[-1].x1 < (w.x1 - w.x0) / 2:
            continue  # mostly inside the word before: the same ink read twice, by two boxes
        taken.append(w)
    return taken


def _parted_from(w: Word, label: Word) -> bool:
    """Whether ``w`` is the rest of the box ``label`` was cut from (it starts where the
    label ends, on the same top and bottom)."""
    return abs(w.x0 - label.x1) < 0.5 and (w.top, w.bottom) == (label.top, label.bottom)


def one_cell(column: Sequence[Word]) -> list[Word]:
    """The words of a column, left to right, up to a gap that parts two cells: past it is
    the cell of a label or header that went unread (``CSX023`` under 销售网点代号, then the
    issuer's name under its unread 填开单位).

    >>> column = [Word("CSX023", 84, 0, 135, 24), Word("长沙瑞丰国际旅行社", 352, 0, 554, 24)]
    >>> [w.text for w in one_cell(column)]
    ['CSX023']
    """
    ordered = sorted(column, key=left)
    for i in range(1, len(ordered)):
        a, b = ordered[i - 1], ordered[i]
        if b.x0 - a.x1 > _CELL_GAP * max(a.height, b.height):
            return ordered[:i]
    return ordered


def left(w: Word) -> float:
    return w.x0
