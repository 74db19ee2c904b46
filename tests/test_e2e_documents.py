"""End to end: an expense folder of e-invoice files, scans and other invoices, through the CLI
(a subprocess) against a real local server on 127.0.0.1, asserting files on disk and what the
server received."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_helpers import by_key, read_json, read_jsonl, run_cli

from batchocr.outputs.fields import normalize
from batchocr.server import RehearsalServer
from batchocr.server.answers import synthetic_answer
from synth import files
from synth.einvoice import invoice, truth_data

pytestmark = pytest.mark.e2e

# file name → (bytes, the seeds of the air e-invoices it holds, one per page)
BORN = {
    "air.pdf": (lambda: files.einvoice_pdf(101), [101]),
    "three.pdf": (lambda: files.einvoice_pdf([102, 103, 104]), [102, 103, 104]),
    "air.ofd": (lambda: files.einvoice_ofd(105), [105]),
    "air-text.ofd": (lambda: files.einvoice_ofd(106, attachment=False), [106]),
    "air.xml": (lambda: files.einvoice_xbrl(107), [107]),
}
OTHERS = {
    "hotel.pdf#p1": ("hotel.pdf", files.ordinary_pdf, 201, "电子发票（普通发票）"),
    "rail.pdf#p1": ("rail.pdf", files.rail_pdf, 202, "电子发票（铁路电子客票）"),
    "hotel.ofd": ("hotel.ofd", files.ordinary_ofd, 203, "电子发票（普通发票）"),
    "hotel.xml": ("hotel.xml", files.ordinary_xml, 204, "电子发票（EInvoice XML）"),
}


@pytest.fixture
def server() -> Iterator[RehearsalServer]:
    with RehearsalServer(synthetic_answer).start() as s:
        yield s


def expense_folder(root: Path) -> Path:
    folder = root / "expenses"
    folder.mkdir()
    for name, (make, _) in BORN.items():
        (folder / name).write_bytes(make())
    for name, make, seed, _ in OTHERS.values():
        (folder / name).write_bytes(make(seed))
    (folder / "scan.pdf").write_bytes(files.scanned_pdf(301))
    shutil.copy(Path(__file__).parent.parent / "samples" / "paper-clean-1.png", folder)
    buf = io.BytesIO()
    files.ordinary_image(302).save(buf, "PNG")
    (folder / "taxi-screenshot.png").write_bytes(buf.getvalue())
    (folder / "notes.txt").write_text("not a document\n")
    return folder


def test_an_expense_folder_runs_to_the_end_reading_files_exactly_and_sending_only_scans(
    tmp_path: Path, server: RehearsalServer
) -> None:
    """Born-digital air e-invoices are exact with no request; other invoices are reported by
    kind and number and never sent; the scanned PDF page and the paper scan are sent once
    each; what the walk skipped is named; a rerun sends and pays for nothing."""
    folder = expense_folder(tmp_path)
    args = ["expenses", "-o", "out", "--backend", "juhe", "--endpoint", server.url,
            "--qps", "100", "--no-progress"]  # fmt: skip
    done = run_cli(args, cwd=tmp_path)
    assert done.code == 1, done.stderr  # the other invoices are failures of the input stage
    out = tmp_path / "out"

    results = by_key(read_jsonl(out / "results.jsonl"), "id")
    ids = [f"{name}#p{i + 1}" if name.endswith(".pdf") else name
           for name, (_, seeds) in BORN.items() for i in range(len(seeds))]  # fmt: skip
    seeds = [s for _, ss in BORN.values() for s in ss]
    for item_id, seed in zip(ids, seeds, strict=True):
        record = results[item_id]
        want, _ = normalize(truth_data(invoice(seed)))
        got = record["fields"]
        assert {k: got[k] for k in want if k != "extra"} == {
            k: v for k, v in want.items() if k != "extra"}, item_id  # fmt: skip
        assert record["backend"] == item_id.split("#")[0].rsplit(".", 1)[1]
        assert (record["attempts"], record["request_id"], record["warnings"]) == (0, None, [])
    assert results["three.pdf#p2"]["source"] == str(folder / "three.pdf") + "#p2"
    assert {results[i]["backend"] for i in ("scan.pdf#p1", "paper-clean-1.png")} == {"juhe"}

    errors = by_key(read_jsonl(out / "errors.jsonl"), "id")
    for item_id, (_, _, seed, kind) in OTHERS.items():
        assert errors[item_id]["stage"] == "input"
        assert errors[item_id]["reason"] == (
            f"not a flight itinerary: {kind} {files.other_number(seed)}")  # fmt: skip
    taxi = errors["taxi-screenshot.png"]
    assert taxi["reason"] == (f"not a flight itinerary: 电子发票（普通发票） "
                              f"{files.other_number(302)} (from its QR code)")  # fmt: skip
    assert sorted(errors) == sorted([*OTHERS, "taxi-screenshot.png"])

    sent = server.stats.snapshot()
    scanned = {r["sha256"] for r in results.values() if r["backend"] == "juhe"}
    assert sent["requests"] == 2 and len(scanned) == 2

    summary = read_json(out / "summary.json")
    assert (summary["seen"], summary["done_now"], summary["failed"]) == (14, 9, 5)
    assert (summary["read_from_files"], summary["billable_requests"]) == (7, 2)
    assert summary["skipped"] == {"total": 1, "by_reason": {"not an image or document": 1},
                                  "examples": ["notes.txt"]}  # fmt: skip
    assert "7 page(s) read from PDF/OFD/XML text" in done.stdout
    assert "skipped 1 file(s) in folders (not an image or document: 1): notes.txt" in done.stdout

    before = (out / "results.jsonl").read_bytes()
    again = run_cli(args, cwd=tmp_path)
    assert again.code == 1
    assert server.stats.snapshot()["requests"] == 2
    assert (out / "results.jsonl").read_bytes() == before
    summary = read_json(out / "summary.json")
    assert (summary["done_now"], summary["done_earlier"], summary["requests_sent"]) == (0, 9, 0)


def test_a_hostile_document_is_one_input_error_and_the_batch_goes_on(
    tmp_path: Path, server: RehearsalServer
) -> None:
    """A truncated PDF and an XXE XML are reported with a reason; the good file is read."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.xml").write_bytes(files.einvoice_xbrl(5))
    (folder / "cut.pdf").write_bytes(files.einvoice_pdf(6)[:700])
    (folder / "xxe.xml").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    done = run_cli(["in", "-o", "out", "--backend", "juhe", "--endpoint", server.url,
                    "--no-progress"], cwd=tmp_path)  # fmt: skip
    assert done.code == 1 and "Traceback" not in done.stderr
    errors = by_key(read_jsonl(tmp_path / "out" / "errors.jsonl"), "id")
    assert errors["cut.pdf"]["reason"].startswith("not a readable PDF")
    assert errors["xxe.xml"]["reason"] == "XML declares a DTD or entities (refused: unsafe)"
    assert list(by_key(read_jsonl(tmp_path / "out" / "results.jsonl"), "id")) == ["good.xml"]
    assert server.stats.snapshot()["requests"] == 0
    text = b"".join(p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file())
    assert b"good.xml" in text and b"root:" not in text  # /etc/passwd never reached an output
