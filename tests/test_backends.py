"""The backend switch and the offline engine through the real command line."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeService

from batchocr.run.runner import RunRequest, run_batch

SAMPLES = Path(__file__).parents[1] / "samples"
PAGE = "paper-clean-1"
pytest.importorskip("rapidocr_onnxruntime", reason="the local extra is not installed")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BATCHOCR_", "JUHE_"))}
    return {**env, **extra}


def truth(stem: str) -> set[tuple[str, str, Any]]:
    data = json.loads((SAMPLES / f"{stem}.json").read_text(encoding="utf-8"))["data"]
    return {(d["Name"], d["Value"], d.get("Row")) for d in data}


def one_page(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / f"{PAGE}.png", folder)
    return folder


def records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]


def run_auto(tmp_path: Path, env: dict[str, str]) -> tuple[int, str, list[dict[str, Any]]]:
    """One page through run_batch with the `auto` backend; a fake service behind httpx."""

    stderr = io.StringIO()
    req = RunRequest(
        inputs=(str(one_page(tmp_path)),),
        progress=False,
        flags={"out": str(tmp_path / "out"), "workers": "1"},
    )
    code = run_batch(
        req,
        env=env,
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=stderr,
        transport=FakeService.answering(0).transport(),
    )
    return code, stderr.getvalue(), records(tmp_path / "out")


def test_auto_with_a_key_uses_the_service(tmp_path: Path) -> None:
    """With JUHE_KEY set, auto picks the service and says so in one line."""
    code, stderr, recs = run_auto(tmp_path, {"JUHE_KEY": "k"})
    assert (code, stderr) == (0, "batchocr: backend juhe (a key is configured)\n")
    assert [r["backend"] for r in recs] == ["juhe"]


def test_auto_without_a_key_reads_the_page_offline(tmp_path: Path) -> None:
    """Without a key, auto runs the local engine; the record matches the ground truth."""
    code, stderr, recs = run_auto(tmp_path, {})
    assert (code, stderr) == (0, "batchocr: backend local (no key is configured)\n")
    (rec,) = recs
    assert rec["backend"] == "local"
    assert {(d["Name"], d["Value"], d.get("Row")) for d in rec["raw"]} == truth(PAGE)
    assert rec["warnings"] == []


def test_offline_run_with_the_network_disabled(tmp_path: Path) -> None:
    """In an empty network namespace (no interface at all) the CLI still reads the page."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {probe.stderr.decode().strip()}")
    folder = one_page(tmp_path)
    done = subprocess.run(
        [
            "unshare",
            "-n",
            sys.executable,
            "-m",
            "batchocr",
            "run",
            str(folder),
            "-o",
            str(tmp_path / "out"),
            "--backend",
            "local",
            "--workers",
            "1",
            "--no-progress",
        ],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    (rec,) = records(tmp_path / "out")
    assert {(d["Name"], d["Value"], d.get("Row")) for d in rec["raw"]} == truth(PAGE)


def test_serve_answers_a_real_run(tmp_path: Path) -> None:
    """`batchocr serve` (offline engine) answers `batchocr run --endpoint` over a real socket."""
    folder = one_page(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "batchocr", "serve", "--port", "0", "--workers", "1"],
        env=clean_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        lines = [server.stderr.readline().strip() for _ in range(2)]
        url = next(x.removeprefix("serving on ") for x in lines if x.startswith("serving on "))
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "batchocr",
                "run",
                str(folder),
                "-o",
                str(tmp_path / "out"),
                "--backend",
                "juhe",
                "--endpoint",
                url,
                "--no-progress",
                "--timeout",
                "120",
            ],
            env=clean_env(JUHE_KEY="any"),
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert done.returncode == 0, done.stderr
    (rec,) = records(tmp_path / "out")
    assert rec["backend"] == "juhe"  # the protocol's client, talking to our own engine
    assert {(d["Name"], d["Value"], d.get("Row")) for d in rec["raw"]} == truth(PAGE)


def hard_pages(folder: Path) -> list[str]:
    """Real inputs the reader finds nothing in: an empty white page, a page of random noise,
    and three labels of one printed row alone (a registration that would flatten the page)."""
    import random

    from PIL import Image, ImageDraw, ImageFont

    from synth import font_path

    rng = random.Random(9)
    noise = Image.frombytes("L", (900, 600), rng.randbytes(900 * 600))
    one_row = Image.new("RGB", (2000, 1100), "white")
    draw, font = ImageDraw.Draw(one_row), ImageFont.truetype(str(font_path()), 28)
    for text, x, y in (("票价", 66, 639), ("民航发展基金", 446, 649), ("燃油附加费", 821, 634)):
        draw.text((x, y), text, fill="black", font=font)
    pages = {"blank.png": Image.new("RGB", (1200, 800), "white"), "noise.png": noise,
             "one-row.png": one_row}  # fmt: skip
    for name, page in pages.items():
        page.save(folder / name)
    return sorted(pages)


def test_a_run_over_pages_the_reader_cannot_read_records_them_and_goes_on(tmp_path: Path) -> None:
    """The CLI on a good page and three hard ones: exit 1, the good page read exactly, the
    others in errors.jsonl as recognition failures (stage service), no traceback."""
    folder = one_page(tmp_path)
    bad = hard_pages(folder)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "batchocr", "run", str(folder), "-o", str(out),
         "--backend", "local", "--workers", "1", "--no-progress"],
        env=clean_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    (rec,) = records(out)
    assert {(d["Name"], d["Value"], d.get("Row")) for d in rec["raw"]} == truth(PAGE)
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    assert sorted(e["id"] for e in errors) == bad
    assert {(e["stage"], e["error_code"]) for e in errors} == {("service", 252604)}
    assert all("识别失败" in e["reason"] for e in errors)
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["done_now"], summary["failed"]) == (1, 3)
