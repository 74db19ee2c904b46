"""Numbers (and dates and times) nothing checks, kept only when a second reading agrees.

An amount must add up, an ID number's or a 统一社会信用代码's last character checks the
rest, a flight number names an airline; a 20-digit 发票号码, an 11-digit 印刷序号, the digits
of an e-ticket number, a 验证码 or a sales office code have no such check. A phone photo's
recognizer misreads one of their digits and is as sure of it as of the right ones
(``…83211…`` for ``…33211…`` at 0.969): the score cannot tell. Read a second time a little
stretched (:func:`.ocr.reread`, which the caller passes in), a misread line more often
changes its digits than a right one does. On the tuning pages: of 8 such numbers misread on
heavy pages, 4 read otherwise at 1.3 times the width (7 at twice the width); of 207 lines
holding such a number read right (every noise), 2 changed at 1.3 times, 10 at twice (the
recognizer drops a leading ``0`` of a short number stretched far). So a page read in full
keeps such a value only when the second reading holds it too; else it is left out. A
flight's date or time is no better checked (a year near the others' aside), and reads no
surer: on heavy tuning pages ``10:15`` for 19:15 and ``2024-12-01`` for 2024-12-04 were
read so and not again (a leading zero the stretched reading drops, ``645`` for 0645, is
no change). Where a list vouches for a number's head (an office code's airport, an e-ticket
number's airline prefix), a second reading that reads the rest the same and its head as none
of the list's holds the value: the second reading tests what nothing else checks.

Free text (a name, an agency, a note) has no check and no second reading that helps: a
glyph misread in it reads the same again. But the recognizer's confidence in that one glyph
is low while the line's mean stays high (``广州联程国际旅行社有限公司`` for 广州鹏程…: 0.95 on the
line, 0.31 on ``联``), so free text is kept only when some line reads each of its glyphs at
:data:`GLYPH_SURE` or more (:func:`glyphs_sure`). Right glyphs score that low too, so the
bar is low: it catches the worst misreads, not all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ....models import NameValue
from ....outputs.fields import field_of
from ..image.ocr import Box
from ..vocabulary.airlines import TICKET_PREFIXES
from ..vocabulary.places import AIRPORT_CODES
from .values import FREE, clean

__all__ = ["GLYPH_SURE", "NUMBERS", "UNCHECKED", "Reread", "confirmed", "glyphs_sure",
           "one_stroke_more", "own_score"]

Reread = Callable[[Sequence[int]], Sequence[Box]]  # lines by index → the page, those read again

NUMBERS = frozenset({"e_ticket_no", "invoice_no", "serial_no", "check_code", "agent_code"})
UNCHECKED = NUMBERS | {"date", "time", "not_valid_before", "not_valid_after"}
# A reading the recognizer is all but sure of is not read again: every misread of such a
# number on the tuning pages scored below 0.97, and a typeface of dots (held-out pages)
# reads differently stretched, right or wrong.
SURE = 0.98
_FREE_FIELDS = frozenset(field_of(name) for name in FREE)  # names, agencies, buyers, notes
# Free text on the tuning pages (seeds 1600000-3 and 1760000-3, every noise; 1048 values, 17
# of them wrong, all on phone photos): misread glyphs scored 0.26-0.93, right ones as low as
# 0.37 (a dot-matrix print's first glyph, 0.41 and 0.47 on clean scans). Under 0.35: 4 of
# the wrong values and none of the right (under 0.5: 9 of the wrong, 7 of the right).
GLYPH_SURE = 0.35


def confirmed(data: list[NameValue], boxes: Sequence[Box], reread: Reread) -> list[NameValue]:
    """``data`` without the unchecked numbers (:data:`UNCHECKED`, read less than
    :data:`SURE`) that the line of ``boxes`` they were read from does not hold again when
    ``reread`` (stretched, by the engine). A date or time read from none of ``boxes`` (a
    cell read as it is, an ink layer, a format the value does not keep: ``17JUL24``) is kept
    as it is; a number, which keeps its digits, is not (an ink layer's faded digits).

    >>> boxes = [Box("发票号码25312958083211713645", 0.97, ((0, 0),) * 4),
    ...          Box("2381", 0.99, ((0, 9),) * 4)]
    >>> data = [{"Name": "发票号码", "Value": "25312958083211713645", "Row": -1,
    ...          "Confidence": 0.97}, {"Name": "验证码", "Value": "2381", "Row": -1}]
    >>> again = {0: Box("25312958083211713615", 0.96, boxes[0].quad), 1: boxes[1]}
    >>> confirmed(data, boxes, lambda at: [again.get(i, b) for i, b in enumerate(boxes)])
    [{'Name': '验证码', 'Value': '2381', 'Row': -1}]
    >>> confirmed(data[1:], boxes, lambda at: []) == data[1:]  # sure: not read again
    True
    >>> confirmed(data, boxes[1:], lambda at: boxes[1:])  # no line holds it: no reread
    [{'Name': '验证码', 'Value': '2381', 'Row': -1}]
    """
    lines: dict[int, int] = {}  # entry → the page line it was read from
    lost: set[int] = set()  # numbers that no line holds
    read = [_alnum(b.text) for b in boxes]
    for i, d in enumerate(data):
        if field_of(d["Name"]) in UNCHECKED and d.get("Confidence", 1.0) < SURE:
            key = _alnum(d["Value"])
            # (the line that holds it as it is, else one that holds it with a 1 more in it)
            at = next((j for j, r in enumerate(read) if key and key in r),
                      next((j for j, r in enumerate(read) if key and _within(key, r)), None))
            if at is not None:
                lines[i] = at
            elif field_of(d["Name"]) in NUMBERS:
                lost.add(i)
    if not lines:
        return [d for i, d in enumerate(data) if i not in lost]
    again = reread(sorted(set(lines.values())))
    return [d for i, d in enumerate(data)
            if i not in lost and (i not in lines or _holds(again[lines[i]].text, d))]  # fmt: skip


def _holds(text: str, entry: NameValue) -> bool:
    """Whether a line read ``text`` holds the entry's value, as its field reads it (a label
    run into it) or as it stands, letters that look like digits taken for them (``CG0728``
    holds ``CGO728``: the repairs tell those apart, a second reading need not).

    >>> code = {"Name": "验证码", "Value": "0645"}
    >>> _holds("645", code), _holds("1234", {**code, "Value": "0000"})
    (True, False)
    >>> _holds("CODEWUHIO46", {"Name": "销售单位代号", "Value": "WUH046"})  # a dot-matrix gap
    True
    >>> _holds("6415", {"Name": "验证码", "Value": "0645"})  # another check code
    False
    >>> _holds("验证码ck.&805", {"Name": "验证码", "Value": "8805"})  # a dot-matrix 8
    True
    >>> office = {"Name": "销售网点代号", "Value": "HGH633"}  # a pen's ring through the H
    >>> _holds("销售网点代号KGH633", office), _holds("销售网点代号KGH683", office)
    (True, False)
    """
    value = entry["Value"]
    # (stretched, the recognizer drops a short number's leading zero: ``0645`` reads ``645``;
    # a number of zeros alone keeps one: ``0000`` is not held by every line)
    key, read = _alnum(value).lstrip("0") or "0", _alnum(text)
    again = clean(entry["Name"], text)
    if again == value or key in read:
        return True
    # (a dot-matrix glyph's gap read stretched as one more stroke, a 1 or an I, between two
    # of its glyphs: every glyph of the value is still read, in order, and no other value)
    return (again is None and _within(key, read)) or _vouched_head(entry, text)


# Fields whose head a list vouches for: an office code's letters name an airport, an e-ticket
# number's first three digits an airline (its ticket prefix); the rest nothing checks.
_VOUCHED = {"agent_code": (3, AIRPORT_CODES),
            "e_ticket_no": (3, TICKET_PREFIXES)}


def _vouched_head(entry: NameValue, text: str) -> bool:
    """Whether ``text``, read again, holds the entry's value in what nothing but the second
    reading checks: its tail read the same, its head read as no airport or airline where the
    value's names one (``KGH633`` for HGH633, a pen's ring through the H; ``8242957199118``
    for 3242957199118, a dot-matrix 3).

    >>> _vouched_head({"Name": "电子客票号码", "Value": "3242957199118"}, "8242957199118")
    True
    >>> _vouched_head({"Name": "电子客票号码", "Value": "3242957199118"}, "3242957199113")
    False
    """
    vouched = _VOUCHED.get(field_of(entry["Name"]) or "")
    value = entry["Value"]
    read = re.sub(r"[^0-9A-Z]", "", text.upper())[-len(value) :]
    if vouched is None or len(read) != len(value):
        return False
    n, known = vouched
    return read[n:] == value[n:] and value[:n] in known and read[:n] not in known


def one_stroke_more(first: str, again: str) -> bool:
    """Whether ``again`` reads ``first`` with one more ``1`` (or ``I``) at its start or end and
    nothing else changed: stretched, what is left of a glyph the crop cut reads as a stroke,
    no new reading (a 1 read between its glyphs may be one the first reading lost:
    ``110108**550`` read again ``110108********1550``).

    >>> one_stroke_more("20102****9300", "120102****9300"), one_stroke_more("0102", "20102")
    (True, False)
    >>> one_stroke_more("110108**550", "110108********1550")
    False
    """
    a, b = _alnum(first), _alnum(again)
    return b in (f"1{a}", f"{a}1")


def _within(key: str, read: str) -> bool:
    """Whether ``read`` holds ``key``, perhaps with one more ``1`` between its glyphs (a
    dot-matrix glyph's gap read as one more stroke: ``WUH1030`` holds ``WUH030``).

    >>> _within("WUH030", "CODEWUH1030"), _within("WUH030", "WUH1O30")
    (True, False)
    """
    return key in read or any(key in less for less in _less_a_one(read))


def _less_a_one(text: str) -> list[str]:
    """``text`` with one of its ``1`` left out, each one in turn."""
    return [text[:k] + text[k + 1 :] for k, c in enumerate(text) if c == "1"]


_LIKE_DIGITS = str.maketrans("ODQILZSBG", "000112586")


def _alnum(text: str) -> str:
    """Letters and digits only, upper case, look-alikes as digits (an ``&`` too: a dot-matrix
    8 read stretched): ``cny 7849-8O7`` → ``CNY7849807``, ``ck.&805`` → ``CK8805``."""
    return re.sub(r"[^0-9A-Z]", "", text.upper().replace("&", "8")).translate(_LIKE_DIGITS)


def glyphs_sure(data: list[NameValue], boxes: Sequence[Box]) -> list[NameValue]:
    """``data`` without the free text (:data:`.values.FREE`) that no line of ``boxes`` reads
    with every glyph at :data:`GLYPH_SURE` or more; text no line holds with its glyphs
    known (a template's label, a mended reading) is kept.

    >>> name = {"Name": "填开单位", "Value": "广州联程国际旅行社有限公司"}
    >>> line = Box("填开单位 广州联程国际旅行社有限公司", 0.95, ((0, 0),) * 4,
    ...            (0.99,) * 7 + (0.31,) + (0.99,) * 10)
    >>> glyphs_sure([name], [line]), len(glyphs_sure([name], [Box(line.text, 0.95, line.quad)]))
    ([], 1)
    """
    return [d for d in data
            if field_of(d["Name"]) not in _FREE_FIELDS or _weakest(d["Value"], boxes) >= GLYPH_SURE]


def _weakest(value: str, boxes: Sequence[Box]) -> float:
    """The least sure glyph of ``value`` in the line of ``boxes`` that reads it surest
    (spaces aside); 1.0 when no line holds it with its glyphs known."""
    return max((min(span) for span in _spans(value, boxes)), default=1.0)


def own_score(value: str, boxes: Sequence[Box]) -> float | None:
    """The recognizer's confidence in ``value``'s own glyphs (their mean) in the line of
    ``boxes`` that reads it surest; None when no line holds it with its glyphs known. A
    line's score is its every glyph's: a misread label beside the value drags it down.

    >>> line = Box("顾客姓名杨萍慧", 0.59, ((0, 0),) * 4, (0.2, 0.3, 0.4, 0.3, 0.95, 0.97, 0.99))
    >>> round(own_score("杨萍慧", [line]), 2), own_score("杨萍", [Box("杨萍", 0.9, line.quad)])
    (0.97, None)
    """
    return max((sum(span) / len(span) for span in _spans(value, boxes)), default=None)


def _spans(value: str, boxes: Sequence[Box]) -> list[list[float]]:
    """The glyph probabilities of each place a line of ``boxes`` holds ``value`` (spaces
    aside), in the lines whose glyphs are known."""
    key = "".join(value.split())
    out = []
    for b in boxes:
        if not key or len(b.glyphs) != len(b.text):
            continue
        kept = [(c, p) for c, p in zip(b.text, b.glyphs, strict=True) if not c.isspace()]
        text = "".join(c for c, _ in kept)
        at = text.find(key)
        while at >= 0:
            out.append([p for _, p in kept[at : at + len(key)]])
            at = text.find(key, at + 1)
    return out
