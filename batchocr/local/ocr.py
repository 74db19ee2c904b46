"""A thin wrapper over RapidOCR (PP-OCRv4 detection + recognition, ONNX, CPU).

The models ship inside the ``rapidocr-onnxruntime`` wheel: nothing is
downloaded at run time. Three settings matter for itineraries, all measured
on synthetic pages:

* the angle classifier is off: it flips short boxes (``9%`` read as ``%6``);
* the page is shrunk to at most :data:`MAX_SIDE` px on its long side, never
  enlarged (upscaling a phone photo adds cost, not detail), never binarized;
* one ONNX thread per process: pages run in parallel in worker processes,
  and a single-threaded session wastes no CPU on spinning threads.

The engine is loaded once per process, on first use (:func:`engine`).

>>> Box("CA1401", 0.99, ((0, 0), (60, 0), (60, 20), (0, 20))).text
'CA1401'
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from PIL import Image

MAX_SIDE = 2000  # at 1600 px a masked ID line was sometimes missed
DET_SIDE = 1216  # detection runs on a smaller copy: boxes, not glyphs, are needed there

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Box:
    """One recognized line: its text, the recognizer's confidence, and its corners.

    ``quad`` runs clockwise from the top-left corner, in the coordinates of the
    page that :func:`read_page` returns.
    """

    text: str
    score: float
    quad: tuple[Point, Point, Point, Point]


@dataclass(frozen=True, slots=True)
class Page:
    """The OCR of one image: its (possibly shrunk) size and its boxes."""

    width: int
    height: int
    boxes: tuple[Box, ...]


_engine: Any = None
_lock = threading.Lock()


def engine() -> Any:
    """The process's RapidOCR instance, created on first use."""
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]

            _engine = RapidOCR(
                use_cls=False,
                intra_op_num_threads=1,
                inter_op_num_threads=1,
                max_side_len=MAX_SIDE,
                det_limit_type="max",
                det_limit_side_len=DET_SIDE,
            )
        return _engine


def fit(image: Image.Image) -> Image.Image:
    """RGB, long side at most :data:`MAX_SIDE` (never enlarged).

    >>> fit(Image.new("L", (4000, 1000))).size
    (2000, 500)
    """
    image = image.convert("RGB")
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def read_page(image: Image.Image) -> Page:
    """Detect and recognize every text line of ``image`` (see the module docstring)."""
    import numpy as np

    page = fit(image)
    result, _ = engine()(np.asarray(page), use_cls=False)
    boxes = tuple(
        Box(str(text), float(score), _quad(quad)) for quad, text, score in (result or ())
    )
    return Page(page.width, page.height, boxes)


def _quad(points: Any) -> tuple[Point, Point, Point, Point]:
    p = [(float(x), float(y)) for x, y in points]
    return (p[0], p[1], p[2], p[3])
