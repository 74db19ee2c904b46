"""Registration never divides by zero: a fit that would flatten the page is no fit (issue 9)."""

from __future__ import annotations

import pytest

from batchocr.recognize.local.image.geometry import Affine
from batchocr.recognize.local.image.ocr import Box
from batchocr.recognize.local.template.extract import read
from batchocr.recognize.local.template.register import register


def label(text: str, x: float, y: float, width: float) -> Box:
    """An OCR box whose left edge's middle is at (x, y), 30 px high."""
    return Box(text, 0.99, ((x, y - 15), (x + width, y - 15), (x + width, y + 15), (x, y + 15)))


# Three labels of one printed row of the paper itinerary (canonical y 653.5), read a little
# off the line on the page: before the fix, the refined fit mapped every point onto that
# row and `inverse` raised ZeroDivisionError from `extract.read`.
ONE_ROW = [
    label("票价", 66, 653.5, 120),
    label("民航发展基金", 446, 663.5, 300),
    label("燃油附加费", 821, 648.5, 250),
]


def test_a_fit_onto_one_line_is_refused() -> None:
    """Page points spread out, canonical points on one line: ValueError, not a flat map."""
    pairs = [((0.0, 0.0), (0.0, 5.0)), ((10.0, 1.0), (10.0, 5.0)), ((20.0, -1.0), (20.0, 5.0))]
    with pytest.raises(ValueError, match="degenerate anchors"):
        Affine.fit(pairs)


def test_a_singular_map_has_no_inverse() -> None:
    """inverse() of a map onto a line raises ValueError, and a regular one round-trips."""
    with pytest.raises(ValueError, match="singular"):
        Affine(1.0, 0.0, 0.0, 0.0, 0.0, 5.0).inverse()
    t = Affine(2.0, 0.1, 3.0, -0.1, 2.0, 4.0)
    x, y = t.inverse().apply(t.apply((7.0, 9.0)))
    assert (round(x, 9), round(y, 9)) == (7.0, 9.0)


def test_labels_of_one_row_register_with_an_invertible_map() -> None:
    """The page registers on the similarity map its labels agree on, which is invertible."""
    registered = register(ONE_ROW)
    assert registered is not None and registered.layout.name == "paper"
    assert not registered.transform.singular
    back = registered.transform.inverse()
    x, y = back.apply(registered.transform.apply((66.0, 653.5)))
    assert (round(x, 6), round(y, 6)) == (66.0, 653.5)


def test_reading_such_a_page_gives_nothing_instead_of_raising() -> None:
    """extract.read on the three labels alone returns an empty reading (no value to read)."""
    assert read(ONE_ROW).data == []
