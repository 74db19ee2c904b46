"""Measure each layout's preprinted text boxes for ``batchocr/local/printed_boxes.py``.

    .venv/bin/python bench/layout_printed.py [--pages 30] > batchocr/local/printed_boxes.py

The local engine skips recognizing the labels, headers and markers every page
of a layout prints in the same place: once the page is registered, a detected
box that sits exactly where such a box sits, with its size, is that box.
This script finds them the way the engine sees them: it reads clean synthetic
pages of the tuning seeds (1 … ``--pages``) in full, registers each one,
and keeps the canonical boxes found on at least 75% of the pages at the same
place, reading alike on at least 20% (small English labels are often read in
part): their median rectangle and commonest reading. A box that ever showed one
of its page's values (``20K``; ``国内国际标识：国内``, a label and its value read
as one line) is never kept, even when most pages print the same value; nor is
``VOID``, which marks a flight row left empty (a value, for the extractor).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from batchocr.recognize.local.image import ocr
from batchocr.recognize.local.image.geometry import Rect
from batchocr.recognize.local.template.register import register
from batchocr.recognize.local.template.table import VOID
from batchocr.recognize.local.validate.repair import squeeze
from synth import generate

NEAR_X, NEAR_Y = 25.0, 10.0  # canonical px between the centres of one box on two pages
SHARE = 0.75  # on at least this share of the pages...
SAME = 0.2  # ...its commonest reading (spaces aside) on at least this share


@dataclass
class Cluster:
    rects: list[Rect] = field(default_factory=list)
    pages: set[int] = field(default_factory=set)
    values: bool = False  # whether a page printed one of its values in this box

    def centre(self) -> tuple[float, float]:
        return (statistics.median(r.cx for r in self.rects),
                statistics.median(r.cy for r in self.rects))  # fmt: skip

    def near(self, r: Rect) -> bool:
        cx, cy = self.centre()
        return abs(r.cx - cx) <= NEAR_X and abs(r.cy - cy) <= NEAR_Y


def holds_value(text: str, values: set[str]) -> bool:
    """Whether a box shows one of its page's values (``20K``, ``国内国际标识：国内``)."""
    t = squeeze(text)
    return any(t == v or (len(v) > 1 and v in t) for v in values)


def measure(layout: str, pages: int) -> list[tuple[str, float, float, float, float]]:
    clusters: list[Cluster] = []
    for seed in range(1, pages + 1):
        sample = generate(seed, layout, "clean")
        values = {squeeze(d["Value"]) for d in sample.truth["data"]}
        page = ocr.read_page(sample.image)
        reg = register(page.boxes)
        if reg is None or reg.layout.name != layout:
            print(f"# seed {seed}: not registered as {layout}", file=sys.stderr)
            continue
        for r in reg.rects:
            home = next((c for c in clusters if c.near(r)), None)
            if home is None:
                home = Cluster()
                clusters.append(home)
            home.rects.append(r)
            home.pages.add(seed)
            home.values |= holds_value(r.text, values)
    out = []
    for c in clusters:
        text, n = Counter(squeeze(r.text) for r in c.rects).most_common(1)[0]
        if len(c.pages) < SHARE * pages or n < SAME * pages or c.values or text == VOID:
            continue
        same = [r for r in c.rects if squeeze(r.text) == text]
        text = Counter(r.text for r in same).most_common(1)[0][0]
        out.append((text, *(round(statistics.median(getattr(r, k) for r in same), 1)
                             for k in ("x0", "y0", "x1", "y1"))))  # fmt: skip
    return sorted(out, key=lambda p: (p[2], p[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=30)
    args = parser.parse_args()
    print('"""Preprinted boxes of each layout, in canonical coordinates: generated, do not edit.')
    print()
    print(f"    .venv/bin/python bench/layout_printed.py --pages {args.pages}"
          " > batchocr/local/printed_boxes.py")  # fmt: skip
    print()
    print("Each entry: (text as OCR reads it, x0, y0, x1, y1). See that script's docstring.")
    print('"""')
    print()
    for layout in ("paper", "einvoice"):
        print(f"{layout.upper()} = (")
        for entry in measure(layout, args.pages):
            print(f"    {entry!r},")
        print(")")


if __name__ == "__main__":
    main()
