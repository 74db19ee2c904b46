"""Reading a page in full: OCR lines → words → Name/Value pairs by label text (pure).

The checked fallback of the template fast path (:mod:`.extract`): no layout, no canonical
position. The page's lines are turned upright (the median tilt of its long lines), each
line is cut into words at its colons (OCR reads ``发票号码：2562…`` as one line), labels are
recognized by their text even with an OCR slip (``旅客娃名``), and the values are found by
their relation to the labels and the table by :func:`batchocr.documents.positioned.interpret`
— the same reader as a PDF's own text, so a scan and a file of the same document read
alike. What does not read as its field's form is left out, never guessed
(:mod:`.values`).

>>> from batchocr.recognize.local.ocr import Box
>>> line = Box("发票号码：25625432897358475196", 0.99, ((10, 10), (400, 10), (400, 40), (10, 40)))
>>> [(d["Name"], d["Value"]) for d in read_full([line]).data]
[('发票号码', '25625432897358475196')]
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import cast

from ...documents import positioned
from ...documents.words import HAN, Char, Word
from ...models import NameValue
from .amounts import document_of, with_amounts
from .checks import check, consistent
from .forms import by_form
from .geometry import skew
from .labels import (
    COLON,
    LABELS,
    english_label,
    english_length,
    fragment,
    label_head,
    label_text,
)
from .misread import named_by_order, named_by_value
from .ocr import Box, Quad
from .places import CITIES, known_city
from .values import FREE, clean, keep_checked, parted_carrier

__all__ = ["FullReading", "aligned", "keep_checked", "mend_rows", "read_full", "upright_words"]

# Free text that no form, check character or sum can check (notes, agencies, companies) is
# kept only when the recognizer is this sure of it: on tuning pages (80 of each noise level)
# such values read below 0.9 were 6 wrong and 5 right; above, 8 wrong and 614 right.
# (A passenger's name is not among them: below 0.9 its reads were 1 wrong, 18 right.)
UNCHECKED = FREE - {"旅客姓名"}
UNCHECKED_BELOW = 0.9
_NARROW = 0.55  # a Latin letter or digit is about this many CJK glyphs wide
_SPACE = 0.35


def _weight(ch: str) -> float:
    if ch.isspace():
        return _SPACE
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else _NARROW


def _chars(text: str, x0: float, top: float, x1: float, bottom: float) -> list[Char]:
    """A line's characters spread over its box by their typical widths."""
    weights = [_weight(c) for c in text]
    pitch = (x1 - x0) / max(sum(weights), 1e-6)
    if "\u3000" in text:  # OCR's mark of a wide gap: the text either side at its own width
        glyphs = sum(w for c, w in zip(text, weights, strict=True) if c != "\u3000")
        pitch = min(pitch, bottom - top)
        gap = (x1 - x0 - glyphs * pitch) / text.count("\u3000") / pitch
        weights = [gap if c == "\u3000" else w for c, w in zip(text, weights, strict=True)]
    out: list[Char] = []
    x = x0
    for ch, w in zip(text, weights, strict=True):
        out.append((ch, x, top, x + w * pitch, bottom))
        x += w * pitch
    return out


# 自/至, the English FROM/TO (however much of it was read, its O read as a 0, its T as a 1:
# ``至10``; a speck after it), a city, its airport code.
_STATION_LINE = (r"([自至])\s*(?:[A-Za-z01][A-Za-z0]{0,3})?[\s•·.,:：、]*"
                 r"([\u4e00-\u9fff]{2,6}(?:\s*[A-Za-z]{3})?)?")  # fmt: skip


def _marked(text: str) -> str:
    """``自成都`` → ``自：成都``: a station line read as one word keeps its 自/至 mark apart.

    >>> _marked("自 成都"), _marked("至海口 HAK"), _marked("自 FRO广州"), _marked("至 TO")
    ('自：成都', '至：海口 HAK', '自：广州', '至：')
    >>> _marked("自 FROM 厦门 川航"), _marked("至 TO•北京"), _marked("月至To三亚"), _marked("至10")
    ('自：厦门\u3000川航', '至：北京', '至：三亚', '至：')

    >>> _marked("自愿退票"), _marked("至"), _marked("至10月")
    ('自愿退票', '至', '至10月')
    """
    if re.match(r".[自至]\s*[A-Za-z]{2}", text):  # 月至To三亚: a speck before the mark
        text = text[1:]
    m = re.match(_STATION_LINE, text)
    if m is None or text in ("自", "至") or (m[2] or "")[:2] in ("愿退", "行车"):
        return text
    rest = text[m.end() :]
    if rest and not rest[0].isspace():
        return text  # not a city and a cell: a word that starts with 自 or 至
    # The next cell read on the same line (厦门 川航) is parted from the city as by a wide gap.
    return f"{m[1]}：{m[2] or ''}" + (f"\u3000{rest.strip()}" if rest.strip() else "")


def upright_words(boxes: Sequence[Box], tilt: float | None = None) -> list[Word]:
    """The page's words in upright coordinates (turned by ``tilt``, by default the page's
    measured tilt), label slips mended."""
    tilt = skew(boxes) if tilt is None else tilt
    cos, sin = math.cos(-tilt), math.sin(-tilt)
    out: list[Word] = []
    for b in sorted(boxes, key=lambda b: (b.quad[0][1], b.quad[0][0])):
        text = "\u3000".join(_marked(part.strip()) for part in b.text.strip().split("\u3000"))
        if not text:
            continue
        xs = [x * cos - y * sin for x, y in b.quad]
        ys = [x * sin + y * cos for x, y in b.quad]
        chars = _without_english(_chars(text, min(xs), min(ys), max(xs), max(ys)))
        for w in (replace(w, score=b.score) for w in positioned.words(chars)):
            if not any(c.isalnum() for c in w.text) or english_label(w.text):
                continue  # a speck or a rule read as 「 or |; a label's English half
            for part in (p for q in _label_first(w) for p in _stations_apart(q)):
                mended = label_text(part.text)
                out.append(part if mended == part.text else replace(part, text=mended))
    return out


_ASCII_RUN = re.compile(r"[A-Za-z][A-Za-z./\-]*(?: [A-Za-z./\-]+)*")


def _without_english(chars: list[Char]) -> list[Char]:
    """A line's characters without the English halves of bilingual labels run into it
    (``FARE2420.00``, ``NAMEOFPASSENGER董鹏``), nor a short capital run glued to a Chinese
    label (``TME客票级别``): the gap they leave parts the words around them."""
    text = "".join(c[0] for c in chars)
    drop: set[int] = set()
    for m in _ASCII_RUN.finditer(text):
        run, after = m[0].replace(" ", ""), text[m.end() : m.end() + 4]
        glued = run.isupper() and len(run) <= 6 and any(lb.startswith(after[:2])
                                                       for lb in LABELS if len(after) >= 2)
        n = len(run) if glued else _english_words(m[0])
        # n letters of the run, spaces between them counted
        drop.update(i for i in range(m.start(), m.end())
                    if len(text[m.start() : i].replace(" ", "")) < n)
    return [c for i, c in enumerate(chars) if i not in drop] if drop else chars


def _english_words(run: str) -> int:
    """How many letters at the start of a run of Latin words are an English label: the most
    words that are one together (``NOT VALID AFTER``; ``FLGHT`` of ``FLGHT FM8443``), else the
    head of the first word (``OTHERTAXESO``)."""
    words = run.split(" ")
    for j in range(len(words), 0, -1):
        head = "".join(words[:j])
        if j > 1 and not fragment(words[j - 1]):
            continue  # FLGHT FM8443: the flight's own letters follow the label
        if len(head) >= 3 and english_length(head) == len(head):
            return len(head)
    return english_length(words[0]) if len(words[0]) >= 3 else 0


# Labels looked for inside a word: four characters or more, or three held by no other label.
_INSIDE = frozenset(lb for lb in LABELS if len(lb) >= 4 or (len(lb) == 3 and not any(
    lb != other and lb in other for other in LABELS)))  # fmt: skip


def _label_first(w: Word) -> list[Word]:
    """A line read as one word with labels in it and no colon before their values
    (``发票号码2444…``, ``于洋平有效身份证件号码``): the labels and the text between them as
    words, each cut placed by the characters' widths; a slip's line runs a value into the
    next label (``厦航航班号``). Inside a word only labels of four characters or more, or
    of three that no other label holds, are looked for (日期 occurs inside 客票生效日期)."""
    text = w.text.replace(" ", "")
    spans: list[tuple[int, int]] = []
    i = 0
    if not any(text.startswith(lb) for lb in LABELS):
        head, n = label_head(text)
        if head:  # 电子客号码7314…: the label misread, its value run into it
            text = head + text[n:]
    while i < len(text):
        label = next((lb for lb in LABELS if text.startswith(lb, i)
                      and (i == 0 or lb in _INSIDE)), None)  # fmt: skip
        if label is None or label in positioned.STATIONS:
            i += 1
            continue
        spans.append((i, i + len(label)))
        i += len(label)
    cuts = sorted({0, len(text), *(c for span in spans for c in span)})
    if len(cuts) <= 2 or (len(spans) == 1 and spans[0] == (0, len(text))):
        return [w]
    if len(spans) == 1 and spans[0][0] == 0 and not text[spans[0][1] :].strip(COLON):
        return [w]
    return _parted(w, text, cuts)


def _parted(w: Word, text: str, cuts: Sequence[int]) -> list[Word]:
    """``w`` (whose text is ``text`` but for spaces) cut at the character indices ``cuts``
    (its two ends among them), each cut placed by the characters' widths."""
    total = sum(map(_weight, text))

    def x(i: int) -> float:
        return w.x0 + (w.x1 - w.x0) * sum(map(_weight, text[:i])) / total

    return [Word(text[a:b], x(a), w.top, x(b), w.bottom, w.score)
            for a, b in itertools.pairwise(cuts) if text[a:b].strip(COLON)]  # fmt: skip


_TWO_STATIONS = re.compile(r"([\u4e00-\u9fff]{2,6}?)至(?:TO|To|to)?([\u4e00-\u9fff].*)")


def _stations_apart(w: Word) -> list[Word]:
    """A slip's line with both stations read as one word (``哈尔滨至To昆明``): the city,
    the 至 mark and the other city as words, when both are cities flown to.

    >>> [p.text for p in _stations_apart(Word("哈尔滨至To昆明", 0, 0, 200, 30))]
    ['哈尔滨', '至', '昆明']
    >>> [p.text for p in _stations_apart(Word("冬至To北京", 0, 0, 200, 30))]
    ['冬至To北京']
    """
    text = w.text.replace(" ", "")
    m = _TWO_STATIONS.fullmatch(text)
    if m is None or m[1] not in CITIES or not known_city(m[2]):
        return [w]
    parts = _parted(w, text, (0, m.end(1), m.end(1) + 1, m.start(2), len(text)))
    return [p for p in parts if p.text.upper() != "TO"]  # the mark's English half


# Labels printed side by side in a known order: a misread one is named by its neighbours.
_ROWS = (positioned.FLIGHT_HEADERS, positioned.AMOUNT_LABELS, positioned.CELL_LABELS)


def without_english_lines(ws: list[Word]) -> list[Word]:
    """The page's words without the pieces of English read on the line right under a label
    (its English half, partly read, or garbled past naming: ``HOKTNO`` for E-TICKET NO.,
    also under a label itself misread: ``FORMAEON`` under ``示内区``): they would stand
    where the label's value is looked for."""
    labels = [w for w in ws if w.key in positioned.KNOWN_LABELS]

    chinese = [w for w in ws if HAN.search(w.text)]

    def under(w: Word, above: list[Word]) -> bool:
        return any(lb.x0 - lb.height <= w.cx <= lb.x1 + lb.height
                   and 0 < w.cy - lb.cy < 1.6 * lb.height for lb in above)  # fmt: skip

    def english(w: Word) -> bool:
        if len(w.text) < 2 or not (fragment(w.text) or _garbled_latin(w)):
            return False
        # (under a label misread past naming too, when long: a fare basis of a few letters
        # stands under its header)
        return under(w, labels) or (len(w.text) >= 4 and _garbled_latin(w) and under(w, chinese))

    return [w for w in ws if not english(w)]


_GARBLED = 0.8  # a line of letters read below this is no value printed in Latin letters
_LATIN = re.compile(r"[A-Za-z][A-Za-z. \-]+")


def _garbled_latin(w: Word) -> bool:
    """Letters the recognizer doubts, no digit and no ``/`` (a name in Latin letters has one:
    ``SMITH/JOHN``): an English half misread. (A fare basis of letters alone stands under
    its header in the flight table, a line further down.)

    >>> [_garbled_latin(Word(t, 0, 0, 60, 14, s)) for t, s in (("HOKTNO", 0.49), ("YB", 0.95))]
    [True, False]
    """
    return w.score < _GARBLED and bool(_LATIN.fullmatch(w.text.strip()))


def mend_rows(ws: list[Word]) -> list[Word]:
    """Name the misread labels of a row of labels from the ones read right around them.

    A table's header line holds its labels in a known order; when two of them are read
    exactly, the words between them on that line are the labels between them (``日明``
    between 座位等级 and 时间 is 日期; two pieces of one label are joined), and a word at
    either end of the line is the one unread label whose characters it keeps (``价``).
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
                out[id(w)] = [replace(w, text=name)]
    # At either end of the row, the word next to a label read: the one unread label whose
    # characters it keeps (``价`` before 民航发展基金 is 票价).
    read = {w.key for w in ws if w.key in row}
    ends = line[: known[0][0]][-1:] + line[known[-1][0] + 1 :][:1]
    for w in ends:
        if positioned.is_label(w) or not HAN.search(w.text) or any(c.isdigit() for c in w.text):
            continue
        fits = [name for name in row if name not in read and set(w.key) <= set(name)]
        if len(fits) == 1:
            out[id(w)] = [replace(w, text=fits[0])]
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
    tilt = skew(boxes)
    named = named_by_value(named_by_order(mend_rows(upright_words(boxes, tilt))))
    words = without_english_lines(named)
    reading = positioned.interpret(words)
    ticket: dict[str, str] = {}
    flights: dict[int, dict[str, str]] = {}
    sure: dict[tuple[int, str], tuple[str, float]] = {}  # (row, name) → (value read, score)
    found = with_amounts(reading, words)
    for d in found + by_form(found, words, document_of(reading, words, by_rate=False)):
        row = int(d.get("Row", -1))
        if d["Name"] == "自" and row >= 0 and (parted := parted_carrier(d["Value"])):
            flights.setdefault(row, {}).setdefault("承运人", parted[1])  # its column's reading wins
            sure.setdefault((row, "承运人"), (parted[1], d.get("Confidence", 1.0)))
        if d["Name"] in UNCHECKED and d.get("Confidence", 1.0) < UNCHECKED_BELOW:
            continue  # free text has no form to check it by: only its reading vouches for it
        value = clean(d["Name"], d["Value"])
        if value is not None:
            (ticket if row < 0 else flights.setdefault(row, {}))[d["Name"]] = value
            if "Confidence" in d:
                sure[row, d["Name"]] = (value, d["Confidence"])
    ticket, rows = check(ticket, [flights[r] for r in sorted(flights)])
    data = [_entry(k, v, -1, sure) for k, v in ticket.items()]
    for row, flight in zip(sorted(flights), rows, strict=True):  # a row read empty keeps its place
        data += [_entry(k, v, row, sure) for k, v in consistent(flight).items()]
    blanks = tuple(_on_page(*b, tilt) for b in reading.blanks)
    return FullReading(keep_checked(data), blanks)


def _entry(name: str, value: str, row: int,
           sure: dict[tuple[int, str], tuple[str, float]]) -> NameValue:  # fmt: skip
    """The entry, with the recognizer's score of what it was read from (for a reviewer's
    low_confidence), unless the document's checks changed the value: then they vouch for it."""
    entry: NameValue = {"Name": name, "Value": value, "Row": row}
    read, score = sure.get((row, name), (value, 1.0))
    if read == value and score < 1.0:
        entry["Confidence"] = score
    return entry


def _on_page(x0: float, top: float, x1: float, bottom: float, tilt: float) -> Quad:
    """An upright rectangle back on the page: turned by the page's tilt."""
    c, s = math.cos(tilt), math.sin(tilt)
    return cast(Quad, tuple((x * c - y * s, x * s + y * c)
                            for x, y in ((x0, top), (x1, top), (x1, bottom), (x0, bottom))))


def aligned(form: Sequence[Box], data: Sequence[Box]) -> tuple[Box, ...]:
    """The boxes of a page's two inks as one page, the data pass moved back onto the form's
    lines: a misregistered printer shifts every value alike, and each 自/至 mark of the form
    stands on the line of the city the data pass printed beside it.

    >>> form = [Box("自", 1, ((10, 100), (30, 100), (30, 120), (10, 120)))] * 2
    >>> data = [Box("广州", 1, ((40, 88), (80, 88), (80, 108), (40, 108)))]
    >>> aligned(form, data)[-1].quad[0]
    (40, 100.0)
    """
    offsets: list[float] = []
    for mark in (b for b in form if b.text.strip() in positioned.STATIONS):
        x1, top, bottom = mark.quad[1][0], mark.quad[0][1], mark.quad[2][1]
        h, cy = bottom - top, (top + bottom) / 2
        beside = [b for b in data if x1 - h <= b.quad[0][0] <= x1 + 6 * h
                  and abs(_cy(b) - cy) <= 1.5 * h]  # fmt: skip
        if beside:
            offsets.append(cy - _cy(min(beside, key=lambda b: b.quad[0][0])))
    if len(offsets) < 2:
        return (*form, *data)
    dy = sorted(offsets)[len(offsets) // 2]
    moved = [Box(b.text, b.score, cast(Quad, tuple((x, y + dy) for x, y in b.quad)))
             for b in data]  # fmt: skip
    return (*form, *moved)


def _cy(b: Box) -> float:
    return (b.quad[0][1] + b.quad[2][1]) / 2
