"""The OCR wrapper on lines drawn here: what the recognizer is given, not the extraction."""

from __future__ import annotations

from typing import Any

import pytest

# (text, font size in px): lines of a 24-pin head's print (synth.marks.dotted_text) that the
# recognizer misread as they are: a digit or a first character lost, a glyph for another.
DOTTED = [("2024-07-17", 26), ("7316547279557", 26), ("CNY 2,420.00", 26),
          ("CNY 2,420.00", 30), ("厦航", 30), ("厦航", 34)]  # fmt: skip


def dotted_line(text: str, size: int) -> Any:
    import numpy as np
    from PIL import Image

    from batchocr.errors import ConfigError
    from synth import marks
    from synth.style import font

    try:
        face = font("dotmatrix24", size)
    except ConfigError as exc:  # the Song face (Debian fonts-arphic-uming) not installed
        pytest.skip(str(exc))

    image = Image.new("RGB", (40 + size * len(text), size * 2), "white")
    marks.dotted_text(image, (20, size * 3 // 2), text, face, (20, 20, 24), pins=24)
    return np.asarray(image)


@pytest.mark.parametrize(("text", "size"), DOTTED)
def test_a_dot_matrix_line_reads_as_printed(
    text: str, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its one-pixel gaps are filled before it is recognized: read as it is, each of these
    lines reads otherwise (checked here, so the test keeps proving the filling; with the
    carriers' names left out, which would mend a carrier read otherwise)."""
    pytest.importorskip("rapidocr_onnxruntime")
    from batchocr.recognize.local.image import ocr

    crop = dotted_line(text, size)
    assert ocr.recognize_crops([crop])[0][0] == text
    monkeypatch.setattr(ocr, "known_word", lambda probs, read, charset: read)
    assert ocr._recognize([crop], [0], ocr.REC_MIN_WIDTH)[0][0] != text


def test_a_small_line_keeps_its_gaps() -> None:
    """A phone photo's line a few pixels tall is given to the recognizer as it is: one pixel
    there can part two strokes."""
    import numpy as np

    from batchocr.recognize.local.image.crops import DOTTED_HEIGHT, dots_joined

    small = np.full((DOTTED_HEIGHT - 1, 40, 3), 255, np.uint8)
    small[:, ::2] = 0
    assert dots_joined(small) is small
    tall = np.full((DOTTED_HEIGHT, 40, 3), 255, np.uint8)
    tall[:, ::2] = 0
    assert (dots_joined(tall)[:, 1:-1] == 0).all()


def test_each_character_read_carries_its_own_confidence() -> None:
    """A line's reading holds the recognizer's confidence in each character: all high on a
    clear line; a glyph smudged out of shape stands out low while the line's mean does not."""
    pytest.importorskip("rapidocr_onnxruntime")
    import numpy as np
    from PIL import Image, ImageDraw

    from batchocr.recognize.local.image import ocr
    from synth.style import font

    face = font("sans", 36)
    image = Image.new("RGB", (344, 60), "white")  # the line's 324 px and a margin
    ImageDraw.Draw(image).text((10, 10), "广州鹏程国际旅行社", font=face, fill="black")
    clear = ocr.recognize_crops([np.asarray(image)])[0]
    ImageDraw.Draw(image).rectangle((85, 12, 110, 50), fill="white")  # most of 鹏 rubbed out
    ImageDraw.Draw(image).line((85, 20, 110, 44), fill="black", width=3)
    smudged = ocr.recognize_crops([np.asarray(image)])[0]
    assert clear.text == "广州鹏程国际旅行社"
    assert len(clear.glyphs) == len(clear.text) and min(clear.glyphs) > 0.9
    assert smudged.text.startswith("广州") and smudged.text.endswith("程国际旅行社")
    assert len(smudged.glyphs) == len(smudged.text)
    assert smudged.glyphs[2] < 0.5 < 0.9 < smudged.score


def test_a_dot_matrix_print_is_no_speckled_page_and_a_photo_is() -> None:
    """A page of dot-matrix lines keeps every dot: its dots have others a few pixels off, so
    it is not taken for a speckled photo (counted among eight neighbours only, its dots would
    be). A page sprinkled with specks, as a phone photo is, loses them, those beside a
    stroke too."""
    import numpy as np

    from batchocr.recognize.local.image.crops import SPECKLED, _alone, despeckled

    page = np.full((300, 600, 3), 230, np.uint8)
    for i, text in enumerate(("2024-07-17", "CNY 2,420.00", "7316547279557")):
        line = dotted_line(text, 26)
        h, w = line.shape[:2]
        page[20 + 90 * i : 20 + 90 * i + h, 20 : 20 + w] = line[:, :560]
    assert _alone(page.min(axis=2), 1).mean() > SPECKLED  # (what the eight would say)
    assert despeckled(page) is page
    rng = np.random.default_rng(7)
    photo = np.full((400, 600, 3), 230, np.uint8)
    photo[200:203, 50:550] = 30  # a stroke
    ys, xs = rng.integers(0, 400, 360), rng.integers(0, 600, 360)
    photo[ys, xs] = 60  # specks, 1.5 in a thousand pixels
    out = despeckled(photo)
    assert (out[200:203, 50:550] == photo[200:203, 50:550]).all()
    left, before = ((img.min(axis=2) < 200).sum() - 1500 for img in (out, photo))  # (the stroke)
    assert left < 0.05 * before
