"""Config: precedence flag > environment > file > default, and one-line errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchocr.config import DEFAULT_ENDPOINT, Config, Secret, load_config
from batchocr.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "batchocr.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    """With nothing set, the documented defaults apply and there is no key."""
    cfg = load_config(None, env={})
    assert (cfg.endpoint, cfg.qps, cfg.burst, cfg.concurrency, cfg.max_attempts, cfg.timeout) == (
        DEFAULT_ENDPOINT,
        5.0,
        1,
        8,
        5,
        30.0,
    )
    assert cfg.out == Path("batchocr-out")
    assert cfg.key is None


def test_precedence_flag_over_env_over_file(tmp_path: Path) -> None:
    """Each layer overrides the one below it, key by key."""
    path = write(tmp_path, "qps = 1\nburst = 2\nconcurrency = 3\n")
    cfg = load_config(
        path,
        env={"BATCHOCR_BURST": "4", "BATCHOCR_CONCURRENCY": "5"},
        flags={"concurrency": "6", "qps": None},
    )
    assert (cfg.qps, cfg.burst, cfg.concurrency) == (1.0, 4, 6)


def test_key_from_env_beats_key_in_file(tmp_path: Path) -> None:
    """JUHE_KEY overrides the config file's key."""
    path = write(tmp_path, 'key = "from-file"\n')
    assert load_config(path, env={}).key == Secret("from-file")
    assert load_config(path, env={"JUHE_KEY": "from-env"}).key == Secret("from-env")


def test_key_file_is_read_relative_to_the_config(tmp_path: Path) -> None:
    """key_file points at a file holding the key, relative to the config file's folder."""
    (tmp_path / "juhe.key").write_text("abc123\n")
    cfg = load_config(write(tmp_path, 'key_file = "juhe.key"\n'), env={})
    assert cfg.key == Secret("abc123")


def test_config_path_from_environment(tmp_path: Path) -> None:
    """BATCHOCR_CONFIG names the file when -c is not given."""
    path = write(tmp_path, "qps = 2.5\n")
    assert load_config(None, env={"BATCHOCR_CONFIG": str(path)}).qps == 2.5


def test_relative_out_resolves_against_the_config_file(tmp_path: Path) -> None:
    """out = "results" in a config file means next to that file, wherever we run from."""
    assert load_config(write(tmp_path, 'out = "results"\n'), env={}).out == tmp_path / "results"


def test_code_sets(tmp_path: Path) -> None:
    """[codes] replaces a set; the others keep their defaults."""
    cfg = load_config(write(tmp_path, "[codes]\nretry = [252602, 252604]\n"), env={})
    assert cfg.codes.retry == frozenset({252602, 252604})
    assert cfg.codes.abort == Config().codes.abort


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("qpss = 3\n", "unknown key 'qpss'"),
        ('qps = "fast"\n', "bad value for 'qps': expected a float, got 'fast'"),
        ("qps = 0\n", "bad value for 'qps': must be between"),
        ("concurrency = 2.5\n", "bad value for 'concurrency': expected a whole number"),
        ("burst = true\n", "bad value for 'burst': expected a int, got bool"),
        ('endpoint = "ftp://x"\n', "bad value for 'endpoint': expected an http(s) URL"),
        ('endpoint = "http://h:99999/x"\n', "bad value for 'endpoint': the port in"),
        ("[codes]\nretry = ['a']\n", "bad value for 'codes.retry'"),
        ("[codes]\nmaybe = [1]\n", "unknown key 'codes.maybe'"),
        ("qps = \n", "not valid TOML"),
        ('key_file = "missing.key"\n', "cannot read key_file"),
    ],
)
def test_file_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    """A bad config file is one ConfigError line that names the key (and the file)."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        load_config(path, env={})
    assert "\n" not in str(err.value)
    assert str(path) in str(err.value)


def test_env_and_flag_errors_name_their_source() -> None:
    """A bad environment variable or flag value says which one."""
    with pytest.raises(ConfigError, match="environment variable BATCHOCR_QPS: bad value"):
        load_config(None, env={"BATCHOCR_QPS": "-1"})
    with pytest.raises(ConfigError, match="option --max-attempts: bad value"):
        load_config(None, env={}, flags={"max_attempts": "zero"})


def test_missing_config_file() -> None:
    """-c pointing nowhere is a one-line error."""
    with pytest.raises(ConfigError, match=r"config file not found: /nowhere\.toml"):
        load_config(Path("/nowhere.toml"), env={})


def test_the_example_config_is_valid() -> None:
    """config.example.toml loads (with every key it documents) and keeps the defaults."""
    example = Path(__file__).parents[1] / "config.example.toml"
    cfg = load_config(example, env={})
    assert cfg.qps == 5.0 and cfg.concurrency == 8
