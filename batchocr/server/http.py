"""The local server's socket edge: a threading HTTP server around :class:`Protocol`.

All decisions live in :mod:`batchocr.server.protocol`; this module reads
requests off the socket, sleeps each answer's ``delay``, counts requests in
:class:`~batchocr.server.stats.Stats` and writes answers back. Request lines are
logged (``--verbose``) with the key and any image masked.

>>> from batchocr.server.answers import synthetic_answer
>>> with RehearsalServer(synthetic_answer) as server:
...     server.url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import re
import signal
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from ..errors import ConfigError
from .answers import Recognizer
from .protocol import DEFAULT_BEHAVIOUR, PATH, Answer, Behaviour, Protocol, Request, body_length

__all__ = ["RehearsalServer"]

_SECRETS = re.compile(r"(?i)\b(key|ImageBase64)=[^&\s\"']*")


def redact(line: str) -> str:
    """Mask the key (and any image) in a request line.

    >>> redact("POST /flightinvoiceOcr/index?key=s3cret HTTP/1.1")
    'POST /flightinvoiceOcr/index?key=*** HTTP/1.1'
    """
    return _SECRETS.sub(r"\1=***", line)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool connections
    timeout = 60  # idle connections end (clients drop theirs sooner: httpx after 5 s)
    server: _HTTPServer

    def do_POST(self) -> None:
        stats = self.server.protocol.stats
        stats.begin()
        label = "reset"  # what an exception below amounts to for the client
        counted = False
        try:
            answer = self._answer_post()
            label = answer.label
            if answer.delay > 0:
                self.server.sleep(answer.delay)
            # Counted before the client can read the answer, so a client that has its
            # answer always finds it in the stats.
            stats.end(label)
            counted = True
            self._send(answer)
        finally:
            if not counted:
                stats.end(label)

    def _answer_post(self) -> Answer:
        request = Request("POST", self.path, tuple(self.headers.items()), None)
        length = body_length(request)
        body = self.rfile.read(length) if isinstance(length, int) else None
        return self.server.protocol.handle(Request("POST", self.path, request.headers, body))

    def do_GET(self) -> None:
        self._send(self.server.protocol.handle(Request("GET", self.path, ())))

    def _send(self, answer: Answer) -> None:
        if answer.body is None:
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in (*answer.headers, ("Content-Type", answer.content_type)):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        if answer.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {redact(format % args)}\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 drops connection bursts of a benchmark

    def __init__(
        self,
        address: tuple[str, int],
        protocol: Protocol,
        sleep: Callable[[float], object],
        verbose: bool,
    ) -> None:
        self.protocol, self.sleep, self.verbose = protocol, sleep, verbose
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
        self.protocol = Protocol(recognizer, behaviour, clock=clock)
        self.stats = self.protocol.stats
        server_class = _HTTPServer6 if ":" in host else _HTTPServer
        try:
            self._httpd = server_class((host, port), self.protocol, sleep, verbose)
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
