"""The synthetic itinerary generator: determinism, consistent truth, noise modes, files."""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from batchocr.errors import ConfigError
from synth.scans import (
    CREDIT_CHARS,
    MAX_FILE_BYTES,
    TICKET_PREFIX,
    Sample,
    credit_check_char,
    font_path,
    generate,
    main,
    truth_json,
    write_sample,
)

try:
    font_path()
except ConfigError as exc:
    pytestmark = pytest.mark.skip(reason=str(exc))

SEEDS = range(1, 16)
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
PAPER_FLIGHT = {"from": "始发地", "to": "目的地", "fare_basis": "客票级别/类别"}
EINV_FLIGHT = {"from": "始发站", "to": "目的站", "fare_basis": "客票级别/客票类别"}


def split(sample: Sample) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Ticket-level Name → Value, and one Name → Value dict per flight row."""
    ticket: dict[str, str] = {}
    flights: list[dict[str, str]] = []
    for pair in sample.truth["data"]:
        row = pair["Row"]
        if row < 0:
            assert pair["Name"] not in ticket
            ticket[pair["Name"]] = pair["Value"]
            continue
        if row == len(flights):
            flights.append({})
        flights[row][pair["Name"]] = pair["Value"]
    return ticket, flights


def money(ticket: dict[str, str], name: str) -> Decimal:
    return Decimal(ticket.get(name, "0"))


@pytest.fixture(scope="module")
def clean_samples() -> list[Sample]:
    """Clean samples of both layouts over a range of seeds, rendered once for several tests."""
    return [generate(seed, layout) for seed in SEEDS for layout in ("paper", "einvoice")]


def test_same_seed_gives_identical_pixels_and_truth() -> None:
    """Generating the same seed, layout and noise twice gives the same pixels and truth text."""
    for layout, noise in (("paper", "light"), ("einvoice", "heavy")):
        a, b = generate(11, layout, noise), generate(11, layout, noise)
        assert a.image.tobytes() == b.image.tobytes()
        assert truth_json(a) == truth_json(b)
        assert a.jpeg_quality == b.jpeg_quality


def test_different_seeds_give_different_tickets() -> None:
    """Two seeds give different images and different ticket numbers."""
    a, b = generate(1), generate(2)
    assert a.image.tobytes() != b.image.tobytes()
    assert split(a)[0]["电子客票号码"] != split(b)[0]["电子客票号码"]


def test_noise_modes_share_the_same_truth_data() -> None:
    """The ticket depends on the seed only: every noise mode of a layout has the same data."""
    datas = [generate(5, "einvoice", noise).truth["data"] for noise in ("clean", "light", "heavy")]
    assert datas[0] == datas[1] == datas[2]


def test_truth_header() -> None:
    """The truth carries the schema version, generator, seed, layout and noise."""
    truth = generate(3, "einvoice", "light").truth
    assert {k: v for k, v in truth.items() if k != "data"} == {
        "schema_version": 1,
        "generator": "synth",
        "seed": 3,
        "layout": "einvoice",
        "noise": "light",
    }


def test_total_follows_each_documents_equation(clean_samples: list[Sample]) -> None:
    """Paper: 合计 = 票价 + 民航发展基金 + 燃油附加费 + 其他税费. E-invoice (fares without VAT):
    合计 = 票价 + 燃油附加费 + 增值税税额 + 民航发展基金 + 其他税费. Insurance is never included."""
    for sample in clean_samples:
        ticket, _ = split(sample)
        total = ticket.get("合计金额") or ticket["合计"]
        names = ["票价", "民航发展基金", "燃油附加费", "其他税费"]
        if sample.truth["layout"] == "einvoice":
            names.append("增值税税额")
        assert Decimal(total) == sum(money(ticket, n) for n in names)
        assert ticket["保险费"] == "XXX" or re.fullmatch(r"\d+\.\d\d", ticket["保险费"])


def test_vat_is_nine_percent_of_the_net_fare_and_fuel(clean_samples: list[Sample]) -> None:
    """On e-invoices 增值税税额 is 9 % of 票价 + 燃油附加费 (printed net), to within a cent."""
    for sample in clean_samples[1::2]:
        ticket, _ = split(sample)
        base = money(ticket, "票价") + money(ticket, "燃油附加费")
        assert ticket["增值税税率"] == "9%"
        expected = (base * Decimal("0.09")).quantize(Decimal("0.01"))
        assert abs(Decimal(ticket["增值税税额"]) - expected) <= Decimal("0.01")


def test_ticket_prefix_matches_first_carrier(clean_samples: list[Sample]) -> None:
    """电子客票号码 is 13 digits starting with the first carrier's accounting code."""
    for sample in clean_samples:
        ticket, flights = split(sample)
        assert re.fullmatch(r"\d{13}", ticket["电子客票号码"])
        assert ticket["电子客票号码"][:3] == TICKET_PREFIX[flights[0]["承运人"]]


def test_credit_check_char_matches_the_standards_worked_example() -> None:
    """The GB 32100 check of 91350100M000100Y4 is 3, as in the standard's example."""
    assert credit_check_char("91350100M000100Y4") == "3"


def test_buyer_credit_code_has_a_valid_check_char(clean_samples: list[Sample]) -> None:
    """Every e-invoice's 统一社会信用代码 is 18 allowed characters with a valid check character."""
    for sample in clean_samples[1::2]:
        code = split(sample)[0]["统一社会信用代码/纳税人识别号"]
        assert len(code) == 18
        assert set(code) <= set(CREDIT_CHARS)
        assert code[17] == credit_check_char(code[:17])


def test_flights_chain_and_follow_the_issue_date(clean_samples: list[Sample]) -> None:
    """Each flight leaves from the previous arrival, on or within weeks after the issue date."""
    for sample in clean_samples:
        ticket, flights = split(sample)
        names = PAPER_FLIGHT if sample.truth["layout"] == "paper" else EINV_FLIGHT
        assert 1 <= len(flights) <= 4
        for prev, nxt in itertools.pairwise(flights):
            assert prev[names["to"]] == nxt[names["from"]]
        issued = date.fromisoformat(ticket["填开日期"])
        for flight in flights:
            assert re.fullmatch(r"(0\d|1\d|2[0-3]):[0-5]\d", flight["时间"])
            assert re.fullmatch(r"[A-Z0-9]{2}\d{3,4}", flight["航班号"])
            if sample.truth["layout"] == "einvoice":
                day = date.fromisoformat(flight["日期"])
            else:  # "08JAN": the year is the issue year, or the next one across New Year
                dd, month = int(flight["日期"][:2]), MONTHS.index(flight["日期"][2:]) + 1
                day = date(issued.year, month, dd)
                day = day if day >= issued else date(issued.year + 1, month, dd)
            assert issued <= day <= issued + timedelta(days=60)


def test_ticket_number_formats(clean_samples: list[Sample]) -> None:
    """Serial, check code, invoice number and dates have the printed formats."""
    for sample in clean_samples:
        ticket, _ = split(sample)
        assert re.fullmatch(r"\d{4}", ticket["验证码"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", ticket["填开日期"])
        if sample.truth["layout"] == "paper":
            assert re.fullmatch(r"\d{11}", ticket["印刷序号"])
        else:
            assert re.fullmatch(r"\d{20}", ticket["发票号码"])
            assert re.fullmatch(r"\d{4}年\d\d月\d\d日", ticket["开票日期"])
            assert ticket["国内国际标签"] == "国内"


def test_rows_are_minus_one_for_ticket_and_flight_index_for_flights() -> None:
    """Flight-level Names carry their 0-based row; ticket-level Names carry -1."""
    sample = generate(3, "paper")  # a four-flight ticket
    rows = {(p["Name"], p["Row"]) for p in sample.truth["data"]}
    assert {r for n, r in rows if n == "航班号"} == {0, 1, 2, 3}
    assert {r for n, r in rows if n in ("旅客姓名", "合计金额", "电子客票号码")} == {-1}


def test_noise_modes_sizes_and_formats(tmp_path: Path) -> None:
    """clean/light keep the 2000 px grey page as PNG; heavy is ~1000 px, saved as JPEG 35–60."""
    for layout, height in (("paper", 980), ("einvoice", 1100)):
        clean, light, heavy = (generate(2, layout, n) for n in ("clean", "light", "heavy"))
        for page in (clean, light):
            assert (page.image.mode, page.image.size) == ("L", (2000, height))
            assert page.jpeg_quality is None
        assert light.image.tobytes() != clean.image.tobytes()
        assert 950 <= max(heavy.image.size) <= 1200
        assert heavy.jpeg_quality is not None and 35 <= heavy.jpeg_quality <= 60
        for sample, fmt in ((clean, "PNG"), (light, "PNG"), (heavy, "JPEG")):
            image_path, _ = write_sample(sample, tmp_path, f"{layout}-{sample.truth['noise']}")
            with Image.open(image_path) as img:
                assert img.format == fmt
            assert image_path.stat().st_size <= MAX_FILE_BYTES


def test_write_sample_writes_image_and_utf8_truth(tmp_path: Path) -> None:
    """write_sample returns <stem>.png and <stem>.json; the JSON is the truth, UTF-8, indent 1."""
    sample = generate(4, "einvoice")
    image_path, json_path = write_sample(sample, tmp_path / "out", "x")
    assert (image_path, json_path) == (tmp_path / "out" / "x.png", tmp_path / "out" / "x.json")
    text = json_path.read_text(encoding="utf-8")
    assert json.loads(text) == sample.truth
    assert text.startswith('{\n "schema_version": 1,\n')
    assert '"Name": "旅客姓名"' in text
    with Image.open(image_path) as img:
        assert img.tobytes() == sample.image.tobytes()


def test_cli_samples_regenerates_the_committed_truth(tmp_path: Path) -> None:
    """`--samples DIR` writes the six committed samples with the same truth and manifest."""
    committed = Path(__file__).resolve().parent.parent / "samples"
    assert main(["--samples", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    generated = (p for p in committed.iterdir() if p.is_file() and p.name != "README.md")
    assert written == sorted(p.name for p in generated)  # samples/export/ is made by export
    for path in tmp_path.iterdir():
        if path.suffix in (".json", ".csv"):
            assert path.read_bytes() == (committed / path.name).read_bytes(), path.name
        else:
            assert path.stat().st_size <= MAX_FILE_BYTES


def test_cli_out_mixes_layouts_and_noise(tmp_path: Path) -> None:
    """`--layout both --noise mixed` alternates layouts and cycles noise, with a manifest."""
    assert main(["--out", str(tmp_path), "--count", "3", "--seed", "20"]) == 0
    with (tmp_path / "manifest.csv").open(encoding="utf-8", newline="") as f:
        rows: list[dict[str, Any]] = list(csv.DictReader(f))
    assert rows == [
        {"id": "synth-20", "path": "paper-clean-20.png"},
        {"id": "synth-21", "path": "einvoice-light-21.png"},
        {"id": "synth-22", "path": "paper-heavy-22.jpg"},
    ]
    assert json.loads((tmp_path / "paper-heavy-22.json").read_text("utf-8"))["seed"] == 22


def test_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """A missing font raises ConfigError naming the apt package; the CLI exits 2 with it."""
    monkeypatch.setenv("BATCHOCR_FONT", str(tmp_path / "none.ttc"))
    with pytest.raises(ConfigError, match="apt-get install fonts-wqy-zenhei"):
        generate(1)
    assert main(["--out", str(tmp_path), "--count", "1"]) == 2
    assert "apt-get install fonts-wqy-zenhei" in capsys.readouterr().err


def test_unknown_layout_or_noise_is_rejected() -> None:
    """An unknown layout or noise mode raises ConfigError instead of drawing something else."""
    with pytest.raises(ConfigError, match="layout must be one of"):
        generate(1, "bus")
    with pytest.raises(ConfigError, match="layout must be one of"):
        generate(1, "paper", "medium")


def test_the_real_einvoice_layout_has_its_truth_and_arithmetic() -> None:
    """einvoice-real: the truth is synth.einvoice's, and 合计 includes the VAT of net fares."""
    from synth.einvoice import invoice, truth_data
    from synth.scans import REAL_LAYOUT

    for seed in (1, 2, 3):
        sample = generate(seed, REAL_LAYOUT, "light")
        e = invoice(seed)
        assert sample.truth["data"] == truth_data(e)
        assert e.total == e.fare + e.fuel + e.vat + e.fund + e.other
        assert abs(e.vat - ((e.fare + e.fuel) * Decimal("0.09")).quantize(Decimal("0.01"))) <= (
            Decimal("0.01"))  # fmt: skip
        assert sample.image.mode == "L" and generate(seed, REAL_LAYOUT).image.mode == "RGB"


# ------------------------------------------------------------------ families (issue 9)

KNOWN_NAMES = {
    "印刷序号", "发票号码", "开票日期", "开票状态", "国内国际标签", "国内国际标识", "旅客姓名",
    "有效身份证件号码", "签注", "票价", "民航发展基金", "燃油附加费", "增值税税率", "增值税税额",
    "其他税费", "合计金额", "合计", "电子客票号码", "验证码", "提示信息", "保险费", "销售单位代号",
    "销售网点代号", "填开单位", "填开日期", "购买方名称", "统一社会信用代码/纳税人识别号",
    "始发地", "目的地", "始发站", "目的站", "自", "至", "承运人", "航班号", "座位等级", "日期",
    "时间", "客票级别/类别", "客票级别/客票类别", "客票生效日期", "有效期截止日期", "有效截止日期",
    "免费行李",
}  # fmt: skip


@pytest.fixture
def family_fonts() -> None:
    """The serif and kai faces of the families (Debian fonts-arphic-uming, -ukai)."""
    from synth.style import font_file

    try:
        font_file("serif"), font_file("kai")
    except ConfigError as exc:
        pytest.skip(str(exc))


def test_every_family_is_deterministic_and_names_known_fields(family_fonts: None) -> None:
    """(family, seed) gives the same image bytes and truth twice; Names are known ones."""
    from synth.variety import FAMILIES, generate_family

    for family in FAMILIES:
        a, b = generate_family(3, family), generate_family(3, family)
        assert a.image.tobytes() == b.image.tobytes(), family
        assert truth_json(a) == truth_json(b)
        assert a.truth["family"] == family
        assert {"rotation", "scale"} <= a.truth["style"].keys()
        assert {d["Name"] for d in a.truth["data"]} <= KNOWN_NAMES, family
    a, b = (generate_family(4, "einvoice-stamped", "heavy") for _ in range(2))
    assert a.image.tobytes() == b.image.tobytes() and a.jpeg_quality == b.jpeg_quality


def test_a_reviewers_pen_marks_values_in_ballpoint_ink(family_fonts: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """mixed-pen-reviewed rings or underlines 2-4 printed values, named in the truth's
    ``marked``; what the pen adds to the page is ballpoint ink, over the values' boxes."""
    from synth import marks
    from synth.variety import generate_family

    marked = generate_family(1600000, "mixed-pen-reviewed")
    assert 2 <= len(marked.truth["style"]["marked"]) <= 4
    monkeypatch.setattr(marks, "pen", lambda *a, **k: None)
    bare = generate_family(1600000, "mixed-pen-reviewed")
    assert bare.truth["data"] == marked.truth["data"]
    a, b = marked.image.convert("RGB"), bare.image.convert("RGB")
    added = Counter(a.getpixel((x, y)) for x in range(0, a.width, 2)
                    for y in range(0, a.height, 2) if a.getpixel((x, y)) != b.getpixel((x, y)))
    assert added.most_common(1)[0][0] in marks.PENS  # (its anti-aliased edges aside)


def test_family_truth_is_normalized_whatever_the_printed_format(family_fonts: None) -> None:
    """Amounts 1234.00, times HH:MM, paper flight dates 05MAR, issue dates ISO, in every
    format; the data equals the classic drawing's for the Names both print."""
    from synth.variety import FAMILIES, generate_family

    for family in FAMILIES[3:]:
        for seed in (1, 2):
            sample = generate_family(seed, family)
            ticket, flights = split(sample)
            classic = split(generate(seed, sample.truth["layout"]))
            for name, value in ticket.items():
                assert value == classic[0][name], (family, name)
            for got, want in zip(flights, classic[1], strict=True):
                assert got == {k: v for k, v in want.items() if k in got}
                assert re.fullmatch(r"\d\d:\d\d", got["时间"])


def test_rotation_90_swaps_the_image_size() -> None:
    """Rotation turns the page, the truth stays."""
    from dataclasses import replace

    from synth.style import draw_style
    from synth.variety import render

    style = draw_style(1, "paper-rotated")
    up, up_data, _ = render(1, replace(style, rotation=0, scale=1.0))
    turned, data, _ = render(1, replace(style, rotation=90, scale=1.0))
    assert turned.size == up.size[::-1] and data == up_data


def test_tuning_and_held_out_families_split_the_families() -> None:
    """Disjoint, together every family; every held-out family draws something no tuning family
    does, and the typeface and the marks over fields the held-out ones share with no tuning
    family are never drawn in tuning (the formats issue 9 names are tuning data since
    session 5: see synth.style)."""
    from synth.style import AXES, CLASSIC, PROBE_FAMILIES, SPECS, family_axes
    from synth.variety import FAMILIES, HELD_OUT_FAMILIES, TUNING_FAMILIES

    looked_at = (*TUNING_FAMILIES, *PROBE_FAMILIES)
    assert not set(looked_at) & set(HELD_OUT_FAMILIES)
    assert sorted((*looked_at, *HELD_OUT_FAMILIES)) == sorted(FAMILIES)
    assert len(FAMILIES) >= 8 and set(CLASSIC) <= set(TUNING_FAMILIES)
    tuned = {a: {v for f in looked_at if f in SPECS for v in family_axes(f)[a]}
             for a in AXES}  # fmt: skip
    probes = {a: {v for f in PROBE_FAMILIES for v in family_axes(f)[a]} for a in AXES}
    assert all(probes[a] <= {v for f in TUNING_FAMILIES if f in SPECS
                             for v in family_axes(f)[a]} for a in AXES)  # fmt: skip
    held = {a: {v for f in HELD_OUT_FAMILIES for v in family_axes(f)[a]} for a in AXES}
    for axis in ("typeface", "stamp", "scribble"):
        assert held[axis] - tuned[axis], axis
    for family in HELD_OUT_FAMILIES:
        axes = family_axes(family)
        assert any(set(axes[a]) - tuned[a] for a in AXES), family


def test_every_style_choice_appears_in_some_family() -> None:
    """Each value of each axis is allowed by at least one family, and drawn for some seed."""
    from synth.style import AXES, SPECS, draw_style, family_axes

    for axis, values in AXES.items():
        assert {v for f in SPECS for v in family_axes(f)[axis]} == set(values), axis
    drawn = {axis: set() for axis in AXES}  # type: dict[str, set[Any]]
    for family in SPECS:
        for seed in range(40):
            style = draw_style(seed, family)
            for axis in AXES:
                value = getattr(style, axis)
                drawn[axis].add(value if axis != "scale" else "1" if value == 1.0 else "varied")
    assert drawn == {axis: set(values) for axis, values in AXES.items()}


def test_missing_family_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:  # fmt: skip
    """A missing serif or kai font names its Debian package, only when it is asked for."""
    from synth import style

    monkeypatch.setenv("BATCHOCR_FONT_KAI", str(tmp_path / "none.ttc"))
    style.font.cache_clear()
    try:
        with pytest.raises(ConfigError, match="apt-get install fonts-arphic-ukai"):
            style.font("kai", 20)
        style.font("serif", 20)  # the others still load
    finally:
        style.font.cache_clear()


def test_cli_writes_a_family(tmp_path: Path, family_fonts: None) -> None:
    """`--family NAME` writes that family's pages, named after it."""
    assert main(["--out", str(tmp_path), "--count", "2", "--seed", "7", "--noise", "light",
                 "--family", "einvoice-ruled-kai"]) == 0  # fmt: skip
    truth = json.loads((tmp_path / "einvoice-ruled-kai-light-8.json").read_text("utf-8"))
    assert truth["family"] == "einvoice-ruled-kai" and truth["seed"] == 8
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--family", "nope"])
