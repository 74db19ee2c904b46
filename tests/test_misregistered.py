"""A data pass printed off its form (issue 9: "the data pass offset from the form by up to a
line height"): values half a line above or below their labels, and OCR boxing a label with
such a value as one slanted line."""

from __future__ import annotations

import math

from test_fullpage import H, engine_read, fields, line, ticket_keys

from batchocr.recognize.local.image.ocr import Box
from batchocr.recognize.local.labelled.fullpage import aligned, misregistered, page_tilt

HEADERS = (("承运人", 250), ("航班号", 400), ("座位等级", 540), ("日期", 700), ("时间", 840),
           ("客票级别/客票类别", 960), ("客票生效日期", 1240), ("有效截止日期", 1480),
           ("免费行李", 1740))  # fmt: skip


def box(text: str, x: float, y: float, width: float, height: float) -> Box:
    return Box(text, 0.99, ((x, y), (x + width, y), (x + width, y + height), (x, y + height)))


def itinerary(dy: float, slanted: tuple[str, ...] = (), marks: float = H) -> list[Box]:
    """A paper itinerary's lines: the form's labels and 自/至 marks (``marks`` px tall, the
    last a tenth taller) where the form puts them, the values ``dy`` px below (negative:
    above); ``slanted`` lines are a label and its value boxed as one line, slanted by the
    pass's offset."""
    form = [line(t, x, 300) for t, x in HEADERS]
    form += [box(m, 60, y - (tall - H) / 2, 30, tall)
             for m, y, tall in (("自", 360, marks), ("至", 410, marks), ("至", 460, marks),
                                ("至", 510, marks * 1.1))]  # fmt: skip
    values = [("郑州", 110, 360), ("长沙", 110, 410), ("VOID", 110, 460), ("VOID", 110, 510),
              ("厦航", 255, 360), ("MF3813", 400, 360), ("F", 560, 360), ("27MAR24", 690, 360),
              ("1820", 850, 360), ("F", 980, 360), ("27MAR24", 1245, 360),
              ("27MAR24", 1485, 360), ("40K", 1750, 360)]  # fmt: skip
    boxes = form + [line(t, x, y + dy) for t, x, y in values]
    for i, text in enumerate(slanted):
        y = 600 + 60 * i
        boxes.append(Box(text, 0.99, ((60, y), (560, y + dy), (560, y + dy + H), (60, y + H))))
    return boxes


def test_stations_printed_half_a_line_high_go_to_their_marks() -> None:
    """A pass 22.5 px high under marks 44 px tall (one 48): every city is within half the
    tallest mark of its own, so unmoved they counted as level, and the marks were not moved
    onto their lines; but not on their own marks' lines, so their stations went unread
    (tuning-side page, paper form, kai, a pass 19 px up)."""
    got = fields(itinerary(-22.5, marks=44))
    stations = (got.get("0.from"), got.get("0.to"), got.get("0.flight_no"))
    assert stations == ("郑州", "长沙", "MF3813")


def test_lines_slanted_by_an_offset_pass_do_not_tilt_the_page() -> None:
    """Label-and-value lines slanted by a pass 12 px low are most of a flat page's long
    lines: their slope is not the page's tilt, and they tell the page misregistered."""
    slanted = ("票价CNY 1,910.00", "民航发展基金CNY 50.00", "燃油附加费CNY 20.00",
               "合计CNY 1,980.00", "电子客票号码4794112344511", "验证码6541", "保险费XXX",
               "销售单位代号URC265", "填开单位乌鲁木齐鹏程票务代理有限公司",
               "填开日期2024年11月16日", "印刷序号25942266198", "旅客姓名王洋秀",
               "有效身份证件号码530102********4274", "签注不得签转/变更退票收费")  # fmt: skip
    boxes = itinerary(12, slanted)
    assert page_tilt(boxes) == 0.0
    assert misregistered(boxes) and not misregistered(itinerary(0))
    got = fields(boxes)
    assert [got.get(f"0.{k}") for k in ("not_valid_before", "not_valid_after", "baggage")] == [
        "2024-03-27", "2024-03-27", "40K"]


def test_a_flight_row_is_read_on_a_page_whose_offset_pass_slants_its_lines() -> None:
    """Tuning page mixed-pen-reviewed 1600157: a pass 13 px high; its label-and-value lines,
    slanted 1-7°, were taken for the page's tilt, which set the flight's cells off its row
    (its origin read as the destination, the rest of the flight unread)."""
    want, got = engine_read("mixed-pen-reviewed", 1600157, "clean")
    assert got["segments"] == want["segments"]


def test_values_printed_right_under_their_labels_are_theirs() -> None:
    """A paper itinerary's amount row with the pass printed high: each value's box starts
    just under its label's middle (OCR's boxes of the two overlap), where only values
    centred more than 0.6 of a line below were looked for: the next row's were taken
    instead (tuning-side page, kai, a pass 10 px up: 10 ticket fields unread)."""
    row = (("票价", 60), ("民航发展基金", 360), ("燃油附加费", 820), ("其他税费", 1250),
           ("合计", 1590))
    values = ("CNY 1,910.00", "CNY 50.00", "CNY 20.00", "CNY 0.00", "CNY 1,980.00")
    boxes = [line(t, x, 600) for t, x in row] + [
        line(v, x + 8, 617) for v, (_, x) in zip(values, row, strict=True)]
    boxes += [line("电子客票号码", 60, 680), line("验证码", 500, 680),
              line("4794112344511", 65, 720), line("6541", 505, 720)]  # fmt: skip
    got = fields(boxes)
    assert [got.get(k) for k in ("fare", "caac_dev_fund", "fuel_surcharge", "total")] == [
        "1910.00", "50.00", "20.00", "1980.00"]
    assert (got.get("e_ticket_no"), got.get("check_code")) == ("4794112344511", "6541")


def test_a_pages_tilt_still_comes_from_its_lines() -> None:
    """A page turned by 2° as a whole: its label-and-value lines agree with the rest."""
    tilt = math.radians(2)
    boxes = [line(t, x, y, tilt) for t, x, y in (("航空运输电子客票行程单", 400, 50),
             ("票价CNY 1,910.00", 60, 600), ("验证码6541", 60, 660), ("客票生效日期", 600, 300),
             ("2024年12月07日", 600, 360))]  # fmt: skip
    assert math.isclose(page_tilt(boxes), tilt, abs_tol=1e-6)
    assert not misregistered(boxes)


def test_a_misregistered_page_reads_an_ink_at_a_time() -> None:
    """Tuning page mixed-pen-reviewed 1600095: black values 13 px high and 29 px left of a
    grey form's labels, boxed with them as slanted lines (印刷序粤988…, 票NY520.00). Read as
    one ink the page read 12 fields and two wrong (an ID 410115… for 310115…, 码 read 4);
    told misregistered by its slanted lines, it is read an ink at a time too, and that
    reading wins a tie."""
    want, got = engine_read("mixed-pen-reviewed", 1600095, "clean")
    keys = ticket_keys(want)
    assert not [k for k in keys if got[k] is not None and got[k] != want[k]]
    assert got["passenger_id_no"] == "310115********2277"
    assert got["e_ticket_no"] == "9992453756899"


def test_a_few_slanted_lines_are_no_misregistration() -> None:
    """A stamp or a highlighter slants a few label-and-value lines (3 of 25 on a tuning
    receipt): the page is not read an ink at a time for them, which read a VAT rate 3%."""
    flat = [line(t, 60, 100 + 50 * i) for i, t in enumerate(
        ("票价1045.87", "验证码1782", "合计1210.00", "电子客票号码7747956009873",
         "填开日期2025-04-06", "销售网点代号CGO728", "旅客姓名刘兰"))]  # fmt: skip
    slanted = [Box(t, 0.99, ((60, y), (560, y + 12), (560, y + 42), (60, y + 30)))
               for t, y in (("航班号FM6509", 500), ("燃油附加费18.35", 560), ("保险费XXX", 620))]
    values = [line("2025年04月06日", 900, 100 + 50 * i) for i in range(3)]  # the page's tilt
    assert not misregistered([*flat, *slanted, *values])
    assert misregistered([*flat[:3], *slanted, *values])


def test_a_bilingual_forms_marks_set_the_data_pass_back_on_its_lines() -> None:
    """The ink-parted reading moves the data pass onto the form's lines by the 自/至 marks;
    a bilingual form's marks read ``自 FROM`` and were not taken for marks (the pass stayed
    18 px low), and a mark's city was the left-most word within a line and a half, the row
    above's when its own (``VOID``) started a few px further right."""
    form = [box(m, 60, 440 + 57 * i, 110, 45) for i, m in enumerate(
        ("自 FROM", "至 TO", "至 TO", "至 TO", "至 TO"))]  # fmt: skip
    cities = [box(c, 185 if c != "VOID" else 188, 458 + 57 * i, 60, 40)
              for i, c in enumerate(("郑州", "沈阳", "VOID", "VOID", "VOID"))]  # fmt: skip
    moved = aligned(form, cities)[len(form):]
    assert [b.quad[0][1] - c.quad[0][1] for b, c in zip(moved, cities, strict=True)] == [
        -15.5] * 5
