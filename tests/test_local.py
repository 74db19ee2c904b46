"""The local engine: OCR on generated pages, the pure extractor, the worker pool, no network."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from batchocr.models import NameValue
from batchocr.recognize.local.image.ocr import Box
from batchocr.recognize.local.recognizer import CRASHED, LocalBackend
from batchocr.recognize.local.template.extract import extract
from batchocr.recognize.local.template.layout import (
    EINVOICE,
    EINVOICE_LINES,
    PAPER,
    PAPER_CELLS,
    Layout,
)
from batchocr.recognize.local.validate import repair
from synth import generate

REPO = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------- synthetic boxes


def box(text: str, x: float, y: float, *, h: float = 30.0, w: float | None = None) -> Box:
    """A box whose left edge is at ``x`` and whose middle is at ``y``."""
    w = sum(30.0 if ord(c) > 0x2000 else 16.0 for c in text) if w is None else w
    return Box(text, 0.99, ((x, y - h / 2), (x + w, y - h / 2), (x + w, y + h / 2), (x, y + h / 2)))


def frame(layout: Layout, skip: tuple[str, ...] = ()) -> list[Box]:
    """The title and every label of ``layout``, where a clean page prints them."""
    tx, ty = layout.title_at
    out = [box(layout.title, tx - layout.title_width / 2, ty, h=52, w=layout.title_width)]
    for a in layout.anchors:
        if a.text in skip:
            continue
        w = 22.0 * len(a.text)
        out.append(box(a.text, a.x - w / 2 if a.centered else a.x, a.y, w=w))
    return out


def table(layout: Layout, rows: list[dict[str, str]]) -> list[Box]:
    """Flight-table values, by column Name (``城市`` for the city column)."""
    out = []
    for r, row in enumerate(rows):
        y = layout.row_y + r * layout.row_step
        for col in layout.columns:
            if col.name in row:
                x = col.x0 + (110 if layout is PAPER and col.name == "城市" else 12)
                out.append(box(row[col.name], x, y))
    return out


def paper(values: dict[str, str], rows: list[dict[str, str]], serial: str = "") -> list[Box]:
    """A paper itinerary page's boxes, as OCR of a clean scan gives them."""
    out = frame(PAPER, skip=("印刷序号",))
    out.append(box(f"印刷序号：{serial}", 1468, 54))
    out += [box(values[c.name], c.x0 + 17, c.y0 + 74) for c in PAPER_CELLS if c.name in values]
    markers = [box("自FROM" if r == 0 else "至TO", 67, PAPER.row_y + r * 60) for r in range(5)]
    return out + markers + table(PAPER, rows)


def einvoice(values: dict[str, str], rows: list[dict[str, str]]) -> list[Box]:
    """An e-invoice itinerary page's boxes: ``label：value`` lines and the flight table."""
    out = [b for b in frame(EINVOICE) if b.text == EINVOICE.title or "：" not in b.text]
    labels = {a.text for a in EINVOICE.anchors if not a.centered}
    out = [b for b in out if b.text not in labels]
    for line in EINVOICE_LINES:
        x = 60.0
        for name, printed, fx in line.fields:
            x = fx if fx is not None else x
            text = f"{printed}：{values.get(name, '')}"
            out.append(box(text, x, line.y))
            x += 22.0 * len(text) + 80
    return out + table(EINVOICE, rows)


def moved(boxes: list[Box], scale: float, degrees: float, dx: float, dy: float) -> list[Box]:
    """The same boxes photographed smaller, tilted and shifted."""
    a = math.radians(degrees)

    def f(p: tuple[float, float]) -> tuple[float, float]:
        x, y = p[0] * scale, p[1] * scale
        return (x * math.cos(a) - y * math.sin(a) + dx, x * math.sin(a) + y * math.cos(a) + dy)

    return [
        Box(b.text, b.score, (f(b.quad[0]), f(b.quad[1]), f(b.quad[2]), f(b.quad[3])))
        for b in boxes
    ]


def as_dict(data: list[NameValue]) -> dict[tuple[str, int], str]:
    return {(d["Name"], d["Row"]): d["Value"] for d in data}


def plain(data: list[NameValue]) -> list[NameValue]:
    """The entries on (Name, Value, Row) only: ground truth has no Confidence."""
    return [{k: v for k, v in d.items() if k != "Confidence"} for d in data]


def scored(boxes: list[Box], scores: dict[str, float]) -> list[Box]:
    """The same boxes, those whose text is a key of ``scores`` read with that score."""
    return [Box(b.text, scores.get(b.text, b.score), b.quad) for b in boxes]


PAPER_VALUES = {
    "旅客姓名": "韩静", "有效身份证件号码": "530102********4819", "签注": "不得签转",
    "票价": "CNY 1190.00", "民航发展基金": "CN 50.00", "燃油附加费": "YQ 20.00",
    "合计金额": "CNY 1260.00", "其他税费": "0.00", "电子客票号码": "9991234567890",
    "验证码": "8202", "保险费": "XXX", "销售单位代号": "CAN267",
    "填开单位": "广州鹏程商务服务有限公司", "填开日期": "2024-02-04",
}  # fmt: skip
PAPER_ROWS = [
    {"城市": "青岛", "承运人": "国航", "航班号": "CA1401", "座位等级": "Y", "日期": "25FEB",
     "时间": "0815", "客票级别/类别": "YOW", "免费行李": "20K"},
    {"城市": "长沙"}, {"城市": "VOID"}, {"城市": "VOID"}, {"城市": "VOID"},
]  # fmt: skip
PAPER_WANT = [
    {"Name": "印刷序号", "Value": "04818009052", "Row": -1},
    {"Name": "旅客姓名", "Value": "韩静", "Row": -1},
    {"Name": "有效身份证件号码", "Value": "530102********4819", "Row": -1},
    {"Name": "签注", "Value": "不得签转", "Row": -1},
    {"Name": "票价", "Value": "1190.00", "Row": -1},
    {"Name": "民航发展基金", "Value": "50.00", "Row": -1},
    {"Name": "燃油附加费", "Value": "20.00", "Row": -1},
    {"Name": "合计金额", "Value": "1260.00", "Row": -1},
    {"Name": "其他税费", "Value": "0.00", "Row": -1},
    {"Name": "电子客票号码", "Value": "9991234567890", "Row": -1},
    {"Name": "验证码", "Value": "8202", "Row": -1},
    {"Name": "保险费", "Value": "XXX", "Row": -1},
    {"Name": "销售单位代号", "Value": "CAN267", "Row": -1},
    {"Name": "填开单位", "Value": "广州鹏程商务服务有限公司", "Row": -1},
    {"Name": "填开日期", "Value": "2024-02-04", "Row": -1},
    {"Name": "始发地", "Value": "青岛", "Row": 0},
    {"Name": "目的地", "Value": "长沙", "Row": 0},
    {"Name": "承运人", "Value": "国航", "Row": 0},
    {"Name": "航班号", "Value": "CA1401", "Row": 0},
    {"Name": "座位等级", "Value": "Y", "Row": 0},
    {"Name": "日期", "Value": "25FEB", "Row": 0},
    {"Name": "时间", "Value": "08:15", "Row": 0},
    {"Name": "客票级别/类别", "Value": "YOW", "Row": 0},
    {"Name": "免费行李", "Value": "20K", "Row": 0},
]


# ---------------------------------------------------------------------- the pure extractor


def test_paper_boxes_give_the_service_list_in_its_order() -> None:
    """A clean paper page's boxes give every printed field, in the service's order."""
    assert plain(extract(paper(PAPER_VALUES, PAPER_ROWS, "04818009052"))) == PAPER_WANT


def test_a_small_tilted_photo_registers_on_the_layout() -> None:
    """The same boxes at half size, tilted 4° and shifted, read exactly the same."""
    boxes = moved(paper(PAPER_VALUES, PAPER_ROWS, "04818009052"), 0.5, 4.0, 80.0, 30.0)
    assert plain(extract(boxes)) == PAPER_WANT


def test_garbled_labels_do_not_stop_registration() -> None:
    """With half the labels misread, the title and the rest still place every value."""
    boxes = paper(PAPER_VALUES, PAPER_ROWS, "04818009052")
    labels = len(frame(PAPER, skip=("印刷序号",)))
    garbled = [Box("口口" + b.text[2:], b.score, b.quad) if i % 2 and i < labels else b
               for i, b in enumerate(boxes)]  # fmt: skip
    assert plain(extract(garbled)) == PAPER_WANT


def test_letters_and_digits_confused_by_ocr_are_put_right() -> None:
    """O/0, I/1, 3/J are fixed where the form pins them down: codes, months, flight numbers."""
    values = {**PAPER_VALUES, "销售单位代号": "C4N26I", "电子客票号码": "999123456789O"}
    rows = [
        {**PAPER_ROWS[0], "航班号": "C41401", "日期": "2O3UN", "承运人": "国航"},
        {"城市": "长沙"},
    ]
    got = as_dict(extract(paper(values, rows)))
    assert (got[("销售单位代号", -1)], got[("电子客票号码", -1)]) == ("CAN261", "9991234567890")
    assert (got[("航班号", 0)], got[("日期", 0)]) == ("CA1401", "20JUN")


def test_the_airline_code_follows_the_carrier() -> None:
    """Airline code H0 under 吉祥 (HO) becomes HO; 质航 flying MF… becomes 厦航."""
    rows = [{"城市": "上海", "承运人": "吉祥", "航班号": "H01234"},
            {"城市": "厦门", "承运人": "质航", "航班号": "MF8001"}, {"城市": "福州"}]  # fmt: skip
    got = as_dict(extract(paper(PAPER_VALUES, rows)))
    assert (got[("航班号", 0)], got[("承运人", 1)]) == ("HO1234", "厦航")


def test_masked_ids_keep_their_fixed_shape_and_bad_whole_ids_are_dropped() -> None:
    """A star read once too often is restored (18 characters); a bad check digit drops an ID."""
    got = as_dict(
        extract(paper({**PAPER_VALUES, "有效身份证件号码": "530102*********4819"}, PAPER_ROWS))
    )
    assert got[("有效身份证件号码", -1)] == "530102********4819"
    bad = as_dict(
        extract(paper({**PAPER_VALUES, "有效身份证件号码": "110105194912310021"}, PAPER_ROWS))
    )
    assert ("有效身份证件号码", -1) not in bad


def test_unreadable_and_missing_fields_are_absent_not_guessed() -> None:
    """A ticket number with a digit missing and a blank 其他税费 box give no pair at all."""
    values = {k: v for k, v in PAPER_VALUES.items() if k != "其他税费"}
    got = as_dict(extract(paper({**values, "电子客票号码": "999123456789"}, PAPER_ROWS)))
    assert [k for k in (("电子客票号码", -1), ("其他税费", -1)) if k in got] == []


def test_the_total_repairs_a_single_misread_amount() -> None:
    """Fare CNY 1199.00 against a total of 1260.00 (= fare + 50 + 20 + 0) is read as 1190.00."""
    got = as_dict(extract(paper({**PAPER_VALUES, "票价": "CNY 1199.00"}, PAPER_ROWS)))
    assert got[("票价", -1)] == "1190.00"


def test_cells_merged_by_ocr_are_split_by_column() -> None:
    """``2025-08-2322:55`` over date and time, ``自乌鲁木齐`` over the city: split right."""
    values = {
        "发票号码": "24112091465223511723",
        "旅客姓名": "陈静",
        "电子客票号码": "9992742555309",
    }
    rows = [{"城市": "自乌鲁木齐", "承运人": "国航", "航班号": "CA4886", "日期": "2025-08-2322:55"},
            {"城市": "至长沙"}]  # fmt: skip
    assert plain(extract(einvoice(values, rows))) == [
        {"Name": "发票号码", "Value": "24112091465223511723", "Row": -1},
        {"Name": "旅客姓名", "Value": "陈静", "Row": -1},
        {"Name": "电子客票号码", "Value": "9992742555309", "Row": -1},
        {"Name": "始发站", "Value": "乌鲁木齐", "Row": 0},
        {"Name": "目的站", "Value": "长沙", "Row": 0},
        {"Name": "承运人", "Value": "国航", "Row": 0},
        {"Name": "航班号", "Value": "CA4886", "Row": 0},
        {"Name": "日期", "Value": "2025-08-23", "Row": 0},
        {"Name": "时间", "Value": "22:55", "Row": 0},
    ]


def test_credit_code_is_checked_and_repaired() -> None:
    """An O read for 0 in a 统一社会信用代码 is fixed; a code failing GB 32100 is absent."""
    good = as_dict(extract(einvoice({"统一社会信用代码/纳税人识别号": "9111O1O1MAHLG86N2N"}, [])))
    bad = as_dict(extract(einvoice({"统一社会信用代码/纳税人识别号": "91110101MAHLG86N2P"}, [])))
    key = ("统一社会信用代码/纳税人识别号", -1)
    assert (good[key], key in bad) == ("91110101MAHLG86N2N", False)


def test_a_credit_code_right_by_chance_fails_its_organization_code_s_check() -> None:
    """A photo's misread of 91610113MATT5B783N whose GB 32100 check character happens to
    hold (one misread in 31): its organization code's own check (GB 11714) fails, and the
    field is left out."""
    key = ("统一社会信用代码/纳税人识别号", -1)
    read = as_dict(extract(einvoice({key[0]: "916101133AT15B753N"}, [])))
    right = as_dict(extract(einvoice({key[0]: "91610113MATT5B783N"}, [])))
    assert (key in read, right[key]) == (False, "91610113MATT5B783N")


def test_each_entry_carries_the_lowest_score_of_its_boxes() -> None:
    """A fare read at 0.42 (repaired by the total) and CA1401 at 0.61 say so; 至TO is no city."""
    boxes = paper({**PAPER_VALUES, "票价": "CNY 1199.00"}, PAPER_ROWS, "04818009052")
    got = extract(scored(boxes, {"CNY 1199.00": 0.4216, "CA1401": 0.61, "至TO": 0.2}))
    low = [d for d in got if d["Confidence"] != 0.99]
    assert low == [
        {"Name": "票价", "Value": "1190.00", "Row": -1, "Confidence": 0.422},
        {"Name": "航班号", "Value": "CA1401", "Row": 0, "Confidence": 0.61},
    ]


def test_an_einvoice_value_split_over_boxes_takes_the_lowest_score() -> None:
    """A name whose second half was boxed apart at 0.5 reads with Confidence 0.5."""
    boxes = [b for b in einvoice({"旅客姓名": "陈静"}, []) if not b.text.startswith("旅客姓名")]
    line = next(x for x in EINVOICE_LINES if any(n == "旅客姓名" for n, _, _ in x.fields))
    fx = next(x for n, _, x in line.fields if n == "旅客姓名") or 60.0
    boxes += [box("旅客姓名：陈", fx, line.y), Box("静", 0.5, box("静", fx + 180, line.y).quad)]
    got = {d["Name"]: (d["Value"], d["Confidence"]) for d in extract(boxes)}
    assert got["旅客姓名"] == ("陈静", 0.5)


def test_a_page_that_is_no_itinerary_gives_nothing() -> None:
    """Boxes with no title and no labels are not an itinerary: the list is empty."""
    assert extract([box("hello", 10, 10), box("world", 10, 60)]) == []


def test_value_cleaners_read_the_printed_forms() -> None:
    """Amounts, times, dates and digit fields come out in the form the service returns."""
    assert (repair.amount("CNY.2650:00"), repair.clock("0815"), repair.cn_date("2024年1O月04日"),
            repair.digits("No.0481800905Z", 11), repair.office_code("5HE1O4")) == (
        "2650.00", "08:15", "2024年10月04日", "04818009052", "SHE104")  # fmt: skip


def test_an_office_code_must_start_with_a_chinese_airport_s_code() -> None:
    """A kai or dot-matrix face reads M as N, H as E or K (``KNG182`` for KMG182, ``LEW648``
    for LHW648): no airport a sales office's code names, so the field is left out."""
    assert [repair.office_code(t) for t in ("KMG182", "KNG182", "LHW648", "LEW648", "KGH633")] == [
        "KMG182", None, "LHW648", None, None]


# ---------------------------------------------------------------------- OCR on generated pages

ocr_needed = pytest.mark.skipif(
    importlib.util.find_spec("rapidocr_onnxruntime") is None,
    reason="the local extra (rapidocr-onnxruntime) is not installed",
)


def _png(seed: int, layout: str, noise: str) -> tuple[bytes, list[dict[str, Any]]]:
    sample = generate(seed, layout, noise)
    buf = io.BytesIO()
    sample.image.save(buf, "PNG")
    return buf.getvalue(), sample.truth["data"]


@ocr_needed
@pytest.mark.parametrize(("seed", "layout", "noise"), [
    (1, "paper", "clean"), (4, "einvoice", "clean"),
    (2, "paper", "light"), (5, "einvoice", "light"),
])  # fmt: skip
def test_generated_pages_are_read_exactly(seed: int, layout: str, noise: str) -> None:
    """OCR + extraction of a generated page returns exactly its ground-truth list."""
    from batchocr.recognize.local.recognizer import recognize

    image, truth = _png(seed, layout, noise)
    assert plain(recognize(image)) == truth


@ocr_needed
def test_a_blank_page_is_not_recognized() -> None:
    """A white page raises LookupError, which the service calls 252604."""
    from PIL import Image

    from batchocr.recognize.local.recognizer import recognize

    buf = io.BytesIO()
    Image.new("RGB", (800, 500), "white").save(buf, "PNG")
    with pytest.raises(LookupError):
        recognize(buf.getvalue())


@ocr_needed
def test_pages_the_reader_cannot_cope_with_fail_as_lookup_errors() -> None:
    """Noise, a sliver, a real e-invoice photo the engine was not built for, a page turned
    upside down: each ends as data or LookupError (that page's failure), never another error."""
    import random

    from PIL import Image

    from batchocr.recognize.local.recognizer import recognize

    rng = random.Random(5)
    noise = Image.frombytes("L", (900, 600), bytes(rng.randrange(256) for _ in range(540000)))
    pages = [noise, Image.new("L", (1600, 16), 0),
             generate(7, "einvoice-real", "heavy").image,
             generate(8, "paper", "light").image.rotate(180)]  # fmt: skip
    for page in pages:
        buf = io.BytesIO()
        page.save(buf, "PNG")
        with contextlib.suppress(LookupError):
            recognize(buf.getvalue())


@ocr_needed
def test_recognition_works_without_a_network() -> None:
    """In an empty network namespace (unshare -n) a page is still read: nothing is downloaded."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare is not installed")
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -n is not permitted here: {probe.stderr.decode().strip()}")
    code = (
        "import io, socket, sys\n"
        "from synth import generate\n"
        "from batchocr.recognize.local.recognizer import recognize\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 443), timeout=2)\n"
        "    sys.exit('the network is reachable: the check proves nothing')\n"
        "except OSError:\n"
        "    pass\n"
        "s = generate(4, 'einvoice', 'clean'); b = io.BytesIO(); s.image.save(b, 'PNG')\n"
        "got = [{k: d[k] for k in ('Name', 'Value', 'Row')} for d in recognize(b.getvalue())]\n"
        "sys.exit(0 if got == s.truth['data'] else 'wrong reading')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([unshare, "-n", sys.executable, "-c", code], capture_output=True,
                          env=env, timeout=120)  # fmt: skip
    assert (done.returncode, done.stderr.decode()[-300:]) == (0, "")


# ---------------------------------------------------------------------- the worker pool


def crash_on_marked(image: bytes) -> list[NameValue]:
    """A recognizer that dies like a segfault on ``b"crash"`` (runs in the worker)."""
    if image == b"crash":
        os._exit(139)
    if image == b"blank":
        raise LookupError("nothing recognized")
    if image == b"degenerate":
        raise ZeroDivisionError("float division by zero")  # as geometry.inverse once did
    return [{"Name": "电子客票号码", "Value": image.decode(), "Row": -1}]


@pytest.mark.asyncio
async def test_a_crashing_page_fails_alone_and_the_next_page_succeeds() -> None:
    """A worker dying on one image, or the reader raising on it, gives that item 252604 with
    the reason; the pool is rebuilt (or kept) and the next page succeeds."""
    backend = LocalBackend(workers=1, recognizer=crash_on_marked, initializer=None)
    try:
        crashed = await backend.send(b"crash")
        after = await backend.send(b"9991234567890")
        blank = await backend.send(b"blank")
        degenerate = await backend.send(b"degenerate")
        still = await backend.send(b"7811234567890")
    finally:
        await backend.aclose()
    assert (crashed.error_code, crashed.reason, crashed.data) == (252604, CRASHED, [])
    assert (after.error_code, after.reason, after.data) == (
        0, "success", [{"Name": "电子客票号码", "Value": "9991234567890", "Row": -1}])  # fmt: skip
    assert (blank.error_code, blank.reason) == (252604, "识别失败: nothing recognized")
    assert (degenerate.error_code, degenerate.reason) == (
        252604, "识别失败: ZeroDivisionError: float division by zero")  # fmt: skip
    assert still.error_code == 0
    assert after.request_id is not None and len(after.request_id) == 36
