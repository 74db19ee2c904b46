"""Settings: built-in defaults < config file < environment < command-line flags.

Every setting is described once, in :data:`SETTINGS`; the TOML reader, the
environment reader and the validation all come from that table, so a new
setting cannot be documented in one place and forgotten in another.

>>> cfg = load_config(None, env={"BATCHOCR_QPS": "2"}, flags={"concurrency": 4})
>>> (cfg.qps, cfg.concurrency, cfg.burst)
(2.0, 4, 1)
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .documents.sources import DEFAULT_EXTENSIONS
from .errors import CodePolicy, ConfigError

DEFAULT_ENDPOINT = "https://v.juhe.cn/flightinvoiceOcr/index"
KEY_ENV = "JUHE_KEY"
CONFIG_ENV = "BATCHOCR_CONFIG"


class Secret:
    """A string that never shows itself in ``repr``, ``str``, logs or tracebacks.

    >>> Secret("abc123")
    Secret('***')
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class Config:
    """Validated settings for one run (see ``config.example.toml`` for each key)."""

    key: Secret | None = None
    endpoint: str = DEFAULT_ENDPOINT
    out: Path = Path("batchocr-out")
    qps: float = 5.0
    burst: int = 1
    concurrency: int = 8
    max_attempts: int = 5
    timeout: float = 30.0
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    item_deadline: float = 300.0
    retry_budget: float = 0.2
    stop_after: int = 3
    max_file_mb: float = 50.0
    metrics_file: Path | None = None
    backend: str = "auto"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    extensions: frozenset[str] = DEFAULT_EXTENSIONS
    codes: CodePolicy = field(default_factory=CodePolicy)


# ---------------------------------------------------------------- validation


def _number(kind: type[int] | type[float], low: float, high: float) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = kind(value)
            except ValueError:
                raise ValueError(f"expected a {kind.__name__}, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a {kind.__name__}, got {type(value).__name__}")
        if kind is int and not float(value).is_integer():
            raise ValueError(f"expected a whole number, got {value!r}")
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}, got {value!r}")
        return kind(value)

    return check


def _endpoint(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a URL string")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValueError(f"the port in {value!r} is not a number from 0 to 65535") from None
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value.strip()


def _path(value: Any) -> Path:
    return Path(_text(value)).expanduser()


def _choice(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
        return str(value)

    return check


def _extensions(value: Any) -> frozenset[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(x, str) for x in items):
        raise ValueError("expected a list of file extensions")
    exts = frozenset(x.strip().lower().lstrip(".") for x in items if x.strip())
    if not exts:
        raise ValueError("expected at least one extension")
    return exts


SETTINGS: dict[str, Callable[[Any], Any]] = {
    "endpoint": _endpoint,
    "out": _path,
    "qps": _number(float, 0.01, 10_000),
    "burst": _number(int, 1, 10_000),
    "concurrency": _number(int, 1, 1_000),
    "max_attempts": _number(int, 1, 100),
    "timeout": _number(float, 0.1, 3_600),
    "backoff_initial": _number(float, 0.0, 3_600),
    "backoff_max": _number(float, 0.0, 3_600),
    "item_deadline": _number(float, 1.0, 86_400),
    "retry_budget": _number(float, 0.0, 10.0),
    "stop_after": _number(int, 1, 1_000_000),
    "max_file_mb": _number(float, 0.001, 10_000),
    "extensions": _extensions,
    "metrics_file": _path,
    "backend": _choice("auto", "juhe", "local"),
    "workers": _number(int, 1, 256),
}
"""Each setting's validator; the key is also the TOML key and, upper-cased
behind ``BATCHOCR_``, the environment variable."""

CODE_SETS = ("retry", "fail", "abort", "stop")


def _check(name: str, value: Any, validate: Callable[[Any], Any], where: str) -> Any:
    try:
        return validate(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: bad value for {name!r}: {exc}") from None


def _codes(table: Any, where: str) -> CodePolicy:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [codes] must be a table")
    unknown = sorted(set(table) - set(CODE_SETS))
    if unknown:
        raise ConfigError(f"{where}: unknown key 'codes.{unknown[0]}'")
    sets: dict[str, frozenset[int]] = {}
    for name, codes in table.items():
        if not isinstance(codes, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in codes
        ):
            raise ConfigError(f"{where}: bad value for 'codes.{name}': expected a list of integers")
        sets[name] = frozenset(codes)
    return CodePolicy(**sets)


# ---------------------------------------------------------------- sources


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _from_file(path: Path) -> tuple[dict[str, Any], Secret | None]:
    where = str(path)
    raw = _read_toml(path)
    values: dict[str, Any] = {}
    key: Secret | None = None
    for name, value in raw.items():
        if name == "codes":
            values["codes"] = _codes(value, where)
        elif name == "key":
            key = Secret(_check(name, value, _text, where))
        elif name == "key_file":
            key = _read_key_file(path.parent / _check(name, value, _path, where), where)
        elif name in SETTINGS:
            values[name] = _check(name, value, SETTINGS[name], where)
        else:
            raise ConfigError(f"{where}: unknown key {name!r}")
    for name in ("out", "metrics_file"):  # relative to the config file, not the cwd
        if name in values and not values[name].is_absolute():
            values[name] = path.parent / values[name]
    return values, key


def _read_key_file(path: Path, where: str) -> Secret:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read key_file {path}: {exc.strerror}") from None
    if not text:
        raise ConfigError(f"{where}: key_file {path} is empty")
    return Secret(text)


def _from_env(env: Mapping[str, str]) -> tuple[dict[str, Any], Secret | None]:
    values = {
        name: _check(name, env[var], check, f"environment variable {var}")
        for name, check in SETTINGS.items()
        if (var := f"BATCHOCR_{name.upper()}") in env and env[var] != ""
    }
    key = env.get(KEY_ENV, "").strip()
    return values, Secret(key) if key else None


def resolve_backend(config: Config) -> str:
    """``auto`` means the service when a key is configured, else the local engine."""
    if config.backend != "auto":
        return config.backend
    return "juhe" if config.key is not None else "local"


def load_config(
    path: Path | None,
    *,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> Config:
    """Merge defaults, the config file, the environment and flags (highest wins).

    ``path`` None means: ``$BATCHOCR_CONFIG`` if set, else no file. Flags whose
    value is None were not given.
    """
    env = os.environ if env is None else env
    if path is None and env.get(CONFIG_ENV):
        path = Path(env[CONFIG_ENV])
    file_values, file_key = _from_file(path) if path is not None else ({}, None)
    env_values, env_key = _from_env(env)
    flag_values = {
        name: _check(name, value, SETTINGS[name], f"option --{name.replace('_', '-')}")
        for name, value in (flags or {}).items()
        if value is not None
    }
    merged = {**file_values, **env_values, **flag_values}
    if merged.get("backoff_max", 30.0) < merged.get("backoff_initial", 1.0):
        raise ConfigError("backoff_max must not be smaller than backoff_initial")
    return Config(key=env_key or file_key, **merged)
