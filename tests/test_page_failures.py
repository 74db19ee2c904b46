"""One page never takes the run (or the server) down: a page the offline engine raises on,
or that kills its worker, is that page's failure, recorded with its reason (issue 9, item 6).

The engine is driven in-process with the real LocalBackend and its process pool; the reader
is injected (tests/page_readers.py), so no OCR model is needed."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import anyio
import httpx
from fakes import InstantSleep
from page_readers import by_width
from PIL import Image

from batchocr.config import Config
from batchocr.outputs.summary import error_record
from batchocr.recognize.local.pool import PagePool
from batchocr.recognize.local.recognizer import CRASHED, LocalBackend
from batchocr.run.engine import Engine, RunOptions
from batchocr.run.sinks import ResultsFile
from batchocr.run.state import State
from batchocr.server import RehearsalServer
from batchocr.server.serve import ProcessRecognizer

# Page widths that page_readers.by_width misbehaves on.
RAISES, CRASHES, BLANK = 101, 102, 103
GOOD = (40, 41, 42)


def png(width: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, 30), "white").save(out, "PNG")
    return out.getvalue()


def folder(tmp_path: Path, widths: tuple[int, ...]) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    for width in widths:
        (root / f"w{width}.png").write_bytes(png(width))
    return root


def run_local(tmp_path: Path, widths: tuple[int, ...]) -> tuple[int, list[str], list[Any]]:
    """A run over PNGs of these widths with the offline backend; exit code, done ids, errors."""
    inputs, out = folder(tmp_path, widths), tmp_path / "out"
    out.mkdir()
    config = Config(out=out, backend="local", workers=2)
    sleep = InstantSleep()
    with State.open(out) as state:
        state.begin_run("2026-01-01T00:00:00Z")
        results = ResultsFile(out / "results.jsonl", state)
        results.open()
        backend = LocalBackend(workers=2, recognizer=by_width, initializer=None)
        engine = Engine(config, RunOptions(inputs=(str(inputs),)), state, results, backend,
                        clock=sleep.clock, sleep=sleep)  # fmt: skip

        async def main() -> None:
            try:
                await engine.run()
            finally:
                await backend.aclose()

        anyio.run(main)
        results.close()
        errors = [error_record(row).to_json() for row in state.report_rows()]
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    done = sorted(json.loads(line)["id"] for line in lines)
    return engine.exit_code, done, errors


def test_a_run_records_pages_that_raise_or_crash_and_reads_the_others(tmp_path: Path) -> None:
    """A ZeroDivisionError, a dead worker and an empty reading among good pages: exit 1, the
    good pages done, each bad one in the error report (stage service, 252604, its reason)."""
    code, done, errors = run_local(tmp_path, (*GOOD, RAISES, CRASHES, BLANK))
    assert code == 1
    assert done == ["w40.png", "w41.png", "w42.png"]
    # errors.jsonl's reason is the code's meaning with the backend's reason in brackets
    why = {e["id"]: (e["stage"], e["error_code"], e["retryable"]) for e in errors}
    assert why == {f"w{w}.png": ("service", 252604, False) for w in (RAISES, CRASHES, BLANK)}
    reasons = {e["id"]: e["reason"] for e in errors}
    assert "识别失败: ZeroDivisionError: division by zero" in reasons["w101.png"]
    assert CRASHED in reasons["w102.png"]
    assert "识别失败: nothing recognized" in reasons["w103.png"]


def test_the_server_answers_a_bad_page_with_252604_and_keeps_serving() -> None:
    """`serve`'s recognizer over the same pool: the pages that raise or crash are 252604,
    and the pages before and after them are answered with their data."""
    recognizer = ProcessRecognizer(PagePool(by_width, workers=2))
    answers = []
    try:
        with RehearsalServer(recognizer) as server, httpx.Client(trust_env=False, timeout=60) as c:
            for width in (40, RAISES, CRASHES, BLANK, 41):
                form = {"key": "k", "ImageBase64": base64.b64encode(png(width)).decode()}
                answers.append(c.post(server.url, data=form).json())
            stats = server.stats.snapshot()
    finally:
        recognizer.close()
    assert [a["error_code"] for a in answers] == [0, 252604, 252604, 252604, 0]
    assert answers[4]["result"]["data"][0]["Value"] == "9990000000041"
    assert stats["by_code"] == {"0": 2, "252604": 3}
