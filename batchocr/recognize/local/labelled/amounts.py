"""Amounts whose labels went unread, named by their place on the amount row (pure).

A photo's small print loses the amount row's labels while the values, printed larger, are
read. Both documents print the row in one order: the paper itinerary 票价, 民航发展基金,
燃油附加费, 其他税费, 合计; the e-invoice 票价, 燃油附加费, 增值税税率, 增值税税额,
民航发展基金, 其他税费, 合计 (einvoice.md). A run of amounts that is exactly one row's (the
e-invoice's with its rate in its place) is named in that order only when the document's own
arithmetic holds for all of them: the parts sum to the total, to the cent, and on the
e-invoice the VAT is the rate of the fare and fuel surcharge. The run is read along the
lines that hold amounts, from the start of one of them on, across a row wrapped onto the
next line or printed a line an amount (a slip), and must end where a line ends. A row with
one amount unread or misread names nothing; nor does a page that does not tell which
document it is (its title, a label only one of them prints, a rate), nor a row of which an
amount read by its label disagrees (:func:`with_amounts`).

>>> from batchocr.documents.words import Word
>>> row = [Word(t, 100 * i, 0, 100 * i + 60, 20) for i, t in enumerate(
...     ("¥730.00", "¥50.00", "¥0.00", "¥0.00", "¥780.00"))]
>>> [(d["Name"], d["Value"]) for d in by_order(row, einvoice=False)][:2]
[('票价', '730.00'), ('民航发展基金', '50.00')]
>>> by_order(row[:4] + [Word("¥790.00", 400, 0, 460, 20)], einvoice=False)
[]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from decimal import Decimal

from ....documents import positioned
from ....documents.words import AMOUNT_LABELS, Word, add, left, lines
from ....models import NameValue
from ....outputs.fields import field_of
from ..validate.sums import adds_up, adds_up_partly, vat_agrees
from .values import clean

__all__ = ["EINVOICE_ROW", "PAPER_ROW", "by_order", "by_sum", "document_of", "signs_unsure",
           "summed_from", "with_amounts"]

PAPER_ROW = ("票价", "民航发展基金", "燃油附加费", "其他税费", "合计")
EINVOICE_ROW = AMOUNT_LABELS  # the e-invoice prints its labels in that order
_RATE = "增值税税率"
DOMESTIC_RATE = "9%"  # the VAT on a domestic flight: the equations' rate when none was read


def by_order(ws: Sequence[Word], einvoice: bool) -> list[NameValue]:
    """The amount row's entries by their order (the e-invoice's row, or the paper
    itinerary's: the two sums agree when the e-invoice's other taxes are nil, so the page
    must tell which it is), when consecutive lines hold exactly that row's amounts (one
    line on a wide form, two on a narrower one, a line each on a slip) and the arithmetic
    holds (see the module docstring); else none."""
    names = EINVOICE_ROW if einvoice else PAPER_ROW
    found = ([(w, v) for w in sorted(line, key=left) if (v := _amount(w))] for line in lines(ws))
    rows = [cells for cells in found if cells]  # the lines that hold amounts, top to bottom
    for start in range(len(rows)):
        cells: list[tuple[Word, str]] = []
        for row in rows[start:]:
            cells += row
            if len(cells) >= len(names):
                break
        if len(cells) != len(names):
            continue
        values = dict(zip(names, (v for _, v in cells), strict=True))
        if any((name == _RATE) != value.endswith("%") for name, value in values.items()):
            continue
        if not adds_up(values):
            continue
        out: list[NameValue] = []
        for name, (w, value) in zip(names, cells, strict=True):
            add(out, name, [w])
            out[-1]["Value"] = value
        return out
    return []


_AMOUNTS_AT_MOST = 16  # an e-invoice prints eight; a page of many more is no invoice's grid
Assignment = tuple[int, int, tuple[int, int]]  # indices of 税额, 合计, and the pair it is of


def _assignments(values: list[Decimal], rate: Decimal,
                 ) -> dict[tuple[Decimal, Decimal, frozenset[Decimal]], Assignment]:  # fmt: skip
    """Each way ``values`` satisfy the e-invoice's equations (see :func:`by_sum`), by the
    amounts it names: the same amount printed twice (20.00 of insurance and of fuel) makes
    one way, not two.

    >>> list(_assignments([Decimal(v) for v in ("100.00", "0.00", "9.00", "109.00")],
    ...                   Decimal("0.09")).values())
    [(2, 3, (0, 1))]
    """
    found: dict[tuple[Decimal, Decimal, frozenset[Decimal]], Assignment] = {}
    for (i, a), (j, b) in itertools.combinations(enumerate(values), 2):
        for k, tax in enumerate(values):
            if k in (i, j) or not vat_agrees(tax, a + b, rate):
                continue
            for t, total in enumerate(values):
                others = [x for n, x in enumerate(values) if n not in (i, j, k, t)]
                fees = total - a - b - tax  # 民航发展基金 and 其他税费: one, both or none
                if t not in (i, j, k) and (fees == 0 or fees in others or any(
                        x + y == fees for x, y in itertools.combinations(others, 2))):
                    found.setdefault((tax, total, frozenset((a, b))), (k, t, (i, j)))
    return found


def _tail_amount(text: str) -> str | None:
    """The amount a word ends with, the tail of an unread label run into it (``计780.00``)
    dropped: the equations, not the label, name it."""
    return clean("票价", _LABEL_TAIL.sub("", text))


_LABEL_TAIL = re.compile(r"^[\u4e00-\u9fff]{1,3}(?=(?:CNY|[¥￥Y])?\s*\d)")


def _amount(w: Word) -> str | None:
    """The word as an amount (``CNY669.72`` → ``669.72``) or a rate (``9%``), else None."""
    return clean("票价", w.text) or clean(_RATE, w.text)


def with_amounts(reading: positioned.Reading, ws: Sequence[Word]) -> list[NameValue]:
    """The reading's entries and the amounts whose labels went unread, named by their order
    on the amount row (:mod:`.amounts`: only when the page tells which document it is and
    the document's arithmetic holds for the whole row), none of them when one disagrees
    with the amount its label named."""
    data = reading.data
    kind = document_of(reading, ws)
    if kind is None:
        return data
    read = {field_of(d["Name"]): value for d in data if int(d.get("Row", -1)) < 0
            and (value := clean(d["Name"], d["Value"])) is not None}  # fmt: skip
    row = by_order(ws, einvoice=kind == "einvoice")
    if not row and kind == "einvoice":
        row = by_sum(ws)
    if any(read.get(field_of(d["Name"]), d["Value"]) != d["Value"] for d in row):
        return data
    return data + [d for d in row if field_of(d["Name"]) not in read]


def by_sum(ws: Sequence[Word]) -> list[NameValue]:
    """The e-invoice's 合计, 增值税税额 and 增值税税率 when its amounts' labels went unread
    and they stand in no row (a grid of label-value cells), named by the invoice's two
    equations: 税额 = (票价 + 燃油附加费) x 税率 to a cent, and 合计 = 票价 + 燃油附加费 +
    税额 + 民航发展基金 + 其他税费 (the last two: one amount, two or none). Only when the
    page prints one rate (or none was read: then :data:`DOMESTIC_RATE`, not named itself,
    as a photo's ``9%`` reads ``#9``) and exactly one 合计 and 税额 satisfy both; 票价 too
    when it is the larger of the two it is summed from by ten times (a fuel surcharge is tens of
    yuan, a fare hundreds), its partner then the 燃油附加费. The two fees, which the
    equations cannot tell apart, stay unnamed.

    >>> cells = [Word(t, 0, 20 * i, 60, 20 * i + 15) for i, t in enumerate(("27.52", "9%",
    ...          "202.30", "2220.18", "2500.00", "50.00", "0.00"))]
    >>> [(d["Name"], d["Value"]) for d in by_sum(cells)]  # doctest: +NORMALIZE_WHITESPACE
    [('增值税税率', '9%'), ('增值税税额', '202.30'), ('合计', '2500.00'), ('票价', '2220.18'),
     ('燃油附加费', '27.52')]
    >>> by_sum(cells[:4] + [Word("2500.10", 0, 80, 60, 95)] + cells[5:])
    []
    >>> [d["Name"] for d in by_sum([cells[0], Word("#9", 0, 20, 60, 35), *cells[2:]])]
    ['增值税税额', '合计', '票价', '燃油附加费']
    """
    rates = [(w, r) for w in ws if (r := clean(_RATE, w.text))]
    amounts = [(w, Decimal(m)) for w in ws if (m := _tail_amount(w.text)) is not None]
    if len({r for _, r in rates}) > 1 or len(amounts) > _AMOUNTS_AT_MOST:
        return []
    rate_word, rate = rates[0] if rates else (None, DOMESTIC_RATE)
    found = _assignments([a for _, a in amounts], Decimal(rate.rstrip("%")) / 100)
    if len(found) != 1:
        return []
    ((k, t, pair),) = found.values()
    named: list[tuple[str, Word, str | Decimal]] = [
        ("增值税税额", *amounts[k]), ("合计", *amounts[t])]
    if rate_word is not None:
        named.insert(0, (_RATE, rate_word, rate))
    small, large = sorted(pair, key=lambda n: amounts[n][1])
    if amounts[large][1] >= 10 * amounts[small][1]:
        named += [("票价", *amounts[large]), ("燃油附加费", *amounts[small])]
    out: list[NameValue] = []
    for name, word, value in named:
        add(out, name, [word])
        out[-1]["Value"] = str(value)
    return out


# Labels only the e-invoice prints, and only the paper itinerary.
_EINVOICE_ONLY = frozenset({"发票号码", "开票日期", "增值税税率", "增值税税额", "购买方名称",
                            "统一社会信用代码/纳税人识别号"})  # fmt: skip
_PAPER_ONLY = frozenset({"印刷序号"})


def document_of(reading: positioned.Reading, ws: Sequence[Word], by_rate: bool = True,
                ) -> str | None:  # fmt: skip
    """Which document the page is, "einvoice" or "paper", by its title, a label only one
    of them prints, or (``by_rate``) a rate (``9%``); None when nothing tells."""
    title = reading.title or ""
    names = {w.key for w in ws}
    rate = by_rate and any("%" in n for n in names)
    einvoice = "发票" in title or bool(names & _EINVOICE_ONLY) or rate
    paper = ("行程单" in title and "发票" not in title) or bool(names & _PAPER_ONLY)
    return None if einvoice == paper else "einvoice" if einvoice else "paper"


_SUMMED = frozenset({*AMOUNT_LABELS, "合计金额"})


def summed_from(data: list[NameValue], other: list[NameValue]) -> list[NameValue]:
    """``data`` with its amounts replaced by ``other``'s when ``other``'s add up to its total
    and ``data``'s do not (two readings of one page: an ink read alone took a dot-matrix
    ``¥`` for a 1, ``11530.00``, where the whole page read 1530.00).

    >>> paper = [("票价", "1530.00"), ("民航发展基金", "50.00"), ("燃油附加费", "40.00"),
    ...          ("其他税费", "0.00"), ("合计", "1620.00")]
    >>> good = [{"Name": n, "Value": v, "Row": -1} for n, v in paper]
    >>> bad = [{**d, "Value": "1" + d["Value"]} if d["Value"] != "50.00" else d for d in good]
    >>> [d["Value"] for d in summed_from(bad, good)]
    ['1530.00', '50.00', '40.00', '0.00', '1620.00']

    A page that prints no other taxes (a blank cell) adds up with the parts it prints: one
    reading's four amounts that do win over the other's lone surcharge.

    >>> [d["Value"] for d in summed_from(good[2:3], good[:3] + good[4:])]
    ['1530.00', '50.00', '40.00', '1620.00']
    """
    def summed(entries: list[NameValue]) -> dict[str, str]:
        return {d["Name"]: value for d in entries if d["Name"] in _SUMMED
                and int(d.get("Row", -1)) < 0 and (value := clean(d["Name"], d["Value"]))}

    if _sum_rank(summed(data)) >= _sum_rank(summed(other)):
        return data
    kept = [d for d in data if not (d["Name"] in _SUMMED and int(d.get("Row", -1)) < 0)]
    return kept + [d for d in other if d["Name"] in _SUMMED and int(d.get("Row", -1)) < 0]


def _sum_rank(amounts: dict[str, str]) -> int:
    """How surely ``amounts`` add up: 2 every part and the total read and agreeing
    (:func:`.sums.adds_up`), 1 the fare, another part and the total read and the parts
    read summing to the total (a part unread, or not printed), else 0."""
    return 2 if adds_up(amounts) else int(adds_up_partly(amounts))


_SIGNED = _SUMMED | {"保险费"}  # the amounts printed with a sign


def signs_unsure(ticket: dict[str, str], found: Sequence[NameValue]) -> dict[str, str]:
    """``ticket`` without the amounts read with a bare leading 1 (no sign before it) when
    another amount of the page was read with its ``¥`` and the sum does not confirm them:
    that 1 may be the sign (``150.00`` for ¥50.00, ``10.00`` for ¥0.00, on kai and
    dot-matrix prints), and nothing tells.

    >>> found = [{"Name": "票价", "Value": "￥4710.00"},
    ...          {"Name": "民航发展基金", "Value": "150.00"}]
    >>> signs_unsure({"票价": "4710.00", "民航发展基金": "150.00"}, found)
    {'票价': '4710.00'}

    The parts read summing to the total confirm them, a part unread or blank or not:

    >>> found = [{"Name": "票价", "Value": "￥1740.00"}, {"Name": "合计", "Value": "1830.00"},
    ...          {"Name": "民航发展基金", "Value": "¥50.00"}]
    >>> ticket = {"票价": "1740.00", "民航发展基金": "50.00", "燃油附加费": "40.00",
    ...           "合计": "1830.00"}
    >>> signs_unsure(ticket, found) == ticket
    True
    """
    read = {d["Name"]: "".join(d["Value"].split()) for d in found
            if int(d.get("Row", -1)) < 0 and d["Name"] in _SIGNED}  # fmt: skip
    if adds_up_partly(ticket) or not any(re.match("[¥￥]", v) for v in read.values()):
        return ticket  # (the parts read sum to the total: an unread one is nil, no 1 a sign)
    bare = {n for n, v in read.items() if re.match(r"1\d", v) and ticket.get(n, "").startswith("1")}
    return {n: v for n, v in ticket.items() if n not in bare}
