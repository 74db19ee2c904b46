"""Marks in a third ink over a value, lifted off the lines they meet (numpy): a reviewer's
ballpoint ring, a highlighter's stroke, a signature through a value.

The recognizer reads a value crossed by a stroke as garble, or not at all. On a page printed
in two inks (:func:`.inks.separate`: a form's and its values'), a stroke in a third colour
(a blue ring round black print on a grey form) falls in neither layer, and the values' layer
(the one holding the least of the labels' ink) holds the value without it. A value's line
whose pixels are mostly the values' ink and a share of them the third ink's is read again,
where it lies, from the values' layer alone. (The form's ink in a value's line is not
counted: a slip prints each label and its value on one line.) Only those lines are read
again: a page without such a line costs the parting and nothing more.

>>> import numpy as np
>>> from .ocr import Box, Page
>>> page = np.full((60, 200, 3), 255, np.uint8)
>>> page[5:15, 5:120] = (105, 105, 105)  # a grey label
>>> page[30:45, 10:190] = (20, 20, 24)  # a black value...
>>> page[29, 10:190] = page[45, 10:190] = (40, 60, 200)  # ...ringed in blue
>>> boxes = (Box("旅客姓名", 1.0, ((5, 5), (120, 5), (120, 15), (5, 15))),
...          Box("x", 0.5, ((8, 26), (192, 26), (192, 48), (8, 48))))
>>> marked(page, Page(200, 60, boxes), inks.separate(page))[1]
[1]
>>> page[29] = page[45] = 255  # no ring
>>> marked(page, Page(200, 60, boxes), inks.separate(page)) is None
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from ....documents.positioned import KNOWN_LABELS
from ..vocabulary.labels import label_text
from . import inks, ocr

__all__ = ["marked", "unmarked"]

OWN = 0.4  # of a line's ink at least in the values' ink: a value's line...
OTHER = 0.1  # ...and at least this share in neither the values' nor the form's: a mark


def unmarked(picture: Image.Image, page: ocr.Page,
             layers: list[Any] | None) -> tuple[Image.Image, ocr.Page] | None:  # fmt: skip
    """The page's values' ink alone, and the lines of ``page`` a third ink marks
    (:func:`marked`) read again from it, as a page; None when the page has one ink or no
    such line. ``layers``: the page parted into its inks (:func:`.inks.separate`)."""
    at = marked(np.asarray(picture), page, layers)
    if not at:
        return None
    image = Image.fromarray(at[0])
    again = ocr.read_quads(image, [page.boxes[i].quad for i in at[1]])
    return image, ocr.Page(page.width, page.height, tuple(again))


def marked(pixels: Any, page: ocr.Page, layers: list[Any] | None) -> tuple[Any, list[int]] | None:
    """The page's values' ink layer, and the indices of ``page``'s lines (not its labels)
    whose ink is mostly that and a share in neither the values' nor the form's ink (a third
    ink: a pen's, a marker's); None when there is none (or the page has one ink: ``layers``,
    its inks parted, None)."""
    if layers is None:
        return None
    v = _values_layer(layers, page)
    ink = _luminance(pixels) < inks.INK
    own, form = (_luminance(layer) < inks.INK for layer in (layers[v], layers[1 - v]))
    out = []
    for i, b in enumerate(page.boxes):
        if _label(b):
            continue
        x0, y0, x1, y1 = _bounds(b.quad, ink.shape)
        here = ink[y0:y1, x0:x1]
        total = int(here.sum())
        mine = int((own[y0:y1, x0:x1] & here).sum())
        third = int((here & ~own[y0:y1, x0:x1] & ~form[y0:y1, x0:x1]).sum())
        if total and mine >= OWN * total and third >= OTHER * total:
            out.append(i)
    return (layers[v], out) if out else None


def _values_layer(layers: list[Any], page: ocr.Page) -> int:
    """Which of the two layers holds the values: the one with less ink where the labels are."""
    labels = [_bounds(b.quad, layers[0].shape[:2]) for b in page.boxes if _label(b)]
    inked = [sum(int((_luminance(layer[y0:y1, x0:x1]) < inks.INK).sum())
                 for x0, y0, x1, y1 in labels) for layer in layers]  # fmt: skip
    return int(np.argmin(inked))


def _label(b: ocr.Box) -> bool:
    return label_text(b.text.strip()) in KNOWN_LABELS


def _luminance(pixels: Any) -> Any:
    return pixels.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def _bounds(quad: ocr.Quad, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    return (max(0, int(min(xs))), max(0, int(min(ys))),
            min(shape[1], int(max(xs)) + 1), min(shape[0], int(max(ys)) + 1))  # fmt: skip
