"""The real air e-invoice, 电子发票（航空运输电子客票行程单）, as ``einvoice.md`` measures it.

One seed gives one :class:`EInvoice`: the invented ticket of :mod:`synth.scans` with the
e-invoice's own arithmetic (票价 and 燃油附加费 printed without VAT, 合计 including 增值税税额),
a 20-digit 发票号码 and the QR payload. :func:`runs` lays it out as text runs in points on the
A5 landscape page (595 x 420, y from the top) at the specimen's measured positions; the PDF,
OFD and image writers all draw these same runs, so every format carries the same truth.

>>> e = invoice(4)
>>> e.total == e.fare + e.fuel + e.vat + e.fund + e.other
True
>>> e.qr.split(",")[1]
'61'
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .scans import _AIRPORT, _digits, _Ticket, _ticket

NameValue = dict[str, Any]
PAGE = (595.0, 420.0)
TITLE = "电子发票（航空运输电子客票行程单）"
OCHRE = (212, 157, 38)
BLACK = (0, 0, 0)

# Flight table: header label → the centre x of its column (einvoice.md, measured).
FLIGHT_COLUMNS = (
    ("承运人", 136), ("航班号", 186), ("座位等级", 234), ("日期", 283), ("时间", 329),
    ("客票级别/客票类别", 388), ("客票生效日期", 456), ("有效截止日期", 512), ("免费行李", 558),
)  # fmt: skip
# Amount row: label, its left edge, the right edge its value is aligned to.
AMOUNTS = (
    ("票价", 114, 179), ("燃油附加费", 179, 244), ("增值税税率", 244, 289),
    ("增值税税额", 290, 355), ("民航发展基金", 356, 420), ("其他税费", 420, 484),
    ("合计", 484, 575),
)  # fmt: skip
ROW_PITCH = 30  # points between two segments' rows


@dataclass(frozen=True)
class Run:
    """One text run on the page: ``x`` is its left edge (or right edge for ``align="r"``,
    centre for ``"c"``), ``top`` the top of its box, ``size`` the font size in points."""

    text: str
    x: float
    top: float
    size: float
    color: tuple[int, int, int] = BLACK
    align: str = "l"


@dataclass(frozen=True)
class EInvoice:
    """Every printed fact of one air e-invoice."""

    seed: int
    ticket: _Ticket
    invoice_no: str
    fare: Decimal  # net of VAT
    fuel: Decimal  # net of VAT
    vat: Decimal
    fund: Decimal
    other: Decimal
    status: str = "正常"

    @property
    def total(self) -> Decimal:
        return self.fare + self.fuel + self.vat + self.fund + self.other

    @property
    def issued(self) -> str:
        return f"{self.ticket.issued:%Y-%m-%d}"

    @property
    def qr(self) -> str:
        """The QR payload: version, type 61, (no code), number, total, date, (empty), 验证码."""
        total = format(self.total.normalize(), "f")
        day = f"{self.ticket.issued:%Y%m%d}"
        return f"01,61,,{self.invoice_no},{total},{day},,{self.ticket.check_code}"

    @property
    def insurance(self) -> str:
        return "" if self.ticket.insurance == "XXX" else self.ticket.insurance


def invoice(seed: int) -> EInvoice:
    """The e-invoice of ``seed``: the ticket's gross fare and fuel split into net and VAT.

    As on the specimen (520 + 50 gross → 477.06 + 45.87 + VAT 47.07), the VAT is what the
    gross amounts hold beyond their net parts, so it may differ from (net) x 9 % by a cent.
    """
    t = _ticket(seed)
    rng = random.Random(f"synth.einvoice:{seed}")
    number = f"{t.issued:%y}" + _digits(rng, 18)
    other = t.other if t.other is not None else Decimal(0)
    return EInvoice(seed, t, number, t.net_fare, t.net_fuel, t.vat, t.fund, other)


def station(city: str) -> str:
    """``合肥 HFE``: the city and its IATA code, as the e-invoice prints a station."""
    return f"{city} {_AIRPORT[city]}"


def cny(amount: Decimal) -> str:
    return f"CNY {amount:.2f}"


# --------------------------------------------------------------------------- layout


def _label(text: str, x: float, top: float, size: float = 7.5) -> Run:
    return Run(text, x, top, size, OCHRE)


def _value(text: str, x: float, top: float, size: float = 7.5, align: str = "l") -> Run:
    return Run(text, x, top, size, BLACK, align)


def _pairs(e: EInvoice) -> list[tuple[str, str, float, float, float]]:
    """The ``label： value`` fields: Name, value, label x, value x, top."""
    t = e.ticket
    return [
        ("开票状态", e.status, 425, 470, 44),
        ("国内国际标识", "国内", 21, 81, 67),
        ("发票号码", e.invoice_no, 425, 470, 79),
        ("电子客票号码", t.e_ticket, 21, 80, 340),
        ("验证码", t.check_code, 200, 240, 340),
        ("提示信息", t.prompt, 290, 340, 340),
        ("保险费", e.insurance, 484, 520, 340),
        ("销售网点代号", t.agent, 20, 81, 362),
        ("填开单位", t.issuer, 200, 245, 362),
        ("填开日期", e.issued, 476, 520, 362),
        ("购买方名称", t.buyer, 20, 70, 384),
        ("统一社会信用代码/纳税人识别号", t.buyer_tax_id, 298, 428, 384),
    ]


def _cells(e: EInvoice) -> list[tuple[str, str, float]]:
    t = e.ticket
    return [("旅客姓名", t.name, 20), ("有效身份证件号码", t.id_no, 130),
            ("签注", t.endorsement, 348)]  # fmt: skip


def _amounts(e: EInvoice) -> list[str]:
    return [cny(e.fare), cny(e.fuel), "9%", cny(e.vat), cny(e.fund), cny(e.other), cny(e.total)]


def _segment_values(e: EInvoice, i: int) -> list[str]:
    f = e.ticket.flights[i]
    day = f"{f.day:%Y-%m-%d}"
    valid = day if e.ticket.show_validity else ""
    return [f.carrier, f.flight_no, f.seat, day, f"{f.time[:2]}:{f.time[2:]}", f.fare_basis,
            valid, valid, f.baggage]  # fmt: skip


def runs(e: EInvoice) -> list[Run]:
    """Every text run of the page, labels in ochre and values in black."""
    out = [Run(TITLE, 293, 23, 15, BLACK, "c")]
    for _name, value, lx, vx, top in _pairs(e):
        out.append(_label(f"{_name}：", lx, top))
        if value:
            out.append(_value(value, vx, top))
    for name, value, x in _cells(e):
        out.append(_label(name, x, 94))
        if value:
            out.append(_value(value, x + 5, 114))
    for name, cx in FLIGHT_COLUMNS:
        out.append(Run(name, cx, 135, 6.5, OCHRE, "c"))
    for i, f in enumerate(e.ticket.flights):
        top = 150 + i * ROW_PITCH
        out += [_label("自:", 25, top), _value(station(f.origin), 40, top)]
        out += [_label("至:", 25, top + 15), _value(station(f.dest), 40, top + 15)]
        for (_, cx), value in zip(FLIGHT_COLUMNS, _segment_values(e, i), strict=True):
            if value:
                out.append(_value(value, cx, top + 8, 6.5, "c"))
    for (name, left, right), value in zip(AMOUNTS, _amounts(e), strict=True):
        out.append(_label(name, left, 307, 7))
        out.append(_value(value, right - 2, 323, 7, "r"))
    return out


# Table rules, in points: (x0, y0, x1, y1).
RULES = (
    (15, 90, 580, 90), (15, 128, 580, 128), (15, 146, 580, 146), (15, 302, 580, 302),
    (15, 334, 580, 334), (15, 356, 580, 356), (15, 378, 580, 378), (15, 400, 580, 400),
    (15, 90, 15, 400), (580, 90, 580, 400), (125, 90, 125, 128), (343, 90, 343, 128),
    (110, 128, 110, 302),
)  # fmt: skip


def truth_data(e: EInvoice) -> list[NameValue]:
    """The Name/Value/Row list the service returns for this page (only what is printed)."""
    data: list[NameValue] = []

    def add(name: str, value: str, row: int = -1) -> None:
        if value:
            data.append({"Name": name, "Value": value, "Row": row})

    for name, value, *_ in _pairs(e)[:3]:
        add(name, value)
    for name, value, _x in _cells(e):
        add(name, value)
    for (name, *_), value in zip(AMOUNTS, _amounts(e), strict=True):
        add(name, value)
    for name, value, *_ in _pairs(e)[3:]:
        add(name, value)
    for i, f in enumerate(e.ticket.flights):
        add("自", station(f.origin), i)
        add("至", station(f.dest), i)
        for (name, _), value in zip(FLIGHT_COLUMNS, _segment_values(e, i), strict=True):
            add(name, value, i)
    return data
