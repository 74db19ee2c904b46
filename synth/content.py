"""What a drawn page (synth.variety) prints: the ticket's fields, labelled and formatted.

Each :class:`Field` carries its truth Name, the label text printed for it (a real variant chosen
by the style), the value as printed in the style's formats and the value the truth records in
the classic drawings' normalized format (see :mod:`synth.variety`).

>>> from synth.style import draw_style
>>> c = fields(_ticket(7), draw_style(7, "einvoice-ruled-kai"))
>>> [f.name for f in c.footer[0]]
['票价', '燃油附加费', '增值税税率', '增值税税额']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .scans import _MONTHS, _paper_date, _Ticket, _ticket
from .style import Style

# Name → (label texts seen on real documents, English label).
LABELS: dict[str, tuple[tuple[str, ...], str]] = {
    "印刷序号": (("印刷序号",), "SERIAL NUMBER"),
    "发票号码": (("发票号码",), "INVOICE NO."),
    "开票日期": (("开票日期",), "DATE OF ISSUE"),
    "国内国际标签": (("国内国际标识", "国内国际标签"), "DOMESTIC/INTERNATIONAL"),
    "旅客姓名": (("旅客姓名",), "NAME OF PASSENGER"),
    "有效身份证件号码": (("有效身份证件号码",), "ID.NO."),
    "签注": (("签注",), "ENDORSEMENTS/RESTRICTIONS"),
    "票价": (("票价",), "FARE"),
    "民航发展基金": (("民航发展基金",), "CAAC DEVELOPMENT FUND"),
    "燃油附加费": (("燃油附加费",), "FUEL SURCHARGE"),
    "增值税税率": (("增值税税率",), "VAT RATE"),
    "增值税税额": (("增值税税额",), "VAT"),
    "其他税费": (("其他税费",), "OTHER TAXES"),
    "合计金额": (("合计",), "TOTAL"),
    "合计": (("合计",), "TOTAL"),
    "电子客票号码": (("电子客票号码",), "E-TICKET NO."),
    "验证码": (("验证码",), "CK."),
    "提示信息": (("提示信息",), "INFORMATION"),
    "保险费": (("保险费",), "INSURANCE"),
    "销售单位代号": (("销售单位代号", "销售网点代号"), "AGENT CODE"),
    "销售网点代号": (("销售网点代号", "销售单位代号"), "AGENT CODE"),
    "填开单位": (("填开单位",), "ISSUED BY"),
    "填开日期": (("填开日期",), "DATE OF ISSUE"),
    "购买方名称": (("购买方名称",), "BUYER"),
    "统一社会信用代码/纳税人识别号": (("统一社会信用代码/纳税人识别号",), "TAX ID"),
    "始发地": (("自",), "FROM"),
    "始发站": (("自",), "FROM"),
    "目的地": (("至",), "TO"),
    "目的站": (("至",), "TO"),
    "承运人": (("承运人",), "CARRIER"),
    "航班号": (("航班号",), "FLIGHT"),
    "座位等级": (("座位等级",), "CLASS"),
    "日期": (("日期",), "DATE"),
    "时间": (("时间",), "TIME"),
    "客票级别/类别": (("客票级别/客票类别", "客票级别/类别"), "FARE BASIS"),
    "客票级别/客票类别": (("客票级别/客票类别", "客票级别/类别"), "FARE BASIS"),
    "客票生效日期": (("客票生效日期",), "NOT VALID BEFORE"),
    "有效期截止日期": (("有效截止日期", "有效期截止日期"), "NOT VALID AFTER"),
    "有效截止日期": (("有效截止日期", "有效期截止日期"), "NOT VALID AFTER"),
    "免费行李": (("免费行李",), "ALLOW"),
}
TITLES = {"paper": ("航空运输电子客票行程单", "ITINERARY/RECEIPT OF E-TICKET FOR AIR TRANSPORT"),
          "einvoice": ("电子发票（航空运输电子客票行程单）", "")}  # fmt: skip


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    en: str
    printed: str  # "" leaves the cell blank (and out of the truth)
    truth: str
    row: int = -1


@dataclass(frozen=True)
class Content:
    """The page's fields: ``top`` beside the title, ``header`` rows, the flights, ``footer``."""

    kind: str  # "paper" or "einvoice"
    top: list[Field]
    header: list[list[Field]]
    columns: list[str]  # the flight table's Names, after the city column
    flights: list[dict[str, Field]]  # per flight: Name → Field (cities included)
    footer: list[list[Field]]
    issuer: str


def fmt_date(d: date, style: Style) -> str:
    if style.date_format == "cn":
        return f"{d:%Y年%m月%d日}"
    if style.date_format == "ddmonyy":
        return f"{d.day:02d}{_MONTHS[d.month - 1]}{d:%y}"
    return f"{d:%Y-%m-%d}"


def fmt_amount(amount: Decimal | None, style: Style) -> str:
    if amount is None:
        return ""
    if style.amount_format == "cny":
        return f"CNY {amount:,.2f}"
    return f"¥{amount:.2f}" if style.amount_format == "yen" else f"{amount:.2f}"


def _field(style: Style, name: str, printed: str, truth: str | None = None,
           row: int = -1) -> Field:  # fmt: skip
    labels, en = LABELS[name]
    label = labels[min(style.variant, len(labels) - 1)]
    return Field(name, label, en, printed, printed if truth is None else truth, row)


def _money(style: Style, name: str, amount: Decimal | None) -> Field:
    truth = "" if amount is None else f"{amount:.2f}"
    return _field(style, name, fmt_amount(amount, style), truth)


def _flight(t: _Ticket, style: Style, r: int, kind: str) -> dict[str, Field]:
    f = t.flights[r]
    paper = kind == "paper"
    day = fmt_date(f.day, style)
    day_truth = _paper_date(f.day) if paper else f"{f.day:%Y-%m-%d}"
    clock = f"{f.time[:2]}:{f.time[2:]}"
    items = [
        ("始发地" if paper else "始发站", f.origin, None),
        ("目的地" if paper else "目的站", f.dest, None),
        ("承运人", f.carrier, None), ("航班号", f.flight_no, None), ("座位等级", f.seat, None),
        ("日期", day, day_truth),
        ("时间", f.time if style.time_format == "hhmm" else clock, clock),
        ("客票级别/类别" if paper else "客票级别/客票类别", f.fare_basis, None),
        ("客票生效日期", day if t.show_validity else "", day_truth),
        ("有效期截止日期" if paper else "有效截止日期", day if t.show_validity else "", day_truth),
        ("免费行李", f.baggage, None),
    ]  # fmt: skip
    return {name: _field(style, name, p, tr, r) for name, p, tr in items}


def fields(t: _Ticket, style: Style) -> Content:
    """Every field the page prints for ticket ``t`` in ``style``."""
    kind = style.content
    money = _money
    issued = fmt_date(t.issued, style)
    flights = [_flight(t, style, r, kind) for r in range(len(t.flights))]
    columns = [n for n in flights[0] if n not in ("始发地", "目的地", "始发站", "目的站")]
    passenger = [_field(style, "旅客姓名", t.name), _field(style, "有效身份证件号码", t.id_no),
                 _field(style, "签注", t.endorsement)]  # fmt: skip
    numbers = [_field(style, "电子客票号码", t.e_ticket), _field(style, "验证码", t.check_code),
               _field(style, "提示信息", t.prompt),
               _field(style, "保险费", t.insurance if t.insurance == "XXX"
                      else fmt_amount(Decimal(t.insurance), style), t.insurance)]  # fmt: skip
    agent = "销售单位代号" if kind == "paper" else "销售网点代号"
    issue = [_field(style, agent, t.agent), _field(style, "填开单位", t.issuer),
             _field(style, "填开日期", issued, f"{t.issued:%Y-%m-%d}")]  # fmt: skip
    if kind == "paper":
        top = [_field(style, "印刷序号", t.serial)]
        header = [passenger]
        footer = [[money(style, "票价", t.fare), money(style, "民航发展基金", t.fund),
                   money(style, "燃油附加费", t.fuel), money(style, "其他税费", t.other),
                   money(style, "合计金额", t.total)], numbers, issue]  # fmt: skip
    else:
        top = [_field(style, "发票号码", t.invoice_no),
               _field(style, "开票日期", issued, f"{t.issued:%Y年%m月%d日}")]  # fmt: skip
        header = [[_field(style, "国内国际标签", "国内")], passenger]
        footer = [[money(style, "票价", t.net_fare), money(style, "燃油附加费", t.net_fuel),
                   _field(style, "增值税税率", "9%"), money(style, "增值税税额", t.vat)],
                  [money(style, "民航发展基金", t.fund), money(style, "其他税费", t.other),
                   money(style, "合计", t.total)],
                  numbers, issue,
                  [_field(style, "购买方名称", t.buyer),
                   _field(style, "统一社会信用代码/纳税人识别号", t.buyer_tax_id)]]  # fmt: skip
    return Content(kind, top, header, columns, flights, footer, t.issuer)


__all__ = ["LABELS", "TITLES", "Content", "Field", "_ticket", "fields", "fmt_amount", "fmt_date"]
