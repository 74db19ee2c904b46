"""The service-compatible local endpoint, a stage of its own.

::

    protocol.py   the Juhe protocol, sans I/O: request → answer (key, image, caps, faults)
    form.py       the request body: url-encoded form, key, base64 image and its checks
    caps.py       the 10012 rate caps: fixed calendar seconds or a sliding 1-s window
    stats.py      what the server saw (GET /_stats), keys only as a salted-hash count
    http.py       the socket edge: handler, threading server, RehearsalServer
    answers.py    recognizers to plug in: synthetic tickets, ground-truth files
    serve.py      the ``batchocr serve`` command (the offline engine in worker processes)
"""

from __future__ import annotations

from .answers import AnswerBook, Recognizer, synthetic_answer
from .caps import FixedWindowCap, SlidingWindowCap
from .http import RehearsalServer
from .protocol import PATH, STATS_PATH, Answer, Behaviour, Protocol, Request, parse_form
from .stats import Stats

__all__ = [
    "PATH",
    "STATS_PATH",
    "Answer",
    "AnswerBook",
    "Behaviour",
    "FixedWindowCap",
    "Protocol",
    "Recognizer",
    "RehearsalServer",
    "Request",
    "SlidingWindowCap",
    "Stats",
    "answers",
    "caps",
    "form",
    "http",
    "parse_form",
    "protocol",
    "serve",
    "stats",
    "synthetic_answer",
]
