"""A scan's lines as upright words (pure): the first step of reading a page in full.

The page's tilt is undone (the median tilt of its long lines, :func:`.geometry.skew`); each
OCR line is cut into words at its gaps and colons, each character placed by its width (a
Latin letter or a digit is narrower than a Chinese one); a label's English half is dropped;
a 自/至 mark read into its city is parted from it (``自成都``), and so are two stations read
as one word (``哈尔滨至To昆明``); a line read as one word with labels inside it is cut at
them (``发票号码2444…``, ``厦航航班号``); a label misread by a slip is named.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from ....documents import positioned
from ....documents.words import HAN, Char, Word
from ..image.geometry import skew
from ..image.ocr import Box
from ..template.table import parted_carrier
from ..vocabulary.labels import (
    COLON,
    ENGLISH,
    LABELS,
    english_label,
    english_length,
    english_start,
    fragment,
    label_head,
    label_text,
)
from ..vocabulary.places import CITIES, known_city

__all__ = ["span", "upright_words"]

_NARROW = 0.55  # a Latin letter or digit is about this many CJK glyphs wide
_SPACE = 0.35


def _weight(ch: str) -> float:
    if ch.isspace():
        return _SPACE
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else _NARROW


def span(text: str, start: int, end: int) -> tuple[float, float]:
    """Where characters ``start`` to ``end`` of a line's ``text`` lie along its box, as
    fractions of its width (by the characters' typical widths).

    >>> tuple(round(t, 2) for t in span("签注AB不得", 2, 4))
    (0.39, 0.61)
    """
    weights = [_weight(c) for c in text]
    total = max(sum(weights), 1e-6)
    return sum(weights[:start]) / total, sum(weights[:end]) / total


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
_STATION_LINE = (r"([自至])\s*(?:[A-Za-z01][A-Za-z0]{0,3})?[\s•·.,，:：、(（《]*"
                 r"([\u4e00-\u9fff]{2,6}(?:\s*[A-Za-z]{3})?)?")  # fmt: skip


def _marked(text: str) -> str:
    """``自成都`` → ``自：成都``: a station line read as one word keeps its 自/至 mark apart.

    >>> _marked("自 成都"), _marked("至海口 HAK"), _marked("自 FRO广州"), _marked("至 TO")
    ('自：成都', '至：海口 HAK', '自：广州', '至：')
    >>> _marked("自 FROM 厦门 川航"), _marked("至 TO•北京"), _marked("月至To三亚"), _marked("至10")
    ('自：厦门\u3000川航', '至：北京', '至：三亚', '至：')

    >>> _marked("白：乌鲁木齐 URC"), _marked("白：云")
    ('自：乌鲁木齐 URC', '白：云')
    >>> _marked("自 FROM 武汉|厦航"), _marked("自 FROM 南宁•南航"), _marked("自南宁 至 昆明")
    ('自：武汉\u3000厦航', '自：南宁\u3000南航', '自：南宁\u3000至：昆明')

    >>> _marked("鲁FROM广州厦航MF8358"), _marked("鲁FROM厦航")
    ('自：广州\u3000厦航MF8358', '鲁FROM厦航')
    >>> _marked("FROM厦门"), _marked("TO北京")  # the mark unread, its English kept
    ('自：厦门', '至：北京')
    >>> _marked("至西安承运人东航航班号 MU4147")
    '至：西安\u3000承运人东航航班号 MU4147'
    >>> _marked("自 FROM 上海至 TO 济南承运人 CARRIER 国航")
    '自：上海\u3000至：济南\u3000承运人 CARRIER 国航'
    >>> _marked("東至广州"), _marked("東至广")  # a speck before the mark, a city after it
    ('至：广州', '東至广')
    >>> _marked("自，长沙"), _marked("至TO《昆明)")  # a speck read as a comma; a pen's ring
    ('自：长沙', '至：昆明')
    >>> _marked("自愿退票"), _marked("至"), _marked("至10月")
    ('自愿退票', '至', '至10月')
    """
    if re.match(r".[自至]\s*[A-Za-z]{2}", text) or (  # 月至To三亚: a speck before the mark,
            text[:1] not in "自至" and text[1:2] in ("自", "至") and _city_first(text[2:])):
        text = text[1:]  # or before the mark and a city (東至广州: no city is one glyph)
    if text[:1] in _MARK_TWINS and text[1:2] in "：:" and known_city(text[2:].strip()):
        text = _MARK_TWINS[text[0]] + text[1:]  # 白：乌鲁木齐: a mark, its colon and a city
    english = re.match(r"([\u4e00-\u9fff]?)\s*(FR[O0][MNK]?|T[O0o])\s*", text)
    if english and text[0] not in "自至" and _city_first(text[english.end() :]):
        # 鲁FROM广州: a mark misread past its twins, its English kept; FROM厦门: it unread
        mark = "自" if english[2].startswith("F") else "至"
        text = mark + text[len(english[1]) :]
    m = re.match(_STATION_LINE, text)
    if m is None or text in ("自", "至") or (m[2] or "")[:2] in ("愿退", "行车"):
        return text
    rest, city = re.sub(r"^[)）》〉]", "", text[m.end() :]), m[2] or ""  # (a ring's end)
    if (k := city.find("至", 2)) > 0 and known_city(city[:k]):  # 上海至 TO 济南: the next mark
        return f"{m[1]}：{city[:k]}\u3000{_marked(city[k:] + rest)}"
    if labelled := _city_then_label(city, rest):  # 西安承运人东航: the next cell's label run in
        return f"{m[1]}：{labelled[0]}\u3000{labelled[1]}"
    if rest and not (rest[0].isspace() or rest[0] in _RULES):
        parted = parted_carrier(m[2] or "")  # 广州厦航MF8358: the carrier's cell run in
        if parted is None or not known_city(parted[0]):
            return text  # not a city and a cell: a word that starts with 自 or 至
        return f"{m[1]}：{parted[0]}\u3000{parted[1]}{rest}"
    # The next cell read on the same line (厦门 川航, 武汉|厦航: a rule between) is parted
    # from the city as by a wide gap; a slip's one line may go on to the next station.
    rest = rest.strip().lstrip(_RULES).strip()
    return f"{m[1]}：{m[2] or ''}" + (f"\u3000{_marked(rest)}" if rest else "")


_RULES = "|•·"  # a ruled cell's border, a dot leader: read between two cells


def _city_first(text: str) -> bool:
    """Whether ``text`` starts with a known city (its two or three glyphs)."""
    return any(known_city(text.strip()[:n]) for n in (2, 3))


def _city_then_label(head: str, rest: str) -> tuple[str, str] | None:
    """A city and the next cell's label run into it, parted (``西安`` and ``承运人东航…`` of
    ``西安承运人东`` + ``航…``); None when ``head`` starts with no city a label follows.

    >>> _city_then_label("西安承运人东", "航航班号 MU4147"), _city_then_label("西安东航", "")
    (('西安', '承运人东航航班号 MU4147'), None)
    """
    text = head + rest
    for n in range(2, len(head)):
        if known_city(head[:n]) and any(text.startswith(lb, n) for lb in LABELS if len(lb) > 1):
            return head[:n], text[n:]
    return None


_MARK_TWINS = {"白": "自", "目": "自", "到": "至"}  # the marks as a small print misreads them


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
                if not any(c.isalnum() for c in part.text):
                    continue  # a speck after a label (签注.): no value beside it
                mended = label_text(part.text)
                out.append(part if mended == part.text else replace(part, text=mended))
    return out


_ASCII_RUN = re.compile(r"[A-Za-z][A-Za-z./\-]*(?: [A-Za-z./\-]+)*")


def _without_english(chars: list[Char]) -> list[Char]:
    """A line's characters without the English halves of bilingual labels run into it
    (``FARE2420.00``, ``NAMEOFPASSENGER董鹏``), nor a short capital run glued to a Chinese
    label (``TME客票级别``; but a lone letter after 座位等级 is its class: ``座位等级L日期``,
    and a short code after 客票级别/类别 its fare basis: ``类别L客票生效日期``):
    the gap they leave parts the words around them."""
    text = "".join(c[0] for c in chars)
    drop: set[int] = set()
    for m in _ASCII_RUN.finditer(text):
        run, after = m[0].replace(" ", ""), text[m.end() : m.end() + 4]
        if text[m.start() - 1 : m.start()].isdigit() and (
                re.fullmatch(r"[OQDISBZ.]+", run) or len(run) <= _VALUE_TAIL):
            continue  # the rest of a value: a number's zeros read as O (CNY 2O.OO其他税费), a
            # code's or an allowance's letters (K0W客票生效日期, 20K客票生效日期)
        before = text[: m.start()].rstrip()  # (a class after its label, or a fare basis)
        own = (len(run) == 1 and before.endswith("座位等级")) or (
            len(run) <= 3 and before.endswith("类别"))
        glued = run.isupper() and len(run) <= 6 and not own and any(
            lb.startswith(after[:2]) for lb in LABELS if len(after) >= 2)
        n = len(run) if glued else _english_words(m[0])
        # n letters of the run, spaces between them counted
        drop.update(i for i in range(m.start(), m.end())
                    if len(text[m.start() : i].replace(" ", "")) < n)
    return [c for i, c in enumerate(chars) if i not in drop] if drop else chars


_VALUE_TAIL = 2  # letters after a digit that end a value, not begin a label's English


def _english_words(run: str) -> int:
    """How many letters at the start of a run of Latin words are an English label: the most
    words that are one together (``NOT VALID AFTER``; ``FLGHT`` of ``FLGHT FM8443``), or all
    but a value's letter or two run into the last (``FARE BASISY``), else the head of the
    first word (``OTHERTAXESO``).

    >>> _english_words("NOT VALID AFTER"), _english_words("FLGHT FM8443")
    (13, 5)
    >>> _english_words("FARE BASISY")
    9
    """
    words = run.split(" ")
    for j in range(len(words), 0, -1):
        head = "".join(words[:j])
        if j > 1 and not fragment(words[j - 1]) and not english_start(head):
            continue  # FLGHT FM8443: the flight's own letters follow the label
        n = english_length(head)
        if len(head) >= 3 and n == len(head):
            return len(head)
        if j > 1 and n < len(head) <= n + _VALUE_TAIL and head[:n].upper() in ENGLISH:
            return n  # FARE BASISY: the whole label, its value's letters run into it
    return english_length(words[0]) if len(words[0]) >= 3 else 0


# Labels looked for inside a word: four characters or more, or three held by no other label.
_INSIDE = frozenset(lb for lb in LABELS if len(lb) >= 4 or (len(lb) == 3 and not any(
    lb != other and lb in other for other in LABELS)))  # fmt: skip


# Two-character labels no other label holds but at its end (时间; 日期, the end of 填开日期):
# looked for inside a word only between values, where no Chinese word goes on
# (27MAR24时间1820, L.日期2024-08-01: after a value, 日期 ends no label).
_SHORT = frozenset(lb for lb in LABELS if len(lb) == 2 and all(
    other.endswith(lb) for other in LABELS if lb != other and lb in other))  # fmt: skip


def _between_values(text: str, i: int, label: str) -> bool:
    """Whether a two-character label at ``i`` stands between two values: after a value's
    digits or letters and before one that is not Chinese (``27MAR24时间1820``), or after a
    number and before anything (``…0521签注不得签转``: no Chinese word ends in a digit)."""
    after = text[i + len(label) : i + len(label) + 1]
    date_end = text[i - 1] == "日" and text[i - 2 : i - 1].isdigit()  # 2025年08月15日时间0735
    if label not in _SHORT or (HAN.match(text[i - 1]) and not date_end):
        return False
    return not HAN.match(after) or text[i - 1].isdigit()


def _label_first(w: Word) -> list[Word]:
    """A line read as one word with labels in it and no colon before their values
    (``发票号码2444…``, ``于洋平有效身份证件号码``): the labels and the text between them as
    words, each cut placed by the characters' widths; a slip's line runs a value into the
    next label (``厦航航班号``). Inside a word only labels of four characters or more, or
    of three that no other label holds, are looked for (日期 occurs inside 客票生效日期),
    or of two that no other label holds but at its end between values (``27MAR24时间1820``).

    >>> [p.text for p in _label_first(Word("27MAR24时间1820", 0, 0, 300, 30))]
    ['27MAR24', '时间', '1820']
    >>> [p.text for p in _label_first(Word("日期2025年08月15日时间0735", 0, 0, 300, 30))]
    ['日期', '2025年08月15日', '时间', '0735']
    >>> [p.text for p in _label_first(Word("500103********0521签注不得签转", 0, 0, 300, 30))]
    ['500103********0521', '签注', '不得签转']
    >>> [p.text for p in _label_first(Word("座位等级L日期2024-08-01时间18：25", 0, 0, 400, 30))]
    ['座位等级', 'L', '日期', '2024-08-01', '时间', '18：25']
    """
    text = w.text.replace(" ", "")
    spans: list[tuple[int, int]] = []
    i = 0
    if not any(text.startswith(lb) for lb in LABELS):
        head, n = label_head(text)
        if head:  # 电子客号码7314…: the label misread, its value run into it
            text = head + text[n:]
    while i < len(text):
        label = next((lb for lb in LABELS if text.startswith(lb, i)
                      and (i == 0 or lb in _INSIDE or _between_values(text, i, lb))), None)
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


_TWO_STATIONS = re.compile(r"(?:自(?:FROM|From|from)?)?([\u4e00-\u9fff]{2,6}?)至(?:TO|To|to)?"
                           r"([\u4e00-\u9fff].*)")


def _stations_apart(w: Word) -> list[Word]:
    """A slip's line with both stations read as one word (``哈尔滨至To昆明``): the city,
    the 至 mark and the other city as words, when both are cities flown to.

    >>> [p.text for p in _stations_apart(Word("哈尔滨至To昆明", 0, 0, 200, 30))]
    ['哈尔滨', '至', '昆明']
    >>> [p.text for p in _stations_apart(Word("冬至To北京", 0, 0, 200, 30))]
    ['冬至To北京']
    >>> [p.text for p in _stations_apart(Word("自郑州至长沙", 0, 0, 200, 30))]
    ['自', '郑州', '至', '长沙']
    """
    text = w.text.replace(" ", "")
    m = _TWO_STATIONS.fullmatch(text)
    if m is None or m[1] not in CITIES or not known_city(m[2]):
        return [w]
    marked = (0, 1) if text.startswith("自") else (0,)  # a slip's 自 mark before the first
    parts = _parted(w, text, (*marked, m.start(1), m.end(1), m.end(1) + 1, m.start(2), len(text)))
    return [p for p in parts if p.text.upper() not in ("TO", "FROM")]  # the marks' English
