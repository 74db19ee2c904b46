"""Helpers shared by the benchmark scripts in ``bench/`` (not part of the test suite).

- :class:`ServerProcess`: ``batchocr serve`` as a separate process, with its ``/_stats``.
- :func:`make_images`: N small, distinct, valid PNGs, fast; :func:`make_jpegs`: N big ones.
- :func:`run_measured`: run a child and return its wall time and its own peak RSS
  (``os.wait4`` reports the rusage of that one child, not of every child we ever waited for).
- :func:`table`, :func:`machine`: plain-text output for ``docs/benchmarks.md``.
"""

from __future__ import annotations

import io
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_KEY = "bench-key-not-a-secret"  # the local server accepts any non-empty key


def bench_env() -> dict[str, str]:
    """The environment for a ``batchocr`` child: our key, no stray ``BATCHOCR_*`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATCHOCR_")}
    env["JUHE_KEY"] = BENCH_KEY
    env["PYTHONPATH"] = str(REPO)
    return env


class ServerProcess:
    """``batchocr serve --port 0 --engine synthetic ...`` in its own process.

    Its stderr goes to a file (a pipe nobody drains could fill up and stall the server);
    the URL is read from the ``serving on URL`` line.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        jitter: float = 0.0,
        cap_qps: float | None = None,
        cap_window: str = "fixed",
        quota: int | None = None,
    ) -> None:
        # A synthetic ticket per image: the benchmark measures pacing, not the local OCR engine.
        self.args = ["--port", "0", "--engine", "synthetic"]
        self.args += ["--latency", str(latency), "--jitter", str(jitter)]
        if cap_qps is not None:
            self.args += ["--cap-qps", str(cap_qps), "--cap-window", cap_window]
        if quota is not None:
            self.args += ["--quota", str(quota)]
        self._log = Path(os.devnull)
        self._proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def __enter__(self) -> ServerProcess:
        fd, name = tempfile.mkstemp(prefix="batchocr-bench-server-", suffix=".log")
        os.close(fd)
        self._log = Path(name)
        with self._log.open("w") as log:  # the child keeps its own copy of the descriptor
            self._proc = subprocess.Popen(
                [PYTHON, "-m", "batchocr", "serve", *self.args],
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=bench_env(),
                cwd=REPO,
            )
        try:
            self.url = self._wait_for_url(deadline=time.monotonic() + 15)
        except BaseException:
            self.stop()
            self._log.unlink(missing_ok=True)
            raise
        return self

    def _wait_for_url(self, deadline: float) -> str:
        assert self._proc is not None
        while time.monotonic() < deadline:
            for line in self.log_text().splitlines():
                if line.startswith("serving on "):
                    return line.split()[-1]
            if self._proc.poll() is not None:
                raise RuntimeError(f"server exited early: {self.log_text()}")
            time.sleep(0.02)
        raise RuntimeError("server did not announce its URL within 15 s")

    def log_text(self) -> str:
        """What the server wrote on stderr so far."""
        return self._log.read_text(errors="replace")

    @property
    def stats_url(self) -> str:
        return self.url.split("/flightinvoiceOcr")[0] + "/_stats"

    def stats(self) -> dict[str, Any]:
        """The server's ``GET /_stats`` snapshot."""
        with urllib.request.urlopen(self.stats_url, timeout=10) as response:
            doc: dict[str, Any] = json.loads(response.read())
        doc.pop("by_sha256", None)  # 20,000 entries we never print
        doc.pop("succeeded_by_sha256", None)
        return doc

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s; idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self._log.unlink(missing_ok=True)


def tiny_png(i: int, side: int = 16) -> bytes:
    """A ``side``×``side`` grayscale PNG whose pixels encode ``i``: distinct for each ``i``."""
    pixels = bytearray((x * 37 + 11) % 256 for x in range(side * side))
    pixels[:8] = i.to_bytes(8, "big")
    buf = io.BytesIO()
    Image.frombytes("L", (side, side), bytes(pixels)).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def make_images(folder: Path, n: int) -> list[Path]:
    """Write ``n`` distinct tiny PNGs into ``folder`` (100 per sub-folder); returns their paths."""
    paths = []
    for i in range(n):
        sub = folder / f"d{i // 100:04d}"
        if i % 100 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"img{i:06d}.png"
        path.write_bytes(tiny_png(i))
        paths.append(path)
    return paths


def noise_jpeg(size: int) -> bytes:
    """A real JPEG of at least ``size`` bytes: random noise (it compresses badly) at quality 95."""
    side = 256
    while True:
        noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        buf = io.BytesIO()
        noise.save(buf, "JPEG", quality=95)
        if buf.tell() >= size:
            return buf.getvalue()
        side = int(side * (size / buf.tell()) ** 0.5) + 16


def make_jpegs(folder: Path, n: int, size: int) -> list[Path]:
    """Write ``n`` distinct JPEGs of about ``size`` bytes: one noise image, a distinct comment.

    The comment (a COM segment right after SOI) makes every file's bytes, hence its sha256,
    different, while the image stays valid and is sent unchanged; making ``n`` noise images
    would take minutes.
    """
    base = noise_jpeg(size)
    paths = []
    for i in range(n):
        sub = folder / f"d{i // 100:04d}"
        if i % 100 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        comment = f"batchocr bench image {i}".encode()
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        path = sub / f"img{i:06d}.jpg"
        path.write_bytes(base[:2] + segment + base[2:])
        paths.append(path)
    return paths


@dataclass(frozen=True, slots=True)
class ChildResult:
    """How one child process went."""

    returncode: int
    wall: float  # seconds, from spawn to exit
    maxrss_mib: float  # that child's peak resident set size
    stdout: str
    stderr: str


def run_measured(
    cmd: Sequence[str], *, env: dict[str, str], timeout: float, cwd: Path = REPO
) -> ChildResult:
    """Run ``cmd`` to completion; its own peak RSS comes from ``os.wait4`` on its pid.

    The child is killed (and the call raises ``TimeoutError``) after ``timeout`` seconds.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        try:
            status, rusage = _wait4(proc.pid, started + timeout)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: tell Popen
        out.seek(0)
        err.seek(0)
        return ChildResult(
            returncode=proc.returncode,
            wall=wall,
            maxrss_mib=rusage.ru_maxrss / 1024,  # Linux reports KiB
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def _wait4(pid: int, deadline: float) -> tuple[int, Any]:
    while True:
        got, status, rusage = os.wait4(pid, os.WNOHANG)
        if got == pid:
            return status, rusage
        if time.monotonic() > deadline:
            raise TimeoutError(f"child {pid} still running at its deadline")
        time.sleep(0.01)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (also readable as plain text)."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def machine() -> str:
    """One line about where the numbers come from: the machine, Python, the code measured."""
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs (nproc"
        f" {len(os.sched_getaffinity(0))}), Python {platform.python_version()}"
        f" ({platform.python_implementation()}), {_code_version()}"
    )


def _code_version() -> str:
    """The commit measured, and whether batchocr/ had uncommitted changes (read-only git)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "batchocr"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "commit unknown"
    return f"commit {head or '?'}{' + uncommitted changes in batchocr/' if dirty else ''}"
