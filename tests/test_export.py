"""batchocr export: the recorded results as CSV and XLSX tables for accountants."""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from batchocr.errors import UsageError
from batchocr.models import Warning_
from batchocr.outputs.export import (
    SEGMENT_COLUMNS,
    TICKET_COLUMNS,
    add_arguments,
    csv_bytes,
    duplicate_groups,
    find_duplicates,
    load_results,
    merged_warnings,
    run,
    segment_rows,
    ticket_rows,
)
from batchocr.outputs.fields import SEGMENT_KEYS, TICKET_KEYS
from batchocr.records import ResultRecord

ROOT = Path(__file__).resolve().parents[1]
SHA_A, SHA_B, SHA_C = "a" * 64, "b" * 64, "c" * 64
TICKET = "9992106974306"  # synthetic


def flight(**values: str) -> dict[str, Any]:
    return dict.fromkeys(SEGMENT_KEYS) | values


def record(id_: str, sha: str, warnings: list[dict[str, Any]], **values: Any) -> dict[str, Any]:
    """A results.jsonl record as the engine writes it (synthetic values)."""
    segments = values.pop("segments", [])
    return {
        "schema_version": 1,
        "id": id_,
        "source": f"/scans/{id_}",
        "sha256": sha,
        "backend": "juhe",
        "request_id": "r-" + id_,
        "attempts": 1,
        "fields": dict.fromkeys(TICKET_KEYS) | values | {"segments": segments, "extra": {}},
        "raw": [],
        "warnings": warnings,
        "recognized_at": f"2025-07-1{len(id_)}T08:00:00Z",
    }


A = record(
    "a.png",
    SHA_A,
    [],
    passenger_name="张三",
    e_ticket_no=TICKET,
    fare="1190.50",
    caac_dev_fund="50.00",
    total="1240.50",
    issue_date="2025-07-09",
    segments=[
        flight(**{"from": "北京", "to": "上海", "flight_no": "CA1501", "date": "2025-07-20"}),
        flight(**{"from": "上海", "to": "北京", "flight_no": "MU5101", "date": "22JUL"}),
    ],
)
B = record(  # a re-scan of a.png: other bytes, same ticket; the engine warned it already
    "b.jpg",
    SHA_B,
    [
        {"code": "bad_date", "field": "issue_date", "detail": "cannot read date '2O25'"},
        {
            "code": "duplicate_ticket",
            "field": "e_ticket_no",
            "detail": f"e_ticket_no {TICKET} was already recognized in a.png",
        },
    ],
    passenger_name="张三",
    e_ticket_no=TICKET,
    fare="1190.50",
    issue_date="2O25",
)
C = record(
    "c.png",
    SHA_C,
    [{"code": "bad_amount", "field": "fare", "detail": "cannot read amount '12O.00'"}],
    passenger_name="=HYPERLINK(1)",
    invoice_no="25352340302199581860",
    fare="12O.00",
    other_taxes="-3.00",
)


def write_out(out: Path, records: list[dict[str, Any]], tail: bytes = b"") -> Path:
    out.mkdir(exist_ok=True)
    lines = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)
    (out / "results.jsonl").write_bytes(lines + tail)
    return out


def export(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return run(parser.parse_args(argv))


def test_load_records_skips_a_torn_last_line_with_a_warning(tmp_path: Path) -> None:
    """A half-written last line (a killed run) is skipped and reported, the rest is read."""
    out = write_out(tmp_path / "out", [A, B], tail=b'{"id": "d.png", "sha')
    seen: list[str] = []
    records = load_results(out / "results.jsonl", warn=seen.append)
    assert records == [ResultRecord.from_json(A), ResultRecord.from_json(B)]
    assert seen == [
        "results.jsonl line 3: torn last line skipped (an interrupted run? the next run repairs it)"
    ]


def test_csv_export_has_the_exact_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CSV: BOM, CRLF, fields.md order, rows by id, duplicates named, formulas neutralized."""
    out = write_out(tmp_path / "out", [C, B, A], tail=b'{"torn')
    assert export([str(out)]) == 0
    header = ",".join(TICKET_COLUMNS)
    assert header == (
        "passenger_name,passenger_id_no,endorsement,e_ticket_no,check_code,serial_no,fare,"
        "caac_dev_fund,fuel_surcharge,other_taxes,insurance,total,agent_code,issued_by,"
        "issue_date,domestic_intl,prompt_info,expense_kind,invoice_no,invoice_date,vat_rate,"
        "vat_amount,buyer_name,buyer_tax_id,issuing_status,id,source,sha256,warnings,duplicate_of"
    )
    expected_tickets = (
        "\ufeff" + header + "\r\n"
        f"张三,,,{TICKET},,,1190.50,50.00,,,,1240.50,,,2025-07-09,,,,,,,,,,,"
        f"a.png,/scans/a.png,{SHA_A},duplicate_ticket,b.jpg\r\n"
        f"张三,,,{TICKET},,,1190.50,,,,,,,,2O25,,,,,,,,,,,"
        f"b.jpg,/scans/b.jpg,{SHA_B},bad_date; duplicate_ticket,a.png\r\n"
        "'=HYPERLINK(1),,,,,,12O.00,,,-3.00,,,,,,,,,25352340302199581860,,,,,,,"
        f"c.png,/scans/c.png,{SHA_C},bad_amount,\r\n"
    )
    assert (out / "export-tickets.csv").read_bytes() == expected_tickets.encode("utf-8")
    expected_segments = (
        "\ufeffid,flight_index,from,to,carrier,flight_no,seat_class,date,time,fare_basis,"
        "not_valid_before,not_valid_after,baggage\r\n"
        "a.png,0,北京,上海,,CA1501,,2025-07-20,,,,,\r\n"
        "a.png,1,上海,北京,,MU5101,,22JUL,,,,,\r\n"
    )
    assert (out / "export-segments.csv").read_bytes() == expected_segments.encode("utf-8")
    captured = capsys.readouterr()
    assert captured.out == (
        f"exported 3 ticket(s), 2 flight(s):\n  {out}/export-tickets.csv\n"
        f"  {out}/export-segments.csv\n"
    )
    assert "line 4: torn last line skipped" in captured.err


def test_csv_stem_from_output_option(tmp_path: Path) -> None:
    """-o is a stem: a trailing .csv is dropped and missing folders are created."""
    out = write_out(tmp_path / "out", [A])
    assert export([str(out), "-o", str(tmp_path / "new" / "june.csv")]) == 0
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == [
        "june-segments.csv",
        "june-tickets.csv",
    ]


def test_xlsx_reads_back_with_typed_cells(tmp_path: Path) -> None:
    """XLSX: amounts are numbers shown 0.00, dates are dates, text stays text, header frozen."""
    out = write_out(tmp_path / "out", [C, B, A])
    assert export([str(out), "--format", "xlsx"]) == 0
    book = openpyxl.load_workbook(out / "export.xlsx")
    assert book.sheetnames == ["tickets", "segments"]
    tickets, segments = book["tickets"], book["segments"]
    assert (tickets.freeze_panes, segments.freeze_panes) == ("A2", "A2")
    assert [c.value for c in tickets[1]] == list(TICKET_COLUMNS)
    col = {name: i for i, name in enumerate(TICKET_COLUMNS)}
    a_row = tickets[2]
    fare, caac, issue = a_row[col["fare"]], a_row[col["caac_dev_fund"]], a_row[col["issue_date"]]
    assert (type(fare.value), fare.value, fare.number_format) == (float, 1190.5, "0.00")
    # openpyxl reads a whole number back as int; in the file every number is a double.
    assert (float(caac.value), caac.number_format) == (50.0, "0.00")
    assert (issue.value, issue.number_format) == (datetime(2025, 7, 9), "yyyy-mm-dd")
    assert a_row[col["e_ticket_no"]].value == TICKET  # 13 digits stay text
    b_row, c_row = tickets[3], tickets[4]
    assert b_row[col["issue_date"]].value == "2O25"  # unparsed: kept as printed
    assert c_row[col["fare"]].value == "12O.00"
    assert c_row[col["other_taxes"]].value == -3.0
    assert c_row[col["passenger_name"]].value == "=HYPERLINK(1)"
    assert c_row[col["passenger_name"]].data_type == "s"  # a string, never a formula
    assert c_row[col["invoice_no"]].value == "25352340302199581860"
    assert [c.value for c in segments[1]] == list(SEGMENT_COLUMNS)
    assert [c.value for c in segments[2]][:8] == [
        "a.png", 0, "北京", "上海", None, "CA1501", None, datetime(2025, 7, 20),
    ]  # fmt: skip
    assert segments[3][7].value == "22JUL"
    assert tickets.column_dimensions["A"].width > len("passenger_name")


def test_two_exports_of_the_same_state_are_byte_identical(tmp_path: Path) -> None:
    """Rows by id and a document date from the data: exporting twice gives the same bytes."""
    out = write_out(tmp_path / "out", [C, B, A])
    export([str(out), "--format", "xlsx", "-o", str(tmp_path / "1.xlsx")])
    export([str(out), "-o", str(tmp_path / "1")])
    write_out(out, [A, C, B])  # the same state, recorded in another order
    export([str(out), "--format", "xlsx", "-o", str(tmp_path / "2.xlsx")])
    export([str(out), "-o", str(tmp_path / "2")])
    for first, second in [("1.xlsx", "2.xlsx"), ("1-tickets.csv", "2-tickets.csv")]:
        assert (tmp_path / first).read_bytes() == (tmp_path / second).read_bytes()
    created = openpyxl.load_workbook(tmp_path / "1.xlsx").properties.created
    assert created == datetime(2025, 7, 15, 8, 0)  # the latest recognized_at


def test_exported_files_are_owner_only(tmp_path: Path) -> None:
    """Every export file is 0600, even when it replaces a world-readable one."""
    out = write_out(tmp_path / "out", [A])
    old = os.umask(0o022)  # a umask that would leave naive files world-readable
    try:
        (out / "export-tickets.csv").write_text("old")
        os.chmod(out / "export-tickets.csv", 0o644)
        export([str(out)])
        export([str(out), "--format", "xlsx"])
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.glob("export*")}
    assert modes == {
        "export-tickets.csv": 0o600,
        "export-segments.csv": 0o600,
        "export.xlsx": 0o600,
    }


def typed(*records: dict[str, Any]) -> list[ResultRecord]:
    return [ResultRecord.from_json(r) for r in records]


def test_a_result_record_reads_back_exactly_as_written() -> None:
    """The typed record round-trips a results.jsonl line without losing or adding a key."""
    for r in (A, B, C):
        assert ResultRecord.from_json(r).to_json() == r


def test_duplicates_across_two_records_are_named_on_both_sides() -> None:
    """Same ticket, other bytes: both ids name each other; identical bytes are no duplicate."""
    same_bytes = record("copy-of-a.png", SHA_A, [], e_ticket_no=TICKET)
    assert find_duplicates(typed(A, B, C)) == {"a.png": ["b.jpg"], "b.jpg": ["a.png"]}
    assert find_duplicates(typed(A, same_bytes, C)) == {}
    assert duplicate_groups(typed(B, A, C)) == [(f"e_ticket_no {TICKET}", ["a.png", "b.jpg"])]


def test_merged_warnings_never_repeat_duplicate_ticket() -> None:
    """The engine's duplicate warning is kept once; the earlier record gets one of its own."""
    a, b = typed(A, B)
    assert merged_warnings(b, ["a.png"]) == list(b.warnings)
    assert merged_warnings(a, ["b.jpg"]) == [
        Warning_("duplicate_ticket", "e_ticket_no", f"e_ticket_no {TICKET} is also in b.jpg")
    ]
    widened = merged_warnings(b, ["a.png", "z.png"])
    assert [w.code for w in widened] == ["bad_date", "duplicate_ticket"]
    assert widened[1].detail == f"e_ticket_no {TICKET} is also in a.png, z.png"


def test_rows_carry_warnings_and_duplicates() -> None:
    """ticket_rows joins warning codes and duplicate ids; segment_rows numbers flights from 0."""
    rows = ticket_rows(typed(C, B, A))
    assert [(r["id"], r["warnings"], r["duplicate_of"]) for r in rows] == [
        ("a.png", "duplicate_ticket", "b.jpg"),
        ("b.jpg", "bad_date; duplicate_ticket", "a.png"),
        ("c.png", "bad_amount", None),
    ]
    assert [(r["id"], r["flight_index"], r["flight_no"]) for r in segment_rows(typed(B, A))] == [
        ("a.png", 0, "CA1501"),
        ("a.png", 1, "MU5101"),
    ]


def test_csv_cells_that_look_like_formulas_get_a_quote() -> None:
    """OCR text starting with = + - @ is prefixed with ' unless it is a plain number."""
    rows = [{"v": v} for v in ("=1+2", "+86", "-5.00", "@SUM(A1)", "-x", "ok")]
    assert csv_bytes(["v"], rows).decode("utf-8-sig").split("\r\n") == [
        "v", "'=1+2", "'+86", "-5.00", "'@SUM(A1)", "'-x", "ok", "",
    ]  # fmt: skip


def test_out_must_be_a_directory(tmp_path: Path) -> None:
    """Exporting something that is not a run's OUT is a usage error."""
    with pytest.raises(UsageError, match="is not a directory"):
        export([str(tmp_path / "missing")])


def test_module_runs_as_a_script(tmp_path: Path) -> None:
    """`batchocr export` writes the CSV pair (how samples/export is made)."""
    out = write_out(tmp_path / "out", [A])
    done = subprocess.run(
        [sys.executable, "-m", "batchocr", "export", str(out), "--format", "csv",
         "-o", str(tmp_path / "samples" / "sample")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert (tmp_path / "samples" / "sample-tickets.csv").read_bytes().startswith(b"\xef\xbb\xbf")
