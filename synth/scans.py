"""Synthetic scans of Chinese flight itineraries, with exact ground truth.

Every sample image, test fixture and benchmark of this project comes from
here: no real ticket is ever stored. One seed gives one ticket (names, flights,
amounts, numbers all invented), drawn in one of the two real layouts:

* ``paper``: 航空运输电子客票行程单, the printed form; labels above values in a
  ruled grid, values printed by a separate pass that is slightly misregistered.
* ``einvoice``: 电子发票（航空运输电子客票行程单）; labels left of values.

and degraded by one noise mode: ``clean`` (as rendered), ``light`` (a flatbed
scan: blur, paper texture, ±0.7°) or ``heavy`` (a phone photo: ~1000 px, ±5°,
keystone, speckle, saved as JPEG quality 35–60).

The truth's ``data`` is the Name/Value/Row list the service would return for
the image; only fields actually printed appear.

>>> s = generate(7, "paper", "clean")
>>> s.image.size, s.truth["layout"], s.truth["data"][0]["Name"]
((2000, 980), 'paper', '印刷序号')
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

from batchocr.errors import BatchOCRError, ConfigError
from batchocr.models import SCHEMA_VERSION, NameValue

DEFAULT_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
LAYOUTS = ("paper", "einvoice")  # the drawings the offline engine is tuned on
# The real air e-invoice of einvoice.md (synth.einvoice), also accepted by generate().
REAL_LAYOUT = "einvoice-real"
NOISES = ("clean", "light", "heavy")
MAX_FILE_BYTES = 300_000
# The committed samples/: (layout, noise, seed); the stem's trailing number is the seed.
SAMPLE_SET = (
    ("paper", "clean", 1), ("paper", "light", 2), ("paper", "heavy", 3),
    ("einvoice", "clean", 4), ("einvoice", "light", 5), ("einvoice", "heavy", 6),
)  # fmt: skip

# Carrier code, short Chinese name, e-ticket prefix (the airline's IATA accounting code).
CARRIERS = (
    ("CA", "国航", "999"), ("MU", "东航", "781"), ("CZ", "南航", "784"), ("HU", "海航", "880"),
    ("3U", "川航", "876"), ("ZH", "深航", "479"), ("MF", "厦航", "731"), ("SC", "山航", "324"),
    ("HO", "吉祥", "018"), ("FM", "上航", "774"),
)  # fmt: skip
TICKET_PREFIX = {name: prefix for _, name, prefix in CARRIERS}
# Flight-level Names, in the order the truth lists each flight's pairs; the paper layout
# uses Tencent's Names, the e-invoice the labels it prints (both are in fields.md).
FLIGHT_NAMES = (
    "始发地", "目的地", "始发站", "目的站", "承运人", "航班号", "座位等级", "日期", "时间",
    "客票级别/类别", "客票级别/客票类别", "客票生效日期", "有效期截止日期", "有效截止日期",
    "免费行李",
)  # fmt: skip
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# City → the airport code that agent codes (销售单位代号) start with.
_AIRPORT = {
    "北京": "PEK", "上海": "SHA", "广州": "CAN", "深圳": "SZX", "成都": "CTU", "昆明": "KMG",
    "天津": "TSN", "西安": "XIY", "杭州": "HGH", "重庆": "CKG", "南京": "NKG", "武汉": "WUH",
    "长沙": "CSX", "厦门": "XMN", "青岛": "TAO", "大连": "DLC", "沈阳": "SHE", "哈尔滨": "HRB",
    "乌鲁木齐": "URC", "三亚": "SYX", "海口": "HAK", "贵阳": "KWE", "郑州": "CGO", "济南": "TNA",
    "福州": "FOC", "南宁": "NNG", "兰州": "LHW",
}  # fmt: skip
_CITIES = tuple(_AIRPORT)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平刚桂兰玉萍红霞鹏飞宇浩然子涵思雨欣怡晨阳"
_REGIONS = ("110101", "110108", "310115", "440106", "440305", "510107", "530102", "120104",
            "610113", "330106", "500103", "420106", "320102", "370102", "350203")  # fmt: skip
_BRANDS = ("远航", "华程", "蓝天", "飞鸿", "畅行", "鹏程", "云途", "安途", "恒信", "瑞丰", "华科",
           "新元", "博远", "中联", "宏达", "启明", "天成", "嘉禾")  # fmt: skip
_AGENCY = ("航空服务有限公司", "票务代理有限公司", "国际旅行社有限公司", "商务服务有限公司")
_TRADE = ("科技有限公司", "贸易有限公司", "咨询有限公司", "工程有限公司", "文化传媒有限公司")
_ENDORSE = ("不得签转", "不得签转/变更退票收费", "Q/不得签转/变更退票收费", "退改签收费", "")
_PROMPTS = ("", "", "请于起飞前45分钟到达机场", "本行程单不作为登机凭证", "航班信息以机场公告为准")
_SEATS = "YYYYBMHKLQFC"
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class Sample:
    """One synthetic scan and its ground truth (the JSON written next to it).

    ``jpeg_quality`` is set for ``heavy`` samples: :func:`write_sample` saves
    them as JPEG at that quality, as a phone or a web upload would.
    """

    image: Image.Image
    truth: dict[str, Any]
    jpeg_quality: int | None = None


@dataclass(frozen=True)
class _Flight:
    origin: str
    dest: str
    carrier: str
    flight_no: str
    seat: str
    day: date
    time: str  # "0700"
    fare_basis: str
    baggage: str


@dataclass(frozen=True)
class _Ticket:
    name: str
    id_no: str
    endorsement: str
    flights: tuple[_Flight, ...]
    show_validity: bool  # 客票生效日期 / 有效截止日期 printed, or left blank
    fare: Decimal
    fund: Decimal
    fuel: Decimal
    other: Decimal | None  # None: the 其他税费 box is left blank
    insurance: str
    e_ticket: str
    check_code: str
    serial: str
    prompt: str
    agent: str
    issuer: str
    issued: date
    invoice_no: str
    buyer: str
    buyer_tax_id: str

    @property
    def total(self) -> Decimal:
        # Insurance is sold separately and is never part of the total. The e-invoice's
        # total is the same: its net fare and fuel plus their VAT are the gross amounts.
        return self.fare + self.fund + self.fuel + (self.other or Decimal(0))

    @property
    def net_fare(self) -> Decimal:
        """票价 as the e-invoice prints it: without VAT."""
        return _net(self.fare)

    @property
    def net_fuel(self) -> Decimal:
        return _net(self.fuel)

    @property
    def vat(self) -> Decimal:
        # What the gross fare and fuel hold beyond their net parts (the specimen: 520 + 50
        # → 477.06 + 45.87 + 47.07), so it may differ from (net) x 9 % by a cent.
        return self.fare + self.fuel - self.net_fare - self.net_fuel


def _net(gross: Decimal) -> Decimal:
    return (gross / Decimal("1.09")).quantize(Decimal("0.01"), ROUND_HALF_UP)


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character of a 统一社会信用代码.

    >>> credit_check_char("91350100M000100Y4")
    '3'
    """
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def _org_code(rng: random.Random) -> str:
    """An 8-character body plus its GB 11714 check (digits and A=10 … Z=35)."""
    body = "MA" + "".join(rng.choice(CREDIT_CHARS) for _ in range(6))
    total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _id_no(rng: random.Random) -> str:
    tail = _digits(rng, 3) + rng.choice("0123456789X")
    if rng.random() < 0.2:
        return rng.choice(_REGIONS)[:2] + "*****" + tail
    return rng.choice(_REGIONS) + "********" + tail


def _flights(rng: random.Random, issued: date) -> tuple[_Flight, ...]:
    count = rng.choices((1, 2, 3, 4), weights=(55, 30, 10, 5))[0]
    first = rng.choice(CARRIERS)
    cities, day = [rng.choice(_CITIES)], issued + timedelta(days=rng.randint(0, 30))
    out: list[_Flight] = []
    for _ in range(count):
        cities.append(rng.choice([c for c in _CITIES if c != cities[-1]]))
        code, carrier, _ = first if not out or rng.random() < 0.7 else rng.choice(CARRIERS)
        seat = rng.choice(_SEATS)
        out.append(_Flight(
            cities[-2], cities[-1], carrier, f"{code}{rng.randint(101, 9899)}", seat, day,
            f"{rng.randint(6, 22):02d}{rng.randrange(0, 60, 5):02d}",
            seat + rng.choice(("", "", "", "OW", "1", "2")),
            {"F": "40K", "C": "30K"}.get(seat, "20K"),
        ))  # fmt: skip
        day += timedelta(days=rng.randint(1, 7))
    return tuple(out)


def _ticket(seed: int) -> _Ticket:
    """All the invented facts of one ticket; independent of layout and noise."""
    rng = random.Random(f"batchocr.synth:{seed}")  # the seed strings predate the move: keep them
    issued = date(2024, 1, 1) + timedelta(days=rng.randint(0, 730))
    flights = _flights(rng, issued)
    n = len(flights)
    region = rng.choice(_REGIONS)
    tax17 = "91" + region + _org_code(rng)
    city = rng.choice(_CITIES)
    return _Ticket(
        name=rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2, 2)))),
        id_no=_id_no(rng),
        endorsement=rng.choice(_ENDORSE),
        flights=flights,
        show_validity=rng.random() < 0.5,
        fare=Decimal(sum(rng.randint(40, 300) * 10 for _ in range(n))),
        fund=Decimal(50 * n),
        fuel=Decimal(rng.choice((0, 10, 20, 30, 40, 60, 80)) * n),
        other=Decimal(0) if rng.random() < 0.6 else None,
        insurance=rng.choice(("XXX", "XXX", "XXX", "20.00", "30.00", "40.00")),
        e_ticket=TICKET_PREFIX[flights[0].carrier] + _digits(rng, 10),
        check_code=_digits(rng, 4),
        serial=_digits(rng, 11),
        prompt=rng.choice(_PROMPTS),
        agent=_AIRPORT[city] + _digits(rng, 3),
        issuer=city + rng.choice(_BRANDS) + rng.choice(_AGENCY),
        issued=issued,
        invoice_no=f"{issued:%y}{region[:2]}2" + _digits(rng, 15),
        buyer=rng.choice(_CITIES) + rng.choice(_BRANDS) + rng.choice(_TRADE),
        buyer_tax_id=tax17 + credit_check_char(tax17),
    )


def font_path() -> Path:
    """The CJK font to draw with: ``$BATCHOCR_FONT`` or the Debian WenQuanYi Zen Hei."""
    path = Path(os.environ.get("BATCHOCR_FONT") or DEFAULT_FONT)
    if not path.is_file():
        raise ConfigError(
            f"CJK font not found: {path}; install it with `apt-get install fonts-wqy-zenhei` "
            "or set BATCHOCR_FONT to a .ttc/.ttf font with Chinese glyphs"
        )
    return path


@lru_cache(maxsize=64)
def _font(path: Path, size: int, mono: bool) -> ImageFont.FreeTypeFont:
    try:  # face 1 of the .ttc is the monospaced Zen Hei Mono, like a ticket printer's
        return ImageFont.truetype(str(path), size, index=1 if mono else 0)
    except OSError:
        return ImageFont.truetype(str(path), size)


class _Sheet:
    """A page being drawn, and the Name/Value pairs printed on it so far."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.image = Image.new("L", size, 255)
        self.draw = ImageDraw.Draw(self.image)
        self.font = font_path()
        self.data: list[NameValue] = []

    def text(self, xy: tuple[int, int], s: str, size: int, *, ink: int = 0,
             mono: bool = False, anchor: str = "la") -> int:  # fmt: skip
        """Draw ``s``; return the x just after it."""
        font = _font(self.font, size, mono)
        self.draw.text(xy, s, fill=ink, font=font, anchor=anchor)
        return xy[0] + int(self.draw.textlength(s, font=font))

    def value(self, name: str, xy: tuple[int, int], printed: str, size: int, *,
              truth: str | None = None, row: int = -1, mono: bool = False,
              anchor: str = "la") -> None:  # fmt: skip
        """Print a field's value and record it; a blank value prints nothing."""
        if printed:
            self.text(xy, printed, size, mono=mono, anchor=anchor)
            self.note(name, printed if truth is None else truth, row)

    def note(self, name: str, value: str, row: int = -1) -> None:
        """Record a pair already on the page (a city shared by two flights is drawn once)."""
        self.data.append({"Name": name, "Value": value, "Row": row})

    def line(self, x0: int, y0: int, x1: int, y1: int, width: int = 2, ink: int = 60) -> None:
        self.draw.line((x0, y0, x1, y1), fill=ink, width=width)

    def truth_data(self) -> list[NameValue]:
        """Ticket-level pairs in reading order, then each flight's pairs in a fixed order."""
        flights = [d for d in self.data if d["Row"] >= 0]
        flights.sort(key=lambda d: (d["Row"], FLIGHT_NAMES.index(d["Name"])))
        return [d for d in self.data if d["Row"] < 0] + flights


def _paper_date(d: date) -> str:
    return f"{d.day:02d}{_MONTHS[d.month - 1]}"


def _cells(sheet: _Sheet, x: int, y0: int, y1: int, cells: list[tuple[int, str, str]]) -> list[int]:
    """Draw one ruled band of label cells (Chinese label, English under it); return cell xs."""
    xs = []
    for width, zh, en in cells:
        xs.append(x)
        if zh:
            sheet.text((x + 10, y0 + 8), zh, 24, ink=70)
            sheet.text((x + 10, y0 + 38), en, 15, ink=95)
        x += width
        sheet.line(x, y0, x, y1)
    sheet.line(xs[0], y1, x, y1)
    return xs


_PAPER_TABLE = [(100, "", ""), (250, "", ""), (140, "承运人", "CARRIER"), (180, "航班号", "FLIGHT"),
                (130, "座位等级", "CLASS"), (150, "日期", "DATE"), (120, "时间", "TIME"),
                (250, "客票级别/客票类别", "FARE BASIS"), (200, "客票生效日期", "NOT VALID BEFORE"),
                (200, "有效截止日期", "NOT VALID AFTER"), (160, "免费行李", "ALLOW")]  # fmt: skip


def _paper(t: _Ticket, rng: random.Random) -> _Sheet:
    """The printed form; the values' printer pass is offset from the preprinted form."""
    s = _Sheet((2000, 980))
    fx, fy = rng.randint(-12, 12), rng.randint(-10, 10)
    vx, vy = rng.randint(-8, 8), rng.randint(-3, 8)
    left, right = 60 + fx, 1940 + fx
    s.text((1000 + fx, 30 + fy), "航空运输电子客票行程单", 54, ink=40, anchor="ma")
    s.text((1000 + fx, 98 + fy), "ITINERARY/RECEIPT OF E-TICKET FOR AIR TRANSPORT", 22,
           ink=60, anchor="ma")  # fmt: skip
    s.text((1470 + fx, 40 + fy), "印刷序号：", 24, ink=70)
    s.text((1470 + fx, 70 + fy), "SERIAL NUMBER:", 15, ink=95)
    s.value("印刷序号", (1600 + fx + vx // 2, 36 + fy), t.serial, 36, mono=True)
    top = 150 + fy
    s.draw.rectangle((left, top, right, top + 780), outline=60, width=3)

    def band(y: int, cells: list[tuple[int, str, str]]) -> list[int]:
        return [x + vx for x in _cells(s, left, y, y + 100, cells)]

    xs = band(top, [(700, "旅客姓名", "NAME OF PASSENGER"), (500, "有效身份证件号码", "ID.NO."),
                    (680, "签注", "ENDORSEMENTS/RESTRICTIONS (CARBON)")])  # fmt: skip
    vy0 = top + 56 + vy
    s.value("旅客姓名", (xs[0] + 20, vy0), t.name, 34)
    s.value("有效身份证件号码", (xs[1] + 14, vy0), t.id_no, 30, mono=True)
    s.value("签注", (xs[2] + 14, vy0), t.endorsement, 28)
    _paper_flights(s, t, top + 100, left, (vx, vy))
    y = top + 100 + 80 + 5 * 60
    xs = band(y, [(376, "票价", "FARE"), (376, "民航发展基金", "CAAC DEVELOPMENT FUND"),
                  (376, "燃油附加费", "FUEL SURCHARGE"), (376, "其他税费", "OTHER TAXES"),
                  (376, "合计", "TOTAL")])  # fmt: skip
    vy0 = y + 56 + vy
    amounts = ((xs[0], "票价", "CNY", t.fare), (xs[1], "民航发展基金", "CN", t.fund),
               (xs[2], "燃油附加费", "YQ", t.fuel),
               (xs[4], "合计金额", "CNY", t.total))  # fmt: skip
    for x, name, prefix, amount in amounts:
        s.value(name, (x + 20, vy0), f"{prefix} {amount:.2f}", 30, truth=f"{amount:.2f}", mono=True)
    if t.other is not None:
        s.value("其他税费", (xs[3] + 20, vy0), f"{t.other:.2f}", 30, mono=True)
    y += 100
    xs = band(y, [(500, "电子客票号码", "E-TICKET NO."), (260, "验证码", "CK."),
                  (800, "提示信息", "INFORMATION"), (320, "保险费", "INSURANCE")])  # fmt: skip
    texts = (("电子客票号码", t.e_ticket), ("验证码", t.check_code), ("提示信息", t.prompt),
             ("保险费", t.insurance))  # fmt: skip
    for i, (name, text) in enumerate(texts):
        s.value(name, (xs[i] + 20, y + 56 + vy), text, 30 if i != 2 else 26, mono=i != 2)
    y += 100
    xs = band(y, [(500, "销售单位代号", "AGENT CODE"), (900, "填开单位", "ISSUED BY"),
                  (480, "填开日期", "DATE OF ISSUE")])  # fmt: skip
    s.value("销售单位代号", (xs[0] + 20, y + 56 + vy), t.agent, 30, mono=True)
    s.value("填开单位", (xs[1] + 20, y + 56 + vy), t.issuer, 28)
    s.value("填开日期", (xs[2] + 20, y + 56 + vy), f"{t.issued:%Y-%m-%d}", 30, mono=True)
    return s


def _paper_flights(s: _Sheet, t: _Ticket, top: int, left: int, off: tuple[int, int]) -> None:
    """The flight grid: city rows 自/至/至…, each flight on its departure city's row."""
    xs = [x + off[0] for x in _cells(s, left, top, top + 80, _PAPER_TABLE)]
    for r in range(5):
        y = top + 80 + r * 60
        s.text((xs[0] - off[0] + 12, y + 14), "自 FROM" if r == 0 else "至 TO", 20, ink=70)
        s.line(left, y + 60, left + 1880, y + 60, width=1, ink=120)
        vy = y + 12 + off[1]
        if r > len(t.flights):
            s.text((xs[1] + 16, vy), "VOID", 30, mono=True)
        elif r > 0:
            s.value("目的地", (xs[1] + 16, vy), t.flights[r - 1].dest, 32, row=r - 1)
        if r >= len(t.flights):
            continue
        f = t.flights[r]
        if r == 0:
            s.value("始发地", (xs[1] + 16, vy), f.origin, 32, row=r)
        else:
            s.note("始发地", f.origin, row=r)
        printed = (("承运人", f.carrier, f.carrier), ("航班号", f.flight_no, f.flight_no),
                   ("座位等级", f.seat, f.seat), ("日期", _paper_date(f.day), _paper_date(f.day)),
                   ("时间", f.time, f"{f.time[:2]}:{f.time[2:]}"),
                   ("客票级别/类别", f.fare_basis, f.fare_basis))  # fmt: skip
        for i, (name, text, truth) in enumerate(printed, start=2):
            s.value(name, (xs[i] + 16, vy), text, 30, truth=truth, row=r, mono=name != "承运人")
        if t.show_validity:
            s.value("客票生效日期", (xs[8] + 16, vy), _paper_date(f.day), 30, row=r, mono=True)
            s.value("有效期截止日期", (xs[9] + 16, vy), _paper_date(f.day), 30, row=r, mono=True)
        s.value("免费行李", (xs[10] + 16, vy), f.baggage, 30, row=r, mono=True)


def _qr(s: _Sheet, x: int, y: int, rng: random.Random, module: int = 6, n: int = 29) -> None:
    """A QR-code-like block: random modules with the three finder squares."""
    for i in range(n):
        for j in range(n):
            if rng.random() < 0.5:
                s.draw.rectangle((x + i * module, y + j * module, x + i * module + module - 1,
                                  y + j * module + module - 1), fill=0)  # fmt: skip
    for cx, cy in ((0, 0), (n - 7, 0), (0, n - 7)):
        ox, oy = x + cx * module, y + cy * module
        square = (ox, oy, ox + 7 * module - 1, oy + 7 * module - 1)
        s.draw.rectangle(square, fill=255, outline=0, width=module)
        s.draw.rectangle((ox + 2 * module, oy + 2 * module, ox + 5 * module - 1,
                          oy + 5 * module - 1), fill=0)  # fmt: skip


def _pair(s: _Sheet, name: str, x: int, y: int, text: str, *, label: str = "",
          size: int = 28) -> int:  # fmt: skip
    """``label：value`` on one baseline (the label defaults to the Name); return the x after."""
    after = s.text((x, y), f"{label or name}：", 24, ink=80, anchor="ls")
    s.value(name, (after + 4, y), text, size, anchor="ls")
    return after + 4 + int(s.draw.textlength(text, font=_font(s.font, size, False)))


_EINV_TABLE = [(320, "自/至"), (140, "承运人"), (170, "航班号"), (130, "座位等级"), (190, "日期"),
               (130, "时间"), (240, "客票级别/客票类别"), (200, "客票生效日期"),
               (200, "有效截止日期"), (160, "免费行李")]  # fmt: skip


def _einvoice(t: _Ticket, rng: random.Random) -> _Sheet:
    """The e-invoice itinerary: a PDF render, labels left of their values."""
    s = _Sheet((2000, 1100))
    fx, fy = rng.randint(-12, 12), rng.randint(-10, 10)
    left = 60 + fx
    _qr(s, left + 10, 30 + fy, rng)
    s.text((1000 + fx, 50 + fy), "电子发票（航空运输电子客票行程单）", 50, ink=30, anchor="ma")
    s.line(600 + fx, 118 + fy, 1400 + fx, 118 + fy, width=3, ink=40)
    s.line(600 + fx, 126 + fy, 1400 + fx, 126 + fy, width=2, ink=40)
    _pair(s, "发票号码", 1450 + fx, 80 + fy, t.invoice_no, size=26)
    _pair(s, "开票日期", 1450 + fx, 125 + fy, f"{t.issued:%Y年%m月%d日}", size=26)
    _pair(s, "国内国际标签", left + 220, 200 + fy, "国内", label="国内国际标识")
    y = 260 + fy
    _pair(s, "旅客姓名", left + 10, y, t.name, size=30)
    _pair(s, "有效身份证件号码", left + 520, y, t.id_no)
    _pair(s, "签注", left + 1200, y, t.endorsement, size=26)
    _einv_flights(s, t, left, 290 + fy)
    rows = (
        (("票价", t.net_fare), ("燃油附加费", t.net_fuel), ("增值税税率", None),
         ("增值税税额", t.vat)),
        (("民航发展基金", t.fund), ("其他税费", t.other), ("合计", t.total)),
    )
    y = 710 + fy
    for row in rows:
        for i, (name, amount) in enumerate(row):
            text = "9%" if name == "增值税税率" else "" if amount is None else f"{amount:.2f}"
            _pair(s, name, left + 10 + i * 470, y, text)
        y += 55
    y += 10
    x = left + 10
    for name, text in (("电子客票号码", t.e_ticket), ("验证码", t.check_code),
                       ("保险费", t.insurance), ("提示信息", t.prompt)):  # fmt: skip
        x = max(_pair(s, name, x, y, text) + 60, x + 330)
    y += 55
    x = left + 10
    for name, text in (("销售网点代号", t.agent), ("填开单位", t.issuer),
                       ("填开日期", f"{t.issued:%Y-%m-%d}")):  # fmt: skip
        x = _pair(s, name, x, y, text) + 70
    s.line(left, y + 30, left + 1880, y + 30, width=2, ink=90)
    _pair(s, "购买方名称", left + 10, y + 90, t.buyer)
    _pair(s, "统一社会信用代码/纳税人识别号", left + 10, y + 145, t.buyer_tax_id)
    return s


def _einv_flights(s: _Sheet, t: _Ticket, left: int, top: int) -> None:
    """The flight table: a one-line header, then 自/至 city rows with the flight on each."""
    x, xs = left, []
    for width, label in _EINV_TABLE:
        xs.append(x)
        s.text((x + width // 2, top + 20), label, 24, ink=80, anchor="ma")
        x += width
    s.draw.rectangle((left, top, x, top + 60 + 5 * 58), outline=70, width=2)
    s.line(left, top + 60, x, top + 60, ink=70)
    for r in range(5):
        y = top + 60 + r * 58 + 44
        s.text((left + 14, y), "自" if r == 0 else "至", 24, ink=80, anchor="ls")
        if 0 < r <= len(t.flights):
            s.value("目的站", (left + 60, y), t.flights[r - 1].dest, 28, row=r - 1, anchor="ls")
        if r >= len(t.flights):
            continue
        f = t.flights[r]
        day = f"{f.day:%Y-%m-%d}"
        valid = day if t.show_validity else ""
        cols = (("始发站", f.origin), ("承运人", f.carrier), ("航班号", f.flight_no),
                ("座位等级", f.seat), ("日期", day), ("时间", f"{f.time[:2]}:{f.time[2:]}"),
                ("客票级别/客票类别", f.fare_basis), ("客票生效日期", valid),
                ("有效截止日期", valid), ("免费行李", f.baggage))  # fmt: skip
        if r == 0:
            s.value("始发站", (left + 60, y), f.origin, 28, row=r, anchor="ls")
        else:  # the city was drawn above as the previous flight's 目的站
            s.note("始发站", f.origin, row=r)
        for i, (name, text) in enumerate(cols[1:], start=1):
            s.value(name, (xs[i] + 12, y), text, 28, row=r, anchor="ls")


def _noise_image(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Uniform noise from the seeded generator (Pillow's effect_noise is not seedable)."""
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


def _paper_texture(img: Image.Image, rng: random.Random, low: int, cell: int) -> Image.Image:
    """Multiply by smooth shading in ``low``…252: uneven paper tone and scanner light."""
    w, h = img.size
    n = (w // cell + 3, h // cell + 3)
    box = (1.0, 1.0, n[0] - 2.0, n[1] - 2.0)  # skip the border cells: bicubic edges are flat
    shade = _noise_image(rng, n).resize((w, h), Image.Resampling.BICUBIC, box=box)
    return ImageChops.multiply(img, _like(img, shade.point(lambda v: low + v * (252 - low) // 255)))


def _like(img: Image.Image, layer: Image.Image) -> Image.Image:
    """``layer`` (grey) in the mode of ``img``: colour pages (synth.variety) get the same noise."""
    return layer if img.mode == layer.mode else layer.convert(img.mode)


def _fill(img: Image.Image, grey: int) -> int | tuple[int, int, int]:
    """A grey fill colour for ``img``'s mode (an int would be a packed colour in RGB)."""
    return (grey, grey, grey) if img.mode == "RGB" else grey


def _light(img: Image.Image, rng: random.Random) -> Image.Image:
    """A flatbed scan: slight blur, paper tone, a fraction of a degree of skew.

    The result is posterized to steps of 4 grey levels, invisible at this
    contrast, so that the PNG stays far below :data:`MAX_FILE_BYTES`.
    """
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.8)))
    img = _paper_texture(img, rng, 228, 250)
    img = img.rotate(rng.uniform(-0.7, 0.7), Image.Resampling.BICUBIC, fillcolor=_fill(img, 240))
    return img.point(lambda v: min(252, (v + 2) // 4 * 4))


def _heavy(img: Image.Image, rng: random.Random) -> Image.Image:
    """A phone photo: small, tilted, in perspective, on a desk, grainy."""
    scale = rng.uniform(960, 1040) / max(img.size)
    size = (round(img.width * scale), round(img.height * scale))
    img = img.resize(size, Image.Resampling.LANCZOS)
    img = _paper_texture(img, rng, 190, 120)
    desk = rng.randint(70, 150)
    desk_fill = _fill(img, desk)
    img = ImageOps.expand(img, border=rng.randint(15, 40), fill=desk_fill)  # the desk around it
    img = img.rotate(rng.uniform(-5, 5), Image.Resampling.BICUBIC, expand=True,
                     fillcolor=desk_fill)  # fmt: skip
    w, h = img.size
    k = rng.uniform(0.01, 0.04) * w
    j = [rng.uniform(-0.01, 0.01) * w for _ in range(8)]
    # The source quad is wider at the top than the output: the far edge of the page shrinks.
    quad = (-k + j[0], j[1], j[2], h + j[3], w + j[4], h + j[5], w + k + j[6], j[7])
    img = img.transform((w, h), Image.Transform.QUAD, quad, Image.Resampling.BICUBIC,
                        fillcolor=desk_fill)  # fmt: skip
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
    grain = _noise_image(rng, img.size).point(lambda v: v * 25 // 256)
    img = ImageChops.add(img, _like(img, grain), scale=1.0, offset=-12)
    specks = _noise_image(rng, img.size)
    img = ImageChops.darker(img, _like(img, specks.point(lambda v: 40 if v == 255 else 255)))
    return ImageChops.lighter(img, _like(img, specks.point(lambda v: 255 if v == 0 else 0)))


def generate(seed: int, layout: str = "paper", noise: str = "clean") -> Sample:
    """Draw the ticket of ``seed`` in ``layout``, degraded by ``noise``; deterministic.

    The ticket (names, flights, amounts) depends only on the seed, so one seed
    gives the same facts in both layouts and every noise mode.

    >>> a, b = generate(3, "einvoice", "heavy"), generate(3, "einvoice", "heavy")
    >>> a.image.tobytes() == b.image.tobytes(), a.truth == b.truth, 35 <= a.jpeg_quality <= 60
    (True, True, True)
    """
    if layout not in (*LAYOUTS, REAL_LAYOUT) or noise not in NOISES:
        raise ConfigError(f"layout must be one of {(*LAYOUTS, REAL_LAYOUT)} and noise one of "
                          f"{NOISES}, not {layout!r}/{noise!r}")  # fmt: skip
    rng = random.Random(f"batchocr.synth:{seed}:{layout}:{noise}")
    if layout == REAL_LAYOUT:
        from .einvoice import invoice, truth_data
        from .files import render

        e = invoice(seed)
        # Clean: the colour render (a screenshot); scans and photos are grey, as most are.
        image, data = render(e), truth_data(e)
        if noise != "clean":
            image = image.convert("L")
    else:
        sheet = (_paper if layout == "paper" else _einvoice)(_ticket(seed), rng)
        image, data = sheet.image, sheet.truth_data()
    quality = None
    if noise == "light":
        image = _light(image, rng)
    elif noise == "heavy":
        image, quality = _heavy(image, rng), rng.randint(35, 60)
    truth = {"schema_version": SCHEMA_VERSION, "generator": "synth", "seed": seed,
             "layout": layout, "noise": noise, "data": data}  # fmt: skip
    return Sample(image, truth, quality)


def truth_json(sample: Sample) -> str:
    """The ground-truth file's exact text."""
    return json.dumps(sample.truth, ensure_ascii=False, indent=1) + "\n"


def write_sample(sample: Sample, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """Write ``<stem>.png`` (``<stem>.jpg`` for heavy) and ``<stem>.json``; return both paths.

    >>> import tempfile
    >>> img, js = write_sample(generate(1), Path(tempfile.mkdtemp()), "t")
    >>> img.name, js.name, img.stat().st_size <= MAX_FILE_BYTES
    ('t.png', 't.json', True)
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if sample.jpeg_quality is None:
        image_path = out_dir / f"{stem}.png"
        sample.image.save(image_path, "PNG", optimize=True)
    else:
        image_path = out_dir / f"{stem}.jpg"
        sample.image.save(image_path, "JPEG", quality=sample.jpeg_quality, optimize=True)
    json_path = out_dir / f"{stem}.json"
    json_path.write_text(truth_json(sample), encoding="utf-8")
    return image_path, json_path


def _write_set(out_dir: Path, plan: list[tuple[str, str, str, int]],
               family: bool = False) -> list[Path]:  # fmt: skip
    """Write each (id, layout, noise, seed) of ``plan`` and a ``manifest.csv`` of id,path;
    with ``family``, each "layout" is a family of :mod:`synth.variety`."""
    from .variety import generate_family

    rows, paths = [], []
    for item_id, layout, noise, seed in plan:
        sample = generate_family(seed, layout, noise) if family else generate(seed, layout, noise)
        image_path, json_path = write_sample(sample, out_dir, f"{layout}-{noise}-{seed}")
        rows.append((item_id, image_path.name))
        paths += [image_path, json_path]
    if plan and plan[0][0].startswith("trip-"):  # the committed samples: add the files too
        from .files import write_document_samples

        for item_id, path in write_document_samples(out_dir):
            rows.append((item_id, path.name))
            paths += [path, path.with_suffix(".json")]
    manifest = out_dir / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([("id", "path"), *rows])
    return [*paths, manifest]


def _plan(args: argparse.Namespace) -> list[tuple[str, str, str, int]]:
    if args.samples:
        return [(f"trip-2025-{seed:03d}", lay, noise, seed) for lay, noise, seed in SAMPLE_SET]
    plan = []
    for i in range(args.count):
        layout = args.family or (LAYOUTS[i % 2] if args.layout == "both" else args.layout)
        noise = NOISES[i % 3] if args.noise == "mixed" else args.noise
        plan.append((f"synth-{args.seed + i}", layout, noise, args.seed + i))
    return plan


def main(argv: list[str] | None = None) -> int:
    """Command line: write synthetic itineraries, their truth JSON and a manifest.csv.

    ``--samples DIR`` regenerates exactly the committed ``samples/`` set.
    """
    p = argparse.ArgumentParser(
        prog="python -m synth",
        description="Write synthetic itinerary scans (<stem>.png or .jpg), their ground truth "
        "(<stem>.json) and a manifest.csv of id,path.",
    )
    p.add_argument("--out", type=Path, help="output directory")
    p.add_argument("--count", type=int, default=10, help="how many itineraries")
    p.add_argument("--seed", type=int, default=1, help="first seed; item i uses seed + i")
    p.add_argument("--layout", choices=[*LAYOUTS, REAL_LAYOUT, "both"], default="both")
    p.add_argument("--noise", choices=[*NOISES, "mixed"], default="mixed")
    p.add_argument("--family", help="draw a family of synth.variety instead of a layout "
                   "(--family list: print the families)")  # fmt: skip
    p.add_argument("--samples", type=Path, metavar="DIR", help="regenerate the committed samples")
    args = p.parse_args(argv)
    if args.family:
        from .style import FAMILIES, HELD_OUT_FAMILIES, TUNING_FAMILIES

        if args.family == "list":
            for name in FAMILIES:
                print(name, "(tuning)" if name in TUNING_FAMILIES
                      else "(held out)" if name in HELD_OUT_FAMILIES else "(probe)")  # fmt: skip
            return 0
        if args.family not in FAMILIES:
            p.error(f"--family must be one of {', '.join(FAMILIES)} (or list)")
        if args.samples:
            p.error("--family and --samples do not go together")
    out = args.samples or args.out
    if out is None:
        p.error("give --out DIR or --samples DIR")
    try:
        written = _write_set(out, _plan(args), family=bool(args.family))
    except (BatchOCRError, OSError) as e:
        print(f"synth: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
