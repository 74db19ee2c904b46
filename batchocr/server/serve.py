"""``batchocr serve``: a Juhe-compatible endpoint on this machine.

By default it answers with the local OCR engine (worker processes), so any
Juhe client, ``batchocr run --endpoint`` included, can use the private engine;
``--answers`` serves ground truth instead (rehearsals on known scans) and the
``--latency``/``--fault-rate``/``--cap-qps``/``--force-code`` options simulate
the real service's slow answers, transient faults, rate limit and errors.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from pathlib import Path

from ..errors import ConfigError, UsageError
from ..models import NameValue
from ..recognize.local.pool import PagePool
from .answers import AnswerBook, Recognizer, synthetic_answer
from .caps import CAP_WINDOWS
from .http import RehearsalServer
from .protocol import FAULT_KINDS, Behaviour


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``batchocr serve``."""
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    add("--port", type=int, default=8000, help="port to bind; 0 picks a free one (default 8000)")
    add(
        "--answers",
        type=Path,
        action="append",
        metavar="DIR",
        help="directory of <stem>.json + <stem>.png|jpg|bmp ground truth (repeatable)",
    )
    add(
        "--engine",
        choices=("local", "synthetic"),
        default="local",
        help="what recognizes images (not in --answers): the local OCR engine (default), or a"
        " synthetic ticket derived from the image hash (tests, load rehearsals)",
    )
    add("--workers", type=int, metavar="N", help="local engine processes (default: CPU cores)")
    add(
        "--no-fallback",
        action="store_true",
        help="with --answers: answer 252604 for other images instead of using --engine",
    )
    add("--latency", type=float, default=0.0, metavar="S", help="seconds added to every answer")
    add("--jitter", type=float, default=0.0, metavar="S", help="uniform ± seconds around latency")
    add(
        "--fault-rate",
        type=float,
        default=0.0,
        metavar="F",
        help="fraction of requests answered with a transient fault (0..1)",
    )
    add(
        "--faults",
        default="252602",
        metavar="LIST",
        help=f"comma-separated fault kinds among {','.join(sorted(FAULT_KINDS))}",
    )
    add("--cap-qps", type=float, metavar="Q", help="refuse with 10012 above Q requests a second")
    add(
        "--cap-window",
        choices=CAP_WINDOWS,
        default="fixed",
        help="how --cap-qps counts: per calendar second (fixed, the default) or in any 1-s"
        " window (sliding: refused when Q requests were admitted in the last 1.0 s)",
    )
    add(
        "--quota",
        type=int,
        metavar="N",
        help="answer 10012 to every request after N admitted ones (a plan's quota used up)",
    )
    add("--force-code", type=int, metavar="N", help="answer every request with error code N")
    add("--keys-file", type=Path, metavar="FILE", help="accepted keys, one a line")
    add("--seed", type=int, default=0, help="seed of the fault and jitter draws")
    add("--verbose", action="store_true", help="log one line per request (keys masked)")


def read_keys(path: Path) -> frozenset[str]:
    """The keys in ``path``: one a line; blank lines and ``#`` comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--keys-file {path}: cannot read it ({type(exc).__name__})") from exc
    keys = frozenset(s for s in map(str.strip, lines) if s and not s.startswith("#"))
    if not keys:
        raise ConfigError(f"--keys-file {path}: no keys in it")
    return keys


def behaviour_from_args(args: argparse.Namespace) -> Behaviour:
    """The :class:`Behaviour` the parsed options describe."""
    return Behaviour(
        latency=args.latency,
        jitter=args.jitter,
        fault_rate=args.fault_rate,
        faults=tuple(kind.strip() for kind in args.faults.split(",") if kind.strip()),
        cap_qps=args.cap_qps,
        cap_window=args.cap_window,
        quota=args.quota,
        force_code=args.force_code,
        keys=read_keys(args.keys_file) if args.keys_file is not None else None,
        seed=args.seed,
    )


def build_recognizer(args: argparse.Namespace) -> Recognizer:
    """What answers: ground truth (``--answers``), then the ``--engine`` for other images."""
    engine = None if args.no_fallback else _engine(args.engine, args.workers)
    if args.answers:
        return AnswerBook(args.answers, fallback=engine)
    if engine is None:
        raise UsageError("--no-fallback needs --answers: nothing would be recognized")
    return engine


def _engine(name: str, workers: int | None) -> Recognizer:
    if name == "synthetic":
        return synthetic_answer
    try:
        from ..recognize.local.recognizer import recognize, warm_up
    except ImportError as exc:
        raise UsageError(
            f"the local engine is not installed ({exc.name} is missing):"
            " pip install 'batchocr[local]', or use --engine synthetic / --answers"
        ) from None
    return ProcessRecognizer(PagePool(recognize, workers, warm_up))


class ProcessRecognizer:
    """The offline engine's process pool as a :data:`Recognizer` for the request threads.

    The pool (:class:`~batchocr.recognize.local.pool.PagePool`) is the one
    ``batchocr run`` uses, with its one crash semantics: a page that raises
    or kills its worker costs that page only, answered 252604 (``LookupError``
    here, its reason in the server's log), and the server goes on.
    """

    def __init__(self, pool: PagePool) -> None:
        self._pool = pool
        self.workers = pool.workers

    def __call__(self, image: bytes) -> list[NameValue]:
        page = self._pool.read_blocking(image)
        if not page.data:
            raise LookupError(page.reason)
        return page.data

    def close(self) -> None:
        """Stop the workers."""
        self._pool.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM, announcing ``serving on URL`` on stderr; returns 0."""
    recognizer, behaviour = build_recognizer(args), behaviour_from_args(args)
    server = RehearsalServer(recognizer, behaviour, args.host, args.port, verbose=args.verbose)
    if isinstance(recognizer, ProcessRecognizer):
        print(f"local engine: {recognizer.workers} worker process(es)", file=sys.stderr)
    if not _is_loopback(args.host):
        warning = f"warning: {args.host!r} is not a loopback address: others can reach this server"
        print(warning, file=sys.stderr)
    try:
        with server:
            print(f"serving on {server.url}", file=sys.stderr, flush=True)
            server.serve_forever()
    finally:
        if isinstance(recognizer, ProcessRecognizer):
            recognizer.close()
    print(f"stopped; requests: {server.stats.snapshot()['requests']}", file=sys.stderr)
    return 0
