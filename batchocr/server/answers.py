"""Recognizers for the local server: image bytes → the service's ``data`` list.

A recognizer raises ``LookupError`` (the server answers 252604) when it finds
no itinerary. Three exist: :func:`synthetic_answer` (a fake ticket derived from
the image hash, so tests can predict it), :class:`AnswerBook` (ground-truth
files, for rehearsals on known scans) and the local OCR engine
(``batchocr.recognize.local.recognizer.recognize``, run in worker processes by ``serve``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import ConfigError
from ..models import NameValue

Recognizer = Callable[[bytes], list[NameValue]]
"""Image bytes → the ``data`` list; raise ``LookupError`` (or return []) for 252604."""


def synthetic_answer(image: bytes) -> list[NameValue]:
    """A deterministic fake ticket derived from sha256(image), so tests can predict it.

    >>> synthetic_answer(b"abc")[1]
    {'Name': '电子客票号码', 'Value': '9996265856254'}
    """
    n = int(hashlib.sha256(image).hexdigest()[:15], 16)
    pairs = [
        ("旅客姓名", "测试旅客"), ("电子客票号码", "999" + f"{n % 10**10:010d}"),
        ("验证码", f"{n % 10**4:04d}"), ("票价", "1000.00"), ("民航发展基金", "50.00"),
        ("燃油附加费", "0.00"), ("其他税费", "0.00"), ("合计金额", "1050.00"),
        ("填开日期", "2025-05-20"), ("始发站", "北京"), ("目的站", "上海"), ("航班号", "CA1501"),
    ]  # fmt: skip
    return [{"Name": name, "Value": value} for name, value in pairs]


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".PNG", ".JPG", ".JPEG", ".BMP")


class AnswerBook:
    """Answers from ground-truth files, by the sha256 of the image bytes.

    Each ``<stem>.json`` (``{"data": [...]}`` or a saved service answer) with a
    sibling ``<stem>.png|.jpg|.jpeg|.bmp`` in one of ``dirs`` is an answer; other
    images go to ``fallback`` (``None``: ``LookupError``, i.e. 252604).

    >>> AnswerBook([], fallback=synthetic_answer)(b"abc") == synthetic_answer(b"abc")
    True
    """

    def __init__(
        self, dirs: Iterable[Path], fallback: Recognizer | None = synthetic_answer
    ) -> None:
        self._fallback = fallback
        self._answers: dict[str, list[NameValue]] = {}
        for directory in dirs:
            self._load(Path(directory))

    def _load(self, directory: Path) -> None:
        if not directory.is_dir():
            raise ConfigError(f"--answers {directory}: not a directory")
        for truth in sorted(directory.glob("*.json")):
            images = [p for p in map(truth.with_suffix, _IMAGE_SUFFIXES) if p.is_file()]
            if images:
                data = _read_truth(truth)
                for image in images:
                    self._answers[hashlib.sha256(image.read_bytes()).hexdigest()] = data

    def __len__(self) -> int:
        return len(self._answers)

    def __call__(self, image: bytes) -> list[NameValue]:
        data = self._answers.get(hashlib.sha256(image).hexdigest())
        if data is not None:
            return [dict(pair) for pair in data]  # callers may mutate their copy
        if self._fallback is None:
            raise LookupError("image not in the answer book")
        return self._fallback(image)


def _read_truth(path: Path) -> list[NameValue]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if isinstance(doc, dict) and isinstance(doc.get("result"), dict):
        doc = doc["result"]
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list) or not all(isinstance(pair, dict) for pair in data):
        raise ConfigError(f'{path}: expected {{"data": [{{"Name": ..., "Value": ...}}, ...]}}')
    return data
