"""The two itinerary layouts, in canonical coordinates (a 2000-px-wide drawing).

Positions were measured on clean synthetic pages whose placement offsets are
known, as OCR boxes see them: an anchor is the middle of a label box's left
edge (``centered=False``) or the centre of a centred title or header.
Everything here is data; :mod:`batchocr.recognize.local.template.extract` does the reading.

>>> PAPER.title, [c.name for c in PAPER.columns][:3]
('航空运输电子客票行程单', ['城市', '承运人', '航班号'])
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Anchor:
    """A printed label whose canonical position is known."""

    text: str
    x: float
    y: float
    centered: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    """A flight-table column: the Name of its values and its canonical x range."""

    name: str
    x0: float
    x1: float


@dataclass(frozen=True, slots=True)
class Cell:
    """A ticket-level field of the paper form: value region and Name."""

    name: str
    x0: float
    x1: float
    y0: float  # the band's top rule; the value is printed 56 px below it


@dataclass(frozen=True, slots=True)
class Line:
    """A text line of the e-invoice: ``label：value`` pairs left to right.

    ``fields`` pairs each Name with the label printed for it and, when the
    pair always starts at the same x, that x (else ``None``).
    """

    y: float
    fields: tuple[tuple[str, str, float | None], ...]


@dataclass(frozen=True, slots=True)
class Layout:
    """One layout: title, anchors and where its flight table is."""

    name: str
    title: str
    title_at: tuple[float, float]
    title_width: float
    anchors: tuple[Anchor, ...]
    columns: tuple[Column, ...]  # the first is the city column
    row_y: float  # centre of the first flight row's values
    row_step: float
    city_x: float  # the row's 自/至 (FROM/TO) marker ends before this x, the city after
    rows: int = 5


def _row(y: float, *cells: tuple[str, float]) -> tuple[Anchor, ...]:
    return tuple(Anchor(text, x, y) for text, x in cells)


PAPER = Layout(
    name="paper",
    title="航空运输电子客票行程单",
    title_at=(1000.0, 63.0),
    title_width=591.0,
    anchors=(
        Anchor("ITINERARY/RECEIPTOFE-TICKETFORAIRTRANSPORT", 1001.0, 112.0, centered=True),
        Anchor("印刷序号", 1468.0, 54.0),
        *_row(173.5, ("旅客姓名", 66.0), ("有效身份证件号码", 768.5), ("签注", 1266.0)),
        *_row(197.5, ("NAMEOFPASSENGER", 68.0)),
        *_row(
            273.5,
            ("承运人", 416.0),
            ("航班号", 556.0),
            ("座位等级", 738.0),
            ("日期", 869.0),
            ("时间", 1015.0),
            ("客票级别/客票类别", 1137.0),
            ("客票生效日期", 1388.0),
            ("有效截止日期", 1588.0),
            ("免费行李", 1789.0),
        ),
        *_row(298.0, ("NOTVALIDBEFORE", 1389.0), ("NOTVALIDAFTER", 1588.0)),
        *_row(355.0, ("自FROM", 69.5)),
        *_row(
            653.5,
            ("票价", 66.0),
            ("民航发展基金", 446.0),
            ("燃油附加费", 821.0),
            ("其他税费", 1196.0),
            ("合计", 1571.0),
        ),
        *_row(
            678.0, ("CAACDEVELOPMENTFUND", 446.0), ("FUELSURCHARGE", 821.0), ("OTHERTAXES", 1197.0)
        ),
        *_row(
            754.0,
            ("电子客票号码", 68.0),
            ("验证码", 566.0),
            ("提示信息", 827.0),
            ("保险费", 1627.5),
        ),
        *_row(853.5, ("销售单位代号", 68.0), ("填开单位", 567.0), ("填开日期", 1469.0)),
        *_row(877.5, ("AGENTCODE", 68.0), ("DATEOFISSUE", 1469.0)),
    ),
    columns=(
        Column("城市", 60, 410),
        Column("承运人", 410, 550),
        Column("航班号", 550, 730),
        Column("座位等级", 730, 860),
        Column("日期", 860, 1010),
        Column("时间", 1010, 1130),
        Column("客票级别/类别", 1130, 1380),
        Column("客票生效日期", 1380, 1580),
        Column("有效期截止日期", 1580, 1780),
        Column("免费行李", 1780, 1940),
    ),
    row_y=362.0,
    row_step=60.0,
    city_x=160.0,
)

# The paper form's ticket-level value cells, in the order the service lists them.
PAPER_CELLS = (
    Cell("旅客姓名", 60, 760, 150), Cell("有效身份证件号码", 760, 1260, 150),
    Cell("签注", 1260, 1940, 150),
    Cell("票价", 60, 436, 630), Cell("民航发展基金", 436, 812, 630),
    Cell("燃油附加费", 812, 1188, 630), Cell("合计金额", 1564, 1940, 630),
    Cell("其他税费", 1188, 1564, 630),
    Cell("电子客票号码", 60, 560, 730), Cell("验证码", 560, 820, 730),
    Cell("提示信息", 820, 1620, 730), Cell("保险费", 1620, 1940, 730),
    Cell("销售单位代号", 60, 560, 830), Cell("填开单位", 560, 1460, 830),
    Cell("填开日期", 1460, 1940, 830),
)  # fmt: skip
PAPER_SERIAL = (1380.0, 1960.0, 30.0, 85.0)  # x0, x1, y0, y1 of 印刷序号 and its value

EINVOICE = Layout(
    name="einvoice",
    title="电子发票(航空运输电子客票行程单)",
    title_at=(984.5, 82.0),
    title_width=821.0,
    anchors=(
        *_row(72.5, ("发票号码", 1449.5)),
        *_row(116.5, ("开票日期", 1448.0)),
        *_row(190.5, ("国内国际标识", 278.0)),
        *_row(251.0, ("旅客姓名", 66.0), ("有效身份证件号码", 576.5), ("签注", 1257.5)),
        Anchor("自/至", 221.0, 326.0, True),
        Anchor("承运人", 449.5, 324.5, True),
        Anchor("航班号", 604.5, 325.5, True),
        Anchor("座位等级", 756.0, 325.5, True),
        Anchor("日期", 917.0, 326.0, True),
        Anchor("时间", 1075.0, 324.5, True),
        Anchor("客票级别/客票类别", 1260.5, 325.5, True),
        Anchor("客票生效日期", 1480.0, 325.5, True),
        Anchor("有效截止日期", 1680.5, 325.5, True),
        Anchor("免费行李", 1860.0, 325.5, True),
        *_row(
            702.0,
            ("票价", 68.0),
            ("燃油附加费", 537.5),
            ("增值税税率", 1007.0),
            ("增值税税额", 1478.0),
        ),
        *_row(756.5, ("民航发展基金", 67.5), ("其他税费", 536.0), ("合计", 1006.0)),
        *_row(822.0, ("电子客票号码", 67.5)),
        *_row(877.5, ("销售网点代号", 66.5)),
        *_row(965.5, ("购买方名称", 70.0)),
        *_row(1022.0, ("统一社会信用代码/纳税人识别号", 67.0)),
    ),
    columns=(
        Column("城市", 60, 380),
        Column("承运人", 380, 520),
        Column("航班号", 520, 690),
        Column("座位等级", 690, 820),
        Column("日期", 820, 1010),
        Column("时间", 1010, 1140),
        Column("客票级别/客票类别", 1140, 1380),
        Column("客票生效日期", 1380, 1580),
        Column("有效截止日期", 1580, 1780),
        Column("免费行李", 1780, 1940),
    ),
    row_y=384.0,
    row_step=58.0,
    city_x=108.0,
)

# The e-invoice's text lines: (Name, printed label, fixed x or None), left to right.
EINVOICE_LINES = (
    Line(72.5, (("发票号码", "发票号码", 1449.5),)),
    Line(116.5, (("开票日期", "开票日期", 1448.0),)),
    Line(190.5, (("国内国际标签", "国内国际标识", 278.0),)),
    Line(250.5, (("旅客姓名", "旅客姓名", 66.0), ("有效身份证件号码", "有效身份证件号码", 576.5),
                 ("签注", "签注", 1257.5))),
    Line(702.0, (("票价", "票价", 68.0), ("燃油附加费", "燃油附加费", 537.5),
                 ("增值税税率", "增值税税率", 1007.0), ("增值税税额", "增值税税额", 1478.0))),
    Line(756.5, (("民航发展基金", "民航发展基金", 67.5), ("其他税费", "其他税费", 536.0),
                 ("合计", "合计", 1006.0))),
    Line(821.5, (("电子客票号码", "电子客票号码", 67.5), ("验证码", "验证码", None),
                 ("保险费", "保险费", None), ("提示信息", "提示信息", None))),
    Line(876.5, (("销售网点代号", "销售网点代号", 66.5), ("填开单位", "填开单位", None),
                 ("填开日期", "填开日期", None))),
    Line(965.5, (("购买方名称", "购买方名称", 70.0),)),
    Line(1021.5, (("统一社会信用代码/纳税人识别号", "统一社会信用代码/纳税人识别号", 67.0),)),
)  # fmt: skip

# Flight-level Names in the order the service lists each flight's pairs.
FLIGHT_ORDER = (
    "始发地", "目的地", "始发站", "目的站", "承运人", "航班号", "座位等级", "日期", "时间",
    "客票级别/类别", "客票级别/客票类别", "客票生效日期", "有效期截止日期", "有效截止日期",
    "免费行李",
)  # fmt: skip
