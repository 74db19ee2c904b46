"""Helpers of the end-to-end tests: real images, the CLI as a subprocess, polling waits.

The CLI runs as ``python -m batchocr run ...`` in its own process, with an
environment holding only what the test gives it (no stray ``BATCHOCR_*`` or
``JUHE_KEY`` from the developer's shell), against a
:class:`~batchocr.server.RehearsalServer` the test process serves on a real socket.

>>> make_png_bytes(3)[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

RUN_TIMEOUT = 30.0  # seconds: a hung CLI fails its test instead of blocking CI


def make_png_bytes(seed: int) -> bytes:
    """A small 60×40 PNG whose colour (hence bytes and sha256) depends on ``seed``."""
    colour = (seed * 37 % 256, seed * 91 % 256, (seed * 53 + 17) % 256)
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(buf, "PNG")
    return buf.getvalue()


def make_images(folder: Path, count: int, *, start: int = 0, prefix: str = "img") -> list[Path]:
    """Write ``count`` distinct PNGs ``{prefix}NN.png`` into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(start, start + count):
        path = folder / f"{prefix}{seed:02d}.png"
        path.write_bytes(make_png_bytes(seed))
        paths.append(path)
    return paths


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_fields(image: bytes) -> dict[str, Any]:
    """The ticket fields batchocr must extract from the server's ``synthetic_answer``.

    Derived from the server's formula, independently of ``batchocr.outputs.fields``.
    """
    n = int(hashlib.sha256(image).hexdigest()[:15], 16)
    return {
        "passenger_name": "测试旅客",
        "e_ticket_no": "999" + f"{n % 10**10:010d}",
        "check_code": f"{n % 10**4:04d}",
        "fare": "1000.00",
        "caac_dev_fund": "50.00",
        "fuel_surcharge": "0.00",
        "other_taxes": "0.00",
        "insurance": None,
        "total": "1050.00",
        "issue_date": "2025-05-20",
        "invoice_no": None,
    }


_PROXY_VARS = frozenset({"http_proxy", "https_proxy", "all_proxy"})


def clean_env(key: str | None, **extra: str) -> dict[str, str]:
    """The process environment without batchocr settings, plus ``JUHE_KEY`` when given.

    Proxy variables go too: httpx honours them, and the server is on 127.0.0.1.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if name != "JUHE_KEY"
        and not name.startswith("BATCHOCR_")
        and name.lower() not in _PROXY_VARS
    }
    if key is not None:
        env["JUHE_KEY"] = key
    env.update(extra)
    return env


def cli_args(*args: str) -> list[str]:
    """The argv of ``python -m batchocr run ARGS``."""
    return [sys.executable, "-m", "batchocr", "run", *args]


@dataclass(frozen=True, slots=True)
class Done:
    """A finished CLI process."""

    code: int
    stdout: str
    stderr: str


def run_cli(
    args: Sequence[str],
    *,
    cwd: Path,
    key: str | None = "test-key",
    stdin: str | None = None,
    timeout: float = RUN_TIMEOUT,
    umask: int = -1,
) -> Done:
    """Run ``batchocr run ARGS`` to completion in ``cwd`` (``umask`` -1: inherit ours)."""
    proc = subprocess.run(
        cli_args(*args),
        cwd=cwd,
        env=clean_env(key),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        umask=umask,
    )
    return Done(proc.returncode, proc.stdout, proc.stderr)


def start_cli(
    args: Sequence[str], *, cwd: Path, key: str | None = "test-key"
) -> subprocess.Popen[str]:
    """Start ``batchocr run ARGS`` in the background (stdout and stderr piped)."""
    return subprocess.Popen(
        cli_args(*args),
        cwd=cwd,
        env=clean_env(key),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def running(
    args: Sequence[str], *, cwd: Path, key: str | None = "test-key"
) -> Iterator[subprocess.Popen[str]]:
    """:func:`start_cli`, killed on the way out if still running (a failed wait, say)."""
    proc = start_cli(args, cwd=cwd, key=key)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=RUN_TIMEOUT)


def finish(proc: subprocess.Popen[str], timeout: float = RUN_TIMEOUT) -> Done:
    """Wait for a started CLI and collect its output."""
    stdout, stderr = proc.communicate(timeout=timeout)
    return Done(proc.returncode, stdout, stderr)


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float = 10.0,
    what: str = "condition",
    proc: subprocess.Popen[str] | None = None,
) -> None:
    """Poll ``condition`` every 5 ms until it holds; fail after ``timeout`` seconds.

    With ``proc``, also fail at once if that process ended first.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the CLI exited ({proc.returncode}) before: {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for: {what}")
        time.sleep(0.005)


def count_lines(path: Path) -> int:
    """Complete lines in ``path`` so far (0 when it does not exist yet)."""
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSON-lines file, parsed (a torn line fails the test)."""
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), f"{path.name} does not end with a newline"
    return [json.loads(line) for line in text.splitlines()]


def read_json(path: Path) -> dict[str, Any]:
    """A JSON document."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def write_config(path: Path, settings: Mapping[str, Any]) -> Path:
    """A TOML config file of flat ``name = value`` settings (numbers and strings)."""
    lines = [f"{name} = {json.dumps(value)}" for name, value in settings.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def by_key(records: Iterable[Mapping[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    """Records indexed by one field; duplicates fail the test."""
    out: dict[Any, dict[str, Any]] = {}
    for record in records:
        assert record[key] not in out, f"two records with {key}={record[key]!r}"
        out[record[key]] = dict(record)
    return out
