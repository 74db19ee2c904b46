"""The Juhe itinerary-OCR protocol, sans I/O: a request in, an answer out, no sockets.

It speaks ``juhe-flight-itinerary-api.md``: ``POST /flightinvoiceOcr/index``
with a form body ``key`` + ``ImageBase64``, answered with HTTP 200 JSON
``{"reason", "result", "error_code"}``. Recognition is a plug, any
:data:`~batchocr.server.answers.Recognizer` (image bytes → Name/Value list).

What a POST goes through, first match wins::

    Content-Length missing / chunked      → HTTP 411   (the body is never read)
    body over MAX_BODY                    → HTTP 413
    another path                          → HTTP 404
    Behaviour.force_code set              → that code
    key missing / not in Behaviour.keys   → 10001
    over cap_qps (fixed or sliding 1 s)   → 10012      (refusals do not use up the cap)
    over the quota of admitted requests   → 10012      (for good: the plan is used up)
    no ImageBase64 / body not a form      → 252601
    base64 not strict                     → 252603
    not a jpg/png/bmp of 15..4096 px      → 252601
    fault_rate draw                       → 252602 | 10012 | 10014 | HTTP 500 | 429
                                            | garbage | reset
    recognizer raises LookupError / []    → 252604
    recognizer raises anything else       → 10014      (a broken plug is the service's fault)
    otherwise                             → 0, the data and a qingqiuhaohao

Every POST answer carries its ``delay`` (latency ± jitter, drawn here from the
seeded generator): the I/O edge (:mod:`batchocr.server.http`) sleeps it. A GET
of ``/_stats`` answers :meth:`Stats.snapshot`; a GET of the OCR path 405.

>>> from batchocr.server.answers import synthetic_answer
>>> protocol = Protocol(synthetic_answer, Behaviour(), clock=lambda: 0.0)
>>> answer = protocol.handle(Request("POST", PATH, (), b"key=k&ImageBase64=notbase64!"))
>>> answer.status, answer.label, json.loads(answer.body or b"")["reason"]
(200, '252603', 'base64编码格式错误')
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..codes import CODES
from ..errors import ConfigError
from ..models import NameValue
from .answers import Recognizer
from .caps import CAP_WINDOWS, CapWindow, make_cap
from .form import decode_image, form_key, is_form, parse_form
from .stats import Stats

__all__ = [
    "FAULT_KINDS",
    "MAX_BODY",
    "PATH",
    "REASONS",
    "STATS_PATH",
    "Answer",
    "Behaviour",
    "Protocol",
    "Request",
    "body_length",
    "parse_form",
]

log = logging.getLogger(__name__)

PATH = "/flightinvoiceOcr/index"
OCR_PATHS = frozenset({PATH, PATH + "/"})
STATS_PATH = "/_stats"
FAULT_KINDS = frozenset({"252602", "10012", "10014", "http500", "http429", "garbage", "reset"})
MAX_BODY = 16 * 1024 * 1024  # larger bodies get 413 unread: the doc caps the base64 at 4 MB
JSON_TYPE = "application/json;charset=utf-8"

# The doc's error table, verbatim (10014 and 252604 without their parenthetical notes).
REASONS: dict[int, str] = {n: c.reason for n, c in CODES.items() if n}


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How the server misbehaves; the default is a prompt, faultless service."""

    latency: float = 0.0  # seconds added to every answer
    jitter: float = 0.0  # uniform ± seconds around latency
    fault_rate: float = 0.0  # fraction of requests answered with one of `faults`
    faults: tuple[str, ...] = ("252602",)  # drawn uniformly from FAULT_KINDS
    cap_qps: float | None = None  # refuse with 10012 above this many requests per 1-s window
    cap_window: CapWindow = "fixed"  # "fixed": calendar seconds; "sliding": any 1-s window
    quota: int | None = None  # answer 10012 to everything after this many admitted requests
    force_code: int | None = None  # answer every request with this error code
    keys: frozenset[str] | None = None  # accepted keys; None accepts any non-empty key
    seed: int = 0  # seeds the faults and jitter draws

    def __post_init__(self) -> None:
        if self.latency < 0 or self.jitter < 0:
            raise ConfigError("latency and jitter must be >= 0")
        if not 0 <= self.fault_rate <= 1:
            raise ConfigError("fault rate must be between 0 and 1")
        unknown = set(self.faults) - FAULT_KINDS
        if not self.faults or unknown:
            raise ConfigError(f"faults must be among {', '.join(sorted(FAULT_KINDS))}")
        if self.cap_qps is not None and self.cap_qps < 1:
            raise ConfigError("cap qps must be >= 1 (requests are counted per 1-second window)")
        if self.cap_window not in CAP_WINDOWS:
            raise ConfigError(f"cap window must be one of {', '.join(CAP_WINDOWS)}")
        if self.quota is not None and self.quota < 0:
            raise ConfigError("quota must be >= 0")
        if self.force_code == 0:
            raise ConfigError("force code must be an error code, not 0")
        if self.keys is not None and not self.keys:
            raise ConfigError("the set of accepted keys is empty")


DEFAULT_BEHAVIOUR = Behaviour()


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the edge read it; ``body`` is None when it was refused unread."""

    method: str
    target: str  # path and query, as on the request line
    headers: tuple[tuple[str, str], ...]
    body: bytes | None = b""

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the edge sends: ``body`` None closes the connection without a word (a reset)."""

    status: int
    body: bytes | None
    label: str  # how Stats.by_code counts it: the code, or e.g. "http500"
    content_type: str = JSON_TYPE
    close: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds to wait before answering (latency ± jitter)

    def json(self) -> Any:
        """The decoded JSON body (tests and tools)."""
        return json.loads(self.body or b"null")


def service_answer(code: int, data: list[NameValue] | None = None, request_id: str = "") -> Answer:
    """The documented JSON answer for ``code`` (``data`` and ``request_id`` on success)."""
    doc: dict[str, Any]
    if code == 0:
        doc = {"reason": "success", "result": {"data": data, "qingqiuhaohao": request_id},
               "error_code": 0}  # fmt: skip
    else:
        doc = {"reason": REASONS.get(code, "未知错误"), "result": None, "error_code": code}
    return Answer(200, json.dumps(doc, ensure_ascii=False).encode(), str(code))


def plain(status: int, text: str, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    """An HTTP-level error in plain text; the connection closes (spares draining a body)."""
    body = f"{text}\n".encode()
    return Answer(status, body, f"http{status}", "text/plain", close=True, headers=headers)


def fault_answer(kind: str) -> Answer:
    """The answer of one of :data:`FAULT_KINDS`."""
    if kind.isdigit():
        return service_answer(int(kind))
    if kind == "http500":
        return Answer(500, b"Internal Server Error\n", kind, "text/plain")
    if kind == "http429":
        return Answer(429, b"Too Many Requests\n", kind, "text/plain")
    if kind == "garbage":  # what a proxy in front of the service might send
        return Answer(200, b"<html><body>502 Bad Gateway</body></html>", kind, "text/html")
    return Answer(0, None, "reset", close=True)


def body_length(request: Request) -> int | Answer:
    """How many body bytes the edge should read, or the answer that refuses the body unread.

    >>> body_length(Request("POST", PATH, (("Transfer-Encoding", "chunked"),), None)).status
    411
    >>> body_length(Request("POST", PATH, (("Content-Length", "12"),), None))
    12
    """
    length = request.header("Content-Length") or "0"
    if request.header("Transfer-Encoding") or not length.strip().isdigit():
        return plain(411, "a Content-Length is required")
    if int(length) > MAX_BODY:
        return plain(413, f"body larger than {MAX_BODY} bytes")
    return int(length)


def _new_request_id() -> str:
    return str(uuid.uuid4())


@dataclass(slots=True)
class _Draws:
    """The seeded draws (faults, jitter) and the quota, shared by request threads."""

    rng: random.Random
    quota_used: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Protocol:
    """What each request gets, in one place, with no socket: see the module's table.

    ``clock`` times the caps and the stats; ``new_id`` makes each success's
    ``qingqiuhaohao`` (a uuid4 by default). Thread-safe: one instance serves
    every request thread of :class:`~batchocr.server.http.RehearsalServer`.
    """

    def __init__(
        self,
        recognizer: Recognizer,
        behaviour: Behaviour = DEFAULT_BEHAVIOUR,
        *,
        clock: Callable[[], float],
        new_id: Callable[[], str] = _new_request_id,
    ) -> None:
        self.recognizer, self.behaviour = recognizer, behaviour
        self.stats = Stats(clock)
        self._clock, self._new_id = clock, new_id
        b = behaviour
        self._cap = make_cap(b.cap_qps, b.cap_window) if b.cap_qps is not None else None
        self._draws = _Draws(random.Random(behaviour.seed))

    def handle(self, request: Request) -> Answer:
        """The answer to ``request``; every POST answer carries its drawn ``delay``."""
        path = urlsplit(request.target).path
        if request.method == "GET":
            return self._get(path)
        if request.method != "POST":
            return plain(405, "use POST", headers=(("Allow", "POST"),))
        answer = self._post(request, path)
        delay = self._delay()
        return Answer(answer.status, answer.body, answer.label, answer.content_type,
                      answer.close, answer.headers, delay)  # fmt: skip

    def _get(self, path: str) -> Answer:
        if path == STATS_PATH:
            return Answer(200, json.dumps(self.stats.snapshot()).encode(), "stats")
        if path in OCR_PATHS:
            return plain(405, "use POST", headers=(("Allow", "POST"),))
        return plain(404, "not found")

    def _post(self, request: Request, path: str) -> Answer:
        length = body_length(request)
        if isinstance(length, Answer):
            return length
        if path not in OCR_PATHS:
            return plain(404, "not found")
        body = request.body or b""
        form = parse_form(body) if is_form(request.header("Content-Type")) else {}
        key = form_key(form, urlsplit(request.target).query)
        if key:
            self.stats.saw_key(key)
        refusal = self._refusal(key)
        if refusal is not None:
            return service_answer(refusal)
        image = decode_image(form.get("ImageBase64"))
        if isinstance(image, int):
            return service_answer(image)
        sha = hashlib.sha256(image).hexdigest()
        self.stats.saw_image(sha)
        fault = self._draw_fault()
        return fault_answer(fault) if fault is not None else self._recognize(image, sha)

    def _refusal(self, key: str) -> int | None:
        """The account-level answer before the image is looked at: forced, key, cap, quota."""
        b = self.behaviour
        if b.force_code is not None:
            return b.force_code
        if not key or (b.keys is not None and key not in b.keys):
            return 10001
        if self._cap is not None and not self._cap.admit(self._clock()):
            self.stats.refused()
            return 10012
        if b.quota is not None and not self._take_quota(b.quota):
            self.stats.refused()
            return 10012
        return None

    def _take_quota(self, quota: int) -> bool:
        with self._draws.lock:
            if self._draws.quota_used >= quota:
                return False
            self._draws.quota_used += 1
            return True

    def _draw_fault(self) -> str | None:
        if self.behaviour.fault_rate <= 0:
            return None
        with self._draws.lock:
            if self._draws.rng.random() >= self.behaviour.fault_rate:
                return None
            return self._draws.rng.choice(self.behaviour.faults)

    def _delay(self) -> float:
        b = self.behaviour
        if b.latency <= 0 and b.jitter <= 0:
            return 0.0
        with self._draws.lock:
            offset = self._draws.rng.uniform(-b.jitter, b.jitter) if b.jitter else 0.0
        return max(0.0, b.latency + offset)

    def _recognize(self, image: bytes, sha: str) -> Answer:
        try:
            data = self.recognizer(image)
        except LookupError as exc:
            # The reason (e.g. "ZeroDivisionError", from the engine's pool) stays in the
            # server's log; the answer is the documented one. Never the page's text.
            log.info("image sha256=%s not recognized: %s", sha[:16], _first_words(exc))
            return service_answer(252604)
        except Exception as exc:  # a broken plug is the service's fault, as Juhe's 10014 says
            log.error("recognizer failed on image sha256=%s: %s", sha[:16], type(exc).__name__)
            return service_answer(10014)
        if not data:
            return service_answer(252604)
        self.stats.succeeded(sha)
        return service_answer(0, data, self._new_id())


def _first_words(exc: BaseException) -> str:
    # Up to the first colon: "ZeroDivisionError", "nothing recognized"; what follows a
    # colon may quote the page.
    return str(exc.args[0]).split(":")[0][:80] if exc.args else type(exc).__name__
