"""The rehearsal server speaks the Juhe protocol over a real socket on 127.0.0.1."""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlencode

import httpx
import pytest
from PIL import Image

from batchocr.errors import ConfigError, UsageError
from batchocr.models import NameValue
from batchocr.recognize.local.pool import PagePool
from batchocr.server import PATH, Behaviour, RehearsalServer, parse_form
from batchocr.server.answers import AnswerBook, Recognizer, synthetic_answer
from batchocr.server.serve import (
    ProcessRecognizer,
    add_arguments,
    behaviour_from_args,
    build_recognizer,
)

KEY = "test-key-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[1]


def image_bytes(size: tuple[int, int] = (64, 32), fmt: str = "PNG", color: str = "white") -> bytes:
    """A small synthetic image, encoded with Pillow."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


PNG = image_bytes()


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5) as c:
        yield c


@contextmanager
def serving(
    recognizer: Recognizer = synthetic_answer, **behaviour: Any
) -> Iterator[RehearsalServer]:
    with RehearsalServer(recognizer, Behaviour(**behaviour)) as server:
        yield server


def post(client: httpx.Client, url: str, image: bytes | None = PNG, key: str = KEY) -> Any:
    """POST the way the documented client does and return the decoded JSON answer."""
    form = {"key": key} if key else {}
    if image is not None:
        form["ImageBase64"] = b64(image)
    response = client.post(url, data=form)
    assert response.status_code == 200
    return response.json()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def error(code: int, reason: str) -> dict[str, Any]:
    return {"reason": reason, "result": None, "error_code": code}


def test_success_answers_the_synthetic_ticket(client: httpx.Client) -> None:
    """A real PNG gets error_code 0, the synthetic data and a fresh uuid4 request id."""
    with serving() as server:
        answer = post(client, server.url)
    request_id = answer["result"].pop("qingqiuhaohao")
    assert answer == {
        "reason": "success",
        "result": {"data": synthetic_answer(PNG)},
        "error_code": 0,
    }
    assert uuid.UUID(request_id).version == 4 and str(uuid.UUID(request_id)) == request_id


def test_synthetic_answer_is_derived_from_the_image_hash() -> None:
    """The ticket number and check code come from sha256(image); the rest is fixed."""
    data = synthetic_answer(b"abc")
    assert data[:3] == [
        {"Name": "旅客姓名", "Value": "测试旅客"},
        {"Name": "电子客票号码", "Value": "9996265856254"},
        {"Name": "验证码", "Value": "6254"},
    ]
    names = "票价 民航发展基金 燃油附加费 其他税费 合计金额 填开日期 始发站 目的站 航班号"
    assert [pair["Name"] for pair in data[3:]] == names.split()
    assert synthetic_answer(b"abc") == data


def test_trailing_slash_and_key_in_query_are_accepted(client: httpx.Client) -> None:
    """The path with a trailing slash works, and a key may come in the URL query."""
    with serving() as server:
        answer = post(client, f"{server.url}/?key={KEY}", key="")
    assert answer["error_code"] == 0


def test_wrong_or_missing_key_is_10001(client: httpx.Client) -> None:
    """With keys configured an unknown key is refused; without, only a missing key is."""
    with serving(keys=frozenset({KEY})) as server:
        assert post(client, server.url, key="other") == error(10001, "错误的请求KEY")
        assert post(client, server.url)["error_code"] == 0
    with serving() as server:
        assert post(client, server.url, key="") == error(10001, "错误的请求KEY")


def test_bad_base64_is_252603(client: httpx.Client) -> None:
    """A value that is not strict base64 (here a data: URI header) is refused with 252603."""
    with serving() as server:
        answer = client.post(server.url, data={"key": KEY, "ImageBase64": "data:image/png;base64,"})
    assert answer.json() == error(252603, "base64编码格式错误")


def test_unencoded_plus_signs_break_the_base64(client: httpx.Client) -> None:
    """Base64 sent without url-encoding loses its '+' to spaces and is refused, as documented."""
    encoded = base64.b64encode(image_bytes(color="red"))
    assert b"+" in encoded
    with serving() as server:
        body = b"key=" + KEY.encode() + b"&ImageBase64=" + encoded
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = client.post(server.url, content=body, headers=headers)
    assert answer.json() == error(252603, "base64编码格式错误")


@pytest.mark.parametrize(
    "image",
    [
        b"hello, not an image",
        image_bytes(fmt="GIF"),
        image_bytes(size=(10, 64)),
        image_bytes(size=(4097, 16)),
        PNG[:-20],
    ],
    ids=["text", "gif", "too-small", "too-large", "truncated"],
)
def test_not_an_acceptable_image_is_252601(client: httpx.Client, image: bytes) -> None:
    """Bytes that are not a jpg/png/bmp of 15..4096 px per side are a data format error."""
    with serving() as server:
        assert post(client, server.url, image=image) == error(252601, "数据格式错误")


def test_missing_image_or_non_form_body_is_252601(client: httpx.Client) -> None:
    """No ImageBase64, or a JSON body instead of a form, is a data format error."""
    with serving() as server:
        assert post(client, server.url, image=None) == error(252601, "数据格式错误")
        body = {"key": KEY, "ImageBase64": b64(PNG)}
        answer = client.post(f"{server.url}?key={KEY}", json=body)
    assert answer.json() == error(252601, "数据格式错误")


def test_no_fallback_answers_252604(client: httpx.Client) -> None:
    """An image missing from an AnswerBook without fallback is a recognition failure."""
    with serving(AnswerBook([], fallback=None)) as server:
        assert post(client, server.url) == error(252604, "识别失败")


def test_empty_or_broken_recognizer(client: httpx.Client) -> None:
    """An empty data list is 252604; a recognizer that crashes is 10014."""

    def broken(image: bytes) -> list[NameValue]:
        raise RuntimeError("engine exploded")

    with serving(lambda image: []) as server:
        assert post(client, server.url) == error(252604, "识别失败")
    with serving(broken) as server:
        assert post(client, server.url) == error(10014, "系统内部异常")


def test_force_code_answers_every_request(client: httpx.Client) -> None:
    """force_code overrides everything, even a request without a key or image."""
    with serving(force_code=10020) as server:
        assert post(client, server.url) == error(10020, "接口维护")
        assert post(client, server.url, image=None, key="") == error(10020, "接口维护")


def test_cap_refuses_over_the_rate_per_window(client: httpx.Client) -> None:
    """With cap 1, the second request in a 1-second window gets 10012; the next window admits."""
    now = [100.2]
    with RehearsalServer(synthetic_answer, Behaviour(cap_qps=1), clock=lambda: now[0]) as server:
        first, second = post(client, server.url), post(client, server.url)
        now[0] = 101.0
        third = post(client, server.url)
        stats = server.stats.snapshot()
    assert [first["error_code"], second, third["error_code"]] == [
        0,
        error(10012, "请求超过次数限制"),
        0,
    ]
    assert (stats["refused"], stats["by_code"]) == (1, {"0": 2, "10012": 1})


@pytest.mark.parametrize(
    ("fault", "code", "reason"),
    [
        ("252602", 252602, "网络繁忙，请稍后重试"),
        ("10012", 10012, "请求超过次数限制"),
        ("10014", 10014, "系统内部异常"),
    ],
)
def test_fault_codes(client: httpx.Client, fault: str, code: int, reason: str) -> None:
    """A fault of a service code answers that code as documented JSON."""
    with serving(fault_rate=1, faults=(fault,)) as server:
        assert post(client, server.url) == error(code, reason)


@pytest.mark.parametrize(("fault", "status"), [("http500", 500), ("http429", 429)])
def test_fault_http_status(client: httpx.Client, fault: str, status: int) -> None:
    """HTTP faults answer that status with a plain-text body."""
    with serving(fault_rate=1, faults=(fault,)) as server:
        response = client.post(server.url, data={"key": KEY, "ImageBase64": b64(PNG)})
    assert response.status_code == status
    assert response.headers["content-type"] == "text/plain"


def test_fault_garbage_is_200_without_json(client: httpx.Client) -> None:
    """The garbage fault answers 200 with an HTML body a JSON parser rejects."""
    with serving(fault_rate=1, faults=("garbage",)) as server:
        response = client.post(server.url, data={"key": KEY, "ImageBase64": b64(PNG)})
    assert response.status_code == 200
    assert response.text == "<html><body>502 Bad Gateway</body></html>"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_fault_reset_closes_without_answer(client: httpx.Client) -> None:
    """The reset fault closes the connection, which httpx reports as a transport error."""
    with serving(fault_rate=1, faults=("reset",)) as server:
        with pytest.raises(httpx.TransportError):
            client.post(server.url, data={"key": KEY, "ImageBase64": b64(PNG)})
        assert server.stats.snapshot()["by_code"] == {"reset": 1}


def test_answer_book_serves_ground_truth(client: httpx.Client, tmp_path: Path) -> None:
    """An image with a sibling .json gets that json's data; other images the fallback."""
    truth = [
        {"Name": "旅客姓名", "Value": "李测试"},
        {"Name": "电子客票号码", "Value": "7812345678901"},
    ]
    (tmp_path / "t1.png").write_bytes(PNG)
    (tmp_path / "t1.json").write_text(json.dumps({"data": truth}), encoding="utf-8")
    (tmp_path / "orphan.json").write_text("not json, and no image beside it", encoding="utf-8")
    book = AnswerBook([tmp_path])
    other = image_bytes(color="blue")
    with serving(book) as server:
        known, unknown = post(client, server.url), post(client, server.url, image=other)
    assert (len(book), known["result"]["data"]) == (1, truth)
    assert unknown["result"]["data"] == synthetic_answer(other)


def test_answer_book_reads_saved_answers_and_rejects_bad_files(tmp_path: Path) -> None:
    """A saved service answer counts as ground truth; unreadable truth is a ConfigError."""
    truth = [{"Name": "航班号", "Value": "MU5101"}]
    (tmp_path / "a.jpg").write_bytes(image_bytes(fmt="JPEG"))
    saved = {"reason": "success", "result": {"data": truth}, "error_code": 0}
    (tmp_path / "a.json").write_text(json.dumps(saved), encoding="utf-8")
    assert AnswerBook([tmp_path], fallback=None)(image_bytes(fmt="JPEG")) == truth
    (tmp_path / "b.bmp").write_bytes(image_bytes(fmt="BMP"))
    (tmp_path / "b.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"b\.json"):
        AnswerBook([tmp_path])
    with pytest.raises(ConfigError, match="not a directory"):
        AnswerBook([tmp_path / "missing"])


def test_stats_count_requests_without_keeping_keys(client: httpx.Client) -> None:
    """/_stats counts requests, codes and images by hash, and never contains a key."""
    sha = hashlib.sha256(PNG).hexdigest()
    with serving() as server:
        post(client, server.url)
        post(client, server.url, key="second-secret-key")
        post(client, server.url, image=b"not an image")
        response = client.get(server.url.replace(PATH, "/_stats"))
    stats = response.json()
    assert (stats.pop("first_at") <= stats.pop("last_at")) is True
    assert stats == {
        "requests": 3,
        "by_code": {"0": 2, "252601": 1},
        "by_sha256": {sha: 2},
        "succeeded_by_sha256": {sha: 2},
        "max_in_flight": 1,
        "in_flight": 0,
        "refused": 0,
        "keys_seen_count": 2,
    }
    assert KEY not in response.text and "second-secret-key" not in response.text


def test_http_level_errors(client: httpx.Client) -> None:
    """Unknown paths are 404, GET on the OCR path is 405, chunked bodies are 411."""
    with serving() as server:
        base = server.url.replace(PATH, "")
        statuses = [
            client.post(f"{base}/other", data={"key": KEY}).status_code,
            client.get(server.url).status_code,
            client.get(f"{base}/other").status_code,
            client.post(server.url, content=iter([b"key=k"])).status_code,
        ]
        assert server.stats.snapshot()["by_code"] == {"http404": 1, "http411": 1}
    assert statuses == [404, 405, 404, 411]


def test_seeded_jitter_is_reproducible() -> None:
    """Latency ± jitter is drawn from random.Random(seed) and slept in the request thread."""
    slept: list[float] = []
    behaviour = Behaviour(latency=0.1, jitter=0.03, seed=7)
    with (
        RehearsalServer(synthetic_answer, behaviour, sleep=slept.append) as server,
        httpx.Client(trust_env=False) as c,
    ):
        post(c, server.url)
        post(c, server.url, key="")
    rng = random.Random(7)
    assert slept == [0.1 + rng.uniform(-0.03, 0.03), 0.1 + rng.uniform(-0.03, 0.03)]


def test_stats_see_concurrent_requests() -> None:
    """Two requests held in their latency sleep at once show as max_in_flight 2."""
    both_in_flight = threading.Barrier(2, timeout=5)
    behaviour = Behaviour(latency=1)  # never slept: the barrier stands in for the sleep

    def held(seconds: float) -> None:
        both_in_flight.wait()

    def one_request(url: str) -> None:
        with httpx.Client(trust_env=False, timeout=5) as c:
            post(c, url)

    with RehearsalServer(synthetic_answer, behaviour, sleep=held) as server:
        threads = [threading.Thread(target=one_request, args=(server.url,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stats = server.stats.snapshot()
    assert (stats["max_in_flight"], stats["in_flight"], stats["by_code"]) == (2, 0, {"0": 2})


def test_latency_really_delays_the_answer(client: httpx.Client) -> None:
    """With real sleep, an answer takes at least the configured latency."""
    with serving(latency=0.05) as server:
        started = time.monotonic()
        post(client, server.url)
        assert time.monotonic() - started >= 0.05


def test_parse_form_decodes_and_is_fast() -> None:
    """parse_form decodes any escape, keeps the first of a repeated name, and does 5 MB fast."""
    assert parse_form(b"a=%2b%2F%3d&b=x+y%21&a=2&flag") == {"a": b"+/=", "b": b"x y!", "flag": b""}
    image = random.Random(1).randbytes(3_750_000)

    def escape(data: bytes) -> str:  # what urlencode makes of base64, without its slow loop
        return b64(data).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")

    assert urlencode({"ImageBase64": b64(image[:3001])}) == "ImageBase64=" + escape(image[:3001])
    body = f"key={KEY}&ImageBase64={escape(image)}".encode()
    assert len(body) > 5_000_000
    form = parse_form(body)
    assert base64.b64decode(form["ImageBase64"]) == image
    # Fast: at least twice as fast as the standard library's unquoting of the same body
    # (about 4x; a ratio measured in one run holds on a loaded machine, a time does not).
    assert _fastest(lambda: parse_form(body)) < _fastest(lambda: unquote_to_bytes(body)) / 2


def _fastest(call: Any) -> float:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_parse_form_agrees_with_unquote_to_bytes() -> None:
    """On awkward values (stray %, =, CR/LF, +, lowercase hex) the fast path decodes like urllib."""
    rng = random.Random(5)
    alphabet = b"%=2Bbf3DgGa _\t+\r\n4Z\xe4"
    for _ in range(3000):
        value = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        expected = unquote_to_bytes(value.replace(b"+", b" "))
        assert parse_form(b"v=" + value).get("v", b"") == expected, value


@pytest.mark.parametrize(
    "settings",
    [
        {"faults": ("nope",)},
        {"faults": ()},
        {"fault_rate": 1.5},
        {"cap_qps": 0.5},
        {"cap_window": "rolling"},
        {"quota": -1},
        {"force_code": 0},
        {"keys": frozenset()},
        {"jitter": -1},
    ],
)
def test_behaviour_rejects_bad_settings(settings: dict[str, Any]) -> None:
    """Unknown faults, out-of-range rates and an empty key set are ConfigErrors."""
    with pytest.raises(ConfigError):
        Behaviour(**settings)


def test_options_build_the_behaviour(tmp_path: Path) -> None:
    """The serve options map onto Behaviour; the keys file skips blanks and comments."""
    keys_file = tmp_path / "keys.txt"
    keys_file.write_text("# rehearsal keys\nalpha\n\n  beta  \n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        "--latency 0.1 --jitter 0.03 --fault-rate 0.2 --faults 252602,reset --cap-qps 5 "
        "--cap-window sliding --quota 70 "
        f"--force-code 10020 --keys-file {keys_file} --seed 3".split()
    )
    assert behaviour_from_args(args) == Behaviour(
        latency=0.1,
        jitter=0.03,
        fault_rate=0.2,
        faults=("252602", "reset"),
        cap_qps=5,
        cap_window="sliding",
        quota=70,
        force_code=10020,
        keys=frozenset({"alpha", "beta"}),
        seed=3,
    )
    defaults = parser.parse_args([])
    assert (defaults.host, defaults.port, behaviour_from_args(defaults)) == (
        "127.0.0.1",
        8000,
        Behaviour(),
    )


def test_serve_command_serves_until_sigterm(tmp_path: Path) -> None:
    """`batchocr serve` announces its URL, logs without the key, stops on SIGTERM."""
    keys_file = tmp_path / "keys"
    keys_file.write_text(KEY + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "batchocr", "serve", "--port", "0", "--verbose"]
    command += ["--engine", "synthetic"]
    proc = subprocess.Popen(
        [*command, "--keys-file", str(keys_file)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        announced = proc.stderr.readline().strip()
        assert announced.startswith("serving on http://127.0.0.1:") and announced.endswith(PATH)
        with httpx.Client(trust_env=False, timeout=5) as c:
            answer = post(c, f"{announced.removeprefix('serving on ')}?key={KEY}")
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=5)
    finally:
        proc.kill()
    assert (answer["error_code"], proc.returncode) == (0, 0)
    assert f'POST {PATH}?key=*** HTTP/1.1" 200' in rest
    assert KEY not in rest and rest.endswith("stopped; requests: 1\n")


def crash_on_empty(image: bytes) -> list[NameValue]:
    """A recognizer whose worker process dies on one particular input."""
    if image == b"crash":
        os._exit(3)
    return synthetic_answer(image)


def test_process_recognizer_survives_a_crashing_page() -> None:
    """A worker that dies costs that page only (LookupError → 252604); the next page works."""
    recognizer = ProcessRecognizer(PagePool(crash_on_empty, workers=1))
    try:
        assert recognizer(b"first") == synthetic_answer(b"first")
        with pytest.raises(LookupError, match="crashed on this image"):
            recognizer(b"crash")
        assert recognizer(b"after") == synthetic_answer(b"after")
    finally:
        recognizer.close()


def test_no_fallback_without_answers_is_a_usage_error() -> None:
    """--no-fallback alone would recognize nothing: refused with a one-line message."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    with pytest.raises(UsageError, match="--no-fallback needs --answers"):
        build_recognizer(parser.parse_args(["--no-fallback"]))
