"""The form's printed boxes are found by geometry and not recognized; values always are."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import pytest
from test_local import ocr_needed, plain

from batchocr.recognize.local.image.geometry import Affine
from batchocr.recognize.local.image.ocr import Box, Quad, Reading
from batchocr.recognize.local.template.printed import CUT_AFTER, PRINTED, known, label_width

TILT = Affine.similarity(0.55, math.radians(1.5), (0.0, 0.0), (40.0, 25.0))  # a small photo


def rect(x0: float, y0: float, x1: float, y1: float, t: Affine = TILT) -> Quad:
    """A canonical rectangle as it lands on the photographed page."""
    return (t.apply((x0, y0)), t.apply((x1, y0)), t.apply((x1, y1)), t.apply((x0, y1)))


class Reader:
    """A fake recognizer: each region reads as the text it was drawn with; records what it read.

    A region that is only the right part of a drawn box (a value cut from its
    label) reads as that box's ``cut`` text.
    """

    def __init__(self, texts: dict[Quad, str], cuts: dict[Quad, str] | None = None) -> None:
        self.texts, self.cuts = texts, cuts or {}
        self.asked: list[Quad] = []

    def __call__(self, regions: Sequence[Quad]) -> list[Reading]:
        self.asked += regions
        return [Reading(self._text(q), 0.97) for q in regions]

    def _text(self, q: Quad) -> str:
        if q in self.texts:
            return self.texts[q]
        left = [k for k in self.texts if (k[0], k[3]) == (q[0], q[3])]
        if left:  # the start of a line: as many characters as its share of the width
            (k,) = left
            share = math.dist(q[0], q[1]) / math.dist(k[0], k[1])
            return self.texts[k][: round(share * len(self.texts[k]))]
        whole = next(k for k in self.cuts if k[1:3] == q[1:3])  # the end of a line
        return self.cuts[whole]


def page(layout: str, extra: dict[Quad, str]) -> tuple[list[Quad], dict[Quad, str]]:
    """The quads of a page printing every box of ``layout`` (text as measured), plus ``extra``."""
    texts = {rect(p.x0, p.top, p.x1, p.bottom): p.text for p in PRINTED[layout]}
    texts |= extra
    return list(texts), texts


def test_the_printed_labels_are_known_without_reading_them() -> None:
    name = rect(80, 215, 180, 252)  # 旅客姓名's value, under its label
    quads, texts = page("paper", {name: "孙萍军"})
    read = Reader(texts)
    found = known(quads, read)
    p = PRINTED["paper"][0]
    title = rect(p.x0, p.top, p.x1, p.bottom)
    (asked,) = read.asked  # the start of the title alone is read
    assert asked[0] == title[0]
    assert math.dist(asked[0], asked[1]) == pytest.approx(0.4 * math.dist(title[0], title[1]))
    assert found[quads.index(title)].text == "航空运输电子客票行程单"
    printed = [i for i, b in found.items() if b.score == 1.0]
    assert len(printed) == len(PRINTED["paper"]) - 1
    assert all(found[i].text == texts[quads[i]] for i in printed)
    assert quads.index(name) not in found  # values are left to be recognized


def test_a_box_wider_than_the_printed_one_is_read() -> None:
    """``自 FROM`` merged with the city after it is a value line, not the marker."""
    marker = next(p for p in PRINTED["paper"] if p.text == "自 FROM")
    merged = rect(marker.x0, marker.top, marker.x1 + 120, marker.bottom)
    quads, texts = page("paper", {merged: "自 FROM 杭州"})
    found = known(quads, Reader(texts))
    assert quads.index(merged) not in found
    assert rect(marker.x0, marker.top, marker.x1, marker.bottom) in {found[i].quad for i in found}


def test_a_label_value_line_is_read_from_the_end_of_its_label() -> None:
    """The e-invoice prints ``有效身份证件号码：value``: only the value part is recognized."""
    x, y, label = 576.5, 250.5, "有效身份证件号码"
    line = rect(x, y - 20, x + label_width(label) + 240, y + 20)
    quads, texts = page("einvoice", {line: "never read whole"})
    read = Reader(texts, cuts={line: "： : 440106********6658"})  # the colon, read twice
    found = known(quads, read)
    assert found[quads.index(line)] == Box(f"{label}：440106********6658", 0.97, line)
    (cut,) = [q for q in read.asked if q[1:3] == line[1:3]]
    cut_x = TILT.inverse().apply(cut[0])[0]
    assert cut_x == pytest.approx(x + label_width(label) + CUT_AFTER, abs=0.5)


def test_a_wide_line_tried_as_the_title_is_still_read_whole() -> None:
    """A value line wider than the title, tried first (only its start read), is left to be read."""
    wide = rect(1100, 55, 1990, 92)  # 发票号码 and its number, stretched wider than the title
    quads, texts = page("einvoice", {wide: "发票号码：25352777942454819270"})
    read = Reader(texts)
    found = known(quads, read)
    assert read.asked[0][0] == wide[0]  # tried first, and found no title there
    assert quads.index(wide) not in found
    assert "电子发票(航空运输电子客票行程单)" in {b.text for b in found.values()}


def test_a_page_whose_title_does_not_read_is_left_to_be_read_in_full() -> None:
    quads, texts = page("paper", {})
    texts = {q: "墨迹" for q in texts}  # nothing reads as a title
    read = Reader(texts)
    found = known(quads, read)
    tried = read.asked[3:]  # the start of three candidates, then the three whole for the extractor
    assert len(tried) == 3 and {found[quads.index(q)].text for q in tried} == {"墨迹"}
    assert set(found) == {quads.index(q) for q in tried}


@ocr_needed
def test_skipping_printed_boxes_reads_a_generated_page_as_reading_everything() -> None:
    """On a generated page the shortcut changes no field and saves most recognitions."""
    from PIL import Image

    from batchocr.recognize.local.image import ocr
    from batchocr.recognize.local.template.extract import extract
    from synth import generate

    buf = io.BytesIO()
    generate(3, "paper", "light").image.save(buf, "PNG")
    image = Image.open(buf)
    asked: list[Quad] = []
    settled: dict[int, Box] = {}

    def counting(quads: Sequence[Quad], read: ocr.Read) -> dict[int, Box]:
        def counted(regions: Sequence[Quad]) -> list[Reading]:
            asked.extend(regions)
            return read(regions)

        settled.update(known(quads, counted))
        return settled

    fast, full = ocr.read_page(image, counting), ocr.read_page(image)
    assert plain(extract(fast.boxes)) == plain(extract(full.boxes))
    assert len(asked) <= 3  # the title, the serial number's value
    assert len(settled) - len(asked) >= 0.4 * len(full.boxes)  # boxes never recognized (48% here)
