"""A local stand-in for the Juhe itinerary-OCR service: tests, benchmarks, rehearsals.

It speaks the protocol of ``juhe-flight-itinerary-api.md`` over real HTTP:
``POST /flightinvoiceOcr/index`` with a form body ``key`` + ``ImageBase64``,
answered with HTTP 200 JSON ``{"reason", "result", "error_code"}``. Recognition
is a plug — any :data:`Recognizer` (image bytes → Name/Value list):
:func:`synthetic_answer` (a fake ticket derived from the image hash),
:class:`AnswerBook` (ground-truth files), later a local OCR engine.

What a POST goes through, first match wins::

    Behaviour.force_code set             → that code
    key missing / not in Behaviour.keys  → 10001
    over cap_qps in this 1-second window → 10012   (refusals do not use up the cap)
    no ImageBase64 / body not a form     → 252601
    base64 not strict                    → 252603
    not a jpg/png/bmp of 15..4096 px     → 252601
    fault_rate draw                      → 252602 | 10012 | 10014 | HTTP 500 | 429 | garbage | reset
    recognizer finds nothing             → 252604
    otherwise                            → 0, the data and a qingqiuhaohao (uuid4)

Below the protocol: another path is 404, GET on the OCR path 405, a chunked body 411,
a body over 16 MiB 413; ``GET /_stats`` returns :meth:`Stats.snapshot` as JSON.

Neither the key nor image bytes are ever logged or kept: :class:`Stats` counts
keys through a salted hash and images by sha256.

>>> from batchocr.server.answers import synthetic_answer
>>> with RehearsalServer(synthetic_answer) as server:
...     server.url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import logging
import random
import re
import secrets
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from PIL import Image

from batchocr.codes import CODES
from batchocr.errors import ConfigError
from batchocr.models import NameValue
from batchocr.server.answers import Recognizer

__all__ = [
    "FAULT_KINDS",
    "PATH",
    "REASONS",
    "STATS_PATH",
    "Behaviour",
    "RehearsalServer",
    "Stats",
    "parse_form",
]

log = logging.getLogger(__name__)

PATH = "/flightinvoiceOcr/index"
_OCR_PATHS = frozenset({PATH, PATH + "/"})
STATS_PATH = "/_stats"
FAULT_KINDS = frozenset({"252602", "10012", "10014", "http500", "http429", "garbage", "reset"})
MAX_BODY = 16 * 1024 * 1024  # larger bodies get 413 unread: the doc caps the base64 at 4 MB
_IMAGE_FORMATS = frozenset({"JPEG", "PNG", "BMP"})
_MIN_SIDE, _MAX_SIDE = 15, 4096
_JSON = "application/json;charset=utf-8"

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
    cap_window: str = "fixed"  # "fixed": calendar seconds; "sliding": any 1-s window
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
        if self.quota is not None and self.quota < 0:
            raise ConfigError("quota must be >= 0")
        if self.cap_window not in ("fixed", "sliding"):
            raise ConfigError("cap window must be 'fixed' or 'sliding'")
        if self.force_code == 0:
            raise ConfigError("force code must be an error code, not 0")
        if self.keys is not None and not self.keys:
            raise ConfigError("the set of accepted keys is empty")


DEFAULT_BEHAVIOUR = Behaviour()


class Stats:
    """Thread-safe counters of what the server saw; keys only as a salted-hash count."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._salt = secrets.token_bytes(16)  # per process: key hashes cannot be matched later
        self._keys: set[bytes] = set()
        self._counts: Counter[str] = Counter()
        self._by_code: Counter[str] = Counter()
        self._by_sha: Counter[str] = Counter()
        self._ok_sha: Counter[str] = Counter()
        self._first_at: float | None = None
        self._last_at: float | None = None

    def begin(self) -> None:
        """Count a POST that has started."""
        now = self._clock()
        with self._lock:
            self._first_at = now if self._first_at is None else self._first_at
            self._last_at = now
            self._counts.update(("requests", "in_flight"))
            peak = max(self._counts["max_in_flight"], self._counts["in_flight"])
            self._counts["max_in_flight"] = peak

    def end(self, label: str) -> None:
        """Count a POST that has been answered: ``label`` is its code, or e.g. ``http500``."""
        with self._lock:
            self._counts["in_flight"] -= 1
            self._by_code[label] += 1

    def saw_key(self, key: str) -> None:
        """Count a distinct key without keeping it."""
        digest = hmac.new(self._salt, key.encode(), hashlib.sha256).digest()
        with self._lock:
            self._keys.add(digest)

    def saw_image(self, sha256: str) -> None:
        """Count a request whose image decoded."""
        with self._lock:
            self._by_sha[sha256] += 1

    def succeeded(self, sha256: str) -> None:
        """Count a success (error_code 0) for an image."""
        with self._lock:
            self._ok_sha[sha256] += 1

    def refused(self) -> None:
        """Count a request refused by the QPS cap."""
        with self._lock:
            self._counts["refused"] += 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy of the counters (codes are string keys, as JSON makes them)."""
        with self._lock:
            return {
                "requests": self._counts["requests"],
                "by_code": dict(self._by_code),
                "by_sha256": dict(self._by_sha),
                "succeeded_by_sha256": dict(self._ok_sha),
                "max_in_flight": self._counts["max_in_flight"],
                "in_flight": self._counts["in_flight"],
                "refused": self._counts["refused"],
                "first_at": self._first_at,
                "last_at": self._last_at,
                "keys_seen_count": len(self._keys),
            }


_SWAP = bytes.maketrans(b"%=", b"=%")


def _unquote(raw: bytes) -> bytes:
    plain = raw.replace(b"+", b" ") if b"+" in raw else raw
    if b"%" not in plain:
        return plain
    # unquote_to_bytes loops in Python: ~70 ms for a 5 MB image. binascii.a2b_qp decodes
    # "=XX" in C, so swap "%" and "=". When no "=", CR or LF can confuse it, and the output
    # shrank by exactly 2 bytes per "%", every "%" was a valid escape: the result is exact.
    if b"=" not in plain and b"\r" not in plain and b"\n" not in plain:
        decoded = binascii.a2b_qp(plain.translate(_SWAP))
        if len(decoded) == len(plain) - 2 * plain.count(b"%"):
            return decoded
    return unquote_to_bytes(plain)


def parse_form(body: bytes) -> dict[str, bytes]:
    """Decode an ``application/x-www-form-urlencoded`` body; the first of a repeated name wins.

    A 5 MB ImageBase64 takes ~20 ms: the decoding runs in C (see ``_unquote``).

    >>> parse_form(b"key=k%21&ImageBase64=aGk%3D&key=other")
    {'key': b'k!', 'ImageBase64': b'aGk='}
    """
    fields: dict[str, bytes] = {}
    for piece in body.split(b"&"):
        if piece:
            name, _, value = piece.partition(b"=")
            fields.setdefault(_unquote(name).decode("utf-8", "replace"), _unquote(value))
    return fields


class _Refusal(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _is_form(content_type: str | None) -> bool:
    # No Content-Type at all is read as a form, like the PHP behind the real service.
    if content_type is None:
        return True
    return content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"


def _key(form: dict[str, bytes], query: str) -> str:
    # Like the PHP behind the real service, a key in the URL query is accepted too.
    raw = form.get("key") or parse_form(query.encode("latin-1")).get("key", b"")
    return raw.decode("utf-8", "replace")


def _decode_image(value: bytes | None) -> bytes:
    if not value:
        raise _Refusal(252601)
    try:
        image = base64.b64decode(value, validate=True)
    except binascii.Error:
        raise _Refusal(252603) from None
    if not _acceptable_image(image):
        raise _Refusal(252601)
    return image


def _acceptable_image(image: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(image)) as im:
            kind, (width, height) = im.format, im.size
            im.verify()
    except Exception:  # Pillow reports broken files with many exception types
        return False
    sides_ok = min(width, height) >= _MIN_SIDE and max(width, height) <= _MAX_SIDE
    return kind in _IMAGE_FORMATS and sides_ok


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: int
    body: bytes | None  # None: close the connection without answering
    label: str  # how Stats.by_code counts it
    content_type: str = _JSON
    close: bool = False
    headers: tuple[tuple[str, str], ...] = ()


def _answer(code: int, data: list[NameValue] | None = None) -> _Outcome:
    doc: dict[str, Any]
    if code == 0:
        result = {"data": data, "qingqiuhaohao": str(uuid.uuid4())}
        doc = {"reason": "success", "result": result, "error_code": 0}
    else:
        doc = {"reason": REASONS.get(code, "未知错误"), "result": None, "error_code": code}
    return _Outcome(200, json.dumps(doc, ensure_ascii=False).encode(), str(code))


def _plain(status: int, text: str, headers: tuple[tuple[str, str], ...] = ()) -> _Outcome:
    # Closing after HTTP-level errors spares us draining bodies we did not read.
    body = f"{text}\n".encode()
    return _Outcome(status, body, f"http{status}", "text/plain", close=True, headers=headers)


def _fault(kind: str) -> _Outcome:
    if kind.isdigit():
        return _answer(int(kind))
    if kind == "http500":
        return _Outcome(500, b"Internal Server Error\n", kind, "text/plain")
    if kind == "http429":
        return _Outcome(429, b"Too Many Requests\n", kind, "text/plain")
    if kind == "garbage":  # what a proxy in front of the service might send
        return _Outcome(200, b"<html><body>502 Bad Gateway</body></html>", kind, "text/html")
    return _Outcome(0, None, "reset", close=True)


class _WindowCap:
    """Admits at most ``cap`` requests per fixed 1-second window; refusals are free."""

    def __init__(self, cap: float) -> None:
        self._cap = cap
        self._window = -1
        self._count = 0
        self._lock = threading.Lock()

    def admit(self, now: float) -> bool:
        with self._lock:
            if int(now) != self._window:
                self._window, self._count = int(now), 0
            if self._count + 1 > self._cap:
                return False
            self._count += 1
            return True


class _SlidingCap:
    """Admits at most ``cap`` requests in any 1-second window (as many providers count).

    >>> cap = _SlidingCap(2)
    >>> [cap.admit(t) for t in (0.0, 0.5, 0.9, 1.0, 1.4, 1.6)]
    [True, True, False, True, False, True]
    """

    def __init__(self, cap: float) -> None:
        self._cap = cap
        self._admitted: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self, now: float) -> bool:
        with self._lock:
            while self._admitted and self._admitted[0] <= now - 1.0:
                self._admitted.popleft()
            if len(self._admitted) + 1 > self._cap:
                return False
            self._admitted.append(now)
            return True


class _App:
    """What a POST to the OCR path gets: sans HTTP, so the order of checks reads in one place."""

    def __init__(
        self,
        recognizer: Recognizer,
        behaviour: Behaviour,
        clock: Callable[[], float],
        sleep: Callable[[float], object],
    ) -> None:
        self.recognizer, self.behaviour = recognizer, behaviour
        self.stats = Stats(clock)
        self._clock, self._sleep = clock, sleep
        cap_class = _SlidingCap if behaviour.cap_window == "sliding" else _WindowCap
        self._cap = cap_class(behaviour.cap_qps) if behaviour.cap_qps is not None else None
        self._rng = random.Random(behaviour.seed)
        self._rng_lock = threading.Lock()
        self._quota_used = 0

    def _take_quota(self) -> bool:
        """One request of the plan's quota; False once it is used up (then 10012 forever)."""
        with self._rng_lock:
            if self._quota_used >= (self.behaviour.quota or 0):
                return False
            self._quota_used += 1
            return True

    def post(self, query: str, content_type: str | None, body: bytes) -> _Outcome:
        form = parse_form(body) if _is_form(content_type) else {}
        key = _key(form, query)
        if key:
            self.stats.saw_key(key)
        b = self.behaviour
        if b.force_code is not None:
            return _answer(b.force_code)
        if not key or (b.keys is not None and key not in b.keys):
            return _answer(10001)
        if self._cap is not None and not self._cap.admit(self._clock()):
            self.stats.refused()
            return _answer(10012)
        if b.quota is not None and not self._take_quota():
            self.stats.refused()
            return _answer(10012)
        try:
            image = _decode_image(form.get("ImageBase64"))
        except _Refusal as refusal:
            return _answer(refusal.code)
        sha = hashlib.sha256(image).hexdigest()
        self.stats.saw_image(sha)
        fault = self._draw_fault()
        return _fault(fault) if fault is not None else self._recognize(image, sha)

    def _draw_fault(self) -> str | None:
        if self.behaviour.fault_rate <= 0:
            return None
        with self._rng_lock:
            if self._rng.random() >= self.behaviour.fault_rate:
                return None
            return self._rng.choice(self.behaviour.faults)

    def _recognize(self, image: bytes, sha: str) -> _Outcome:
        try:
            data = self.recognizer(image)
        except LookupError:
            return _answer(252604)
        except Exception:  # a broken engine is the service's fault, as Juhe's 10014 says
            log.exception("recognizer failed on image sha256=%s", sha)
            return _answer(10014)
        if not data:
            return _answer(252604)
        self.stats.succeeded(sha)
        return _answer(0, data)

    def pause(self) -> None:
        """Sleep the configured latency ± jitter in the calling (request) thread."""
        b = self.behaviour
        if b.latency <= 0 and b.jitter <= 0:
            return
        with self._rng_lock:
            offset = self._rng.uniform(-b.jitter, b.jitter) if b.jitter else 0.0
        self._sleep(max(0.0, b.latency + offset))


_SECRETS = re.compile(r"(?i)\b(key|ImageBase64)=[^&\s\"']*")


def _redact(line: str) -> str:
    """Mask the key (and any image) in a request line: ``key=***``."""
    return _SECRETS.sub(r"\1=***", line)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool connections
    timeout = 60  # idle connections end (clients drop theirs sooner: httpx after 5 s)
    server: _HTTPServer

    def do_POST(self) -> None:
        app = self.server.app
        app.stats.begin()
        label = "reset"  # what an exception below amounts to for the client
        counted = False
        try:
            outcome = self._outcome(app)
            label = outcome.label
            app.pause()
            # Counted before the client can read the answer, so a client that has its
            # answer always finds it in the stats.
            app.stats.end(label)
            counted = True
            self._send(outcome)
        finally:
            if not counted:
                app.stats.end(label)

    def _outcome(self, app: _App) -> _Outcome:
        length = self.headers.get("Content-Length", "0")
        if self.headers.get("Transfer-Encoding") or not length.strip().isdigit():
            return _plain(411, "a Content-Length is required")
        if int(length) > MAX_BODY:
            return _plain(413, f"body larger than {MAX_BODY} bytes")
        body = self.rfile.read(int(length))
        url = urlsplit(self.path)
        if url.path not in _OCR_PATHS:
            return _plain(404, "not found")
        return app.post(url.query, self.headers.get("Content-Type"), body)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == STATS_PATH:
            snapshot = json.dumps(self.server.app.stats.snapshot()).encode()
            self._send(_Outcome(200, snapshot, "stats"))
        elif path in _OCR_PATHS:
            self._send(_plain(405, "use POST", headers=(("Allow", "POST"),)))
        else:
            self._send(_plain(404, "not found"))

    def _send(self, outcome: _Outcome) -> None:
        if outcome.body is None:
            self.close_connection = True
            return
        self.send_response(outcome.status)
        for name, value in (*outcome.headers, ("Content-Type", outcome.content_type)):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(outcome.body)))
        if outcome.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(outcome.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {_redact(format % args)}\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 drops connection bursts of a benchmark

    def __init__(self, address: tuple[str, int], app: _App, verbose: bool) -> None:
        self.app, self.verbose = app, verbose
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn, which can stall on a reverse DNS lookup.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that went away
            super().handle_error(request, client_address)


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class RehearsalServer:
    """A :class:`ThreadingHTTPServer` speaking the Juhe protocol, served from a daemon thread.

    The socket is bound on construction, so ``url`` is known before ``start``.
    ``clock`` (the cap windows, ``Stats`` times) and ``sleep`` (latency) are injectable.
    A stopped server cannot be started again.

    >>> from batchocr.server.answers import synthetic_answer
    >>> with RehearsalServer(synthetic_answer, Behaviour(force_code=10020)) as server:
    ...     server.stats.snapshot()["requests"]
    0
    """

    def __init__(
        self,
        recognizer: Recognizer,
        behaviour: Behaviour = DEFAULT_BEHAVIOUR,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        app = _App(recognizer, behaviour, clock, sleep)
        self.stats = app.stats
        server_class = _HTTPServer6 if ":" in host else _HTTPServer
        try:
            self._httpd = server_class((host, port), app, verbose)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self._httpd.server_address[1]}{PATH}"
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stop_lock = threading.Lock()

    def start(self) -> RehearsalServer:
        """Serve from a daemon thread; returns self. Calling it again does nothing."""
        if self._thread is None and not self._stopping.is_set():
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},  # bounds how long stop() waits
                name="rehearsal-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close the socket; requests in flight are abandoned. Idempotent."""
        self._stopping.set()
        with self._stop_lock:  # serve_forever's finally and a caller may both stop
            if self._thread is not None:
                self._httpd.shutdown()
                self._thread.join()
                self._thread = None
            self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve until SIGINT/SIGTERM (when called from the main thread) or :meth:`stop`."""
        self.start()
        previous = _on_stop_signals(lambda: self._stopping.set())
        try:
            while not self._stopping.wait(0.2):
                pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self.stop()

    def __enter__(self) -> RehearsalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _on_stop_signals(stop: Callable[[], None]) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}  # only the main thread may set signal handlers
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if handler is not None:  # None: set outside Python, cannot be restored
            previous[signum] = handler
        signal.signal(signum, lambda _signum, _frame: stop())
    return previous
