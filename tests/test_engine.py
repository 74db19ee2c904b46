"""The engine end to end in-process: a fake service at the transport seam, instant sleeps."""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes import FakeService, InstantSleep
from PIL import Image

from batchocr.config import Config, Secret
from batchocr.recognize.client import JuheClient
from batchocr.run.engine import Engine, RunOptions
from batchocr.run.sinks import ResultsFile
from batchocr.run.state import State

KEY = "k-123"


def png(tmp: Path, name: str, seed: int) -> Path:
    """A small, distinct, valid PNG."""
    img = Image.new("RGB", (40 + seed, 30), (seed * 7 % 256, 10, 20))
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def ok(image: bytes) -> dict[str, Any]:
    n = len(image)
    return {
        "reason": "success",
        "error_code": 0,
        "result": {
            "data": [
                {"Name": "电子客票号码", "Value": f"{9990000000000 + n}"},
                {"Name": "票价", "Value": "CNY 100.00"},
            ],
            "qingqiuhaohao": f"rid-{n}",
        },
    }


@dataclass
class Outcome:
    code: int
    engine: Engine
    results: list[dict[str, Any]]
    report: list[Any]
    sleep: InstantSleep


async def run_engine(
    out: Path,
    inputs: list[Path],
    service: FakeService,
    *,
    options: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
) -> Outcome:
    cfg = Config(key=Secret(KEY), out=out, **(config or {}))
    out.mkdir(exist_ok=True)
    sleep = InstantSleep()
    with State.open(out) as state:
        state.begin_run("2026-01-01T00:00:00Z")
        results = ResultsFile(out / "results.jsonl", state)
        results.open()
        transport = service.transport()
        async with httpx.AsyncClient(transport=transport) as http:
            engine = Engine(
                cfg,
                RunOptions(inputs=tuple(str(p) for p in inputs), **(options or {})),
                state,
                results,
                JuheClient(http, "http://svc.test/flightinvoiceOcr/index", cfg.key),  # type: ignore[arg-type]
                clock=sleep.clock,
                sleep=sleep,
                rng=random.Random(1),
            )
            await engine.run()
        results.close()
        report = list(state.report_rows())
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return Outcome(engine.exit_code, engine, [json.loads(x) for x in lines], report, sleep)


def folder(tmp_path: Path, n: int) -> Path:
    root = tmp_path / "in"
    for i in range(n):
        png(root, f"t{i:02d}.png", i)
    return root


def by_id(rows: list[Any]) -> dict[str, Any]:
    return {r.id: r for r in rows}


@pytest.mark.asyncio
async def test_clean_run_records_every_image_once(tmp_path: Path) -> None:
    """Three images: three requests with our key, three result lines with normalized fields."""
    service = FakeService(lambda n, img: ok(img))
    out = await run_engine(tmp_path / "out", [folder(tmp_path, 3)], service)
    assert out.code == 0
    assert service.keys == [KEY] * 3
    assert sorted(r["id"] for r in out.results) == ["t00.png", "t01.png", "t02.png"]
    first = next(r for r in out.results if r["id"] == "t00.png")
    image = (tmp_path / "in" / "t00.png").read_bytes()
    assert first["fields"]["fare"] == "100.00"
    assert first["fields"]["e_ticket_no"] == str(9990000000000 + len(image))
    assert first["raw"] == ok(image)["result"]["data"]
    assert (first["backend"], first["attempts"], first["request_id"]) == (
        "juhe",
        1,
        f"rid-{len(image)}",
    )
    assert sorted(service.images) == sorted(
        (tmp_path / "in" / f"t{i:02d}.png").read_bytes() for i in range(3)
    )
    assert out.report == []


@pytest.mark.asyncio
async def test_transient_failures_are_retried_until_done(tmp_path: Path) -> None:
    """Each image first gets 252602, then HTTP 500: all still end done, with their attempts."""
    seen: dict[bytes, int] = {}

    def script(n: int, img: bytes) -> dict[str, Any] | int:
        seen[img] = seen.get(img, 0) + 1
        return {1: {"error_code": 252602, "reason": "busy"}, 2: 500}.get(seen[img], ok(img))

    service = FakeService(script)
    out = await run_engine(
        tmp_path / "out", [folder(tmp_path, 4)], service, config={"max_attempts": 5}
    )
    assert out.code == 0
    c = out.engine.counters
    assert (c.requests, c.retries, len(service.images)) == (12, 8, 12)
    assert [r["attempts"] for r in out.results] == [3, 3, 3, 3]
    assert out.sleep.waits  # backoff waits happened (instantly)


@pytest.mark.asyncio
async def test_bad_key_aborts_after_one_request(tmp_path: Path) -> None:
    """10001 on the first request: exit 2, one request only, every item left pending."""
    service = FakeService(lambda n, img: {"error_code": 10001, "reason": "错误的请求KEY"})
    out = await run_engine(
        tmp_path / "out", [folder(tmp_path, 10)], service, config={"concurrency": 4}
    )
    assert out.code == 2
    assert len(service.images) == 1
    assert "10001 wrong request key" in out.engine.control.message
    assert out.results == []
    assert {r.failure.stage.value for r in out.report} == {"pending"}
    assert all(r.failure.retryable for r in out.report)


@pytest.mark.asyncio
async def test_persistent_rate_refusals_stop_early(tmp_path: Path) -> None:
    """10012 forever: the pacer slows down, then calls it quota after 2 s of refusals with no
    success: exit 3, a bounded number of requests, nothing lost (all retryable)."""
    service = FakeService(lambda n, img: {"error_code": 10012, "reason": "请求超过次数限制"})
    out = await run_engine(
        tmp_path / "out",
        [folder(tmp_path, 12)],
        service,
        config={"concurrency": 2, "max_attempts": 3, "stop_after": 3},
    )
    assert out.code == 3
    assert "keeps refusing however slowly we send (quota used up?)" in out.engine.control.message
    assert 3 <= len(service.images) <= 12
    assert out.results == []
    assert all(r.failure.retryable for r in out.report)
    assert all(r.failure.error_code in (10012, None) for r in out.report)
    assert out.engine.counters.rate_refusals >= 3


@pytest.mark.asyncio
async def test_rate_refusals_slow_the_run_but_never_fail_or_stop_it(tmp_path: Path) -> None:
    """Every other request refused with 10012: with max_attempts 1 and stop_after 1 every
    image is still done (a rate refusal is not an attempt), at a lower pace."""
    service = FakeService(
        lambda n, img: {"error_code": 10012, "reason": "请求超过次数限制"} if n % 2 else ok(img)
    )
    out = await run_engine(
        tmp_path / "out",
        [folder(tmp_path, 6)],
        service,
        config={"concurrency": 1, "max_attempts": 1, "stop_after": 1, "qps": 10},
    )
    assert (out.code, len(out.results), len(service.images)) == (0, 6, 12)
    counters = out.engine.counters
    assert counters.rate_refusals == 6 and counters.pace_qps is not None
    assert counters.pace_qps < 10


@pytest.mark.asyncio
async def test_maintenance_stops_at_once(tmp_path: Path) -> None:
    """10020 (maintenance) is a stop: exit 3 on the first answer."""
    service = FakeService(lambda n, img: {"error_code": 10020, "reason": "接口维护"})
    out = await run_engine(tmp_path / "out", [folder(tmp_path, 5)], service)
    assert out.code == 3
    assert len(service.images) == 1


@pytest.mark.asyncio
async def test_item_failure_is_final_until_retry_failed(tmp_path: Path) -> None:
    """252604 fails the item without retry; a rerun skips it; --retry-failed sends it again."""
    root = folder(tmp_path, 2)
    bad = (root / "t01.png").read_bytes()
    service = FakeService(
        lambda n, img: {"error_code": 252604, "reason": "识别失败"} if img == bad else ok(img)
    )
    out = await run_engine(tmp_path / "out", [root], service)
    assert out.code == 1
    assert len(service.images) == 2
    (row,) = out.report
    assert (row.id, row.failure.stage.value, row.failure.error_code, row.failure.retryable) == (
        "t01.png",
        "service",
        252604,
        False,
    )
    again = await run_engine(tmp_path / "out", [root], service)
    assert (again.code, len(service.images)) == (1, 2)
    forced = await run_engine(tmp_path / "out", [root], service, options={"retry_failed": True})
    assert (forced.code, len(service.images)) == (1, 3)


@pytest.mark.asyncio
async def test_rerun_sends_only_what_is_new(tmp_path: Path) -> None:
    """A rerun sends nothing; a new file and a file whose bytes changed are sent once each."""
    root = folder(tmp_path, 3)
    service = FakeService(lambda n, img: ok(img))
    await run_engine(tmp_path / "out", [root], service)
    again = await run_engine(tmp_path / "out", [root], service)
    assert (again.code, len(service.images), again.engine.counters.done_earlier) == (0, 3, 3)
    png(root, "new.png", 50)
    png(root, "t00.png", 60)  # same path, new bytes
    third = await run_engine(tmp_path / "out", [root], service)
    assert (third.code, len(service.images)) == (0, 5)
    lines = (tmp_path / "out" / "results.jsonl").read_text().splitlines()
    assert len(lines) == 5
    assert len({json.loads(x)["sha256"] for x in lines}) == 5


@pytest.mark.asyncio
async def test_identical_content_is_sent_once(tmp_path: Path) -> None:
    """The same bytes under two names: one request, one result line, both ids known."""
    root = folder(tmp_path, 1)
    (root / "copy.png").write_bytes((root / "t00.png").read_bytes())
    service = FakeService(lambda n, img: ok(img))
    out = await run_engine(tmp_path / "out", [root], service)
    assert (out.code, len(service.images), len(out.results)) == (0, 1, 1)
    with State.open(tmp_path / "out") as st:
        copy, original = st.id_record("copy.png"), st.id_record("t00.png")
        assert copy is not None and original is not None
        assert copy.sha256 == original.sha256
    assert out.engine.counters.same_content == 1


@pytest.mark.asyncio
async def test_limit_caps_new_requests(tmp_path: Path) -> None:
    """--limit 2 over five images: two sent, exit 3, the other three pending for next time."""
    service = FakeService(lambda n, img: ok(img))
    out = await run_engine(
        tmp_path / "out",
        [folder(tmp_path, 5)],
        service,
        options={"limit": 2},
        config={"concurrency": 1},
    )
    assert (out.code, len(service.images), len(out.results)) == (3, 2, 2)
    rest = await run_engine(tmp_path / "out", [tmp_path / "in"], service)
    assert (rest.code, len(service.images)) == (0, 5)


@pytest.mark.asyncio
async def test_bad_inputs_are_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    """Empty, non-image and truncated files become input errors; no request is made for them."""
    root = folder(tmp_path, 1)
    (root / "empty.png").write_bytes(b"")
    (root / "text.jpg").write_bytes(b"hello, not an image")
    (root / "cut.png").write_bytes((root / "t00.png").read_bytes()[:60])
    service = FakeService(lambda n, img: ok(img))
    out = await run_engine(tmp_path / "out", [root], service)
    assert (out.code, len(service.images)) == (1, 1)
    report = by_id(out.report)
    assert sorted(report) == ["cut.png", "empty.png", "text.jpg"]
    assert report["empty.png"].failure.reason == "empty file (0 bytes)"
    assert {r.failure.stage.value for r in out.report} == {"input"}


@pytest.mark.asyncio
async def test_dry_run_sends_nothing_and_counts(tmp_path: Path) -> None:
    """--dry-run prepares everything, sends nothing, and counts the images it would send."""
    root = folder(tmp_path, 3)
    (root / "dup.png").write_bytes((root / "t00.png").read_bytes())
    service = FakeService(lambda n, img: ok(img))
    out = await run_engine(tmp_path / "out", [root], service, options={"dry_run": True})
    assert (len(service.images), out.engine.counters.would_send) == (0, 3)


@pytest.mark.asyncio
async def test_same_ticket_from_other_bytes_is_flagged_across_runs(tmp_path: Path) -> None:
    """A re-scan (new bytes, same ticket number) gets duplicate_ticket naming the first id."""
    root = tmp_path / "in"
    png(root, "scan-a.png", 1)
    same_ticket = {
        "reason": "success",
        "error_code": 0,
        "result": {"data": [{"Name": "电子客票号码", "Value": "9991234567890"}]},
    }
    service = FakeService(lambda n, img: same_ticket)
    first = await run_engine(tmp_path / "out", [root], service)
    assert first.results[0]["warnings"] == []
    png(root, "scan-b.png", 2)
    second = await run_engine(tmp_path / "out", [root], service)
    assert second.engine.counters.duplicate_tickets == 1
    flagged = next(r for r in second.results if r["id"] == "scan-b.png")
    assert flagged["warnings"] == [
        {
            "code": "duplicate_ticket",
            "field": "e_ticket_no",
            "detail": "e_ticket_no 9991234567890 was already recognized in scan-a.png",
        }
    ]


@pytest.mark.asyncio
async def test_same_bytes_are_not_retried_again_in_one_run(tmp_path: Path) -> None:
    """Two ids with identical bytes during an outage: the content uses up its retries once."""
    root = folder(tmp_path, 1)
    (root / "copy.png").write_bytes((root / "t00.png").read_bytes())
    service = FakeService(lambda n, img: {"error_code": 252602, "reason": "busy"})
    out = await run_engine(
        tmp_path / "out", [root], service, config={"max_attempts": 2, "stop_after": 5}
    )
    assert (out.code, len(service.images)) == (1, 2)
    assert sorted((r.id, r.failure.retryable) for r in out.report) == [
        ("copy.png", True),
        ("t00.png", True),
    ]
