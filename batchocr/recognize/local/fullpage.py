"""Reading a page in full: OCR lines → words → Name/Value pairs by label text (pure).

The checked fallback of the template fast path (:mod:`.extract`): no layout, no canonical
position. The page's lines are turned upright (the median tilt of its long lines), each
line is cut into words at its colons (OCR reads ``发票号码：2562…`` as one line), labels are
recognized by their text even with an OCR slip (``旅客娃名``), and the values are found by
their relation to the labels and the table by :func:`batchocr.documents.positioned.interpret`
— the same reader as a PDF's own text, so a scan and a file of the same document read
alike. What does not read as its field's form is left out, never guessed
(:func:`keep_checked`).

>>> from batchocr.recognize.local.ocr import Box
>>> line = Box("发票号码：25625432897358475196", 0.99, ((10, 10), (400, 10), (400, 40), (10, 40)))
>>> [(d["Name"], d["Value"]) for d in read_full([line]).data]
[('发票号码', '25625432897358475196')]
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from ...documents import positioned
from ...documents.positioned import Char, Word
from ...models import NameValue
from ...outputs.fields import normalize
from . import repair, table
from .checks import check
from .extract import CLEAN, Cleaner
from .geometry import skew
from .ocr import Box, Quad

__all__ = ["FullReading", "keep_checked", "mend_rows", "read_full", "upright_words"]

_LABELS = tuple(sorted(positioned.KNOWN_LABELS, key=len, reverse=True))
_NARROW = 0.55  # a Latin letter or digit is about this many CJK glyphs wide
_SPACE = 0.35
_COLON = "：:"


def _weight(ch: str) -> float:
    if ch.isspace():
        return _SPACE
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else _NARROW


def _chars(text: str, x0: float, top: float, x1: float, bottom: float) -> list[Char]:
    """A line's characters spread over its box by their typical widths."""
    weights = [_weight(c) for c in text]
    pitch = (x1 - x0) / max(sum(weights), 1e-6)
    out: list[Char] = []
    x = x0
    for ch, w in zip(text, weights, strict=True):
        out.append((ch, x, top, x + w * pitch, bottom))
        x += w * pitch
    return out


def _label_text(text: str) -> str:
    """A word that reads like a known label (one slip per four characters) becomes it."""
    key = text.rstrip(_COLON).replace(" ", "")
    if len(key) < 2 or key in positioned.KNOWN_LABELS:
        return text
    best = difflib.get_close_matches(key, _LABELS, n=1, cutoff=0.0)
    if not best:
        return text
    label = best[0]
    ratio = difflib.SequenceMatcher(None, key, label).ratio()
    slips = round((1 - ratio) * max(len(key), len(label)))
    if len(label) >= 4 and slips <= len(label) // 4 and abs(len(key) - len(label)) <= 1:
        return label + text[len(text.rstrip(_COLON)) :]
    return text


# 自/至, the English FROM/TO (however much of it was read), a city, its airport code.
_STATION_LINE = r"([自至])\s*(?:[A-Z]{1,4})?\s*([\u4e00-\u9fff]{2,6}(?:\s*[A-Za-z]{3})?)?"


def _marked(text: str) -> str:
    """``自成都`` → ``自：成都``: a station line read as one word keeps its 自/至 mark apart.

    >>> _marked("自 成都"), _marked("至海口 HAK"), _marked("自 FRO广州"), _marked("至 TO")
    ('自：成都', '至：海口 HAK', '自：广州', '至：')
    >>> _marked("自愿退票"), _marked("至")
    ('自愿退票', '至')
    """
    m = re.fullmatch(_STATION_LINE, text)
    if m is None or text in ("自", "至") or (m[2] or "")[:2] in ("愿退", "行车"):
        return text
    return f"{m[1]}：{m[2] or ''}"


def upright_words(boxes: Sequence[Box]) -> list[Word]:
    """The page's words in upright coordinates, label slips mended."""
    tilt = skew(boxes)
    cos, sin = math.cos(-tilt), math.sin(-tilt)
    out: list[Word] = []
    for b in sorted(boxes, key=lambda b: (b.quad[0][1], b.quad[0][0])):
        text = _marked(b.text.strip())
        if not text:
            continue
        xs = [x * cos - y * sin for x, y in b.quad]
        ys = [x * sin + y * cos for x, y in b.quad]
        chars = _without_english(_chars(text, min(xs), min(ys), max(xs), max(ys)))
        for w in positioned.words(chars):
            if not any(c.isalnum() for c in w.text) or _english_label(w.text):
                continue  # a speck or a rule read as 「 or |; a label's English half
            for part in _label_first(w):
                mended = _label_text(part.text)
                out.append(part if mended == part.text else
                           Word(mended, part.x0, part.top, part.x1, part.bottom))  # fmt: skip
    return out


_ASCII_RUN = re.compile(r"[A-Za-z][A-Za-z./\-]{2,}")


def _without_english(chars: list[Char]) -> list[Char]:
    """A line's characters without the English halves of bilingual labels run into it
    (``FARE2420.00``, ``NAMEOFPASSENGER董鹏``), nor a short capital run glued to a Chinese
    label (``TME客票级别``): the gap they leave parts the words around them."""
    text = "".join(c[0] for c in chars)
    drop: set[int] = set()
    for m in _ASCII_RUN.finditer(text):
        run, after = m[0], text[m.end() : m.end() + 4]
        glued = run.isupper() and len(run) <= 6 and any(lb.startswith(after[:2])
                                                       for lb in _LABELS if len(after) >= 2)
        n = len(run) if glued else _english_length(run)
        drop.update(range(m.start(), m.start() + n))
    return [c for i, c in enumerate(chars) if i not in drop] if drop else chars


def _label_first(w: Word) -> list[Word]:
    """A label and its value read as one line with no colon between (``发票号码2444…``):
    the two words, the cut placed by the characters' widths."""
    text = w.text.replace(" ", "")
    label = next((lb for lb in _LABELS if text.startswith(lb)), None)
    if label is None or label in positioned.STATIONS or not text[len(label) :].strip(_COLON):
        return [w]
    cut = w.x0 + (w.x1 - w.x0) * sum(map(_weight, label)) / sum(map(_weight, text))
    return [Word(label, w.x0, w.top, cut, w.bottom), Word(text[len(label):], cut, w.top, w.x1,
                                                            w.bottom)]  # fmt: skip


_ENGLISH = tuple(e.replace(" ", "") for e in (
    "NAME OF PASSENGER", "ID.NO.", "ENDORSEMENTS/RESTRICTIONS", "CARRIER", "FLIGHT", "CLASS",
    "DATE", "TIME", "FARE BASIS", "NOT VALID BEFORE", "NOT VALID AFTER", "ALLOW", "FARE",
    "CAAC DEVELOPMENT FUND", "FUEL SURCHARGE", "OTHER TAXES", "TOTAL", "E-TICKET NO.", "CK.",
    "INFORMATION", "INSURANCE", "AGENT CODE", "ISSUED BY", "DATE OF ISSUE", "SERIAL NUMBER",
    "INVOICE NO.", "DOMESTIC/INTERNATIONAL", "BUYER", "TAX ID", "FROM", "TO",
    "ITINERARY/RECEIPT OF E-TICKET FOR AIR TRANSPORT",
))  # fmt: skip


def _english_length(run: str) -> int:
    """How much of a run of Latin letters is an English label: all of it when it is one
    (or the start of one, four letters or more), its head when a label runs into a value
    (``OTHERTAXESO`` of ``OTHERTAXESO.00``); 0 when it is none.

    >>> _english_length("OTHERTAXESO"), _english_length("NAMEOF"), _english_length("YOW")
    (10, 6, 0)
    """
    t = run.upper()
    heads = [e for e in _ENGLISH if t.startswith(e)]
    if heads:
        return len(max(heads, key=len))
    if len(t) >= 4 and any(e.startswith(t) for e in _ENGLISH):
        return len(run)
    return len(run) if _english_label(run) else 0


def _english_label(text: str) -> bool:
    """The English half of a bilingual label (``VAMEOFPASSENGEF``), however OCR spaced it.

    >>> _english_label("VAMEOFPASSENGEF"), _english_label("NOT VALIDBEFORE"), _english_label("YOW")
    (True, True, False)
    """
    t = text.replace(" ", "").upper()
    if len(t) < 4 or not re.fullmatch(r"[A-Z./\-,]+", t):
        return False
    return bool(difflib.get_close_matches(t, _ENGLISH, n=1, cutoff=0.75))


# Labels printed side by side in a known order: a misread one is named by its neighbours.
_ROWS = (positioned.FLIGHT_HEADERS, positioned.AMOUNT_LABELS, positioned.CELL_LABELS)


def _fragment(text: str) -> bool:
    """A piece of an English label (``NO.``, ``OF``, ``EMEN``, ``BASIS``): Latin letters only,
    found inside one of the English labels."""
    t = re.sub(r"[\s./\-]", "", text).upper()
    return t.isalpha() and t.isascii() and any(t in e.replace(".", "") for e in _ENGLISH)


def without_english_lines(ws: list[Word]) -> list[Word]:
    """The page's words without the pieces of English read on the line right under a label
    (its English half, partly read): they would stand where the label's value is looked for."""
    labels = [w for w in ws if w.key in positioned.KNOWN_LABELS]

    def under_a_label(w: Word) -> bool:
        return any(lb.x0 - lb.height <= w.cx <= lb.x1 + lb.height
                   and 0 < w.cy - lb.cy < 1.6 * lb.height for lb in labels)  # fmt: skip

    return [w for w in ws if not (len(w.text) >= 2 and _fragment(w.text) and under_a_label(w))]


def mend_rows(ws: list[Word]) -> list[Word]:
    """Name the misread labels of a row of labels from the ones read right around them.

    A table's header line holds its labels in a known order; when two of them are read
    exactly, the words between them on that line are the labels between them (``日明``
    between 座位等级 and 时间 is 日期; two pieces of one label are joined).
    """
    for row in _ROWS:
        ws = _mend_row(ws, row)
    return ws


def _mend_row(ws: list[Word], row: Sequence[str]) -> list[Word]:
    pinned = [w for w in ws if w.key in row]
    if len(pinned) < 2:
        return ws
    anchor = sorted(pinned, key=lambda w: w.cy)[len(pinned) // 2]
    line = sorted((w for w in ws if abs(w.cy - anchor.cy) < anchor.height * 0.7),
                  key=lambda w: w.x0)  # fmt: skip
    known = [(i, w) for i, w in enumerate(line) if w.key in row]
    out = {id(w): [w] for w in ws}
    for (i, a), (j, b) in itertools.pairwise(known):
        names = row[row.index(a.key) + 1 : row.index(b.key)]
        between = [w for w in line[i + 1 : j] if not positioned.is_label(w)]
        if not names or not between:
            continue
        if len(names) == 1:  # one label, maybe read in pieces
            joined = Word(names[0], between[0].x0, min(w.top for w in between),
                          between[-1].x1, max(w.bottom for w in between))  # fmt: skip
            out[id(between[0])] = [joined]
            for w in between[1:]:
                out[id(w)] = []
        elif len(names) == len(between):
            for name, w in zip(names, between, strict=True):
                out[id(w)] = [Word(name, w.x0, w.top, w.x1, w.bottom)]
    return [m for w in ws for m in out[id(w)]]


@dataclass(frozen=True, slots=True)
class FullReading:
    """A page read in full: its entries, and the page quads of the flight cells where a value
    belongs but none was read (worth recognizing as they are: detection misses a lone letter)."""

    data: list[NameValue]
    blanks: tuple[Quad, ...] = ()


def read_full(boxes: Sequence[Box]) -> FullReading:
    """The Name/Value pairs of a page read in full: each value cleaned by its field's form
    (left out when it has none), then mended where the document's own checks pin it down."""
    reading = positioned.interpret(without_english_lines(mend_rows(upright_words(boxes))))
    ticket: dict[str, str] = {}
    flights: dict[int, dict[str, str]] = {}
    for d in reading.data:
        value = _clean(d["Name"], d["Value"])
        if value is not None:
            row = int(d.get("Row", -1))
            (ticket if row < 0 else flights.setdefault(row, {}))[d["Name"]] = value
    ticket, rows = check(ticket, [flights[r] for r in sorted(flights)])
    data: list[NameValue] = [{"Name": k, "Value": v, "Row": -1} for k, v in ticket.items()]
    for row, flight in enumerate(rows):
        data += [{"Name": k, "Value": v, "Row": row} for k, v in flight.items()]
    tilt = skew(boxes)
    blanks = tuple(_on_page(*b[1:], tilt) for b in reading.blanks)
    return FullReading(keep_checked(data), blanks)


def _on_page(x0: float, top: float, x1: float, bottom: float, tilt: float) -> Quad:
    """An upright rectangle back on the page: turned by the page's tilt."""
    c, s = math.cos(tilt), math.sin(tilt)
    return cast(Quad, tuple((x * c - y * s, x * s + y * c)
                            for x, y in ((x0, top), (x1, top), (x1, bottom), (x0, bottom))))


def _any_date(text: str) -> str | None:
    return repair.iso_date(text) or repair.cn_date(text) or repair.month_date(text)


def _status(text: str) -> str | None:
    """开票状态: the first word, Chinese (正常, 红冲 …)."""
    m = re.match(r"\s*([\u4e00-\u9fff]{2,4})", text)
    return m[1] if m else None


_CLEAN: dict[str, Cleaner] = {
    **CLEAN,
    **table.cleaners("einvoice"),
    "日期": _any_date, "客票生效日期": _any_date, "有效截止日期": _any_date,
    "开票日期": _any_date, "填开日期": _any_date,
    "国内国际标识": CLEAN["国内国际标签"],
    "统一社会信用代码": repair.credit_code, "纳税人识别号": repair.credit_code,
    "开票状态": _status, "开具状态": _status,
}  # fmt: skip


_FREE = frozenset({"旅客姓名", "签注", "提示信息", "填开单位", "购买方名称"})
_HEADS = frozenset(label[:3] for label in positioned.KNOWN_LABELS if len(label) >= 3)


def _clean(name: str, value: str) -> str | None:
    """The value in its field's form, or None; a field with no cleaner keeps its text."""
    if name in positioned.STATIONS:
        return _station(value)
    if name in _FREE:
        value = _free(value)
        if not value or _like_label(value):
            return None  # a label read where a value belongs
        if name in _ORGANIZATIONS and not re.search(_ORGANIZATION_END, value):
            return None  # the next cell's text, not an agency or a company
    if name == "承运人" and _like_label(value):
        return None
    clean = _CLEAN.get(name)
    return value if clean is None else clean(value)


_TRAILING_DATE_OR_AMOUNT = r"\s*(?:\d{4}[-年.]\d{1,2}[-月.]\d{1,2}日?|(?:CNY|¥)?\s?[\d,]+\.\d{2})$"


_ORGANIZATIONS = frozenset({"填开单位", "购买方名称"})
# How the names of Chinese agencies, companies and offices end.
_ORGANIZATION_END = r"(公司|旅行社|[部处社所站店行厂会局院馆校园心室队]|\))$"


def _like_label(value: str) -> bool:
    """A label (or most of one: ``承人``, ``汉承运人``) read where a value belongs."""
    v = value.replace(" ", "")
    return any(difflib.SequenceMatcher(None, v, label).ratio() >= 0.6 for label in _LABELS)


def _free(text: str) -> str:
    """Free text without what a scan runs into it: the English half of its label before it,
    the next label, or the next cell's date or amount after it; a date or an amount alone
    is not free text.

    >>> _free("ISSUEDBY杭州恒信国际旅行社"), _free("广州鹏程国际旅行社2024年06月27日")
    ('杭州恒信国际旅行社', '广州鹏程国际旅行社')
    >>> _free("CNY30.00"), _free("Q/不得签转")
    ('', 'Q/不得签转')
    """
    m = re.match(r"[A-Za-z./,\-\s]{4,}", text)
    if m and _english_label(m[0]):
        text = text[m.end() :]
    text = re.sub(r"^[A-Z]{1,3}\s*(?=[\u4e00-\u9fff])", "", text)  # what is left of ISSUED BY
    text = re.sub(_TRAILING_DATE_OR_AMOUNT, "", text)
    if not re.search(r"[\u4e00-\u9fff]", text):
        return ""
    return _before_label(text.strip())


def _before_label(text: str) -> str:
    """Free text up to where the next label begins (a scan's line can run into it): the first
    three characters of a label, one of them possibly misread.

    >>> _before_label("济南安途贸易有限公司统一社会他用"), _before_label("到达机场保验费40")
    ('济南安途贸易有限公司', '到达机场')
    """
    for i in range(2, len(text) - 2):
        window = text[i : i + 3]
        if any(sum(a != b for a, b in zip(window, h, strict=True)) <= 1 for h in _HEADS):
            return text[:i]
    return text


def _station(text: str) -> str | None:
    """``武汉WUH`` → ``武汉 WUH`` (OCR drops the space the form prints between city and
    code); a city alone is kept; anything else is no station.

    >>> _station("武汉WUH"), _station("北京首都 PEK"), _station("上海"), _station("青岛TAO 液航")
    ('武汉 WUH', '北京首都 PEK', '上海', None)
    """
    t = text.replace(" ", "").rstrip(".,:;'`")
    m = re.fullmatch(r"([\u4e00-\u9fff]{2,8})([A-Za-z]{3})?", t)
    if m is None:
        return None
    return f"{m[1]} {m[2].upper()}" if m[2] else m[1]


def keep_checked(data: list[NameValue]) -> list[NameValue]:
    """Drop the entries whose value the normalizer cannot parse as its field's form (a date
    that is no date, an amount that is no amount): a field left out is never wrong.

    >>> keep_checked([{"Name": "合计", "Value": "CNY 4130.00", "Row": -1},
    ...               {"Name": "票价", "Value": "CNY 36A2.2O", "Row": -1}])
    [{'Name': '合计', 'Value': 'CNY 4130.00', 'Row': -1}]
    """
    _, warnings = normalize(data)
    bad = {w.field for w in warnings if w.code.startswith("bad_") and w.field}
    if not bad:
        return data
    drop: set[int] = set()
    for i, entry in enumerate(data):
        _, found = normalize([entry])
        if any(w.code.startswith("bad_") for w in found):
            drop.add(i)
    return [e for i, e in enumerate(data) if i not in drop]
