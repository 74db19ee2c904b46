"""The command line: argv → Config → engine; errors → exit codes (only here).

Exit codes: 0 all done; 1 finished with failures; 2 usage, config, manifest,
lock or account-level abort; 3 stopped early on a condition that may clear;
130/143 after a graceful stop on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from . import __version__
from .errors import BatchOCRError, ConfigError, LockedError, UsageError
from .exits import Exit
from .outputs import export, report
from .run.runner import RunRequest, run_batch

log = logging.getLogger("batchocr")



class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2 (argparse's own is 2 too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(Exit.USAGE, f"batchocr: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_run(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "run",
        help="recognize a folder, files or a manifest of itinerary images",
        description="Send each image to the itinerary-OCR service and record the results in OUT.",
    )
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="image files or directories (walked recursively); '-' reads paths from stdin",
    )
    p.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help="CSV with a 'path' column (optional 'id'), or JSONL objects with 'path'",
    )
    p.add_argument("-o", "--out", metavar="OUT", help="output directory (default ./batchocr-out)")
    p.add_argument("-c", "--config", type=Path, metavar="CONFIG", help="TOML config file")
    p.add_argument(
        "--backend",
        choices=("auto", "juhe", "local"),
        help="juhe: the service; local: the offline engine; auto (default): juhe when a key"
        " is configured, else local",
    )
    p.add_argument("--workers", metavar="N", help="local engine processes (default: CPU cores)")
    p.add_argument("--endpoint", metavar="URL", help="service URL")
    p.add_argument("--qps", metavar="Q", help="requests per second, retries included (default 5)")
    p.add_argument("--burst", metavar="B", help="requests allowed at once after idling (default 1)")
    p.add_argument("--concurrency", metavar="N", help="requests in flight at most (default 8)")
    p.add_argument("--max-attempts", metavar="N", help="attempts per image (default 5)")
    p.add_argument("--timeout", metavar="S", help="seconds per request (default 30)")
    p.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="send at most N new images in this run (a cost cap)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="scan and prepare everything, send nothing, count billable requests",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="send again images that failed for good in earlier runs",
    )
    p.add_argument(
        "--metrics-file",
        metavar="FILE",
        help="write Prometheus textfile-collector metrics here at the end of every run",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress output on stderr")
    noise = p.add_mutually_exclusive_group()
    noise.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for every item)"
    )
    noise.add_argument(
        "-q", "--quiet", action="store_true", help="only errors; no progress and no final summary"
    )
    p.set_defaults(handler=_cmd_run)


def _add_serve(sub: argparse._SubParsersAction[_Parser]) -> None:
    from .server.serve import add_arguments

    p = sub.add_parser(
        "serve",
        help="run a local server that speaks the service's protocol (rehearsals, tests)",
        description="A Juhe-compatible itinerary-OCR endpoint on this machine.",
    )
    add_arguments(p)
    p.set_defaults(handler=_cmd_serve)


def _add_tool(
    sub: argparse._SubParsersAction[_Parser], name: str, help_: str, module: ModuleType
) -> None:
    p = sub.add_parser(name, help=help_, description=help_[0].upper() + help_[1:] + ".")
    module.add_arguments(p)
    p.set_defaults(handler=module.run)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="batchocr",
        description="Batch OCR of scanned Chinese flight itineraries into validated JSON lines.",
    )
    parser.add_argument("--version", action="version", version=f"batchocr {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    _add_run(sub)
    _add_tool(sub, "export", "write the recognized tickets as CSV or XLSX tables", export)
    _add_tool(sub, "report", "summarize a run for people: failures, warnings, duplicates", report)
    _add_serve(sub)
    return parser


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("batchocr: %(levelname)s: %(message)s"))
    root = logging.getLogger("batchocr")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # httpx logs every request URL at INFO; ours are in our own log lines already.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _cmd_run(args: argparse.Namespace) -> int:
    _setup_logging(args.verbose, args.quiet)
    if not args.inputs and args.manifest is None:
        raise UsageError("nothing to do: give INPUT files or directories, '-', or --manifest")
    flags = {
        "out": args.out,
        "endpoint": args.endpoint,
        "qps": args.qps,
        "burst": args.burst,
        "concurrency": args.concurrency,
        "max_attempts": args.max_attempts,
        "timeout": args.timeout,
        "metrics_file": args.metrics_file,
        "backend": args.backend,
        "workers": args.workers,
    }
    request = RunRequest(
        inputs=tuple(args.inputs),
        manifest=args.manifest,
        config_path=args.config,
        flags=flags,
        dry_run=args.dry_run,
        limit=args.limit,
        retry_failed=args.retry_failed,
        progress=not (args.no_progress or args.quiet),
        quiet=args.quiet,
    )
    return run_batch(request, env=os.environ, stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr)


def _cmd_serve(args: argparse.Namespace) -> int:
    from .server.serve import run

    return run(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``batchocr`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except (UsageError, ConfigError, LockedError) as exc:
        print(f"batchocr: error: {exc}", file=sys.stderr)
        return Exit.USAGE
    except BatchOCRError as exc:  # an error we raise on purpose but did not expect here
        print(f"batchocr: error: {exc}", file=sys.stderr)
        return Exit.FAILED
    except KeyboardInterrupt:
        return Exit.SIGINT
    except BrokenPipeError:  # `batchocr report OUT | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return Exit.PIPE
    return code
