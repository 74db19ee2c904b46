"""batchocr report: failures with what to do, warnings, duplicates; the review page in a browser."""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import re
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from batchocr.errors import CODE_MEANINGS
from batchocr.models import InputKind
from batchocr.outputs.fields import TICKET_KEYS
from batchocr.outputs.report import (
    CODE_ADVICE,
    INPUT_KINDS,
    add_arguments,
    classify_failure,
    run,
    text_report,
)
from batchocr.outputs.review import preview, render_review
from batchocr.records import ErrorRecord, ResultRecord, Summary

CHROMIUM = Path("/usr/bin/chromium")
TICKET = "9992106974306"  # synthetic
HOSTILE = '<script>alert("x")</script>'

SUMMARY: dict[str, Any] = {
    "run": 3,
    "finished_at": "2025-07-10T02:00:09Z",
    "exit_code": 2,
    "exit_meaning": "stopped: usage, config or account error",
    "stopped": {
        "reason": "abort",
        "message": "the service refused the account: 10003 the key has expired",
        "code": 10003,
    },
    "seen": 9,
    "done_now": 1,
    "done_earlier": 3,
    "failed": 6,
    "pending": 2,
    "requests_sent": 4,
    "billable_requests": 1,
    "retries": 2,
}


def error(
    id_: str, stage: str, reason: str, code: int | None = None, kind: str | None = None
) -> dict[str, Any]:
    """An errors.jsonl line as the runner writes it."""
    return {
        "schema_version": 1,
        "id": id_,
        "source": f"/scans/{id_}",
        "sha256": id_[0] * 64,
        "stage": stage,
        "error_code": code,
        "reason": reason,
        "retryable": stage in ("pending", "transport"),
        "attempts": 1,
        "failed_at": "2025-07-10T02:00:05Z",
        "input_kind": kind,
    }


ERRORS = [
    error("e1.png", "service", "252604 recognition failed", 252604),
    error("e2.png", "service", "99999 undocumented code", 99999),
    error("e3.png", "transport", "timed out (ReadTimeout)"),
    error("e4.png", "input", "empty file (0 bytes)", kind="empty"),
    error("e5.pdf", "input", "not an image (a PDF document; export the page as JPEG or PNG)",
          kind="pdf_as_image"),
    error("manifest.csv:3", "input", "line 3: no path", kind="manifest_row"),
    error("p1.png", "pending", "not recognized: run aborted on 10003 the key has expired", 10003),
    error("p2.png", "pending", "not sent yet; the next run sends it"),
]


def record(id_: str, sha: str, warnings: list[dict[str, Any]], **values: Any) -> dict[str, Any]:
    """A results.jsonl record as the engine writes it (synthetic values)."""
    return {
        "id": id_,
        "source": values.pop("source", f"/scans/{id_}"),
        "sha256": sha * 64,
        "fields": dict.fromkeys(TICKET_KEYS) | values | {"segments": [], "extra": {}},
        "warnings": warnings,
    }


RECORDS = [
    record("clean.png", "c", [], passenger_name="李四", e_ticket_no="9990000000001"),
    record("first.png", "f", [], passenger_name="张三", e_ticket_no=TICKET),
    record(
        "rescan.jpg",
        "r",
        [
            {
                "code": "duplicate_ticket",
                "field": "e_ticket_no",
                "detail": f"e_ticket_no {TICKET} was already recognized in first.png",
            }
        ],
        passenger_name="张三",
        e_ticket_no=TICKET,
    ),
    record(
        HOSTILE,
        "h",
        [{"code": "total_mismatch", "field": "total", "detail": "total 9.00 != 1.00 + 1.00"}],
        passenger_name='"><img src=x onerror=alert(1)>',
        e_ticket_no="9990000000002",
        total="9.00",
    ),
]


def typed(
    records: list[dict[str, Any]] = RECORDS,
) -> tuple[Summary, list[ErrorRecord], list[ResultRecord]]:
    """SUMMARY, ERRORS and ``records`` as the report reads them back from OUT."""
    return (Summary.from_json(SUMMARY), [ErrorRecord.from_json(e) for e in ERRORS],
            [ResultRecord.from_json(r) for r in records])  # fmt: skip


EXPECTED_TEXT = """\
Last run: run 3, finished 2025-07-10T02:00:09Z: exit 2 (stopped: usage, config or account error)
  9 seen: 1 done now, 3 done earlier, 6 failed, 2 pending
  4 request(s): 1 billable, 2 retries
  stopped: the service refused the account: 10003 the key has expired
    what to do: key expired: renew it in the provider's console and rerun
Recorded in OUT: 4 ticket(s), 3 with warnings.

Failures: 8 item(s) not done (errors.jsonl)
  252604 recognition failed (1)
    what to do: no itinerary was recognized: check that the image is an itinerary, re-scan it
                sharper and straight, then rerun with --retry-failed
      e1.png: 252604 recognition failed
  99999 undocumented code (1)
    what to do: an undocumented code: look it up with the provider, then rerun with --retry-failed
      e2.png: 99999 undocumented code
  transport: no usable answer (1)
    what to do: no usable answer (timeout, connection or HTTP error): check the network and
                --endpoint (raise --timeout if these are timeouts); rerun resumes and sends these
                again
      e3.png: timed out (ReadTimeout)
  input: a PDF, not an image (1)
    what to do: export the page as JPEG or PNG, then rerun
      e5.pdf: not an image (a PDF document; export the page as JPEG or PNG)
  input: bad manifest row (1)
    what to do: fix the row in the manifest, then rerun
      manifest.csv:3: line 3: no path
  input: empty file (1)
    what to do: copy the file again or re-scan it, then rerun
      e4.png: empty file (0 bytes)
  pending: the run stopped on 10003 the key has expired (2)
    what to do: key expired: renew it in the provider's console and rerun
      p1.png: not recognized: run aborted on 10003 the key has expired
      p2.png: not sent yet; the next run sends it

Warnings: 3 finding(s) in recorded tickets (results.jsonl)
  duplicate_ticket (2)
    what to do: the same ticket is in more than one scan: keep one claim, reject the others
      first.png: e_ticket_no 9992106974306 is also in rescan.jpg
      rescan.jpg: e_ticket_no 9992106974306 was already recognized in first.png
  total_mismatch (1)
    what to do: the total is not the sum of its parts (paper: fare + CAAC fund + fuel surcharge +
                other taxes; e-invoice: fare + fuel + VAT + fund + other taxes): compare the amounts
                with the scan
      <script>alert("x")</script>: total 9.00 != 1.00 + 1.00

Duplicate tickets: 1 ticket(s) in more than one scan
    what to do: the same ticket is in more than one scan: keep one claim, reject the others
  e_ticket_no 9992106974306: first.png, rescan.jpg"""


def test_text_report_groups_failures_with_what_to_do() -> None:
    """Every failure kind is listed under its title with its advice; warnings and duplicates too."""
    assert text_report(*typed()) == EXPECTED_TEXT


def test_every_documented_code_has_its_own_advice() -> None:
    """Each non-zero code of CODE_MEANINGS has advice, shown for a failure with that code."""
    assert set(CODE_ADVICE) == set(CODE_MEANINGS) - {0}
    for code, meaning in CODE_MEANINGS.items():
        if code:
            failure = {"stage": "service", "error_code": code, "reason": meaning}
            expected = (10, f"{code} {meaning}", CODE_ADVICE[code])
            assert classify_failure(ErrorRecord.from_json(failure)) == expected
    rate = ErrorRecord.from_json({"stage": "service", "error_code": 10012})
    assert classify_failure(rate)[2] == (
        "quota/rate: batchocr paces down for the rate by itself; a run that stopped on it used"
        " up its quota: more quota or the next day, then rerun (it resumes)"
    )


def test_every_input_kind_has_a_title_and_advice() -> None:
    """Each kind of bad input an InputError can carry is grouped under its title with advice."""
    assert set(INPUT_KINDS) == set(InputKind)
    for kind, (title, advice) in INPUT_KINDS.items():
        error = ErrorRecord.from_json({"stage": "input", "reason": "x", "input_kind": kind.value})
        assert classify_failure(error) == (30, f"input: {title}", advice)


def test_the_kind_decides_the_group_never_the_reason_text() -> None:
    """A reason that reads like another kind is grouped by its kind; no kind (an OUT written
    before kinds, or a kind this version does not know) is the general advice."""
    error = ErrorRecord.from_json(
        {"stage": "input", "reason": "empty file (0 bytes)", "input_kind": "not_found"}
    )
    assert classify_failure(error)[1] == "input: file not found"
    for kind in (None, "a-kind-from-the-future"):
        old = ErrorRecord.from_json({"stage": "input", "reason": "empty file", "input_kind": kind})
        assert classify_failure(old) == (
            30, "input: unusable input", "fix or re-scan the file, then rerun",
        )  # fmt: skip


class Cards(HTMLParser):
    """Collects ``(data-id, data-kind)`` of each card, counts thumbnails, full-size views,
    placeholders, and any element or attribute that could run script."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.cards: list[tuple[str, str]] = []
        self.images = self.large = self.placeholders = 0
        self.scripting: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article":
            self.cards.append((a["data-id"] or "", a["data-kind"] or ""))
        inline = tag == "img" and (a.get("src") or "").startswith("data:image/jpeg;base64,")
        self.images += inline and a.get("alt") == "scan"
        self.large += inline and a.get("alt") == "full scan"
        self.placeholders += "noimg" in (a.get("class") or "").split()
        if tag in ("script", "iframe", "object", "embed") or any(
            k.startswith("on") or (v or "").lstrip().lower().startswith("javascript:")
            for k, v in attrs
        ):
            self.scripting.append(tag)


EXPECTED_CARDS = [(e["id"], "failure") for e in sorted(ERRORS, key=lambda e: e["id"])] + [
    (HOSTILE, "warning"),
    ("first.png", "duplicate"),
    ("rescan.jpg", "duplicate"),
]


def test_html_escapes_values_from_ocr() -> None:
    """Hostile ids and field values are shown as text, never as markup."""
    page = render_review(*typed())
    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert Cards(page).scripting == []
    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    assert f'<meta http-equiv="Content-Security-Policy" content="{csp}">' in page


def test_html_has_cards_for_problems_only() -> None:
    """Failed, warned and duplicate tickets get a card; a clean ticket does not."""
    cards = Cards(render_review(*typed()))
    assert cards.cards == EXPECTED_CARDS
    assert (cards.images, cards.placeholders) == (0, len(EXPECTED_CARDS))


def scan_png(path: Path, size: tuple[int, int] = (1200, 800)) -> Path:
    Image.new("RGB", size, "#d8e4f0").save(path)
    return path


def test_thumbnail_is_a_small_inline_jpeg(tmp_path: Path) -> None:
    """A readable scan becomes a 240 px JPEG data URI; a missing or broken one gives None."""
    uri = preview(str(scan_png(tmp_path / "scan.png")))
    assert uri is not None and uri.startswith("data:image/jpeg;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert (image.format, image.size) == ("JPEG", (240, 160))
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    assert preview(str(tmp_path / "broken.jpg")) is None
    assert preview(str(tmp_path / "missing.png")) is None


def write_out(out: Path, records: list[dict[str, Any]]) -> Path:
    out.mkdir()
    (out / "summary.json").write_text(json.dumps(SUMMARY))
    (out / "errors.jsonl").write_text("".join(json.dumps(e) + "\n" for e in ERRORS))
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return out


def with_scans(tmp_path: Path) -> list[dict[str, Any]]:
    """RECORDS with real scan files for two of the cards (the rest stay missing)."""
    scans = {"first.png": scan_png(tmp_path / "first.png"), HOSTILE: scan_png(tmp_path / "h.png")}
    return [r | {"source": str(scans[r["id"]])} if r["id"] in scans else r for r in RECORDS]


def report(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return run(parser.parse_args(argv))


def test_run_prints_the_text_and_writes_an_owner_only_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command prints the text report and writes the page 0600 with thumbnails inline."""
    records = with_scans(tmp_path)
    out, page = write_out(tmp_path / "out", records), tmp_path / "review.html"
    old = os.umask(0o022)
    try:
        assert report([str(out), "--html", str(page)]) == 0
    finally:
        os.umask(old)
    captured = capsys.readouterr()
    assert captured.out == EXPECTED_TEXT + "\n"
    assert captured.err == f"batchocr: review page written to {page}\n"
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    cards = Cards(page.read_text(encoding="utf-8"))
    assert cards.cards == EXPECTED_CARDS
    assert (cards.images, cards.large, cards.placeholders) == (2, 2, len(EXPECTED_CARDS) - 2)


def chromium(tmp_path: Path, page: Path) -> tuple[str, list[str]]:
    """Load ``page`` in headless chromium: the DOM after load, and the console messages."""
    done = subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}",
            "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    # Chromium logs each console message (errors, CSP violations, uncaught exceptions)
    # as "...:INFO:CONSOLE:1] "text", source: ..." (older builds: "CONSOLE(1)").
    console = [line for line in done.stderr.splitlines() if re.search(r":CONSOLE[:(]", line)]
    return done.stdout, console


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (apt-get install -y chromium); CI installs it",
)


@needs_chromium
def test_browser_console_check_sees_errors(tmp_path: Path) -> None:
    """The console check is not vacuous: a page that throws shows up in it."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>console.error('seen'); nosuch();</script>")
    _, console = chromium(tmp_path, page)
    assert len(console) == 2
    assert '"seen"' in console[0] and "nosuch is not defined" in console[1]


@needs_chromium
def test_review_page_loads_in_a_browser_without_console_errors(tmp_path: Path) -> None:
    """Chromium loads the page offline with no console message and shows the expected cards."""
    out = write_out(tmp_path / "out", with_scans(tmp_path))
    page = tmp_path / "review.html"
    assert report([str(out), "--html", str(page)]) == 0
    dom, console = chromium(tmp_path, page)
    assert console == []
    cards = Cards(dom)
    assert cards.cards == EXPECTED_CARDS
    assert (cards.images, cards.large, cards.placeholders) == (2, 2, len(EXPECTED_CARDS) - 2)


def test_low_confidence_findings_name_their_field_in_the_text() -> None:
    """The text report says which field was read with low confidence, as the page does."""
    record = {"id": "a.jpg", "fields": {}, "warnings": [
        {"code": "low_confidence", "field": "segments[1].seat_class",
         "detail": "read with confidence 0.36"}]}  # fmt: skip
    text = text_report(None, [], [ResultRecord.from_json(record)])
    assert "      a.jpg: segments[1].seat_class: read with confidence 0.36" in text.splitlines()


def test_the_readme_lists_every_input_kind() -> None:
    """errors.jsonl's ``input_kind`` values are all documented for people who script on them."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### `errors.jsonl`", 1)[1].split("###", 1)[0]
    assert [k.value for k in InputKind if f"`{k.value}`" not in section] == []
