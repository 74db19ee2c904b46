"""Reading a page in full: OCR lines → words → Name/Value pairs by label text (pure).

The checked fallback of the template fast path (:mod:`.extract`): no layout, no canonical
position. The page's lines are turned upright (the median tilt of its long lines), each
line is cut into words at its colons (OCR reads ``发票号码：2562…`` as one line), labels are
recognized by their text even with an OCR slip (``旅客娃名``), and the values are found by
their relation to the labels and the table by :func:`batchocr.documents.positioned.interpret`
— the same reader as a PDF's own text, so a scan and a file of the same document read
alike. What does not read as its field's form is left out, never guessed
(:mod:`.values`).

>>> from batchocr.recognize.local.image.ocr import Box
>>> line = Box("发票号码：25625432897358475196", 0.99, ((10, 10), (400, 10), (400, 40), (10, 40)))
>>> [(d["Name"], d["Value"]) for d in read_full([line]).data]
[('发票号码', '25625432897358475196')]
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import cast

from ....documents import positioned
from ....documents.words import HAN, Word, same_line
from ....models import NameValue
from ..image.geometry import angle, long_line, skew
from ..image.ocr import Box, Quad
from ..template.table import parted_carrier
from ..validate.checks import check, consistent, refuted
from ..validate.identity import id_number
from ..vocabulary.labels import ENGLISH_OF, fragment, label_head, label_text
from .amounts import document_of, signs_unsure, with_amounts
from .forms import (
    after_office_code,
    after_ticket_number,
    buyer_beside,
    by_form,
    check_code_beside,
    name_beside,
    stock_prompt,
)
from .misread import mend_rows, named_by_order, named_by_value
from .upright import upright_words
from .values import FREE, clean, keep_checked

__all__ = ["FullReading", "aligned", "floor", "keep_checked", "mend_rows", "misregistered",
           "page_tilt", "read_full", "upright_words"]

# Free text that no form, check character or sum can check (notes, agencies, companies) is
# kept only when the recognizer is this sure of it: on tuning pages (80 of each noise level)
# such values read below 0.9 were 6 wrong and 5 right; above, 8 wrong and 614 right.
# (A passenger's name is not among them: below 0.9 its reads were 1 wrong, 18 right.)
FREE_TEXT = FREE - {"旅客姓名"}
TAX_ID = "统一社会信用代码/纳税人识别号"  # (the buyer's, as the full reader names it)
FREE_TEXT_BELOW = 0.9
# Nor has a name a form to check it by (a misread one still reads as a name), but its reads
# are surer: on tuning pages (240, every noise) names read below 0.75 were 3 wrong (0.44-0.74)
# and 2 right (0.57, 0.65), above it 0 wrong and 201 right.
NAME_BELOW = 0.75


def without_english_lines(ws: list[Word]) -> list[Word]:
    """The page's words without the pieces of English read on the line right under a label
    (its English half, partly read, or garbled past naming: ``HOKTNO`` for E-TICKET NO.,
    also under a label itself misread: ``FORMAEON`` under ``示内区``): they would stand
    where the label's value is looked for."""
    labels = [w for w in ws if w.key in positioned.KNOWN_LABELS]

    chinese = [w for w in ws if HAN.search(w.text)]

    def under(w: Word, above: list[Word]) -> bool:
        # (centred under it, or starting where it starts: an English half longer than its
        # label, ``ENDORSEMENTS/RESTRICTIONS`` under 签注)
        return any((lb.x0 - lb.height <= w.cx <= lb.x1 + lb.height
                    or abs(w.x0 - lb.x0) <= lb.height)
                   and 0 < w.cy - lb.cy < 1.6 * lb.height for lb in above)  # fmt: skip

    def english(w: Word) -> bool:
        if len(w.text) < 2:
            return False
        if not (fragment(w.text) or _garbled_latin(w)):
            return any(_own_english(w, lb) for lb in labels if under(w, [lb]))
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


_OWN_ENGLISH = 0.7  # likeness to its label's English from which a doubted word is it


def _own_english(w: Word, label: Word) -> bool:
    """Whether ``w``, read doubtfully under ``label``, is that label's English half misread
    with digits for letters: ``GENT0OD`` (AGENT CODE) at 0.48 under 销售单位代号 would be
    taken for its value, which a data pass printed high sets right under the label.

    >>> label = Word("销售单位代号", 0, 0, 120, 20, 1.0)
    >>> [_own_english(Word(t, 0, 22, 90, 36, s), label)
    ...  for t, s in (("GENT0OD", 0.48), ("GENT0OD", 0.95), ("DLC118", 0.6))]
    [True, False, False]
    """
    english = ENGLISH_OF.get(label.key)
    text = re.sub(r"[\s.]", "", w.text.upper())
    if english is None or w.score >= _GARBLED or not re.fullmatch(r"[A-Z0-9/\-]+", text):
        return False
    letters = sum(c.isalpha() for c in text)  # (mostly letters: not a code like DLC118)
    likeness = difflib.SequenceMatcher(None, text, re.sub(r"[\s.]", "", english)).ratio()
    return letters >= 0.7 * len(text) and likeness >= _OWN_ENGLISH


@dataclass(frozen=True, slots=True)
class FullReading:
    """A page read in full: its entries, and the page quads of the flight cells where a value
    belongs but none was read (worth recognizing as they are: detection misses a lone letter)."""

    data: list[NameValue]
    blanks: tuple[Quad, ...] = ()
    # Free text (and names) of their form read below their field's floor, not taken: worth
    # reading again alone (a bilingual label's English in the same line lowers its score).
    doubted: tuple[NameValue, ...] = ()
    # Its amounts contradict each other (:func:`.checks.refuted`) and are left out: another
    # reading of the page that cannot check them adds none of them (:mod:`..readings`).
    refuted: bool = False


def read_full(boxes: Sequence[Box]) -> FullReading:
    """The Name/Value pairs of a page read in full: each value cleaned by its field's form
    (left out when it has none), then mended where the document's own checks pin it down."""
    tilt = page_tilt(boxes)
    named = named_by_value(named_by_order(mend_rows(joined_ids(upright_words(boxes, tilt)))))
    words = without_english_lines(named)
    reading = positioned.interpret(words)
    ticket: dict[str, str] = {}
    flights: dict[int, dict[str, str]] = {}
    sure: dict[tuple[int, str], tuple[str, float]] = {}  # (row, name) → (value read, score)
    doubted: list[NameValue] = []
    found = with_amounts(reading, words)
    document = document_of(reading, words, by_rate=False)
    # (a field read as no value of its form, ``2553…697 2025-10-16``, is still to be found)
    formed = [d for d in found if clean(d["Name"], d["Value"]) is not None]
    for d in found + by_form(formed, words, document):
        row = int(d.get("Row", -1))
        if d["Name"] == "自" and row >= 0 and (parted := parted_carrier(d["Value"])):
            flights.setdefault(row, {}).setdefault("承运人", parted[1])  # its column's reading wins
            sure.setdefault((row, "承运人"), (parted[1], d.get("Confidence", 1.0)))
        if d.get("Confidence", 1.0) < floor(d["Name"]):
            if clean(d["Name"], d["Value"]) is not None:
                doubted.append(d)
            continue  # free text has no form to check it by: only its reading vouches for it
        value = clean(d["Name"], d["Value"])
        if value is not None:
            (ticket if row < 0 else flights.setdefault(row, {}))[d["Name"]] = value
            if "Confidence" in d:
                sure[row, d["Name"]] = (value, d["Confidence"])
    for have, want, beside in (("电子客票号码", "验证码", check_code_beside),
                               ("有效身份证件号码", "旅客姓名", name_beside),
                               (TAX_ID, "购买方名称", buyer_beside)):  # fmt: skip
        near = beside(ticket[have], words) if have in ticket and want not in ticket else None
        if near is not None and near.score >= floor(want):
            ticket[want], sure[-1, want] = near.key, (near.key, near.score)
    # (an amount named by its place, which nothing checks, at the free text's floor: on
    # tuning and probe photos such insurance read 0.71-0.91 when wrong, 0.83-0.95 when right)
    for name, finder, least in (("填开单位", after_office_code, floor("填开单位")),
                                ("填开日期", after_office_code, 0.0),
                                ("保险费", after_ticket_number, FREE_TEXT_BELOW),
                                ("提示信息", lambda _, ws: stock_prompt(ws),
                                 floor("提示信息"))):  # fmt: skip
        after = finder(name, words) if name not in ticket else None
        if after is not None and after.score >= least:
            ticket[name], sure[-1, name] = after.text, (after.text, after.score)
    unclean = {d["Name"]: d["Value"] for d in found if int(d.get("Row", -1)) < 0
               and d["Name"] in positioned.AMOUNT_LABELS and clean(d["Name"], d["Value"]) is None}
    ticket, rows = check(ticket, [flights[r] for r in sorted(flights)], unclean,
                         carriers=any(w.key == "承运人" for w in words))
    contradicted = refuted(ticket)
    ticket = signs_unsure(ticket, found)
    data = [_entry(k, v, -1, sure) for k, v in ticket.items()]
    for row, flight in zip(sorted(flights), rows, strict=True):  # a row read empty keeps its place
        scores = {n: score for (r, n), (read, score) in sure.items()
                  if r == row and flight.get(n) == read}  # fmt: skip
        data += [_entry(k, v, row, sure) for k, v in consistent(flight, scores).items()]
    blanks = tuple(_on_page(*b, tilt) for b in reading.blanks)
    taken = {(d["Name"], d.get("Row", -1)) for d in data}
    return FullReading(keep_checked(data), blanks,
                       tuple(d for d in doubted if (d["Name"], d.get("Row", -1)) not in taken),
                       contradicted)


def joined_ids(ws: list[Word]) -> list[Word]:
    """``ws`` with the two pieces of a masked ID number that detection boxed apart, its
    stars split between them (``610113**`` and ``(******2910``, a pen's ring beside the
    second) or some unread (``370102**`` and ``3683``), as one word: each piece alone reads
    as no ID number.

    >>> ws = [Word("610113**", 100, 0, 180, 20), Word("(******2910", 185, 2, 290, 22)]
    >>> [w.text for w in joined_ids(ws)]
    ['610113********2910']
    >>> [w.text for w in joined_ids([ws[0], replace(ws[1], x0=300, x1=400)])]  # far apart
    ['610113**', '(******2910']
    >>> ends = [Word("610113*", 100, 0, 180, 20), Word("*2910", 250, 0, 300, 20)]
    >>> [w.text for w in joined_ids(ends)]  # the middle stars unread
    ['610113********2910']
    """
    out = list(ws)
    for a in ws:
        if (not a.text.rstrip().endswith("*") or id_number(a.text) is not None
                or all(w is not a for w in out)):  # (already joined to the piece before it)
            continue
        after = [b for b in out if b is not a and same_line(a, b)
                 and -a.height <= b.x0 - a.x1 <= _id_gap(a, b)]  # fmt: skip
        for b in after:
            text = _ID_EDGE.sub("", a.text) + _ID_EDGE.sub("", b.text)
            if id_number(b.text) is None and (number := id_number(text)) is not None:
                joined = Word(number, a.x0, min(a.top, b.top), b.x1, max(a.bottom, b.bottom),
                              min(a.score, b.score))  # fmt: skip
                out = [joined if w is a else w for w in out if w is not b]
                break
    return out


_ID_EDGE = re.compile(r"^[^0-9A-Za-z*]+|[^0-9A-Za-z*]+$")  # a mark beside a piece


def _id_gap(a: Word, b: Word) -> float:
    """How far apart two pieces of a masked ID number may lie: two line heights, or, when
    the stars run on at both edges and fewer than the shortest mask's five were read
    (``610113*`` and ``*2910``: the mask's middle unread), five (eight stars span four)."""
    unread = _ID_EDGE.sub("", b.text).startswith("*") and (a.text + b.text).count("*") < 5
    return (5 if unread else 2) * a.height


def page_tilt(boxes: Sequence[Box]) -> float:
    """The page's tilt (:func:`.geometry.skew`) measured on the lines that hold no label with
    its value after it, when three or more of them are long enough: a misregistered data
    pass prints each value off its label's line, and OCR boxes the two as one slanted line
    (a pass 12 px low slanted a flat page's label lines by 1.5-7.7°, their median by 2.4°,
    which turned the flight table's cells off their rows).

    >>> flat = [Box(t, 1.0, ((0, y), (300, y), (300, y + 30), (0, y + 30)))
    ...         for t, y in (("2024年12月07日", 0), ("客票生效日期", 50), ("免费行李", 100))]
    >>> slanted = [Box(t, 1.0, ((0, 200), (300, 215), (300, 245), (0, 230)))
    ...            for t in ("票价CNY 1,910.00", "验证码6541", "合计CNY 1,980.00", "保险费X")]
    >>> round(skew([*flat, *slanted]), 3), page_tilt([*flat, *slanted])
    (0.05, 0.0)
    """
    alone = [b for b in boxes if not _labelled(b.text)]
    return skew(alone if sum(long_line(b) for b in alone) >= 3 else boxes)


MISREGISTERED = 3  # slanted lines (a label and its value) that tell a data pass off its form,
MOST = 0.5  # ...when they are this share of such lines at least (a stamp or a highlighter
# slants a few: 3 of 25 and 4 of 27 on two tuning pages; printed off the form, 12 of 12)
SLANT = math.radians(1.0)  # off the page's tilt: a line holding two printed lines' text


def misregistered(boxes: Sequence[Box]) -> bool:
    """Whether the page's values were printed off its form's lines: :data:`MISREGISTERED` or
    more lines holding a label and its value, and :data:`MOST` of them, lie slanted off the
    page's tilt (by :data:`SLANT`): OCR boxed each label with a value half a line above or
    below it.

    >>> flat = [Box(t, 1.0, ((0, y), (300, y), (300, y + 30), (0, y + 30)))
    ...         for t, y in (("2024年12月07日", 0), ("客票生效日期", 50), ("免费行李", 100))]
    >>> slanted = [Box(t, 1.0, ((0, 200), (300, 215), (300, 245), (0, 230)))
    ...            for t in ("票价CNY 1,910.00", "验证码6541", "合计CNY 1,980.00")]
    >>> misregistered([*flat, *slanted]), misregistered([*flat, *slanted[:2]])
    (True, False)
    """
    tilt = page_tilt(boxes)
    labelled = [b for b in boxes if long_line(b) and _labelled(b.text)]
    slanted = [b for b in labelled if abs(angle(b) - tilt) >= SLANT]
    return len(slanted) >= max(MISREGISTERED, MOST * len(labelled))


@functools.lru_cache(maxsize=4096)  # (asked of every line by every tilt measure of a page)
def _labelled(text: str) -> bool:
    """Whether a line starts with a label and goes on past it: ``验证码6541``."""
    squeezed = text.replace(" ", "")
    if label_text(squeezed) in positioned.KNOWN_LABELS:  # a label alone (maybe misread)
        return False
    head, taken = label_head(squeezed)
    return (bool(head) and taken < len(squeezed)) or any(
        squeezed.startswith(k) and len(squeezed) > len(k) for k in positioned.KNOWN_LABELS)


def floor(name: str) -> float:
    """The recognizer's score below which a field's value is not taken: only free text (and
    a name) has one, having no form to check it by."""
    return FREE_TEXT_BELOW if name in FREE_TEXT else NAME_BELOW if name == "旅客姓名" else 0.0


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
    >>> bilingual = [Box("自 FROM", 1, ((10, 100), (80, 100), (80, 120), (10, 120)))] * 2
    >>> city = Box("广州", 1, ((90, 88), (130, 88), (130, 108), (90, 108)))
    >>> aligned(bilingual, [city])[-1].quad[0]
    (90, 100.0)
    """
    offsets: list[float] = []
    for mark in (b for b in form if _MARK.fullmatch(b.text.strip())):
        x1, top, bottom = mark.quad[1][0], mark.quad[0][1], mark.quad[2][1]
        h, cy = bottom - top, (top + bottom) / 2
        beside = [b for b in data if x1 - h <= b.quad[0][0] <= x1 + 6 * h
                  and abs(_cy(b) - cy) <= 1.5 * h]  # fmt: skip
        if beside:  # the stations' column (the first word right of the mark), nearest row
            first = min(b.quad[0][0] for b in beside)
            column = [b for b in beside if b.quad[0][0] <= first + h]
            offsets.append(cy - _cy(min(column, key=lambda b: abs(_cy(b) - cy))))
    if len(offsets) < 2:
        return (*form, *data)
    dy = sorted(offsets)[len(offsets) // 2]
    moved = [replace(b, quad=cast(Quad, tuple((x, y + dy) for x, y in b.quad))) for b in data]
    return (*form, *moved)


# A 自/至 mark as the form's ink reads it: alone, or with its English (``自 FROM``, ``至T0``).
_MARK = re.compile(r"[自至]\s*[A-Za-z0-9]{0,4}")


def _cy(b: Box) -> float:
    return (b.quad[0][1] + b.quad[2][1]) / 2
