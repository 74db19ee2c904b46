"""Tests for batchocr.outputs.fields: Name/Value list → normalized fields + warnings."""

from __future__ import annotations

from typing import Any

import pytest

from batchocr.models import Warning_
from batchocr.outputs.fields import SEGMENT_KEYS, TICKET_KEYS, normalize, ticket_key

# The documented example response of juhe-flight-itinerary-api.md (synthetic data).
JUHE_EXAMPLE: list[dict[str, Any]] = [
    {"Name": "印刷序号", "Value": "45766893631"},
    {"Name": "有效身份证件号码", "Value": "13*****1217"},
    {"Name": "始发地", "Value": "天津"},
    {"Name": "目的地", "Value": "昆明"},
    {"Name": "航班号", "Value": "CA1401"},
    {"Name": "时间", "Value": "15:45"},
    {"Name": "电子客票号码", "Value": "9992106974306"},
    {"Name": "验证码", "Value": "9363"},
    {"Name": "填开日期", "Value": "2013年07月19日"},
    {"Name": "票价", "Value": "1190.00"},
    {"Name": "合计金额", "Value": "1050.00"},
]
TICKET = {"Name": "电子客票号码", "Value": "9992106974306"}  # satisfies missing_core_field


def blank(**ticket: Any) -> dict[str, Any]:
    """Every ticket key None, no segments, no extra; overridden by ``ticket``."""
    return {key: None for key in TICKET_KEYS} | {"segments": [], "extra": {}} | ticket


def seg(values: dict[str, Any]) -> dict[str, Any]:
    """A segment with every flight key None except ``values``."""
    return {key: None for key in SEGMENT_KEYS} | values


def one(name: str, value: Any, key: str, *more: dict[str, Any]) -> tuple[Any, list[Warning_]]:
    """Normalize a single ticket-level pair (plus ``more``) and return its value and warnings."""
    # The pair comes first so that, for 电子客票号码 itself, it wins over TICKET.
    fields, warnings = normalize([{"Name": name, "Value": value}, TICKET, *more])
    return fields[key], warnings


def flight(name: str, value: Any, key: str, issue: str | None = None) -> tuple[Any, list[Warning_]]:
    """Normalize one flight-level pair (with an optional 填开日期) and return its value."""
    raw = [TICKET, {"Name": name, "Value": value}]
    if issue is not None:
        raw.append({"Name": "填开日期", "Value": issue})
    fields, warnings = normalize(raw)
    return fields["segments"][0][key], warnings


# ---- the documented example


def test_juhe_example_normalizes_to_exact_fields() -> None:
    """The documented Juhe response maps to exact fields; lacking three total parts, no warning."""
    fields, warnings = normalize(JUHE_EXAMPLE)
    assert fields == blank(
        serial_no="45766893631",
        passenger_id_no="13*****1217",
        e_ticket_no="9992106974306",
        check_code="9363",
        issue_date="2013-07-19",
        fare="1190.00",
        total="1050.00",
        segments=[seg({"from": "天津", "to": "昆明", "flight_no": "CA1401", "time": "15:45"})],
    )
    # total_mismatch needs fare, caac_dev_fund, fuel_surcharge and other_taxes all parsed.
    assert warnings == []


def test_juhe_example_with_all_total_parts_reports_total_mismatch() -> None:
    """With every total part present, the example's 1050.00 total is flagged against their sum."""
    parts = [
        {"Name": "民航发展基金", "Value": "CN 50.00"},
        {"Name": "燃油附加费", "Value": "YQ 0.00"},
        {"Name": "其他税费", "Value": "0.00"},
    ]
    _, warnings = normalize([*JUHE_EXAMPLE, *parts])
    assert warnings == [
        Warning_("total_mismatch", "total", "total 1050.00 != 1190.00 + 50.00 + 0.00 + 0.00")
    ]


# ---- total_mismatch


def test_total_matching_its_parts_gives_no_warning_and_ignores_insurance() -> None:
    """A total equal to fare + fund + fuel + other is clean even when insurance is also printed."""
    raw: list[Any] = [
        TICKET,
        {"Name": "票价", "Value": "1190"},
        {"Name": "民航发展基金", "Value": "50"},
        {"Name": "燃油附加费", "Value": "0.10"},
        {"Name": "其他税费", "Value": "0.20"},
        {"Name": "保险费", "Value": "20.00"},
        {"Name": "合计", "Value": "1240.30"},
    ]
    fields, warnings = normalize(raw)
    assert (fields["total"], fields["insurance"], warnings) == ("1240.30", "20.00", [])


def test_total_mismatch_is_skipped_when_a_part_is_unparsed() -> None:
    """An unparsed part reports bad_amount only; the total is not compared against a guess."""
    raw: list[Any] = [
        TICKET,
        {"Name": "票价", "Value": "1190"},
        {"Name": "民航发展基金", "Value": "5O.00"},
        {"Name": "燃油附加费", "Value": "0"},
        {"Name": "其他税费", "Value": "0"},
        {"Name": "合计金额", "Value": "1"},
    ]
    _, warnings = normalize(raw)
    assert warnings == [Warning_("bad_amount", "caac_dev_fund", "cannot read amount '5O.00'")]


# ---- the other warning codes


@pytest.mark.parametrize(
    ("name", "value", "key", "normal", "code", "detail"),
    [
        ("电子客票号码", "999-21069743", "e_ticket_no", "99921069743", "bad_e_ticket_no",
         "expected 13 digits, got 11 characters"),
        ("验证码", "93A3", "check_code", "93A3", "bad_check_code",
         "expected 4 digits, got 4 characters"),
        ("印刷序号", "4576689363", "serial_no", "4576689363", "bad_serial_no",
         "expected 11 digits, got 10 characters"),
        ("票价", "CNY 11g0", "fare", "CNY 11g0", "bad_amount", "cannot read amount 'CNY 11g0'"),
        ("填开日期", "2013-02-30", "issue_date", "2013-02-30", "bad_date",
         "cannot read date '2013-02-30'"),
    ],
)  # fmt: skip
def test_bad_ticket_values_are_kept_and_warned(
    name: str, value: str, key: str, normal: str, code: str, detail: str
) -> None:
    """A ticket value failing its format rule is kept (separators dropped) with its warning."""
    assert one(name, value, key) == (normal, [Warning_(code, key, detail)])


def test_bad_time_is_kept_and_warned_with_segment_field() -> None:
    """An impossible time stays as printed and names its field segments[i].time."""
    assert flight("时间", "2561", "time") == (
        "2561",
        [Warning_("bad_time", "segments[0].time", "cannot read time '2561'")],
    )


def test_segment_gap_when_a_flight_does_not_start_where_the_last_ended() -> None:
    """Flight i's destination differing from flight i+1's origin is a segment_gap."""
    raw: list[Any] = [
        TICKET,
        {"Name": "自", "Value": "天津"},
        {"Name": "至", "Value": "昆明"},
        {"Name": "自", "Value": "成都"},
        {"Name": "至", "Value": "天津"},
        {"Name": "自", "Value": "天津"},
    ]
    fields, warnings = normalize(raw)
    assert [(s["from"], s["to"]) for s in fields["segments"]] == [
        ("天津", "昆明"),
        ("成都", "天津"),
        ("天津", None),
    ]
    assert warnings == [Warning_("segment_gap", "segments[0].to", "昆明 != 成都 (next from)")]


def test_missing_core_field_when_no_ticket_or_invoice_number() -> None:
    """Without e_ticket_no and invoice_no the result carries missing_core_field."""
    assert normalize([{"Name": "姓名", "Value": "张三"}]) == (
        blank(passenger_name="张三"),
        [Warning_("missing_core_field", None, "neither e_ticket_no nor invoice_no was found")],
    )


def test_invoice_no_alone_satisfies_the_core_field_check() -> None:
    """An e-invoice itinerary with only 发票号码 is not missing its core field."""
    fields, warnings = normalize([{"Name": "发票号码", "Value": "2411 2000 0000 1234 5678"}])
    assert (fields["invoice_no"], warnings) == ("24112000000012345678", [])


def test_warnings_follow_check_order_then_field_order() -> None:
    """Field warnings come in key order, ticket before flights, then total, gap, core checks."""
    raw: list[Any] = [
        {"Name": "日期", "Value": "31FEB", "Row": 0},
        {"Name": "至", "Value": "昆明", "Row": 0},
        {"Name": "自", "Value": "成都", "Row": 1},
        {"Name": "时间", "Value": "99:00", "Row": 1},
        {"Name": "合计金额", "Value": "x"},
        {"Name": "验证码", "Value": "1"},
        {"Name": "填开日期", "Value": "2013/13/01"},
    ]
    _, warnings = normalize(raw)
    assert [(w.code, w.field) for w in warnings] == [
        ("bad_check_code", "check_code"),
        ("bad_amount", "total"),
        ("bad_date", "issue_date"),
        ("bad_date", "segments[0].date"),
        ("bad_time", "segments[1].time"),
        ("segment_gap", "segments[0].to"),
        ("missing_core_field", None),
    ]


# ---- parsers


@pytest.mark.parametrize(
    ("printed", "normal"),
    [
        ("1190.00", "1190.00"),
        ("1190", "1190.00"),
        ("CNY1190.00", "1190.00"),
        ("CNY 1,190.5", "1190.50"),
        ("CN 50.00", "50.00"),
        ("YQ 10", "10.00"),
        ("¥ 1 190", "1190.00"),
        ("￥0.105", "0.11"),
        ("CNY", None),
    ],
)
def test_amount_forms(printed: str, normal: str | None) -> None:
    """Currency marks, commas and spaces are stripped and two decimal places kept."""
    assert one("票价", printed, "fare") == (normal, [])


@pytest.mark.parametrize("printed", ["XXX", "CNY XXX", "xxx", ""])
def test_insurance_xxx_or_empty_is_null(printed: str) -> None:
    """The form's XXX (no insurance bought) and an empty box both become None."""
    assert one("保险费", printed, "insurance") == (None, [])


@pytest.mark.parametrize(
    "printed",
    ["2013年07月19日", "2013年7月19日", "2013 年 07 月 19 日", "2013-07-19", "20130719",
     "2013/07/19", "2013.7.19"],
)  # fmt: skip
def test_full_date_forms(printed: str) -> None:
    """Every accepted full-date spelling of issue_date and invoice_date becomes ISO."""
    assert one("填开日期", printed, "issue_date") == ("2013-07-19", [])
    assert one("开票日期", printed, "invoice_date") == ("2013-07-19", [])


@pytest.mark.parametrize("printed", ["2013-7/19", "19JUL", "2013年02月29日", "130719", "2013"])
def test_full_date_failures(printed: str) -> None:
    """Mixed separators, no year, impossible days and short digit runs are bad_date."""
    detail = f"cannot read date {printed!r}"
    assert one("开票日期", printed, "invoice_date") == (
        printed,
        [Warning_("bad_date", "invoice_date", detail)],
    )


@pytest.mark.parametrize(
    ("printed", "issue", "normal"),
    [
        ("03JUL", "2013-07-19", "2013-07-03"),  # flown before printing
        ("19JUL", "2013-07-19", "2013-07-19"),
        ("3aug", "2013-07-19", "2013-08-03"),  # printed at purchase, flown after
        ("20DEC", "2014-01-05", "2013-12-20"),  # back across a year end
        ("05JAN", "2013-12-28", "2014-01-05"),  # forward across a year end
        ("29FEB", "2013-01-10", "2012-02-29"),  # the only leap year in reach
        ("O3DEC", "2013-12-19", "2013-12-03"),  # O misread for 0 in the day
        ("1OOCT", "2013-10-19", "2013-10-10"),
        ("2013-12-03", None, "2013-12-03"),
        ("2013.12.3", "2015-01-01", "2013-12-03"),
        ("03dec", None, "03DEC"),  # no issue date: kept as printed, uppercase
        ("3 DEC", None, "3DEC"),
    ],
)
def test_flight_date_forms(printed: str, issue: str | None, normal: str) -> None:
    """Flight dates: full dates become ISO; DDMON takes the year nearest the issue date."""
    assert flight("日期", printed, "date", issue) == (normal, [])


def test_flight_date_with_an_unreadable_issue_date_is_kept_as_printed() -> None:
    """An unparsed 填开日期 gives no year to infer, so a DDMON date stays as printed."""
    assert flight("日期", "3dec", "date", "not a date") == (
        "3DEC",
        [Warning_("bad_date", "issue_date", "cannot read date 'not a date'")],
    )


@pytest.mark.parametrize("key", ["not_valid_before", "not_valid_after"])
def test_validity_dates_parse_like_flight_dates(key: str) -> None:
    """客票生效日期 and 有效截止日期 follow the flight-date rules."""
    name = {"not_valid_before": "客票生效日期", "not_valid_after": "有效截止日期"}[key]
    assert flight(name, "25JUL", key, "2013年07月19日") == ("2013-07-25", [])


@pytest.mark.parametrize("printed", ["30FEB", "00DEC", "32JAN", "03XYZ", "DEC", "OODEC", "3-DEC"])
def test_flight_date_failures(printed: str) -> None:
    """Impossible days, unknown months and other shapes are bad_date, kept as printed."""
    detail = f"cannot read date {printed!r}"
    assert flight("日期", printed, "date") == (
        printed,
        [Warning_("bad_date", "segments[0].date", detail)],
    )


def test_flight_date_29feb_without_a_leap_year_in_reach_is_bad() -> None:
    """29FEB cannot be placed when no leap year lies within a year of the issue date."""
    assert flight("日期", "29FEB", "date", "2022-06-01") == (
        "29FEB",
        [Warning_("bad_date", "segments[0].date", "cannot read date '29FEB'")],
    )


@pytest.mark.parametrize(
    ("printed", "normal"),
    [("1545", "15:45"), ("15:45", "15:45"), ("0700", "07:00"), ("7:00", "07:00"),
     ("700", "07:00"), ("15：45", "15:45"), ("23:59", "23:59"), ("0000", "00:00")],
)  # fmt: skip
def test_time_forms(printed: str, normal: str) -> None:
    """Times with or without a colon, one- or two-digit hours, become HH:MM."""
    assert flight("时间", printed, "time") == (normal, [])


@pytest.mark.parametrize("printed", ["2561", "24:00", "12:60", "15:4", "12345", "noon"])
def test_time_failures(printed: str) -> None:
    """Out-of-range or malformed times are bad_time, kept as printed."""
    detail = f"cannot read time {printed!r}"
    assert flight("时间", printed, "time") == (
        printed,
        [Warning_("bad_time", "segments[0].time", detail)],
    )


def test_flight_no_is_uppercased_without_spaces() -> None:
    """航班号 'ca 1401' normalizes to 'CA1401'."""
    assert flight("航班号", " ca 1401 ", "flight_no") == ("CA1401", [])


@pytest.mark.parametrize(
    ("printed", "normal"),
    [("国内", "D"), ("国际", "I"), ("国内航班", "D"), ("D", "D"), ("i", "I"),
     ("国内/国际", "国内/国际"), ("港澳台", "港澳台")],
)  # fmt: skip
def test_domestic_intl_forms(printed: str, normal: str) -> None:
    """国内 → D, 国际 → I, D/I kept, anything else (or both) kept as printed."""
    assert one("国内国际标签", printed, "domestic_intl") == (normal, [])


def test_codes_drop_separators() -> None:
    """Ticket number drops dashes and spaces; check code and serial number drop spaces."""
    raw: list[Any] = [
        {"Name": "电子客票号码", "Value": "999-2106 974306"},
        {"Name": "验证码", "Value": "93 63"},
        {"Name": "印刷序号", "Value": "4576 6893631"},
    ]
    fields, warnings = normalize(raw)
    assert (fields["e_ticket_no"], fields["check_code"], fields["serial_no"], warnings) == (
        "9992106974306",
        "9363",
        "45766893631",
        [],
    )


def test_plain_strings_are_kept_as_printed_after_stripping() -> None:
    """Free-text fields such as vat_rate and passenger_id_no keep their printed form."""
    raw = [TICKET, {"Name": "增值税税率", "Value": " 9% "}, {"Name": "签注", "Value": "不得签转"}]
    fields, _ = normalize(raw)
    assert (fields["vat_rate"], fields["endorsement"]) == ("9%", "不得签转")


# ---- Names, rows, extras, odd values


ALIASES = [
    ("旅客姓名", "passenger_name"), ("姓名", "passenger_name"),
    ("合计金额", "total"), ("合计", "total"), ("票价", "fare"),
    ("销售单位代号", "agent_code"), ("销售网点代号", "agent_code"),
    ("国内国际标签", "domestic_intl"), ("国内国际标识", "domestic_intl"),
    ("统一社会信用代码/纳税人识别号", "buyer_tax_id"), ("统一社会信用代码", "buyer_tax_id"),
    ("纳税人识别号", "buyer_tax_id"), (" 旅客 姓名 ", "passenger_name"),
    ("统一社会信用代码／纳税人识别号", "buyer_tax_id"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "key"), ALIASES)
def test_ticket_name_aliases(name: str, key: str) -> None:
    """Each printed alias (spaces and full-width slash tolerated) lands on its key."""
    expected = "12.00" if key in ("total", "fare") else "12"
    assert one(name, " 12 ", key) == (expected, [])


SEGMENT_ALIASES = [
    ("始发地", "from"), ("始发站", "from"), ("自", "from"),
    ("目的地", "to"), ("目的站", "to"), ("至", "to"),
    ("承运人", "carrier"), ("座位等级", "seat_class"), ("免费行李", "baggage"),
    ("客票级别/类别", "fare_basis"), ("客票级别/客票类别", "fare_basis"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "key"), SEGMENT_ALIASES)
def test_segment_name_aliases(name: str, key: str) -> None:
    """Each printed flight-level alias lands on its segment key."""
    assert flight(name, "Y", key) == ("Y", [])


def test_rows_place_values_in_their_flights() -> None:
    """With Row, values go to that flight regardless of order; Row -1 is ticket-level."""
    raw: list[Any] = [
        {"Name": "航班号", "Value": "MU5101", "Row": 1},
        {"Name": "航班号", "Value": "CA1401", "Row": 0},
        {"Name": "始发站", "Value": "北京", "Row": 1},
        {"Name": "电子客票号码", "Value": "9992106974306", "Row": -1},
    ]
    fields, warnings = normalize(raw)
    assert fields["segments"] == [
        seg({"flight_no": "CA1401"}),
        seg({"flight_no": "MU5101", "from": "北京"}),
    ]
    assert (fields["e_ticket_no"], warnings) == ("9992106974306", [])


def test_without_rows_the_kth_occurrence_is_flight_k() -> None:
    """Without Row, an empty occurrence still holds its flight's place; empty flights vanish."""
    raw: list[Any] = [
        TICKET,
        {"Name": "航班号", "Value": "CA1401"},
        {"Name": "时间", "Value": ""},
        {"Name": "航班号", "Value": ""},
        {"Name": "时间", "Value": "0700"},
        {"Name": "航班号", "Value": ""},
        {"Name": "时间", "Value": None},
    ]
    fields, _ = normalize(raw)
    assert fields["segments"] == [seg({"flight_no": "CA1401"}), seg({"time": "07:00"})]


def test_row_gaps_and_empty_rows_are_not_emitted() -> None:
    """Flights are emitted in row order; a row with only empty values is skipped."""
    raw: list[Any] = [
        TICKET,
        {"Name": "航班号", "Value": "MU5101", "Row": 3},
        {"Name": "航班号", "Value": " ", "Row": 1},
        {"Name": "航班号", "Value": "CA1401", "Row": "0"},
    ]
    fields, _ = normalize(raw)
    assert fields["segments"] == [seg({"flight_no": "CA1401"}), seg({"flight_no": "MU5101"})]


def test_unknown_names_go_to_extra_and_repeats_become_lists() -> None:
    """Unknown Names are kept under their stripped Name; a repeated one keeps every value."""
    raw: list[Any] = [
        TICKET,
        {"Name": " 备注 ", "Value": " a "},
        {"Name": "备注", "Value": "b"},
        {"Name": "备注", "Value": "c"},
        {"Name": "座位号", "Value": 12},
    ]
    fields, warnings = normalize(raw)
    assert fields == blank(
        e_ticket_no="9992106974306", extra={"备注": ["a", "b", "c"], "座位号": "12"}
    )
    assert warnings == []


def test_non_string_and_missing_values_are_tolerated() -> None:
    """A numeric Value is read through str(); a missing Value or Name is treated as empty."""
    raw: list[Any] = [
        {"Name": "电子客票号码", "Value": 9992106974306},
        {"Name": "票价", "Value": 1190},
        {"Name": "燃油附加费", "Value": 10.5},
        {"Name": "合计金额"},
        {"Value": "orphan"},
        "not an entry",
    ]
    fields, warnings = normalize(raw)
    assert fields == blank(
        e_ticket_no="9992106974306", fare="1190.00", fuel_surcharge="10.50", extra={"": "orphan"}
    )
    assert warnings == []


def test_a_repeated_ticket_name_keeps_its_first_non_empty_value() -> None:
    """The first non-empty value of a repeated ticket-level Name (or alias) wins."""
    raw = [TICKET, {"Name": "合计", "Value": ""}, {"Name": "合计金额", "Value": "10"},
           {"Name": "合计", "Value": "20"}]  # fmt: skip
    assert normalize(raw)[0]["total"] == "10.00"


# ---- public surface


def test_key_tuples_follow_the_schema_tables() -> None:
    """TICKET_KEYS and SEGMENT_KEYS list fields.md's keys in table order (export column order)."""
    assert TICKET_KEYS == (
        "passenger_name", "passenger_id_no", "endorsement", "e_ticket_no", "check_code",
        "serial_no", "fare", "caac_dev_fund", "fuel_surcharge", "other_taxes", "insurance",
        "total", "agent_code", "issued_by", "issue_date", "domestic_intl", "prompt_info",
        "expense_kind", "invoice_no", "invoice_date", "vat_rate", "vat_amount", "buyer_name",
        "buyer_tax_id", "issuing_status",
    )  # fmt: skip
    assert SEGMENT_KEYS == (
        "from", "to", "carrier", "flight_no", "seat_class", "date", "time", "fare_basis",
        "not_valid_before", "not_valid_after", "baggage",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"e_ticket_no": "9992106974306", "invoice_no": "1"}, "e_ticket_no:9992106974306"),
        ({"e_ticket_no": None, "invoice_no": "24112000000012345678"},
         "invoice_no:24112000000012345678"),
        ({"e_ticket_no": None, "invoice_no": None}, None),
        ({}, None),
    ],
)  # fmt: skip
def test_ticket_key(fields: dict[str, Any], key: str | None) -> None:
    """ticket_key prefers the e-ticket number, falls back to the invoice number, else None."""
    assert ticket_key(fields) == key


# ---- confidence (the offline engine's recognizer score)


@pytest.mark.parametrize(
    ("confidence", "warned"),
    [
        (0.5, [Warning_("low_confidence", "fare", "read with confidence 0.50")]),
        (0.95, []),
        ("0.5", []),  # not a number: ignored
        (None, []),
        (True, []),  # a bool is no score
    ],
)
def test_a_low_confidence_ticket_value_warns(confidence: Any, warned: list[Warning_]) -> None:
    """A numeric Confidence below LOW_CONFIDENCE warns on its key; others never do."""
    entry = {"Name": "票价", "Value": "1190.00", "Confidence": confidence}
    fields, warnings = normalize([TICKET, entry])
    assert (fields["fare"], warnings) == ("1190.00", warned)


def test_an_entry_without_confidence_does_not_warn() -> None:
    """Juhe's entries carry no Confidence key and get no low_confidence warning."""
    fields, warnings = normalize([TICKET, {"Name": "票价", "Value": "1190.00"}])
    assert (fields["fare"], warnings) == ("1190.00", [])


def test_low_confidence_names_the_segment_field_and_follows_its_parse_problem() -> None:
    """A flight value read at 0.62 warns as segments[i].key, after that field's own problem."""
    raw = [
        TICKET,
        {"Name": "票价", "Value": "11x0.00", "Confidence": 0.7},
        {"Name": "航班号", "Value": "CA1401", "Row": 0, "Confidence": 0.99},
        {"Name": "时间", "Value": "25:00", "Row": 1, "Confidence": 0.6234},
    ]
    _, warnings = normalize(raw)
    assert warnings == [
        Warning_("bad_amount", "fare", "cannot read amount '11x0.00'"),
        Warning_("low_confidence", "fare", "read with confidence 0.70"),
        Warning_("bad_time", "segments[1].time", "cannot read time '25:00'"),
        Warning_("low_confidence", "segments[1].time", "read with confidence 0.62"),
    ]


def test_a_repeated_name_uses_the_confidence_of_the_value_it_keeps() -> None:
    """Only the kept (first non-empty) entry's Confidence counts, not a later duplicate's."""
    raw = [
        TICKET,
        {"Name": "票价", "Value": "", "Confidence": 0.1},
        {"Name": "票价", "Value": "1190.00", "Confidence": 0.9},
        {"Name": "票价", "Value": "1100.00", "Confidence": 0.2},
    ]
    assert normalize(raw)[1] == []
