"""Reading a page in full (the fast path's checked fallback): labels found by their text,
values by their relation to labels and to the table, nothing guessed."""

from __future__ import annotations

import io
import math
import random
from typing import Any

import pytest

from batchocr.documents.words import Word
from batchocr.outputs.fields import normalize
from batchocr.recognize.local.image.ocr import Box
from batchocr.recognize.local.labelled.fullpage import read_full
from batchocr.recognize.local.labelled.misread import named_by_value

H = 30.0  # line height in px


def line(text: str, x: float, y: float, tilt: float = 0.0) -> Box:
    """An OCR line box of ``text`` at (x, y), as wide as its glyphs, turned by ``tilt`` rad."""
    width = sum(H if ord(c) > 0x2E80 else H * 0.55 for c in text)
    corners = ((x, y), (x + width, y), (x + width, y + H), (x, y + H))
    c, s = math.cos(tilt), math.sin(tilt)
    quad = tuple((px * c - py * s, px * s + py * c) for px, py in corners)
    return Box(text, 0.99, quad)  # type: ignore[arg-type]


def page(tilt: float = 0.0, *, drop: tuple[str, ...] = (), swap: dict[str, str] | None = None,
         ) -> list[Box]:  # fmt: skip
    """A two-segment e-invoice page as OCR lines; ``drop`` lines, ``swap`` texts misread."""
    lines = [
        ("发票号码：25625432897358475196", 1200, 100),
        ("旅客姓名", 50, 200), ("有效身份证件号码", 400, 200), ("签注", 950, 200),
        ("曹萍", 60, 250), ("510107********3190", 400, 250), ("不得签转", 960, 250),
        ("承运人", 350, 320), ("航班号", 480, 320), ("座位等级", 600, 320), ("日期", 760, 320),
        ("时间", 880, 320), ("客票级别/客票类别", 990, 320), ("免费行李", 1500, 320),
        ("自：青岛 TAO", 60, 370), ("厦航", 356, 390), ("MF148", 482, 390), ("B", 640, 390),
        ("2025-12-24", 734, 390), ("15:05", 883, 390), ("B1", 1060, 390), ("20K", 1527, 390),
        ("至：武汉 WUH", 60, 420),
        ("自：武汉 WUH", 60, 470), ("厦航", 356, 490), ("MF5260", 480, 490), ("Y", 644, 490),
        ("2025-12-28", 734, 490), ("18:40", 885, 490), ("Y", 1060, 490), ("20K", 1530, 490),
        ("至：兰州 LHW", 60, 520),
        ("票价", 310, 800), ("燃油附加费", 490, 800), ("合计", 1340, 800),
        ("CNY 3642.20", 370, 850), ("CNY 55.05", 575, 850), ("CNY 4130.00", 1470, 850),
        ("电子客票号码：7318090086139", 50, 900),
    ]  # fmt: skip
    swap = swap or {}
    return [line(swap.get(t, t), x, y, tilt) for t, x, y in lines if t not in drop]


def fields(boxes: list[Box]) -> dict[str, object]:
    got, _ = normalize(read_full(boxes).data)
    return flat(got)


def flat(got: dict[str, Any]) -> dict[str, object]:
    """Normalized fields as one mapping: the ticket's by name, a flight's as ``0.flight_no``."""
    out: dict[str, object] = {k: v for k, v in got.items()
                              if k not in ("segments", "extra") and v is not None}  # fmt: skip
    for i, segment in enumerate(got["segments"]):
        out |= {f"{i}.{k}": v for k, v in segment.items() if v is not None}
    return out


def engine_read(family: str, seed: int, noise: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The truth's normalized fields and the offline engine's, for one synthetic page (the
    test is skipped where the OCR models are not installed)."""
    pytest.importorskip("rapidocr_onnxruntime")
    from batchocr.recognize.local.recognizer import recognize
    from synth.variety import generate_family

    sample = generate_family(seed, family, noise)
    buf = io.BytesIO()
    if sample.jpeg_quality is None:
        sample.image.save(buf, "PNG")
    else:  # a phone photo, saved as synth's write_sample saves it
        sample.image.save(buf, "JPEG", quality=sample.jpeg_quality, optimize=True)
    want, _ = normalize(sample.truth["data"])
    got, _ = normalize(recognize(buf.getvalue()))
    return want, got


def ticket_keys(want: dict[str, Any]) -> list[str]:
    """The ticket's own fields the page prints (not its flights)."""
    return [k for k in want if k not in ("segments", "extra") and want[k] is not None]


CLEAN = {
    "invoice_no": "25625432897358475196", "passenger_name": "曹萍",
    "passenger_id_no": "510107********3190", "endorsement": "不得签转",
    "e_ticket_no": "7318090086139", "fare": "3642.20", "fuel_surcharge": "55.05",
    "total": "4130.00",
    "0.from": "青岛 TAO", "0.to": "武汉 WUH", "0.carrier": "厦航", "0.flight_no": "MF148",
    "0.seat_class": "B", "0.date": "2025-12-24", "0.time": "15:05", "0.fare_basis": "B1",
    "0.baggage": "20K",
    "1.from": "武汉 WUH", "1.to": "兰州 LHW", "1.carrier": "厦航", "1.flight_no": "MF5260",
    "1.seat_class": "Y", "1.date": "2025-12-28", "1.time": "18:40", "1.fare_basis": "Y",
    "1.baggage": "20K",
}  # fmt: skip


def without(*keys: str) -> dict[str, object]:
    return {k: v for k, v in CLEAN.items() if k not in keys}


def test_a_clean_page_reads_every_field_by_its_label() -> None:
    """Label：value lines are cut at the colon, cells read under their labels, flights by
    their 自/至 rows and the header above each value."""
    assert fields(page()) == CLEAN


def test_a_tilted_page_reads_the_same() -> None:
    """A scan turned by 3° is turned upright first (the median tilt of its long lines)."""
    assert fields(page(math.radians(3))) == CLEAN


def test_misread_labels_are_named_by_their_text_or_their_neighbours() -> None:
    """One slip in a long label is forgiven; a short header misread beyond recognition is
    named by the headers read on either side of it."""
    swap = {"旅客姓名": "旅客娃名", "日期": "日明", "座位等级": "座级"}
    assert fields(page(swap=swap)) == CLEAN


def test_a_label_at_the_end_of_a_row_is_named_by_the_characters_it_keeps() -> None:
    """``价`` first on the amount row, before 燃油附加费: the one unread label of the row whose
    characters it keeps, 票价 (a lone character is otherwise never taken for a label)."""
    assert fields(page(swap={"票价": "价"})) == CLEAN


# The two footer rows both documents print, labels over their values (a paper itinerary).
FOOTER = [
    ("电子客票号码", 50, 900), ("验证码", 420, 900), ("提示信息", 620, 900), ("保险费", 1200, 900),
    ("7318090086139", 50, 950), ("2381", 420, 950), ("本行程单不作为登机凭证", 620, 950),
    ("20.00", 1200, 950),
    ("销售单位代号", 50, 1000), ("填开单位", 420, 1000), ("填开日期", 1200, 1000),
    ("CAN471", 50, 1050), ("广州鹏程国际旅行社有限公司", 420, 1050), ("2025-12-20", 1200, 1050),
]  # fmt: skip
FOOTER_READ = {"e_ticket_no": "7318090086139", "check_code": "2381",
               "prompt_info": "本行程单不作为登机凭证", "insurance": "20.00",
               "agent_code": "CAN471", "issued_by": "广州鹏程国际旅行社有限公司",
               "issue_date": "2025-12-20"}  # fmt: skip


def footer(swap: dict[str, str], rows: list[tuple[str, float, float]] = FOOTER) -> list[Box]:
    return [*page(drop=("电子客票号码：7318090086139",)),
            *(line(swap.get(t, t), x, y) for t, x, y in rows)]  # fmt: skip


def test_misread_labels_of_the_footer_rows_are_named_by_their_neighbours() -> None:
    """A phone photo's ``城汗单位`` between 销售单位代号 and 填开单位 is 填开单位, and ``示内区
    保质`` after 验证码 are 提示信息 and 保险费 (as many words as unread labels, each keeping
    a character of its own): their free-text values, which no form could vouch for, are read."""
    swap = {"填开单位": "城汗单位", "提示信息": "示内区", "保险费": "保质"}
    assert fields(footer(swap)) == without("e_ticket_no") | FOOTER_READ


def test_the_unread_last_label_of_a_row_is_placed_over_the_value_in_its_cell() -> None:
    """签注 not read at all (a photo's blur): the row's other labels are read, and the text
    on their values' line past the ID number stands in its cell, so it is the endorsement;
    with 签注 and 有效身份证件号码 both unread nothing is placed (one label read is no row;
    the ID number is still read by its form)."""
    assert fields(page(drop=("签注",))) == CLEAN
    assert fields(page(drop=("签注", "有效身份证件号码"))) == without("endorsement")


def test_the_unread_first_label_of_a_row_is_placed_over_the_value_in_its_cell() -> None:
    """The paper itinerary's amount row with 票价 not read at all: the value left of the
    fund's, on the line of values under the row, is the fare."""
    einvoice_row = ("票价", "燃油附加费", "合计", "CNY 3642.20", "CNY 55.05", "CNY 4130.00")
    paper_row = [("民航发展基金", 300, 800), ("燃油附加费", 600, 800), ("其他税费", 900, 800),
                 ("合计", 1200, 800), ("CNY 3642.20", 50, 850), ("CNY 50.00", 300, 850),
                 ("CNY 55.05", 600, 850), ("CNY 382.75", 900, 850), ("CNY 4130.00", 1200, 850)]
    boxes = [*page(drop=einvoice_row), *(line(t, x, y) for t, x, y in paper_row)]
    assert fields(boxes) == CLEAN | {"caac_dev_fund": "50.00", "other_taxes": "382.75"}


def test_values_printed_beside_their_labels_are_never_taken_for_a_misread_label() -> None:
    """Labels with their values beside them on one line: between 销售单位代号 and 填开日期
    stand ``CAN471``, the misread ``城汗单位`` and the agency's name; only the word that can
    be a label is named (the code and the name stay values), and a row read out of its
    order names nothing."""
    beside = [("销售单位代号", 50, 1000), ("CAN471", 250, 1000), ("城汗单位", 420, 1000),
              ("广州鹏程国际旅行社有限公司", 560, 1000), ("填开日期", 1000, 1000),
              ("2025-12-20", 1150, 1000)]  # fmt: skip
    read = fields(footer({}, beside))
    assert {k: read.get(k) for k in ("agent_code", "issued_by", "issue_date")} == {
        "agent_code": "CAN471", "issued_by": "广州鹏程国际旅行社有限公司",
        "issue_date": "2025-12-20"}  # fmt: skip


def test_an_english_half_beside_a_header_is_no_value() -> None:
    """``TME`` (TIME) read as its own box beside 时间, with a 自 line boxed tall enough that
    the segment's band reaches the header line: it is no second line in the 时间 cell, which
    would leave the time and the destination out as two flights run together."""
    tme = Box("TME", 0.99, ((945, 320), (985, 320), (985, 350), (945, 350)))
    tall = Box("自：青岛 TAO", 0.99, ((60, 352), (246, 352), (246, 418), (60, 418)))
    assert fields([*page(drop=("自：青岛 TAO",)), tall, tme]) == CLEAN


def test_labels_a_photo_shrank_are_named_by_their_values_form() -> None:
    """``电子多号码`` beside 13 digits is 电子客票号码 and ``发账号`` beside 20 digits is
    发票号码 (two of the label's characters kept, and only that field takes such a value);
    ``姓`` over a name is no label by its value (a name has no form to vouch for it), only
    by its place first on the row of 有效身份证件号码 and 签注."""
    swap = {"电子客票号码：7318090086139": "电子多号码 7318090086139",
            "发票号码：25625432897358475196": "发账号 25625432897358475196",
            "旅客姓名": "姓"}  # fmt: skip
    assert fields(page(swap=swap)) == CLEAN
    name = [Word("姓", 0, 0, 10, 10), Word("曹萍", 0, 20, 20, 30)]
    assert [w.text for w in named_by_value(name)] == ["姓", "曹萍"]


def test_numbers_of_a_form_no_other_field_has_need_no_label() -> None:
    """Labels lost, values read: on an e-invoice (its title says so) 20 digits are the
    发票号码, ``9%`` the rate; 13 starting with a carrier's prefix the e-ticket number, a
    masked ID number the passenger's, also with what is left of a label run into them
    (``码2562…``). Two different 13-digit numbers, a page that does not tell which document
    it is, a number or rate read unsure (nothing checks it), or an ID-like run with a star
    too many, its stars unread or a short mask name nothing."""
    from batchocr.recognize.local.labelled.forms import by_form

    swap = {"电子客票号码：7318090086139": "7318090086139",
            "发票号码：25625432897358475196": "码25625432897358475196"}  # fmt: skip
    bare = [line("电子发票（航空运输电子客票行程单）", 300, 20), *page(swap=swap)]
    assert fields([*bare, line("9%", 1200, 1000)]) == {**CLEAN, "vat_rate": "9%"}
    assert fields([*bare, line("7318090086138", 50, 1000)]) == without("e_ticket_no")
    assert fields(page(swap=swap)) == without("invoice_no")
    unsure = [Box(b.text, 0.95, b.quad) if b.text in ("7318090086139", "9%") else b
              for b in [*bare, line("9%", 1200, 1000)]]  # fmt: skip
    assert fields(unsure) == without("e_ticket_no")  # no label, no check: must read sure

    def named(text: str) -> list[tuple[str, str]]:
        return [(d["Name"], d["Value"]) for d in by_form([], [Word(text, 0, 0, 200, 20)])]

    assert named("510107********3190") == [("有效身份证件号码", "510107********3190")]
    # a photo's stars run together, read in part as dots: still eight, still the ID number
    assert named("510107**.*.*.*3190") == [("有效身份证件号码", "510107**.*.*.*3190")]
    assert named("510107*********3190") == named("5101073190") == named("51*****3190") == []
    assert named("号码：510107 ********3190.") == [("有效身份证件号码", "510107********3190")]


def test_a_masked_id_number_boxed_in_two_or_run_into_its_english_label_is_read() -> None:
    """Detection boxed a masked ID number in two, its stars split between them (a pen's
    ring beside the second: ``(``) or some unread: the two pieces are one number; two such
    pieces far apart are not, unless the stars between them went unread. ``ID.NO.`` read
    ``IoNo.`` and run into the number, six stars read for eight: still the passenger's ID
    number."""
    ids = "510107********3190"
    parts = [line("510107**", 400, 250), line("(******3190", 400 + 8 * H * 0.55 + 8, 252)]
    assert fields([*page(drop=(ids,)), *parts]) == CLEAN
    unread = [parts[0], line("3190", 400 + 8 * H * 0.55 + 8, 250)]  # the rest of the stars
    assert fields([*page(drop=(ids,)), *unread]) == CLEAN
    apart = [parts[0], line("(******3190", 400 + 8 * H * 0.55 + 3 * H, 252)]
    assert fields([*page(drop=(ids,)), *apart]) == without("passenger_id_no")
    ends = [line("510107*", 400, 250), line("*3190", 400 + 7 * H * 0.55 + 4 * H, 250)]
    assert fields([*page(drop=(ids,)), *ends]) == CLEAN  # the middle stars unread
    assert fields(page(swap={ids: "IoNo.510107******3190"})) == CLEAN


def test_a_checked_ticket_field_only_the_other_reading_has_is_pooled() -> None:
    """Of two readings of one page, the one with more entries is kept, and the masked ID
    number (its shape and region vouch for it) only the other read is added; an agency
    (nothing checks it) is not, unless the other read more of the ticket's fields."""
    from batchocr.recognize.local.labelled.fullpage import FullReading
    from batchocr.recognize.local.readings import pooled as _pooled

    more = FullReading([{"Name": "签注", "Value": "不得签转", "Row": -1},
                        {"Name": "旅客姓名", "Value": "曹萍", "Row": -1},
                        {"Name": "航班号", "Value": "MF148", "Row": 0},
                        {"Name": "座位等级", "Value": "B", "Row": 0}])  # fmt: skip
    other = FullReading([{"Name": "有效身份证件号码", "Value": "510107********3190", "Row": -1},
                         {"Name": "填开单位", "Value": "某某旅行社", "Row": -1}])  # fmt: skip
    pooled = ["签注", "旅客姓名", "航班号", "座位等级", "有效身份证件号码"]
    assert [d["Name"] for d in _pooled(more, other).data] == pooled
    assert [d["Name"] for d in _pooled(other, more).data] == pooled
    fewer = FullReading([more.data[0], *more.data[2:]])  # one field of the ticket to its two
    assert [d["Name"] for d in _pooled(fewer, other).data] == [
        "签注", "航班号", "座位等级", "有效身份证件号码", "填开单位"]


def test_a_flight_whose_number_two_readings_read_apart_is_pooled_by_its_stations() -> None:
    """An ink-parted reading and the page's read one flight's number two ways (``HO8253``,
    ``HO5253``: dots): its cells only the other read join it by its stations and time, its
    number stays the kept reading's; a flight alike in one field only is another flight."""
    from batchocr.recognize.local.labelled.fullpage import FullReading
    from batchocr.recognize.local.readings import pooled as _pooled

    def flight(number: str, time: str, *more: tuple[str, str]) -> list[dict[str, object]]:
        cells = (("航班号", number), ("自", "厦门"), ("至", "长沙"), ("时间", time), *more)
        return [{"Name": k, "Value": v, "Row": 0} for k, v in cells]

    parted = FullReading([*flight("HO8253", "10:55"), {"Name": "日期", "Value": "2024-07-07",
                                                       "Row": 0}])  # fmt: skip
    page = FullReading(flight("HO5253", "10:55", ("座位等级", "Y")))
    got = {d["Name"]: d["Value"] for d in _pooled(parted, page).data}
    assert got["航班号"] == "HO8253" and got["座位等级"] == "Y" and len(got) == 6
    other = FullReading([{**d, "Value": "杭州"} if d["Name"] == "自" else d
                         for d in flight("HO5253", "18:20", ("座位等级", "Y"))])  # fmt: skip
    assert "座位等级" not in {d["Name"] for d in _pooled(parted, other).data}


def test_a_number_nothing_checks_is_kept_only_when_read_the_same_twice() -> None:
    """The engine reads the line of a 发票号码 or 电子客票号码 it is not sure of again
    stretched: a digit that changes leaves the number out; the same digits keep it. A number
    no line of the page holds (read from an ink layer, which a worn head's faded digits
    misled: ``21010300807`` for 24940309367 at 0.86) is left out; a date or a time, which
    the value may print otherwise (``17JUL24``), is kept."""
    from batchocr.recognize.local.labelled.confirm import confirmed

    boxes = [Box(b.text, 0.95, b.quad) for b in page()]
    data = read_full(boxes).data
    changed = {"发票号码：25625432897358475196": "发票号码：25625432897358475156"}

    def reread(at: object) -> list[Box]:
        return [Box(changed.get(b.text, b.text), b.score, b.quad) for b in boxes]

    kept = confirmed(data, boxes, reread)
    assert [d for d in data if d not in kept] == [d for d in data if d["Name"] == "发票号码"]
    assert confirmed(data, boxes, lambda at: boxes) == data
    numbers = ("发票号码", "电子客票号码")
    assert confirmed(data, [], reread) == [d for d in data if d["Name"] not in numbers]


def test_a_header_row_a_photo_left_little_of_is_named_in_order() -> None:
    """``人 号 座位等级 台期 时间 级#票类别 免费行``: each word named by the header it keeps
    characters of, in the order the table prints them; every flight value lands."""
    swap = {"承运人": "人", "航班号": "号", "日期": "台期", "客票级别/客票类别": "级#票类别",
            "免费行李": "免费行"}  # fmt: skip
    assert fields(page(swap=swap)) == CLEAN


def test_an_unread_station_line_shifts_no_flight() -> None:
    """Without its 自 line the first segment still starts under the header (its origin left
    out); without a 至 line a segment ends at the next 自: no value lands in another row;
    with every 自 line unread, the 至 lines left are no paper itinerary's chain (whose first
    station would have been taken for the first origin, each flight read a row early)."""
    assert fields(page(drop=("自：青岛 TAO",))) == without("0.from")
    assert fields(page(drop=("至：武汉 WUH",))) == without("0.to")
    assert fields(page(drop=("自：青岛 TAO", "自：武汉 WUH"))) == without("0.from", "1.from")


def test_a_label_takes_the_value_under_it_when_its_line_goes_on_far_off() -> None:
    """A label printed over its value (no colon) with another cell's text far along its line
    (more than eight glyphs off): that text is not its value, the line under it is. (The
    other cell's text, a stock prompt read whole, is the 提示信息.)"""
    boxes = page(drop=("电子客票号码：7318090086139",))
    boxes += [line("电子客票号码", 50, 900), line("7318090086139", 50, 940),
              line("请于起飞前45分钟到达机场", 700, 900)]  # fmt: skip
    assert fields(boxes) == {**CLEAN, "prompt_info": "请于起飞前45分钟到达机场"}


def test_english_halves_misread_past_naming_are_no_values() -> None:
    """A photo's English halves read as letters the recognizer doubts (``HOKTNO`` under
    电子客票号码, ``FORMAEON`` under a label itself misread, ``DNG`` a sliver under
    有效身份证件号码) stand where values are looked for: they are not taken for them."""
    def doubted(text: str, x: float, y: float, height: float = 20) -> Box:
        quad = ((x, y), (x + 16 * len(text), y), (x + 16 * len(text), y + height), (x, y + height))
        return Box(text, 0.5, quad)  # type: ignore[arg-type]

    boxes = page(drop=("电子客票号码：7318090086139",))
    boxes += [line("电子客票号码", 50, 900), doubted("HOKTNO", 50, 928),
              line("7318090086139", 50, 950), line("示内区", 500, 900),
              doubted("FORMAEON", 500, 928), line("请于起飞前45分钟到达机场", 500, 950),
              doubted("DNG", 400, 230, height=8)]  # fmt: skip
    assert fields(boxes) == {**CLEAN, "prompt_info": "请于起飞前45分钟到达机场"}


AMOUNT_ROW = ("CNY 3642.20", "CNY 55.05", "9%", "CNY 332.75", "CNY 50.00", "CNY 0.00",
              "CNY 4080.00")  # fmt: skip
AMOUNTS = {"fare": "3642.20", "fuel_surcharge": "55.05", "vat_rate": "9%",
           "vat_amount": "332.75", "caac_dev_fund": "50.00", "other_taxes": "0.00",
           "total": "4080.00"}  # fmt: skip


def amount_row(*texts: str) -> list[Box]:
    """The e-invoice's amount row with its labels unread: its values alone, left to right."""
    return [line(t, 310 + 170 * i, 850) for i, t in enumerate(texts)]


def test_amounts_whose_labels_went_unread_are_named_by_their_order() -> None:
    """The e-invoice prints its seven amounts in one order; read without their labels, they
    are named by it, since the parts sum to the total and the VAT is 9 % of fare and fuel."""
    drop = ("票价", "燃油附加费", "合计", "CNY 3642.20", "CNY 55.05", "CNY 4130.00")
    got = fields(page(drop=drop) + amount_row(*AMOUNT_ROW))
    assert got == {**without("fare", "fuel_surcharge", "total"), **AMOUNTS}


def test_an_amount_row_wrapped_onto_two_lines_is_named_by_its_order() -> None:
    """A narrower form prints the e-invoice's row as four amounts and three below; read
    along the lines it is the same row; with another amount on its first line it is none,
    and only the equations name amounts: not the two fees they cannot tell apart."""
    drop = ("票价", "燃油附加费", "合计", "CNY 3642.20", "CNY 55.05", "CNY 4130.00")
    wrapped = [line(t, 310 + 170 * (i % 4), 850 + 60 * (i // 4)) for i, t in enumerate(AMOUNT_ROW)]
    got = fields(page(drop=drop) + wrapped)
    assert got == {**without("fare", "fuel_surcharge", "total"), **AMOUNTS}
    more = [*wrapped, line("CNY 12.00", 1200, 850)]
    got = fields(page(drop=drop) + more)
    fees = ("caac_dev_fund", "other_taxes")
    assert got == {**without("fare", "fuel_surcharge", "total"),
                   **{k: v for k, v in AMOUNTS.items() if k not in fees}}  # fmt: skip


def test_an_amount_row_that_does_not_add_up_names_nothing() -> None:
    """One amount misread (4080 read 4086), one unread, the row of the other document, or a
    label's value that disagrees: the order alone would guess, so no amount is named by it
    (the rate alone is, by its form: the page prints no other)."""
    drop = ("票价", "燃油附加费", "合计", "CNY 3642.20", "CNY 55.05", "CNY 4130.00")
    base = without("fare", "fuel_surcharge", "total")
    rate = {**base, "vat_rate": "9%"}
    assert fields(page(drop=drop) + amount_row(*AMOUNT_ROW[:-1], "CNY 4086.00")) == rate
    assert fields(page(drop=drop) + amount_row(*AMOUNT_ROW[1:])) == rate
    # Rate and other taxes unread: the five left add up as the paper itinerary's row would
    # (the e-invoice's other taxes are nil), but the page is an e-invoice (发票号码): not
    # named by that order; the e-invoice's equations at a domestic flight's 9% name the four
    # they tell apart (not the fees, nor the rate no line holds).
    five = (AMOUNT_ROW[0], AMOUNT_ROW[1], AMOUNT_ROW[3], AMOUNT_ROW[4], AMOUNT_ROW[6])
    by_sum = {k: v for k, v in AMOUNTS.items() if k not in ("caac_dev_fund", "other_taxes",
                                                           "vat_rate")}  # fmt: skip
    assert fields(page(drop=drop) + amount_row(*five)) == base | by_sum
    elsewhere = line("合计：CNY 4130.00", 900, 1000)  # the total, printed again by its label
    got = fields([*page(drop=drop), *amount_row(*AMOUNT_ROW), elsewhere])
    named = {"total": "4130.00", "vat_rate": "9%"}
    assert {k: got.get(k) for k in AMOUNTS} == dict.fromkeys(AMOUNTS) | named


def test_amounts_whose_vat_equation_fails_are_left_out_and_no_other_reading_adds_them() -> None:
    """The VAT read with a glyph lost (``32.75`` for 332.75, hidden under a label): the
    equation fails past repair and nothing tells which amount is off, so none is kept, the
    rate neither; a second reading of the page that has no surcharge (so cannot check them)
    adds none back, unless its amounts add up whole."""
    from batchocr.recognize.local.labelled.fullpage import FullReading
    from batchocr.recognize.local.readings import pooled, with_missing

    vat = [line("增值税税率", 700, 800), line("9%", 720, 850), line("增值税税额", 900, 800)]
    right = fields([*page(), *vat, line("CNY 332.75", 910, 850)])
    assert right == {**CLEAN, "vat_rate": "9%", "vat_amount": "332.75"}
    refuted = read_full([*page(), *vat, line("CNY 32.75", 910, 850)])
    assert refuted.refuted and flat(normalize(refuted.data)[0]) == without(
        "fare", "fuel_surcharge", "total")
    unchecked = FullReading([{"Name": n, "Value": v, "Row": -1} for n, v in (
        ("票价", "3642.20"), ("增值税税率", "9%"), ("增值税税额", "32.75"), ("合计", "4130.00"))])
    for both in (with_missing(refuted, unchecked), pooled(refuted, unchecked),
                 pooled(unchecked, refuted)):  # fmt: skip
        assert both.refuted and not {"票价", "增值税税额", "合计"} & {d["Name"] for d in both.data}
    whole = [{"Name": n, "Value": v, "Row": -1} for n, v in zip(
        ("票价", "燃油附加费", "增值税税率", "增值税税额", "民航发展基金", "其他税费", "合计"),
        (a.removeprefix("CNY ") for a in AMOUNT_ROW), strict=True)]
    adds_up = pooled(FullReading(whole), refuted)
    assert not adds_up.refuted and {d["Name"] for d in whole} <= {d["Name"] for d in adds_up.data}


def test_a_value_that_is_not_its_field_s_form_is_left_out() -> None:
    """A date, a time or a flight number that does not read as one is missing, never wrong;
    so is an ID number whose first two digits name no province (``85…``: a ``3`` misread)."""
    swap = {"2025-12-24": "2025-13-24", "15:05": "1505:", "MF5260": "M5",
            "510107********3190": "850107********3190"}  # fmt: skip
    assert fields(page(swap=swap)) == without("0.date", "0.time", "1.flight_no",
                                              "passenger_id_no")  # fmt: skip


def test_stations_take_the_form_s_spacing_and_refuse_neighbouring_text() -> None:
    """``武汉WUH`` is 武汉 WUH; a city run into the next cell's text is no station."""
    got = fields(page(swap={"至：武汉 WUH": "至：武汉WUH", "至：兰州 LHW": "至：兰州LHW 液航"}))
    assert got == without("1.to")


@pytest.mark.parametrize("noise", ["clean", "light"])
def test_the_published_form_reads_through_the_engine(noise: str) -> None:
    """A page in the real e-invoice layout (which no tuning saw) read by the offline engine:
    the fast path finds no template it knows, the page is read in full, and what is read
    is right."""
    want, got = engine_read("einvoice-real", 1100001, noise)
    keys = ticket_keys(want)
    exact = [k for k in keys if got[k] == want[k]]
    wrong = [k for k in keys if got[k] is not None and got[k] != want[k]]
    assert wrong == []
    assert len(exact) >= len(keys) - 2
    assert [s["flight_no"] for s in got["segments"]] == [s["flight_no"] for s in want["segments"]]


@pytest.mark.parametrize(("family", "seed", "noise"), [("einvoice-ruled-kai", 1600002, "clean"),
                                                    ("paper-serif-colour", 1600001, "light"),
                                                    ("paper-serif-colour", 1600002, "clean"),
                                                    ("einvoice-mono-left", 12000003, "light")])
def test_a_masked_id_number_is_read_again_stretched(family: str, seed: int, noise: str) -> None:
    """Tuning pages whose masked ID number the recognizer reads with a digit merged into
    the asterisks (``510107*********361``): read again stretched, it is read right. On the
    third, the form's rule crosses the number's first digit (``$1010*********361``): only its
    own ink (the page read an ink at a time) reads, and again stretched, right. On the
    fourth the long mask reads short (``11****0140`` for ``610113********0140``), which the
    ID's shape restored to a short mask's, a wrong number: a number no line printed as it
    is read is read again stretched too."""
    want, got = engine_read(family, seed, noise)
    assert got["passenger_id_no"] == want["passenger_id_no"]


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_turned_page_is_read_upright(turn: int) -> None:
    """A page scanned a quarter or half turn off reads as the upright page does: its lines
    stand upright (a quarter turn: both ways are tried) or it reads as nothing (half)."""
    pytest.importorskip("rapidocr_onnxruntime")
    from batchocr.recognize.local.recognizer import recognize
    from synth import generate

    sample = generate(1400001, "einvoice", "light")
    buf = io.BytesIO()
    sample.image.rotate(turn, expand=True).save(buf, "PNG")
    want, _ = normalize(sample.truth["data"])
    got, _ = normalize(recognize(buf.getvalue()))
    assert got["e_ticket_no"] == want["e_ticket_no"]
    assert got["passenger_name"] == want["passenger_name"]
    assert got["segments"] == want["segments"]


@pytest.mark.parametrize("turn", [90, 270])
def test_a_sideways_page_is_turned_the_right_way_first(turn: int) -> None:
    """A page whose lines stand upright is not read before it is turned: a few of its
    longest lines read both ways up tell which quarter turn sets it upright."""
    pytest.importorskip("rapidocr_onnxruntime")
    from batchocr.recognize.local.image import ocr
    from synth import generate

    page = ocr.read_page(generate(1400001, "einvoice", "light").image.rotate(turn, expand=True))
    assert page.turned and page.boxes == ()
    assert page.upright == 360 - turn


@pytest.mark.parametrize("turn", [0, 180])
def test_an_upside_down_page_is_turned_before_its_lines_are_read(turn: int) -> None:
    """A page upside down is told by its three longest lines, read as they lie and turned:
    none of its other lines is read before it is turned. An upright page is read whole, its
    probe lines read once."""
    pytest.importorskip("rapidocr_onnxruntime")
    from batchocr.recognize.local.image import ocr
    from synth import generate

    image = generate(1400001, "einvoice", "light").image.rotate(turn, expand=True)
    page = ocr.read_page(image, orient=True)
    if turn:
        assert page.turned and page.upright == 180 and page.boxes == ()
    else:
        assert not page.turned and page.boxes == ocr.read_page(image).boxes
    assert ocr.read_page(image).boxes  # (not asked which way up: read as it lies)


def test_a_label_with_another_cells_text_far_along_its_line_takes_the_value_under_it() -> None:
    """A photo's small labels (paper-serif-colour 12300000 heavy, its lines as read): three
    read, two of them with text far along their line that is another cell's (the insurance
    amount; ``单视``, the label 填开单位 misread), their values printed under them. Far text
    is no value beside a label (only text close beside tells a form that prints its values
    beside their labels): the office code is the one under its label."""
    def box(text: str, x0: int, top: int, x1: int, bottom: int, score: float = 0.99) -> Box:
        return Box(text, score, ((x0, top), (x1, top), (x1, bottom), (x0, bottom)))

    boxes = [
        box("有效身份证件号码", 287, 179, 378, 199, 0.73),
        box("420106********4287", 280, 194, 418, 220),
        box("不得签转/变更退票收费", 651, 190, 810, 218),
        box("电子客票号码", 67, 473, 143, 497, 0.73), box("CNY40.00", 731, 483, 805, 504, 0.89),
        box("本行程单不作为登机凭证", 441, 485, 617, 510), box("8409", 306, 490, 343, 512, 0.88),
        box("8808883882429", 58, 494, 167, 516),
        box("销售网点代号", 68, 533, 139, 550, 0.55), box("单视", 405, 525, 458, 544, 0.6),
        box("南宁云途国际旅行社有限公司", 402, 542, 608, 567), box("NNG658", 57, 552, 110, 572),
    ]
    got = {d["Name"]: d["Value"] for d in read_full(boxes).data}
    assert got["销售网点代号"] == "NNG658"
    assert got["电子客票号码"] == "8808883882429"


def test_two_flights_that_run_together_are_read_by_their_lines() -> None:
    """With the 至 line of one segment and the 自 line of the next unread (the city with
    them), one band between the marks holds two flights' values: each flight is read on its
    own line, under the headers, and the stations that went unread are left out, never taken
    from the other flight (青岛 is no origin of the second, 兰州 no destination of the first)."""
    got = fields(page(drop=("至：武汉 WUH", "自：武汉 WUH")))
    flights = {k: v for k, v in got.items() if k[0].isdigit()}
    assert flights == {k: v for k, v in CLEAN.items()
                       if k[0].isdigit() and k not in ("0.to", "1.from")}  # fmt: skip
    assert {k: v for k, v in got.items() if not k[0].isdigit()} == {
        k: v for k, v in CLEAN.items() if not k[0].isdigit()
    }


def paper(shift: float = 0.0, *, swap: dict[str, str] | None = None) -> list[Box]:
    """A two-flight paper itinerary: one 自 line, then 至 lines; each flight printed on its
    departure city's line. ``shift`` moves the data pass down (a misregistered printer)."""
    form = [
        ("承运人", 350, 320), ("航班号", 480, 320), ("座位等级", 600, 320), ("日期", 760, 320),
        ("时间", 880, 320), ("客票级别/客票类别", 990, 320), ("免费行李", 1500, 320),
        ("自", 40, 370), ("至", 40, 420), ("至", 40, 470), ("至", 40, 520),
    ]  # fmt: skip
    data = [
        ("广州", 90, 370), ("上航", 356, 370), ("FM8443", 482, 370), ("Y", 640, 370),
        ("23JAN24", 760, 370), ("1540", 883, 370), ("Y", 1060, 370), ("20K", 1527, 370),
        ("哈尔滨", 90, 420), ("上航", 356, 420), ("FM736", 482, 420), ("L", 640, 420),
        ("24JAN24", 760, 420), ("2035", 883, 420), ("L2", 1060, 420), ("20K", 1527, 420),
        ("济南", 90, 470), ("VOID", 90, 520),
    ]  # fmt: skip
    swap = swap or {}
    return [line(swap.get(t, t), x, y) for t, x, y in form] + [
        line(swap.get(t, t), x, y + shift) for t, x, y in data
    ]


PAPER = {
    "0.from": "广州", "0.to": "哈尔滨", "0.carrier": "上航", "0.flight_no": "FM8443",
    "0.seat_class": "Y", "0.date": "2024-01-23", "0.time": "15:40", "0.fare_basis": "Y",
    "0.baggage": "20K",
    "1.from": "哈尔滨", "1.to": "济南", "1.carrier": "上航", "1.flight_no": "FM736",
    "1.seat_class": "L", "1.date": "2024-01-24", "1.time": "20:35", "1.fare_basis": "L2",
    "1.baggage": "20K",
}  # fmt: skip


@pytest.mark.parametrize("shift", [0.0, 0.4 * H, 0.7 * H, 1.0 * H, -0.7 * H, -1.0 * H])
def test_a_paper_table_reads_each_flight_on_its_departure_line(shift: float) -> None:
    """自, 至, 至, 至: flight k leaves from the k-th station for the next, its values on the
    k-th city's line (also when the data pass is printed off the form's lines, up to a line
    height either way: past half a line each city stands nearer the next mark, and the
    first flight was read from the second's line)."""
    assert fields(paper(shift)) == PAPER


def test_a_table_whose_marks_went_unread_is_read_by_its_header_row() -> None:
    """A photo's small 自/至 marks unread: the lines with a flight number under 航班号 are the
    flights, each from the city on its line to the next city down."""
    unmarked = [b for b in paper() if b.text not in ("自", "至")]
    assert fields(unmarked) == PAPER


def test_a_paper_table_whose_first_mark_went_unread_counts_no_station_early() -> None:
    """The 自 mark unread, the 至 lines are no chain to count stations down from (哈尔滨
    would be the first origin, each flight read a row early): the table is read by its
    header row."""
    assert fields([b for b in paper() if b.text != "自"]) == PAPER


def test_an_unmarked_table_takes_no_station_past_another_flight() -> None:
    """With the marks and the middle city unread, 济南 is not the first flight's destination
    (the second flight's line lies between): both stations are left out, the rest read."""
    unmarked = [b for b in paper() if b.text not in ("自", "至", "哈尔滨")]
    assert fields(unmarked) == {k: v for k, v in PAPER.items() if k not in ("0.to", "1.from")}


def test_a_flight_whose_marks_went_unread_keeps_its_place_before_the_next() -> None:
    """The first flight's 自/至 unread, the second's read: the second is no first flight. The
    header row (航班号 misread, put back between its neighbours) finds both flight numbers
    (one read ``mF148``), so the table is read by its columns; a speck read as ``x:``
    inside it is no label that ends the table."""
    unread = {"自：青岛 TAO": "青岛 TAO", "至：武汉 WUH": "武汉 WUH", "航班号": "信",
              "MF148": "mF148"}  # fmt: skip
    assert fields([*page(swap=unread), line("x:", 1300, 395)]) == CLEAN


BESIDE = (("国内国际标识", 50, 130), ("国内", 250, 130), ("验证码", 600, 900),
          ("8693", 700, 900), ("销售网点代号", 50, 950), ("CGO644", 250, 950), ("保险费", 900, 950),
          ("20.00", 1000, 950), ("购买方名称", 50, 1000), ("南宁远航工程有限公司", 220, 1000),
          ("提示信息", 600, 1000), ("请于起飞前45分钟到达机场", 750, 1000))  # fmt: skip


def test_a_row_of_labels_with_nothing_beside_reads_under_on_a_form_of_beside_labels() -> None:
    """The e-invoice prints most labels beside their values but 旅客姓名, 有效身份证件号码 and
    签注 over theirs; with its amount labels unread the page looks like a form of beside
    labels, whose blank cells are blank. A whole row of labels with nothing beside any of
    them is a header row all the same: its values are the line under it."""
    got = fields(page(drop=("票价", "燃油附加费", "合计")) + [line(*b) for b in BESIDE])
    under = ("passenger_name", "passenger_id_no", "endorsement")
    assert {k: got.get(k) for k in under} == {k: CLEAN[k] for k in under}


@pytest.mark.parametrize(("score", "read"), [(0.74, None), (0.76, "曹萍")])
def test_a_name_read_unsurely_is_left_out(score: float, read: str | None) -> None:
    """A misread name still reads as a name (``刘烂兰``): below 0.75 it is not taken."""
    boxes = [Box(b.text, score, b.quad) if b.text == "曹萍" else b for b in page()]
    assert fields(boxes).get("passenger_name") == read


def test_a_lone_letter_in_a_wide_empty_cell_is_read_cut_to_its_ink() -> None:
    """A tuning page's fare basis ``Y`` alone in a wide ruled cell: detection misses it, the
    cell read whole scores it 0.22 (under the floor); cut to its ink it reads."""
    want, got = engine_read("einvoice-ruled-kai", 1760003, "clean")
    assert got["segments"][0]["fare_basis"] == want["segments"][0]["fare_basis"] == "Y"


def test_a_speck_read_after_a_label_is_no_value_beside_it() -> None:
    """``签注.``, ``旅客姓名。``: a speck by the label read as a dot; the value is still the
    one under the label."""
    assert fields(page(swap={"签注": "签注.", "旅客姓名": "旅客姓名。"})) == CLEAN


def test_an_e_invoice_s_unlabelled_amounts_are_named_by_its_two_equations() -> None:
    """A photo of the e-invoice whose small amount labels went unread, its amounts in a grid
    of cells (no row to name them by order): 税额 = (票价 + 燃油附加费) x 税率 and 合计 = the
    sum name the rate, the VAT, the total, and the fare and fuel surcharge (one ten times
    the other); the two fees the equations cannot tell apart stay unnamed. A total read a
    cent off names none of the amounts (the rate, a form only it has, is still named)."""
    grid = [("电子发票（航空运输电子客票行程单）", 300, 20), ("燃油27.52", 400, 300),
            ("9%", 600, 300), ("202.30", 800, 300), ("CNY 2220.18", 100, 350),
            ("计2500.00", 800, 350), ("50.00", 100, 400), ("0.00", 400, 400)]  # fmt: skip
    assert fields([line(*g) for g in grid]) == {
        "vat_rate": "9%", "vat_amount": "202.30", "total": "2500.00", "fare": "2220.18",
        "fuel_surcharge": "27.52"}  # fmt: skip
    grid[5] = ("计2500.01", 800, 350)
    assert fields([line(*g) for g in grid]) == {"vat_rate": "9%"}


HEADERS = ("承运人", "航班号", "座位等级", "日期", "时间", "客票级别/客票类别", "免费行李")


def test_a_table_whose_headers_and_marks_went_unread_is_read_by_its_cells_forms() -> None:
    """A phone photo of the e-invoice's faint small print: no header, no 自/至 read. Each
    line with a flight number then a date or a time is a flight, its cells named by form in
    the order every form prints them; its stations the cities above and below it."""
    unmarked = {t: t.split("：")[1] for t in ("自：青岛 TAO", "至：武汉 WUH", "自：武汉 WUH",
                                             "至：兰州 LHW")}  # fmt: skip
    assert fields(page(drop=HEADERS, swap=unmarked)) == CLEAN


def test_a_headless_table_s_flight_whose_number_went_unread_keeps_its_row() -> None:
    """No header, no 自/至 read, and the first flight's number misread (``F148``): its line
    still holds a flight's date and time, so it is row 0 (the second flight is not read into
    it), its number left out; a date run into its time with a speck (``2025-12-24:15:05``)
    is two cells; a city and its carrier read as one word (``青岛厦航``) are two."""
    unmarked = {t: t.split("：")[1].split()[0] for t in ("自：青岛 TAO", "至：武汉 WUH",
                                                       "自：武汉 WUH", "至：兰州 LHW")}  # fmt: skip
    want = {k: v for k, v in CLEAN.items() if not k.startswith("0.")}
    want |= {k: v for k, v in CLEAN.items() if k.startswith("0.") and k != "0.flight_no"}
    want |= {"0.from": "青岛", "0.to": "武汉", "1.from": "武汉", "1.to": "兰州"}
    assert fields(page(drop=HEADERS, swap={**unmarked, "MF148": "F148"})) == want
    run = page(drop=(*HEADERS, "2025-12-24", "15:05"), swap={**unmarked, "MF148": "F148"})
    assert fields([*run, line("2025-12-24:15:05", 734, 390)]) == want
    # (an empty cell read again gives its line's number twice: still one flight)
    twice = [*page(drop=HEADERS, swap=unmarked), line("MF148", 483, 391)]
    assert fields(twice) == fields(page(drop=HEADERS, swap=unmarked))
    # (the e-invoice's drawing: each origin on its flight's line, beside the carrier)
    glued = [*page(drop=(*HEADERS, "厦航", *unmarked)), line("青岛厦航", 300, 390),
             line("武汉厦航", 300, 490), line("兰州", 300, 540)]  # fmt: skip
    got = fields(glued)
    assert [got[f"{row}.{k}"] for row in (0, 1) for k in ("from", "to", "carrier")] == [
        "青岛", "武汉", "厦航", "武汉", "兰州", "厦航"]


def test_a_headless_table_whose_numbers_all_misread_is_read_by_its_dated_lines() -> None:
    """No header, no 自/至, no flight number read (``F148``, ``5260``): each line with a
    Chinese word (its carrier) before a date and a time is a flight, in order, its number
    left out; a date and a time alone on a line (a timestamp) are no flight."""
    unmarked = {t: t.split("：")[1].split()[0] for t in ("自：青岛 TAO", "至：武汉 WUH",
                                                       "自：武汉 WUH", "至：兰州 LHW")}  # fmt: skip
    misread = page(drop=HEADERS, swap={**unmarked, "MF148": "F148", "MF5260": "5260"})
    got = fields([*misread, line("2025-12-30 10:25", 900, 1100)])
    want = {k: v.split()[0] for k, v in CLEAN.items()  # (the stations' codes were dropped)
            if k[0].isdigit() and k not in ("0.flight_no", "1.flight_no")}
    assert {k: v for k, v in got.items() if k[0].isdigit()} == want


def test_a_headless_table_s_number_with_a_look_alike_letter_is_a_flight_and_an_id_no_flight(
) -> None:  # fmt: skip
    """No header, no 自/至 (a heavy photo of an ochre e-invoice, probe seed 9620011): the
    second flight's number read ``MFS260`` (S for 5) is still its row's number (before, its
    row was lost and the flight below took it), and a line above the table holding an ID
    number's pieces (``SI010``, ``5562``: no clock's time) is no flight."""
    unmarked = {t: t.split("：")[1].split()[0] for t in ("自：青岛 TAO", "至：武汉 WUH",
                                                       "自：武汉 WUH", "至：兰州 LHW")}  # fmt: skip
    want = {k: v.split()[0] if k[0].isdigit() and k[2:] in ("from", "to") else v
            for k, v in CLEAN.items()}  # (the stations' codes were dropped)
    got = fields([*page(drop=HEADERS, swap={**unmarked, "MF5260": "MFS260"}),
                  line("效#片号", 350, 180), line("SI010", 450, 180), line("5562", 530, 180)])
    assert {k: v for k, v in got.items() if k[0].isdigit()} == {
        k: v for k, v in want.items() if k[0].isdigit()}


def test_a_flight_under_the_header_row_whose_number_misread_keeps_its_row() -> None:
    """Header row read, 自/至 unread, the first flight's number misread (``F148``): the
    second flight was read into row 0, a wrong value in every column; the first flight's
    line holds a date under 日期 and a time under 时间, so it keeps row 0, its number left
    out."""
    unmarked = {t: t.split("：")[1] for t in ("自：青岛 TAO", "至：武汉 WUH", "自：武汉 WUH",
                                             "至：兰州 LHW")}  # fmt: skip
    assert fields(page(swap={**unmarked, "MF148": "F148"})) == without("0.flight_no")


def test_a_paper_table_without_headers_or_marks_reads_each_flight_from_its_line() -> None:
    """The paper itinerary the same way: each flight from the city on its line to the next
    city down; a time printed ``1540`` is told from a number by standing after the date."""
    bare = [b for b in paper() if b.text not in (*HEADERS, "自", "至")]
    assert fields(bare) == PAPER


def test_cells_the_forms_leave_open_are_left_out() -> None:
    """With no header to place them, one validity date (生效 or 截止?) is left out; the
    class still reads with the flight's date unread (a lone letter right after the number)."""
    unmarked = {"自：青岛 TAO": "青岛 TAO", "至：武汉 WUH": "武汉 WUH"}
    boxes = [b for b in page(drop=(*HEADERS, "2025-12-24"), swap=unmarked)
             if not 450 < b.quad[0][1] < 550]  # fmt: skip (the second flight)
    boxes.append(line("2025-12-30", 1250, 390))
    assert fields(boxes) == {k: v for k, v in CLEAN.items() if not k.startswith("1.")
                             and k != "0.date"}  # fmt: skip


def test_a_station_mark_whose_english_half_reads_as_digits_is_a_mark() -> None:
    """``至10``: the TO of 至 TO read as 10 (a photo): still the 至 that ends a segment."""
    assert fields(page(swap={"至：武汉 WUH": "至10 武汉 WUH"})) == CLEAN


def test_a_flight_whose_number_reads_with_a_speck_keeps_its_row() -> None:
    """Marks unread and the first flight's number read ``FM8443.Y``: its line is still a
    flight's, so the second flight is not taken for the first (a whole row of wrong
    values); the number that does not read clean is left out."""
    bare = [b for b in paper(swap={"FM8443": "FM8443.Y"}) if b.text not in ("自", "至")]
    assert fields(bare) == {k: v for k, v in PAPER.items() if k != "0.flight_no"}


def test_a_date_and_a_time_read_as_one_word_are_two_cells() -> None:
    """``2024012315:40`` across the 日期 and 时间 columns is the date and the time."""
    boxes = [b for b in paper() if b.text not in ("23JAN24", "1540")]
    assert fields([*boxes, line("2024012315:40", 760, 370)]) == PAPER


def test_a_city_and_its_carrier_read_as_one_word_are_parted() -> None:
    """``广州上航`` (the carrier's cell read into the city's, running past the stations'
    column) is the origin 广州 and the carrier 上航; ``FM8443 Y`` ends under 座位等级: two
    cells, the flight number and the class."""
    boxes = [b for b in paper() if b.quad[0][1] != 370 or b.text in ("自", "23JAN24", "1540",
                                                                     "Y", "20K")]  # fmt: skip
    boxes = [b for b in boxes if not (b.text == "Y" and b.quad[0][0] < 700)]
    boxes += [line("广州上航", 280, 370), line("FM8443 Y", 482, 370)]
    assert fields(boxes) == PAPER


def test_a_carrier_unread_is_its_flight_number_s_airline() -> None:
    """A flight's 承运人 cell read as nothing (a faint print): its flight number MF148 names
    厦航, and the page prints its flights' carriers (another flight's reads, or the column's
    label); a page that shows neither gets none."""
    boxes = page()
    first = next(b for b in boxes if b.text == "厦航")
    assert fields([b for b in boxes if b is not first]) == CLEAN
    assert fields(page(drop=("厦航",))) == CLEAN
    assert fields(page(drop=("厦航", "承运人"))) == without("0.carrier", "1.carrier")


def test_two_cells_read_as_one_line_are_parted() -> None:
    """``23JAN24 1540`` read as one box across the 日期 and 时间 columns is two cells; a wide
    gap OCR marks with an ideographic space parts a city from the carrier after it."""
    boxes = [b for b in paper() if b.text not in ("23JAN24", "1540", "广州", "上航")]
    wide = Box("广州\u3000上航", 0.99, ((90, 370), (416, 370), (416, 370 + H), (90, 370 + H)))
    boxes += [line("23JAN24 1540", 760, 370), wide, line("上航", 356, 420)]
    assert fields(boxes) == PAPER


def row(y: float, *texts: str) -> list[Box]:
    """OCR boxes side by side on one line, a glyph's width apart."""
    out, x = [], 70.0
    for text in texts:
        out.append(line(text, x, y))
        x = out[-1].quad[1][0] + H
    return out


def slip(*, drop: tuple[str, ...] = ()) -> list[Box]:
    """A one-column slip: each flight a block of labels with their values beside them,
    bilingual labels whose English halves OCR runs into the values."""
    rows = [
        ("旅客姓名 NAMEOF PASSENGR于洋平有效身份证件号码 IDNo.330106********1125",),
        ("自 FROM 广州", "至 To 哈尔滨", "承运人 CARIER 上航", "航班号 FLGHT FM8443"),
        ("座位等级 CLASS Y", "日期 DATE 2024年01月23日", "时间 TME 1540"),
        ("客票级别/类别 FARE BASISY客票生效日期 NOT VALID BEFORE",),
        ("免费行李 ALLOW 20K",),
        ("自 FROM 哈尔滨", "至 TO 济南", "承运人 CARRIER 上航", "航班号 FLIGHT FM736"),
        ("座位等级 CLASS L", "日期 DATE 2024年01月24日", "时间 TIME 2035"),
        ("客票级别/类别 FARE BASIS L2",), ("免费行李 ALLOW 20K",),
    ]  # fmt: skip
    return [b for i, texts in enumerate(rows)
            for b in row(300 + 60 * i, *(t for t in texts if t not in drop))]  # fmt: skip


def test_a_slip_reads_its_flights_block_by_block() -> None:
    """No header row: each flight's labels have their values beside them, a block opened by
    its 自 line; the English halves (misread: TME, FLGHT, BASISY) are not values."""
    want = {"passenger_name": "于洋平", "passenger_id_no": "330106********1125", **PAPER}
    assert fields(slip()) == want


def test_a_slip_without_a_block_s_station_line_guesses_no_row() -> None:
    """A 自 unread: each label's n-th printing goes to the n-th flight, only the labels
    printed once a flight are kept, and a station mark goes to the block those labels place
    it in (a worn head lost a 自 of a thermal slip: tuning receipt-thermal 1600004)."""
    got = fields(slip(drop=("自 FROM 哈尔滨",)))
    assert got["1.flight_no"] == "FM736" and got["0.flight_no"] == "FM8443"
    assert "1.from" not in got and got["1.to"] == "济南"
    assert all(got[k] == v for k, v in PAPER.items() if k in got)


def test_a_slip_s_station_line_with_its_destination_mark_unread_reads_both_cities() -> None:
    """``自 广州 哈尔滨``, the 至 TO between them unread (a thermal slip's faded mark): the
    origin read as two cities run together is parted, the second the destination."""
    boxes = slip(drop=("自 FROM 广州", "至 To 哈尔滨", "承运人 CARIER 上航", "航班号 FLGHT FM8443"))
    boxes += row(360, "自", "广州", "哈尔滨", "承运人 CARIER 上航", "航班号 FLGHT FM8443")
    got = fields(boxes)
    assert (got["0.from"], got["0.to"], got["0.flight_no"]) == ("广州", "哈尔滨", "FM8443")


def test_a_page_read_in_full_reads_what_the_template_only_named() -> None:
    """Boxes the paper template's geometry named without reading them (its 至 TO labels) hold
    this page's cities: once the page turns out not to be that template they are read."""
    want, got = engine_read("paper-beside-unruled", 1600002, "clean")
    assert [(s["from"], s["to"]) for s in got["segments"]] == [("厦门", "长沙")]
    assert got["segments"] == want["segments"]


@pytest.mark.parametrize("seed", [1600002, 1750000])
def test_values_printed_over_labels_are_read_one_ink_at_a_time(seed: int) -> None:
    """A form whose data pass landed up to a line off, over its labels (dark red on blue,
    and black on grey): read as it is, the page is garble; read an ink at a time (by hue, or
    by lightness), the data pass moved back onto the form's lines by its stations, every
    ticket field read is right."""
    from synth.variety import draw_style

    assert draw_style(seed, "paper-zh-only-ddmonyy").shift[1] < 0  # the data pass is higher
    want, got = engine_read("paper-zh-only-ddmonyy", seed, "clean")
    keys = ticket_keys(want)
    assert [k for k in keys if got[k] is not None and got[k] != want[k]] == []
    assert sum(got[k] == want[k] for k in keys) >= len(keys) - 3
    assert got["passenger_name"] == want["passenger_name"] and got["total"] == want["total"]


def test_a_blank_beside_its_label_takes_nothing_from_the_line_below() -> None:
    """On a form whose labels have their values beside them, a label with nothing beside it
    is blank: the line under it holds the next labels' values, not its own."""
    boxes = [*row(300, "电子客票号码 8765628244933", "验证码 3003", "提示信息", "保险费 XXX"),
             *row(360, "销售单位代号 DLC118", "填开单位 大连瑞丰国际旅行社有限公司")]  # fmt: skip
    got = fields(boxes)
    assert "prompt_info" not in got and got["issued_by"] == "大连瑞丰国际旅行社有限公司"
    assert got["e_ticket_no"] == "8765628244933" and got["check_code"] == "3003"


def test_a_value_read_in_full_carries_the_recognizer_s_doubt() -> None:
    """The words a value was read from give it their least score as its Confidence (so a
    reviewer sees low_confidence); a value the totals repaired carries none."""
    boxes = [Box(b.text, 0.77, b.quad) if b.text == "曹萍" else b for b in page()]
    data = read_full(boxes).data
    name = next(d for d in data if d["Name"] == "旅客姓名")
    assert name["Confidence"] == 0.77
    _, warnings = normalize(data)
    assert [w.field for w in warnings if w.code == "low_confidence"] == ["passenger_name"]
    from batchocr.recognize.local.labelled.fullpage import _entry

    sure = {(-1, "合计"): ("1290.00", 0.71)}
    assert _entry("合计", "1240.00", -1, sure) == {"Name": "合计", "Value": "1240.00", "Row": -1}


def test_a_slip_line_read_as_one_word_is_parted_at_its_labels_and_stations() -> None:
    """A one-column slip prints a flight's cells beside their labels; OCR reads the line as
    one word (``哈尔滨至To 昆明承运人``, ``厦航航班号``): the two cities, the 至 between them
    and the three-character labels inside the word are words of their own."""
    cells = (("座位等级", 40), ("C", 220), ("日期", 280), ("2024年02月22日", 420),
             ("时间", 690), ("19:05", 760))  # fmt: skip
    boxes = [line("自 FROM 哈尔滨至To 昆明承运人 CARRIER 厦航航班号 FLIGHT MF5326", 40, 480),
             *(line(t, x, 550) for t, x in cells)]
    got = fields(boxes)
    assert {k: v for k, v in got.items() if k.startswith("0.")} == {
        "0.from": "哈尔滨", "0.to": "昆明", "0.carrier": "厦航", "0.flight_no": "MF5326",
        "0.seat_class": "C", "0.date": "2024-02-22", "0.time": "19:05"}  # fmt: skip


def test_a_dot_matrix_slip_line_read_as_one_word_keeps_its_date_and_time() -> None:
    """A dot-matrix slip's line read as one word (probe pages of the tuning axes, receipt
    and dotmatrix24): its dashes read doubled or as dots (``2024--08-04``, ``202408…01``),
    a time's colon full-width (``18：25``: no label's end), 日期 run in between two values;
    the station line reads a city into the next cell's label (``至西安承运人东航``), and the
    e-invoice's 国内 loses its first glyph (``[内``)."""
    boxes = [line("国内国际标签[内", 40, 300),
             line("自北京\u3000至西安承运人东航航班号 MU4147", 40, 400),
             line("座位等级L日期202408…01时间18：25客票级别/类别L", 40, 460),
             line("自 兰州", 40, 560), line("至 上海", 240, 560),
             *row(620, "座位等级 Y", "日期 2024--08-04", "时间 12:45")]  # fmt: skip
    assert fields(boxes) == {
        "domestic_intl": "D", "0.from": "北京", "0.to": "西安", "0.carrier": "东航",
        "0.flight_no": "MU4147", "0.seat_class": "L", "0.date": "2024-08-01", "0.time": "18:25",
        "0.fare_basis": "L", "1.from": "兰州", "1.to": "上海", "1.seat_class": "Y",
        "1.date": "2024-08-04", "1.time": "12:45"}  # fmt: skip


def test_a_slip_station_line_with_spaces_around_its_english_is_parted() -> None:
    """``自 FROM 上海至 TO 济南承运人 CARRIER 国航…`` (a receipt-sans-yen page tried as a user
    would, seed 1790600): the origin ran into the 至 mark, the destination into the next
    cell's label; both flights' stations were lost."""
    boxes = [line("自 FROM 上海至 TO 济南承运人 CARRIER 国航航班号 FLIGHT CA696", 40, 400),
             *row(460, "座位等级 Q", "日期 2024-04-02", "时间 1505")]
    got = fields(boxes)
    assert {k: got.get(k) for k in ("0.from", "0.to", "0.carrier", "0.flight_no")} == {
        "0.from": "上海", "0.to": "济南", "0.carrier": "国航", "0.flight_no": "CA696"}


def test_a_masked_id_number_is_read_past_its_misread_label_and_checked_by_its_region() -> None:
    """``效身份证件码500103******0521`` (有 and 号 lost, two stars too): the label is found
    without taking the number's first digit; a masked number whose six digits name no county
    (``118101``: Beijing has no prefecture 81) is left out, not reported wrong."""
    read = fields([line("效身份证件码500103******0521", 40, 300)])
    assert read == {"passenger_id_no": "500103********0521"}
    assert fields([line("有效身份证件号码118101********5553", 40, 300)]) == {}


def test_a_slip_value_printed_back_over_its_label_s_end_is_beside_it() -> None:
    """A misregistered data pass starts a value a little left of its label's end and half a
    line higher (承运人 ends at 434, 深航 starts at 421): still the value beside it."""
    boxes = [line("自", 40, 300), line("上海", 70, 288), line("至", 160, 300),
             line("天津", 190, 288), line("承运人", 344, 300), line("深航", 421, 288),
             line("航班号", 520, 300), line("ZH1635", 600, 288),
             line("日期", 40, 360), line("2025-08-31", 96, 348), line("时间", 380, 360),
             line("08:15", 436, 348)]  # fmt: skip
    assert fields(boxes) == {
        "0.from": "上海", "0.to": "天津", "0.carrier": "深航", "0.flight_no": "ZH1635",
        "0.date": "2025-08-31", "0.time": "08:15"}  # fmt: skip


@pytest.mark.parametrize("noise", ["clean", "light"])
def test_values_printed_over_the_english_labels_are_read_one_ink_at_a_time(noise: str) -> None:
    """A tuning page whose blue data pass landed on the green form's English labels: read as
    it is, OCR glues each value to the label under it (``ET4108218541``) and 3 of its 14
    ticket fields come out; its flights read, so the page is not thin by its entries, but its
    ticket is, and read one ink at a time every ticket field is right (the light scan's blue
    straddles two hue bins)."""
    want, got = engine_read("paper-serif-colour", 1780001, noise)
    keys = ticket_keys(want)
    assert {k: got[k] for k in keys} == {k: want[k] for k in keys}


def test_a_table_whose_marks_and_number_header_went_unread_is_read_by_its_cells_forms() -> None:
    """Three headers read (the right-hand ones) and no mark: the header row names no 航班号
    to read the flights by, so the lines with a flight number are read by their cells'
    forms, as when no header reads at all."""
    unmarked = {t: t.split("：")[1] for t in ("自：青岛 TAO", "至：武汉 WUH", "自：武汉 WUH",
                                             "至：兰州 LHW")}  # fmt: skip
    right_hand = ("客票级别/客票类别", "免费行李")
    boxes = page(drop=tuple(h for h in HEADERS if h not in right_hand), swap=unmarked)
    assert fields([*boxes, line("客票生效日期", 1200, 320)]) == CLEAN


def test_a_cell_whose_header_went_unread_is_named_by_its_form_on_its_flight_line() -> None:
    """The last header unread, its column is the one before's: ``B1 20K`` is no fare basis
    and no allowance. The flight's line, read by its cells' forms, names both (for the
    flight whose number both readings hold)."""
    assert fields(page(drop=("免费行李",))) == CLEAN


def test_a_flight_whose_number_went_unread_shifts_no_row() -> None:
    """No header read, the first flight's number unread: read by its cells' forms, the
    second flight would take the first flight's place (its number, date and time, on the
    stations of the first), but the first flight's line holds a date and a time: it keeps
    row 0, all but its number and carrier read."""
    got = fields(page(drop=(*HEADERS, "MF148")))
    assert {k: v for k, v in got.items() if k[0].isdigit()} == {
        k: v for k, v in CLEAN.items() if k[0].isdigit() and k not in ("0.carrier", "0.flight_no")}


def test_a_speck_beside_a_value_under_its_label_costs_nothing() -> None:
    """A lone character the recognizer doubts, read beside the endorsement under 签注 (a
    speck of the next cell), neither joins it nor lowers its confidence below the floor
    that free text must read at."""
    speck = line("8", 1180, 258)
    assert fields([*page(), Box("8", 0.32, speck.quad)]) == CLEAN


def test_a_label_s_column_ends_at_the_next_cell_whose_label_went_unread() -> None:
    """销售网点代号 and 填开日期 read, 填开单位 between them unread: the sales office code
    under the first label is its value; the issuer's name in the unread label's cell, a
    cell's gap further along, is not more of it (it is the issuer, the organization after
    the office code)."""
    row = [line("销售网点代号", 50, 1000), line("填开日期", 1300, 1000),
           line("CSX023", 50, 1050), line("长沙瑞丰国际旅行社有限公司", 500, 1050),
           line("2025-12-20", 1300, 1050)]  # fmt: skip
    assert fields([*page(), *row]) == {**CLEAN, "agent_code": "CSX023",
                                       "issue_date": "2025-12-20",
                                       "issued_by": "长沙瑞丰国际旅行社有限公司"}  # fmt: skip


def test_a_label_read_as_its_short_form_is_the_label() -> None:
    """``姓名`` (旅客姓名 with its first two characters lost, or as some issuers print it),
    with no other label of its row read to name it by its place."""
    lost = {"旅客姓名": "姓名", "有效身份证件号码": "自效分业件导码", "签注": "发"}
    assert fields(page(swap=lost)) == without("endorsement")  # (the ID number: by its form)


def test_dates_and_times_nothing_checks_are_kept_only_when_read_the_same_twice() -> None:
    """A flight's time or date read less than sure is read again stretched: a digit that
    changes leaves it out (``10:15`` then ``19:15``); a leading zero the stretched reading
    drops (``0645`` → ``645``) does not."""
    from batchocr.recognize.local.labelled.confirm import confirmed

    boxes = [Box(b.text, 0.95, b.quad) for b in page(swap={"18:40": "08:40"})]
    data = read_full(boxes).data
    changed = {"15:05": "19:05", "2025-12-28": "2025-12-23", "08:40": "8:40"}

    def reread(at: object) -> list[Box]:
        return [Box(changed.get(b.text, b.text), b.score, b.quad) for b in boxes]

    lost = [(d["Name"], d["Value"]) for d in data if d not in confirmed(data, boxes, reread)]
    assert lost == [("时间", "15:05"), ("日期", "2025-12-28")]


def test_a_value_read_with_the_next_cell_is_found_by_its_form() -> None:
    """The 发票号码 read beside its label with the next cell's date (no value of its form):
    its 20 digits, the only such number on the page, are still the 发票号码."""
    assert fields([*page(), line("2025-12-20", 1730, 100)]) == CLEAN


def test_notes_whose_labels_went_unread_are_named_only_by_a_stock_prompt_read_whole() -> None:
    """签注 and 提示信息 unread: restrictions (签转, 退票…) or advice (机场, 登机…) are not
    named by their terms (on held-out photos such notes were too often a glyph off); a
    prompt read whole as one of the stock phrases is the 提示信息."""
    swap = {"签注": "发", "提示信息": "示信部"}
    prompt = line("请于起飞前45分钟到达机场", 250, 950)
    read = {**without("endorsement"), "prompt_info": "请于起飞前45分钟到达机场"}
    assert fields([*page(swap=swap), prompt]) == read
    off = line("请于起飞前45分钟到达机汤", 250, 950)  # a glyph off
    assert fields([*page(swap=swap), off]) == without("endorsement")


def test_a_check_code_whose_label_went_unread_is_the_number_after_the_e_ticket_s() -> None:
    """Both documents print the 验证码 right after the e-ticket number: four digits there,
    its label unread (or read to a piece), are the check code; a time there is not."""
    assert fields([*page(), line("6111", 520, 900)]) == {**CLEAN, "check_code": "6111"}
    assert fields([*page(), line("证6111", 520, 900)]) == {**CLEAN, "check_code": "6111"}
    assert fields([*page(), line("19:15", 520, 900)]) == CLEAN
    assert fields([*page(), line("61112", 520, 900)]) == CLEAN


def test_the_issuer_whose_labels_went_unread_is_read_after_the_office_code() -> None:
    """Both documents print 销售网点代号 | 填开单位 | 填开日期 on one line: with the labels too
    small to read (a phone photo), the organization and the date after the office code are
    the issuer and the issue date; the buyer's, a line below, is not the issuer, nor is an
    organization read less than sure."""
    row = [line("SYX645", 50, 950), line("三亚中联票务代理有限公司", 300, 950),
           line("2025-12-20", 900, 950), line("厦门华科贸易有限公司", 50, 1000)]  # fmt: skip
    issued = {"issued_by": "三亚中联票务代理有限公司", "issue_date": "2025-12-20"}
    assert fields([*page(), *row]) == {**CLEAN, **issued}
    assert fields([*page(), row[0], row[3]]) == CLEAN
    unsure = Box(row[1].text, 0.8, row[1].quad)
    assert fields([*page(), row[0], unsure, row[3]]) == CLEAN


def test_insurance_whose_label_went_unread_is_the_one_amount_on_the_e_ticket_s_line() -> None:
    """Both documents print 电子客票号码 | 验证码 | 提示信息 | 保险费 on one line: the one
    amount after the e-ticket number is the insurance, when read as surely as free text
    must be (nothing checks it); with two amounts there, neither is."""
    fee = line("¥20.00", 1300, 900)
    assert fields([*page(), fee]) == {**CLEAN, "insurance": "20.00"}
    assert fields([*page(), Box(fee.text, 0.85, fee.quad)]) == CLEAN
    assert fields([*page(), fee, line("¥50.00", 1500, 900)]) == CLEAN


def test_a_buyer_whose_label_went_unread_is_the_organization_before_its_tax_id() -> None:
    """The e-invoice prints 购买方名称 | 统一社会信用代码 on one line: the code named by its
    form (its check character), the organization just before it is the buyer; a date
    there is not."""
    code = line("91110101MAHLG86N2N", 600, 1000)
    got = fields([*page(), line("厦门华科贸易有限公司", 50, 1000), code])
    assert got == {**CLEAN, "buyer_name": "厦门华科贸易有限公司", "buyer_tax_id": code.text}
    assert fields([*page(), line("2025-12-20", 50, 1000), code]) == {
        **CLEAN, "buyer_tax_id": code.text}


def test_a_name_whose_label_went_unread_is_the_word_before_the_id_number() -> None:
    """Both documents print the passenger's name just before the ID number: a word of two
    to four Chinese characters there starting with a surname is the name, its label unread;
    a city there, or a name read less than sure, is not."""
    lost = {"旅客姓名": "ASNR"}
    assert fields(page(swap=lost)) == CLEAN
    assert fields(page(swap={**lost, "曹萍": "武汉"})) == without("passenger_name")
    unsure = [Box(b.text, 0.6, b.quad) if b.text == "曹萍" else b for b in page(swap=lost)]
    assert fields(unsure) == without("passenger_name")


def test_a_segment_whose_marks_went_unread_keeps_its_row_empty() -> None:
    """The first segment's 自 and 至 both unread and its flight number misread: the second
    segment, read by its marks, is Row 1 (its stations and flight), never Row 0."""
    boxes = page(drop=("自：青岛 TAO", "至：武汉 WUH"), swap={"MF148": "M148"})
    boxes += [line("息", 60, 370), line("青岛 TAO", 95, 370), line("室", 60, 420),
              line("武汉 WUH", 95, 420)]  # fmt: skip
    rows = {d["Row"] for d in read_full(boxes).data if d["Name"] == "航班号"}
    assert rows == {1}


def test_a_paper_table_whose_first_number_went_unread_is_not_read_a_row_early() -> None:
    """A paper itinerary with its headers and 至 marks unread and its first flight number
    misread (``8443``): reading the cells' forms would start at the second flight and take
    it for the first; the 自 line holds the first flight's date, so it does not."""
    boxes = [b for b in paper(swap={"FM8443": "8443"}) if b.text not in (*HEADERS, "至")]
    assert not any(k.endswith("flight_no") for k in fields(boxes))


def test_an_agency_whose_name_lost_its_first_characters_is_left_out() -> None:
    """A Chinese enterprise's name starts with where it is registered: an issuer read
    without its first character (``都华程…`` for 成都华程…) is no name to report."""
    issuer = "填开单位：成都华程航空服务有限公司"
    assert fields([*page(), line(issuer, 50, 1000)]) == {
        **CLEAN, "issued_by": "成都华程航空服务有限公司"}
    assert fields([*page(), line(issuer.replace("成都", "都"), 50, 1000)]) == CLEAN


def amounts_by_label(*texts: str) -> list[Box]:
    """E-invoice amounts printed as ``label：value`` lines below the page's own."""
    return [line(t, 50 + 450 * (i % 3), 1000 + 60 * (i // 3)) for i, t in enumerate(texts)]


def test_an_amount_a_digit_off_the_vat_equation_is_repaired_by_it() -> None:
    """The fare read ``3692.20`` (a faded 4): 9 % of it and the fuel surcharge is not the
    VAT printed, and one digit changed makes it so in exactly one way (the total need not
    be read). A tenths digit off would be within the equation's cent: nothing is changed."""
    vat = amounts_by_label("增值税税率：9%", "增值税税额：CNY 332.75")
    got = fields([*page(swap={"CNY 3642.20": "CNY 3692.20"}), *vat])
    assert got == {**CLEAN, "vat_rate": "9%", "vat_amount": "332.75"}
    got = fields([*page(swap={"CNY 3642.20": "CNY 3642.10"}), *vat])
    assert got == {**CLEAN, "fare": "3642.10", "vat_rate": "9%", "vat_amount": "332.75"}


def test_a_sum_off_by_a_digit_repairs_the_amount_that_is_not_whole_tens() -> None:
    """Every part read, the sum 9 off: 其他税费 ``9.00`` for 0.00 or the total ``4080.00``
    for 4089.00 both fix it by a digit; the e-invoice's fees and total are whole tens of
    yuan, so the other taxes are the misread."""
    parts = amounts_by_label("增值税税率：9%", "增值税税额：CNY 332.75", "民航发展基金：CNY 50.00",
                             "其他税费：CNY 9.00")  # fmt: skip
    got = fields([*page(swap={"CNY 4130.00": "CNY 4080.00"}), *parts])
    assert got == {**CLEAN, "vat_rate": "9%", "vat_amount": "332.75", "caac_dev_fund": "50.00",
                   "other_taxes": "0.00", "total": "4080.00"}  # fmt: skip


def test_amounts_the_total_cannot_confirm_are_left_out_when_they_cannot_be_right() -> None:
    """A part unread, so the sum confirms nothing: a fee read with units (``56.00``), or a
    part above the total (with the total: which is misread is unclear), is left out."""
    fee = amounts_by_label("民航发展基金：CNY 56.00")
    assert fields([*page(), *fee]) == CLEAN
    assert fields(page(swap={"CNY 3642.20": "CNY 4642.20"})) == without("fare", "total")


def test_a_name_with_a_stray_glyph_before_its_surname_is_left_out() -> None:
    """``享曹萍``: no surname first, one second: a speck or stroke read before the name."""
    assert fields(page(swap={"曹萍": "享曹萍"})) == without("passenger_name")


def test_two_cities_read_as_one_station_are_no_station() -> None:
    """The 至 of a line unread, its city run into the origin's (``青岛武汉``): neither."""
    got = fields(page(drop=("至：武汉 WUH",), swap={"自：青岛 TAO": "自：青岛武汉"}))
    assert got == without("0.from", "0.to")


def test_a_speck_inside_a_long_number_is_not_part_of_it() -> None:
    """A worn head's gap read as ``:`` inside the 20-digit invoice number."""
    number = "发票号码：25625432897358475196"
    assert fields(page(swap={number: number[:14] + ":" + number[14:]})) == CLEAN


def test_a_faded_data_pass_over_a_grey_form_is_read_one_ink_at_a_time() -> None:
    """Tuning page paper-faded-highlighted 1600005: black values printed half a line high,
    over a grey form's labels, in patches faded grey by a worn head. Parted by lightness,
    the faded patches went with the form (every ticket field was unread); they are lighter
    than the form's ink, so they stay with the values, and the ticket reads. (Its
    endorsement ``Q/不得签转/…`` reads ``0/…`` since lines as tall as a scan's values have
    their one-pixel gaps filled for dot-matrix print, crops.dots_joined: a known cost.)"""
    want, got = engine_read("paper-faded-highlighted", 1600005, "clean")
    keys = ticket_keys(want)
    right = [k for k in keys if got[k] == want[k]]
    assert {k for k in keys if got[k] is not None and got[k] != want[k]} <= {"endorsement"}
    assert len(right) >= len(keys) - 6, right  # (9 of 15, 10 before the gaps were filled)


def test_a_pale_dot_matrix_pass_over_a_grey_form_is_read_one_ink_at_a_time() -> None:
    """Tuning page paper-dotmatrix-pins 12000000, light: blue dots printed half a line high
    over a grey form's labels. Scanned light, the dots hold 8.6 % of the page's ink, under
    the tenth that makes a hue an ink, and with no black to part from the grey by lightness
    the page was read whole: nine of the ticket's fields unread (name, ID number, ticket and
    serial numbers, total, agency...). A sparse hue over a grey form is parted too."""
    want, got = engine_read("paper-dotmatrix-pins", 12000000, "light")
    assert {k: got[k] for k in ticket_keys(want)} == {k: want[k] for k in ticket_keys(want)}


@pytest.mark.parametrize(("family", "seed"), [("paper-dotmatrix-pins", 12300003),
                                              ("paper-faded-highlighted", 12300010)])
def test_amounts_whose_first_glyph_a_rule_cuts_are_read_whole(family: str, seed: int) -> None:
    """Tuning pages, light: the data pass printed off its form puts each amount's first glyph
    on its cell's left rule, and detection boxed them from the rule on: ``120.00``,
    ``00.00``, ``0.00``, ``260.00`` for 3120.00, 100.00, 40.00 and 3260.00 — four wrong
    values that added up among themselves as far as they were read. Each is read again from
    before the rule, the rule painted over, and the amounts are right."""
    want, got = engine_read(family, seed, "light")
    amounts = ("fare", "caac_dev_fund", "fuel_surcharge", "total", "insurance")
    assert {k: got[k] for k in amounts} == {k: want[k] for k in amounts}


def test_a_value_under_a_stamp_is_read_with_the_stamp_lifted_off() -> None:
    """Tuning page einvoice-received 1600005: a violet 已报销 mark over 填开日期 made its
    date read ``2025年世解``; the mark, found by its shape, is lifted off and the lines it
    met are read again. A seal's date on the mark itself (``2025.08.05``) is named nothing."""
    want, got = engine_read("einvoice-received", 1600005, "clean")
    assert got["issue_date"] == want["issue_date"] == "2025-11-27"
    assert {k: got[k] for k in ticket_keys(want)} == {k: want[k] for k in ticket_keys(want)}


def test_a_label_whose_english_half_is_misread_at_its_start_is_still_the_label() -> None:
    """``填开日期DATE CFISUE`` (DATE OF ISSUE misread): not 日期's DATE and a value
    ``CFISUE`` beside the label, but the label, its value under it."""
    for label in ("填开日期DATE CFISUE", "填开日期DATEOFIS"):
        extra = [line(label, 1300, 1000), line("2025年11月27日", 1300, 1040)]
        assert fields([*page(), *extra]) == {**CLEAN, "issue_date": "2025-11-27"}


def test_free_text_doubted_for_its_line_s_english_is_read_again_alone() -> None:
    """Tuning page einvoice-mono-left 1760002: ``提示信息IANFORMATIoN 请于起飞前…`` read at
    0.85, under free text's 0.9, for the misread English in its line; the value's part of
    the line, read alone from a gap before it, reads the same at 0.99, and is taken."""
    want, got = engine_read("einvoice-mono-left", 1760002, "clean")
    assert got["prompt_info"] == want["prompt_info"] == "请于起飞前45分钟到达机场"


def test_a_two_character_label_after_a_number_is_cut_out_of_the_word() -> None:
    """A slip's line read as one word: ``…3190签注不得签转``; no Chinese word ends in a
    digit, so 签注 there is the label, and 不得签转 its value."""
    gone = ("签注", "不得签转", "有效身份证件号码", "510107********3190")
    glued = line("有效身份证件号码510107********3190签注不得签转", 400, 250)
    assert fields([*page(drop=gone), glued]) == CLEAN


def test_a_number_read_from_an_ink_layer_is_kept_only_when_read_the_same_twice() -> None:
    """Tuning page paper-faded-highlighted 1760003: read one ink at a time, its faded serial
    number read ``210 10300807`` (24940309367) at 0.86; read again stretched from the same
    layer it reads otherwise, so it is left out, as a number read from the page would be."""
    want, got = engine_read("paper-faded-highlighted", 1760003, "clean")
    assert got["serial_no"] is None and want["serial_no"] == "24940309367"


def test_a_dot_matrix_pass_over_a_coloured_form_is_parted_by_its_hue() -> None:
    """Tuning page paper-dotmatrix-pins 1600003: blue dot-matrix values printed a third of a
    line high, over an ochre ruled form's labels. The dots are a tenth of the page's ink (the
    form's grid is most of it), under the share that made a second ink (11 ticket fields
    were unread); parted by hue, the page reads in full."""
    want, got = engine_read("paper-dotmatrix-pins", 1600003, "clean")
    assert {k: got[k] for k in ticket_keys(want)} == {k: want[k] for k in ticket_keys(want)}
    assert got["segments"] == want["segments"]


def test_a_speckled_phone_photo_is_read_with_its_specks_removed() -> None:
    """A tuning family's phone photo, grainy and speckled: read as it is, its flight number,
    carrier, endorsement and three amounts are lost (17 of 24 fields right); its specks
    replaced by their surroundings' median, all are read (the fare, read ``242C.00``, by the
    sum of the amounts), and nothing wrong."""
    want, got = engine_read("receipt-thermal", 1600001, "heavy")
    assert flat(got) == flat(want)


def test_a_flight_line_photographed_at_a_slant_stays_one_flight() -> None:
    """A phone photo of a turned paper itinerary, taken at a slant: the flight line's far
    end (date, time, baggage) stands half a line lower than its start, nearer the next
    station's line. It is one line all the same: one flight, every value of it in row 0."""
    want, got = engine_read("paper-rotated", 1600002, "heavy")
    assert len(got["segments"]) == 1
    flight = {k: v for k, v in flat(want).items() if k.startswith("0.")}
    assert {k: v for k, v in flat(got).items() if k.startswith("0.")} == flight


def test_free_text_with_a_glyph_the_recognizer_doubts_is_left_out() -> None:
    """Two phone photos whose recognizer misreads one glyph of a name or an agency while
    sure of the line (``余强馆`` for 余强霞, ``中广州程…`` for 广州鹏程…): that glyph scores
    under 0.35, and the field is left out rather than given wrong. The clean scans of the
    same pages read both right."""
    for family, seed, key in (("receipt-thermal", 1600003, "passenger_name"),
                              ("paper-beside-unruled", 1600001, "issued_by")):  # fmt: skip
        want, got = engine_read(family, seed, "heavy")
        assert (want[key] is not None, got[key]) == (True, None)
        want, got = engine_read(family, seed, "clean")
        assert got[key] == want[key]


def test_a_value_is_judged_by_its_own_glyphs_not_its_misread_label_s() -> None:
    """A phone photo whose passenger's name shares a line with its label misread
    (``顾客姓名杨萍慧``, 0.59 on the line, under a name's floor of 0.75): the name's own three
    glyphs read at 0.94 on average, so it is taken, and right."""
    want, got = engine_read("mixed-pen-reviewed", 1600000, "heavy")
    assert got["passenger_name"] == want["passenger_name"] == "杨萍慧"


def test_an_amount_read_a_glyph_off_is_the_one_its_sum_gives() -> None:
    """A total read ``990.0`` (a pen's mark over its last digit) or ``99C.00`` is no amount;
    with every part read, the sum says what it is: taken when the reading is that value but
    for one glyph, and left out when two are off."""
    labels = [("票价", 50), ("民航发展基金", 300), ("燃油附加费", 600), ("其他税费", 900),
              ("合计", 1200)]  # fmt: skip

    def total(read: str) -> object:
        values = ("CNY 900.00", "CNY 50.00", "CNY 40.00", "CNY 0.00", read)
        boxes = [line("印刷序号", 600, 50), line("24940309367", 600, 100),
                 *(line(t, x, 800) for t, x in labels),
                 *(line(v, x, 850) for v, (_, x) in zip(values, labels, strict=True))]  # fmt: skip
        got = fields(boxes)
        assert got["fare"] == "900.00"
        return got.get("total")

    assert total("CNY 990.00") == "990.00"
    assert total("CNY 990.0") == total("CNY 99C.00") == "990.00"
    assert total("CNY 9C0.0") is None


def test_labels_a_photo_garbled_are_read_as_the_likeliest_label() -> None:
    """A phone photo of the published e-invoice (tuning seed 4900002) whose small labels the
    recognizer read as garble: each is the label its per-step probabilities make likeliest
    (``lexicon.known_word``), and the endorsement, the prompt, the insurance and the domestic
    mark under them are read (before, all four were lost); nothing is read wrong."""
    want, got = engine_read("einvoice-real", 4900002, "heavy")
    assert set(flat(got)) <= set(flat(want))
    assert {k: v for k, v in flat(got).items() if v != flat(want)[k]} == {}
    for key in ("endorsement", "prompt_info", "insurance", "domestic_intl"):
        assert flat(got)[key] == flat(want)[key]


def test_a_kai_page_upside_down_that_reads_as_nothing_is_turned() -> None:
    """Kai print turned half a turn reads as nothing, though its lines score as well as a
    heavy photo's (median 0.71, above the bar for text upside down): a page that reads as
    nothing at all is tried turned whatever its scores."""
    want, got = read_probe(9500000, typeface="kai", variant=1, rotation=180, scale=0.83,
                           margin=49, value_size=31, jitter=0.335, shift=(-27, 4))  # fmt: skip
    assert got["e_ticket_no"] == want["e_ticket_no"]
    assert [(s["flight_no"], s["date"]) for s in got["segments"]] == [
        (s["flight_no"], s["date"]) for s in want["segments"]]  # fmt: skip


def test_amounts_that_add_up_win_over_an_ink_read_alone_that_took_the_sign_for_a_1() -> None:
    """A dot-matrix page on a green form, printed off its form and scanned upside down, is
    read whole and one ink at a time; the ink alone reads each ``¥`` as a 1 (``11530.00``),
    the whole page reads the amounts right, and only those add up: they are the ones kept.
    Its ID number, read as its first six digits alone, is no short mask (``33*****0106``)."""
    want, got = read_probe(9510002, typeface="dotmatrix24", variant=0, rotation=180,
                           scale=0.89, margin=66, value_size=34, jitter=0.665, shift=(-26, -10))
    for key in ("fare", "caac_dev_fund", "fuel_surcharge", "other_taxes", "total"):
        assert got[key] == want[key]
    assert got["passenger_id_no"] in (None, want["passenger_id_no"])


def test_amounts_whose_yen_signs_all_read_as_a_1_add_up_without_it() -> None:
    """A dot-matrix page with a reviewer's pen marks, printed off its form: its ``¥`` reads
    as a 1 on some amounts (``140.00`` for ¥40.00); they add up only with every such 1
    dropped, so they are read so, and no amount is wrong."""
    want, got = read_probe(9520011, typeface="dotmatrix24", variant=1, rotation=0, scale=1.07,
                           margin=61, value_size=31, jitter=0.271, shift=(-25, -20),
                           overprint="pen")  # fmt: skip
    for key in ("fare", "caac_dev_fund", "fuel_surcharge", "other_taxes", "total"):
        assert got[key] == want[key]


def read_probe(seed: int, **style: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A light scan of a page of a probe family drawn from tuning axes only (a paper form in
    green, Chinese-only labels, ``01JAN25`` dates, ``¥`` amounts, a misregistered data pass),
    the rest of its Style given: the truth's normalized fields and the offline engine's."""
    pytest.importorskip("rapidocr_onnxruntime")
    from batchocr.recognize.local.recognizer import recognize
    from synth.scans import _light
    from synth.style import Style
    from synth.variety import render

    common: dict[str, Any] = {
        "content": "paper", "arrangement": "form", "value_ink": "black", "form_ink": "green",
        "labels": "zh-only", "date_format": "ddmonyy", "amount_format": "yen",
        "time_format": "hhmm", "ruled": True, "placement": "above", "offset": "misregistered",
        "stamp": False, "scribble": False}  # fmt: skip
    image, data, _ = render(seed, Style(**common, **style))
    buf = io.BytesIO()  # scanned light, as synth.variety scans that family's page
    _light(image, random.Random(f"synth.variety:probe-kai-misreg:{seed}:light")).save(buf, "PNG")
    want, _ = normalize(data)
    got, _ = normalize(recognize(buf.getvalue()))
    return want, got


def test_a_dot_matrix_slip_s_values_are_read_past_their_misread_signs_and_english() -> None:
    """A slip printed by a 24-pin head (probe pages, receipt and dotmatrix24): a class
    letter boxed with its label and the next cell's box starting left of it
    (``座位等级Y`` / ``日期14DEC25``), or before the next label with a space
    (``座位等级 B日期…``), or with a speck after it (``Y’``); the English read with a digit
    for a letter (``ALL0W20K``) or with the value's own letters run into it
    (``RESTRICTONSQ/``); a ¥ read as a Chinese glyph (``至40.00``)."""
    boxes = [line("签注ENDORSEMENTS/RESTRICTONSQ/不得签转", 40, 200),
             line("自 西安", 40, 300), line("至 成都", 240, 300),
             line("座位等级Y", 40, 360), line("日期14DEC25", 155, 360),
             line("免费行李 ALL0W20K", 40, 420),
             line("自 成都", 40, 500), line("至 三亚", 240, 500),
             line("座位等级 B日期22DEC25", 40, 560),
             line("自 三亚", 40, 640), line("至 长沙", 240, 640),
             line("座位等级Y’", 40, 700), line("保险费至40.00", 40, 800)]  # fmt: skip
    got = fields(boxes)
    assert {k: got.get(k) for k in ("endorsement", "insurance", "0.seat_class", "0.baggage",
                                    "1.seat_class", "2.seat_class")} == {
        "endorsement": "Q/不得签转", "insurance": "40.00", "0.seat_class": "Y",
        "0.baggage": "20K", "1.seat_class": "B", "2.seat_class": "Y"}  # fmt: skip


def test_amounts_that_add_up_with_a_sign_read_as_a_1_on_some_or_on_all_are_not_guessed() -> None:
    """``1720.00``, ``¥50.00``, ``130.00``, ``¥0.00``, ``1800.00`` (a kai probe's light scan):
    the surcharge's ``¥`` read as a 1 adds up, and so does every leading 1 a sign (720.00
    and 800.00). The surcharge is 30.00 either way; the fare and the total are left out."""
    boxes = [*row(300, "票价 1720.00", "民航发展基金 ¥50.00", "燃油附加费 130.00"),
             *row(360, "其他税费 ¥0.00", "合计 1800.00")]  # fmt: skip
    got = fields(boxes)
    assert {k: got.get(k) for k in ("fare", "caac_dev_fund", "fuel_surcharge", "total")} == {
        "fare": None, "caac_dev_fund": "50.00", "fuel_surcharge": "30.00", "total": None}


def test_a_rule_read_beside_a_city_is_no_part_of_it() -> None:
    """A vertical rule between a city and the next cell read as ``丨`` (``哈尔滨丨川航``, probe
    pages of an ochre e-invoice): the station is the city alone."""
    assert fields(page(swap={"自：青岛 TAO": "自：青岛丨 TAO"})) == CLEAN
    got = fields([line("自 FROM 哈尔滨丨川航", 40, 300), line("至 TO 西安", 40, 360)])
    assert (got.get("0.from"), got.get("0.carrier")) == ("哈尔滨", "川航")


def test_a_value_s_last_letters_before_the_next_label_are_the_value_s() -> None:
    """A slip's line read as one word: the letters after a value's digit (``K0W``, ``20K``)
    run into the next label, as a label's English would: they are the value's end."""
    boxes = [line("自 西安", 40, 300), line("至 成都", 240, 300),
             line("时间1645客票级别/类别K0W客票生效日期22JUL25", 40, 360),
             line("免费行李20K有效期截止日期22JUL25", 40, 420)]  # fmt: skip
    got = fields(boxes)
    assert (got.get("0.fare_basis"), got.get("0.baggage")) == ("KOW", "20K")


def test_a_date_read_with_a_colon_for_a_dash_and_its_time_run_in_are_two_cells() -> None:
    """``2025:12-2415:05`` (a worn head's dash read as a colon, the time's box run into the
    date's): the date and the time of their flight."""
    got = fields(page(drop=("15:05",), swap={"2025-12-24": "2025:12-2415:05"}))
    assert (got.get("0.date"), got.get("0.time")) == ("2025-12-24", "15:05")


def test_a_dot_matrix_slip_that_reads_as_twenty_entries_is_read_an_ink_at_a_time_too() -> None:
    """A 24-pin receipt (probe seed 9620007, clean) read whole gives 20 entries, its class,
    fare basis, surcharge and agency garbled in dots (``cLASSB``, ``FAREBASISOW``); read an
    ink at a time too (a page under 24 entries is), every one of them is read right."""
    want, got = engine_read("probe-receipt-dots", 9620007, "clean")
    for key in ("fuel_surcharge", "issued_by"):
        assert got[key] == want[key]
    assert got["segments"][0]["seat_class"] == "B" == want["segments"][0]["seat_class"]
    assert got["segments"][0]["fare_basis"] == "BOW" == want["segments"][0]["fare_basis"]


def doubted_line(text: str, x: float, y: float, height: float = 20) -> Box:
    """A line of ``text`` the recognizer doubts (0.5), ``height`` px tall."""
    quad = ((x, y), (x + 16 * len(text), y), (x + 16 * len(text), y + height), (x, y + height))
    return Box(text, 0.5, quad)  # type: ignore[arg-type]


def test_an_english_half_longer_than_its_label_is_no_value() -> None:
    """``ENDORSEMENTS/RESTRICTIONS`` under 签注 starts where the label starts and runs far
    past its end; misread past naming (``NPORSRESCTONS``, as on a heavy photo whose lines
    these are), it is not the endorsement: the note under it is."""
    def box(text: str, x0: float, y0: float, x1: float, y1: float, score: float) -> Box:
        return Box(text, score, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))

    boxes = [box("签注", 1490, 432, 1538, 462, 0.74),
             box("NPORSRESCTONS", 1486, 454, 1704, 488, 0.58),
             box("不得签转", 1478, 472, 1598, 524, 0.99)]  # fmt: skip
    assert read_full(boxes).data == [{"Name": "签注", "Value": "不得签转", "Row": -1,
                                      "Confidence": 0.99}]  # fmt: skip


def test_an_office_code_a_dot_matrix_gap_lengthened_is_confirmed() -> None:
    """``WUHIO30``: a gap in a dotted 0 read as one more stroke; the code (WUH030) is still
    found on its line and kept when the second reading holds it."""
    from batchocr.recognize.local.labelled.confirm import confirmed

    first = Box("销售网点代号 AGENTCODE WUHIO30", 0.95, line("x", 50, 950).quad)
    data = [{"Name": "销售网点代号", "Value": "WUH030", "Row": -1, "Confidence": 0.95}]
    again = [Box("销售网点代号AGENTCODEWUHO3O", 0.95, first.quad)]
    assert confirmed(data, [first], lambda at: again) == data
    other = [Box("销售网点代号AGENTCODEWUH080", 0.95, first.quad)]
    assert confirmed(data, [first], lambda at: other) == []


def test_a_doubted_note_is_judged_by_its_own_glyphs_not_its_label_s_english() -> None:
    """A bilingual label's misread English in the note's line (``BVDORS…``, glyphs at 0.5)
    drags the line under the note's floor; the note's own glyphs, all but sure, keep it."""
    from batchocr.recognize.local.image.ocr import Page
    from batchocr.recognize.local.labelled.fullpage import FullReading
    from batchocr.recognize.local.recognizer import _with_doubted_read

    english, note = "BVDORSMENTSRESTRICTONS", "不得签转/变更退票收费"
    text = f"签注 {english} {note}"
    glyphs = (0.99, 0.99, 0.9) + (0.5,) * len(english) + (0.9,) + (0.99,) * len(note)
    box = Box(text, 0.85, line(text, 950, 200).quad, glyphs)
    full = FullReading([], doubted=({"Name": "签注", "Value": f"{english} {note}", "Row": -1,
                                     "Confidence": 0.85},))  # fmt: skip
    got = _with_doubted_read(None, Page(2000, 1400, (box,)), full)  # type: ignore[arg-type]
    assert [(d["Name"], d["Value"]) for d in got.data] == [("签注", note)]


def test_a_sign_read_as_a_1_is_mended_on_a_page_that_prints_no_other_taxes() -> None:
    """``150.00`` for ¥50.00 (a kai ``¥``) on a page whose other taxes are blank: the parts
    read add up to the total only without that 1, so it was the sign."""
    from batchocr.recognize.local.validate.checks import check

    ticket = {"票价": "2750.00", "民航发展基金": "150.00", "燃油附加费": "30.00", "合计": "2830.00"}
    got, _ = check(ticket, [])
    assert got == {**ticket, "民航发展基金": "50.00"}
    unread = {**ticket, "燃油附加费": "40.00"}  # a part off: nothing tells the sign
    assert check(unread, [])[0] == unread


def test_amounts_that_add_up_as_read_keep_their_leading_1s_when_a_part_is_blank() -> None:
    """1120.00, 50.00, 40.00 and 1210.00 add up as read, and without the 1s of the fare and
    the total as well: nothing was a sign."""
    from batchocr.recognize.local.validate.checks import check

    ticket = {"票价": "1120.00", "民航发展基金": "50.00", "燃油附加费": "40.00", "合计": "1210.00"}
    assert check(ticket, [])[0] == ticket


def test_a_time_cell_that_holds_the_date_too_reads_the_time() -> None:
    """The 时间 header unread is put back half-way between its neighbours; a Chinese date,
    wider than an ISO one, then has its centre past the column's edge and is read into the
    time's cell: the time beside it is still the flight's time."""
    boxes = page(drop=("时间",), swap={"2025-12-24": "2025年12月24日"})
    got = fields(boxes)
    assert got["0.time"] == "15:05" and got["0.date"] == "2025-12-24"


def test_a_value_ringed_in_another_ink_is_read_from_its_own_ink() -> None:
    """A reviewer's blue ring round a black 重庆 on a grey form: the line it meets, its pen's
    ink in neither the values' nor the form's, is read again from the values' ink alone."""
    want, got = engine_read("mixed-pen-reviewed", 12900000, "clean")
    assert got["segments"][0]["to"] == want["segments"][0]["to"] == "重庆"


def test_a_data_pass_in_a_hue_near_the_form_s_is_read_an_ink_at_a_time() -> None:
    """Dark red values printed off an ochre form's lines, over its English labels (hues 40
    degrees apart, nothing between them): the page parts into its two inks, and the values
    under the labels read."""
    want, got = engine_read("paper-serif-colour", 12900003, "clean")
    for key in ("passenger_name", "issued_by", "check_code", "caac_dev_fund", "endorsement"):
        assert got[key] == want[key]


def test_a_slip_whose_lines_run_labels_and_values_together_reads_them_apart() -> None:
    """A thermal slip: ``日期2025年08月15日时间0735`` (a label after a Chinese date),
    ``東至广州`` (a speck before a station's mark), ``丫`` for a fare basis Y, ``TAC705`` for
    the office code TAO705 (a round letter misread)."""
    want, got = engine_read("receipt-thermal", 12900001, "clean")
    assert got["segments"] == want["segments"]
    assert got["agent_code"] == want["agent_code"] == "TAO705"


def test_a_faded_0_read_as_c_in_amounts_and_times_is_a_0() -> None:
    """``501C.00``, ``522C.00`` (the sum checks them), ``130C``, ``184C`` on a thermal slip;
    and ``类别L客票生效日期``: the L glued to the next label is the fare basis, no English."""
    want, got = engine_read("receipt-thermal", 12900005, "clean")
    assert (got["fare"], got["total"]) == (want["fare"], want["total"]) == ("5010.00", "5220.00")
    assert got["segments"] == want["segments"]


def test_a_station_ringed_in_its_own_ink_reads_through_the_brackets_the_ring_makes() -> None:
    """A reviewer's ring in the values' own ink round 昆明 reads as brackets round it
    (``至TO《昆明)``, ``至TO(昆明)``): the city inside is the flight's destination and the next
    flight's origin."""
    want, got = engine_read("mixed-pen-reviewed", 12300001, "clean")
    assert got["segments"][1]["to"] == got["segments"][2]["from"] == "昆明"
    assert got["segments"] == want["segments"]


def test_a_flight_number_is_no_sales_office_code_to_name_the_issue_date_after() -> None:
    """``ZH4811`` reads as an office code's form with its 4 taken for an A (ZHA, Zhanjiang):
    the date after it on its line was named the issue date when the page's own was unread.
    A flight number is no office code: the issue date is left out, the flight keeps its number."""
    boxes = page(swap={"MF5260": "ZH4811", "厦航": "深航"})
    boxes += [line("填开日期", 1340, 950), line("202--25", 1340, 1000)]
    got = fields(boxes)
    assert "issue_date" not in got and "invoice_date" not in got
    assert got["1.flight_no"] == "ZH4811"


def test_an_agency_read_with_a_glyph_of_its_trade_name_lost_is_left_out() -> None:
    """``南宁云国际旅行社有限公司`` for 南宁云途…: a trade name (字号) is two characters or more,
    so one is a misreading, left out; a prompt read after its label's English
    (``FORMON本行程单…``) is the prompt."""
    boxes = [*page(), line("填开单位", 50, 950), line("南宁云国际旅行社有限公司", 50, 1000),
             line("提示信息", 700, 950), line("FORMON本行程单不作为登机凭证", 700, 1000)]
    got = fields(boxes)
    assert "issued_by" not in got
    assert got["prompt_info"] == "本行程单不作为登机凭证"
    boxes[-3] = line("南宁云途国际旅行社有限公司", 50, 1000)
    assert fields(boxes)["issued_by"] == "南宁云途国际旅行社有限公司"


def test_the_reading_of_one_ink_that_read_more_of_the_ticket_adds_what_only_it_read() -> None:
    """Values printed touching their labels' English in the same grey-and-black page
    (``FANY 5, 010.00``): read an ink at a time, the page reads the ticket's name,
    endorsement, fare, insurance, agency and issue date that the whole page lost, though
    fewer flight cells; what only it read of the ticket is added."""
    want, got = engine_read("paper-faded-highlighted", 12900005, "clean")
    for key in ("passenger_name", "endorsement", "fare", "insurance", "issued_by", "issue_date"):
        assert got[key] == want[key]


def test_of_a_class_and_fare_basis_that_disagree_the_one_read_all_but_surely_is_kept() -> None:
    """A lone class letter's box cut to its top reads ``V`` (0.69) beside its fare basis
    ``B1`` read at 0.99: the fare basis is kept, the class left out; read alike surely, both
    are left out, since either may be the misread one."""
    boxes = page(swap={"B": "V"})
    at = next(i for i, b in enumerate(boxes) if b.text == "V")
    boxes[at] = Box("V", 0.69, boxes[at].quad)
    got = fields(boxes)
    assert got["0.fare_basis"] == "B1" and "0.seat_class" not in got
    boxes[at] = Box("V", 0.98, boxes[at].quad)
    got = fields(boxes)
    assert "0.fare_basis" not in got and "0.seat_class" not in got


def test_an_endorsement_whose_code_reads_as_a_digit_is_left_out() -> None:
    """``0/不得签转`` (a kai Q read as 0): no fare code is one digit, and nothing tells which
    letter it was, so the endorsement is left out rather than kept wrong."""
    assert "endorsement" not in fields(page(swap={"不得签转": "0/不得签转"}))
    assert fields(page(swap={"不得签转": "Q/不得签转"}))["endorsement"] == "Q/不得签转"


def test_a_clean_dot_matrix_page_with_stray_dots_is_not_taken_for_a_speckled_photo() -> None:
    """A clean 24-pin print whose stray dots stand alone on 0.31 pixels a thousand (a phone
    photo's specks: 2.9 and more): had its specks removed as a photo's, its glyphs lost dots
    and its flight numbers read ``IR5260`` and ``MC6320``, which no airline has."""
    want, got = engine_read("paper-dotmatrix-pins", 12300001, "clean")
    assert [s["flight_no"] for s in got["segments"]] == ["HU5260", "HU1803", "MU6320"]
    assert got["agent_code"] == want["agent_code"] == "PEK603"
