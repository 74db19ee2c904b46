"""The server's sans-I/O core: requests in, answers out, no socket, no sleep, a fake clock."""

from __future__ import annotations

import base64
import io
import json
import random
from typing import Any
from urllib.parse import urlencode

import pytest
from PIL import Image

from batchocr.models import NameValue
from batchocr.server import (
    PATH,
    STATS_PATH,
    Answer,
    Behaviour,
    FixedWindowCap,
    Protocol,
    Request,
    SlidingWindowCap,
    synthetic_answer,
)
from batchocr.server.answers import Recognizer

KEY = "test-key-0123456789abcdef"


def png(size: tuple[int, int] = (64, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format="PNG")
    return out.getvalue()


PNG = png()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make(
    recognizer: Recognizer = synthetic_answer, clock: Clock | None = None, **b: Any
) -> Protocol:
    return Protocol(recognizer, Behaviour(**b), clock=clock or Clock(), new_id=lambda: "req-1")


def form(key: str | None = KEY, image: bytes | str | None = PNG) -> bytes:
    fields: dict[str, str] = {}
    if key is not None:
        fields["key"] = key
    if isinstance(image, bytes):
        fields["ImageBase64"] = base64.b64encode(image).decode()
    elif isinstance(image, str):
        fields["ImageBase64"] = image
    return urlencode(fields).encode()


def post(protocol: Protocol, body: bytes, target: str = PATH, **headers: str) -> Answer:
    pairs = (
        ("Content-Length", str(len(body))),
        *((k.replace("_", "-"), v) for k, v in headers.items()),
    )
    return protocol.handle(Request("POST", target, pairs, body))


def code_of(answer: Answer) -> tuple[int, str]:
    doc = answer.json()
    return doc["error_code"], doc["reason"]


def test_success_carries_the_data_and_the_injected_request_id() -> None:
    """A good request answers 0 with the recognizer's data and the id new_id made."""
    answer = post(make(), form())
    assert (answer.status, answer.label, answer.content_type) == (
        200, "0", "application/json;charset=utf-8")  # fmt: skip
    assert answer.json() == {
        "reason": "success",
        "result": {"data": synthetic_answer(PNG), "qingqiuhaohao": "req-1"},
        "error_code": 0,
    }


@pytest.mark.parametrize(
    ("body", "behaviour", "expected"),
    [
        (form(key=None), {}, (10001, "错误的请求KEY")),
        (form(key="other"), {"keys": frozenset({KEY})}, (10001, "错误的请求KEY")),
        (form(image="aGk=!"), {}, (252603, "base64编码格式错误")),
        (form(image=b"plain text, not an image"), {}, (252601, "数据格式错误")),
        (form(image=png((8, 8))), {}, (252601, "数据格式错误")),  # under 15 px
        (form(image=None), {}, (252601, "数据格式错误")),
        (form(key=None, image=None), {"force_code": 10020}, (10020, "接口维护")),
    ],
)
def test_refusals_follow_the_documented_table(
    body: bytes, behaviour: dict[str, Any], expected: tuple[int, str]
) -> None:
    """Bad key 10001, bad base64 252603, non-image or missing image 252601, forced code."""
    assert code_of(post(make(**behaviour), body)) == expected


def test_a_body_that_is_not_a_form_is_252601() -> None:
    """A JSON body is not read as a form: no image, 252601 (the key in the query still counts)."""
    answer = post(
        make(), b'{"ImageBase64": "x"}', f"{PATH}?key={KEY}", Content_Type="application/json"
    )
    assert code_of(answer) == (252601, "数据格式错误")


def test_nothing_recognized_is_252604_and_a_broken_plug_10014() -> None:
    """LookupError or an empty list is 252604; any other exception of the plug is 10014."""

    def lookup(image: bytes) -> list[NameValue]:
        raise LookupError("ZeroDivisionError: float division by zero")

    def broken(image: bytes) -> list[NameValue]:
        raise RuntimeError("engine exploded")

    assert code_of(post(make(lookup), form())) == (252604, "识别失败")
    assert code_of(post(make(lambda image: []), form())) == (252604, "识别失败")
    assert code_of(post(make(broken), form())) == (10014, "系统内部异常")


def test_fixed_cap_refuses_over_the_rate_per_calendar_second() -> None:
    """Cap 2 in fixed mode: the third request of a second is 10012; the next second admits."""
    clock = Clock(100.1)
    protocol = make(clock=clock, cap_qps=2)
    codes = [code_of(post(protocol, form()))[0] for _ in range(3)]
    clock.now = 101.0
    codes.append(code_of(post(protocol, form()))[0])
    assert codes == [0, 0, 10012, 0]
    assert protocol.stats.snapshot()["refused"] == 1


def test_sliding_cap_counts_any_one_second_window() -> None:
    """Cap 2 sliding: a burst straddling a calendar second is refused; 1.0 s later it clears."""
    clock = Clock()
    protocol = make(clock=clock, cap_qps=2, cap_window="sliding")
    codes = []
    for now in (100.6, 100.9, 101.1, 101.59, 101.6):
        clock.now = now
        codes.append(code_of(post(protocol, form()))[0])
    assert codes == [0, 0, 10012, 10012, 0]


def test_quota_refuses_everything_once_used_up() -> None:
    """A quota of 2 admitted requests: every later request is 10012, whatever the time."""
    clock = Clock()
    protocol = make(clock=clock, quota=2)
    codes = []
    for now in (100.0, 105.0, 110.0, 200.0):
        clock.now = now
        codes.append(code_of(post(protocol, form()))[0])
    assert codes == [0, 0, 10012, 10012]


@pytest.mark.parametrize(
    ("fault", "status", "label", "body"),
    [
        ("252602", 200, "252602", None),
        ("10014", 200, "10014", None),
        ("http500", 500, "http500", b"Internal Server Error\n"),
        ("http429", 429, "http429", b"Too Many Requests\n"),
        ("garbage", 200, "garbage", b"<html><body>502 Bad Gateway</body></html>"),
        ("reset", 0, "reset", None),
    ],
)
def test_faults_are_answers_the_edge_sends(
    fault: str, status: int, label: str, body: bytes | None
) -> None:
    """Each fault kind is data: a status, a body (None for a reset: close without a word)."""
    answer = post(make(fault_rate=1, faults=(fault,)), form())
    assert (answer.status, answer.label) == (status, label)
    if fault.isdigit():
        assert answer.json()["error_code"] == int(fault)
    else:
        assert answer.body == body


def test_fault_draws_and_latency_are_seeded() -> None:
    """Half the requests fault, drawn from random.Random(seed); each POST carries its delay."""
    protocol = make(fault_rate=0.5, faults=("252602",), latency=0.1, jitter=0.03, seed=7)
    answers = [post(protocol, form()) for _ in range(6)]
    rng = random.Random(7)
    expected = []
    for _ in range(6):
        faulted = rng.random() < 0.5
        if faulted:
            rng.choice(("252602",))
        expected.append(("252602" if faulted else "0", 0.1 + rng.uniform(-0.03, 0.03)))
    assert [(a.label, a.delay) for a in answers] == expected


def test_http_level_refusals() -> None:
    """Chunked or length-less bodies 411, too large 413, another path 404, GET 405/404."""
    protocol = make()
    chunked = protocol.handle(Request("POST", PATH, (("Transfer-Encoding", "chunked"),), None))
    too_big = protocol.handle(Request("POST", PATH, (("Content-Length", str(17 << 20)),), None))
    elsewhere = post(protocol, form(), "/other")
    get_ocr = protocol.handle(Request("GET", PATH, ()))
    get_other = protocol.handle(Request("GET", "/other", ()))
    assert [(a.status, a.close) for a in (chunked, too_big, elsewhere, get_ocr, get_other)] == [
        (411, True), (413, True), (404, True), (405, True), (404, True)]  # fmt: skip
    assert dict(get_ocr.headers) == {"Allow": "POST"}


def test_stats_path_answers_the_counters_without_the_key() -> None:
    """GET /_stats is the snapshot; keys are counted, never shown; images by sha256."""
    protocol = make()
    post(protocol, form())
    post(protocol, form(key="second-secret"))
    answer = protocol.handle(Request("GET", STATS_PATH, ()))
    stats = json.loads(answer.body or b"")
    assert (stats["keys_seen_count"], sum(stats["succeeded_by_sha256"].values())) == (2, 2)
    assert KEY.encode() not in (answer.body or b"") and b"second-secret" not in (answer.body or b"")


def test_caps_are_pure_classes_over_the_time_given() -> None:
    """Fixed windows let 2×cap through across a boundary; sliding never admits cap+1 in 1 s."""
    fixed, sliding = FixedWindowCap(3), SlidingWindowCap(3)
    times = [0.7, 0.8, 0.9, 1.0, 1.1, 1.2]  # six requests within 0.5 s
    assert [fixed.admit(t) for t in times] == [True] * 6
    assert [sliding.admit(t) for t in times] == [True, True, True, False, False, False]
    assert sliding.admit(1.7) and not sliding.admit(1.75)  # 0.7 left the window at 1.7 exactly


def test_sliding_cap_never_admits_more_than_cap_in_any_second() -> None:
    """On 2,000 random arrivals: no 1-s window holds more than `cap` admissions, and each
    refusal came when the last 1.0 s already held exactly `cap` of them."""
    rng = random.Random(3)
    cap, now = SlidingWindowCap(10), 0.0
    admitted: list[float] = []
    refused: list[float] = []
    for _ in range(2000):
        now += rng.expovariate(25)  # 25 requests a second against a cap of 10
        (admitted if cap.admit(now) else refused).append(now)

    def in_last_second(t: float) -> int:
        return sum(1 for a in admitted if t - 1.0 < a <= t)

    assert max(in_last_second(t) for t in admitted) == 10
    assert len(refused) > 1000 and {in_last_second(t) for t in refused} == {10}
