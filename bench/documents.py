"""Documents per second: born-digital PDF, OFD and XBRL files read, against the OCR path.

    .venv/bin/python bench/documents.py [--n 300] [--ocr 6]

One process, one core (everything runs in this thread): for each format, ``--n`` distinct
synthetic air e-invoices are written first (seeds 500000+, not timed), then each is read
with ``batchocr.documents.read.read_document`` and normalized (``outputs.fields.normalize``),
as a run does, and every result is checked against the generator's truth (a wrong field
fails the benchmark). The OCR path is the offline engine (``recognize.local.recognizer``) on
``--ocr`` rendered pages of the paper itinerary, the layout it reads: CPU seconds per page.
Prints documents/s per format, the ratio to the OCR path, and the process's peak RSS.
Target (issue 8): PDF ≥ 50 documents/s on one core, OFD and XBRL faster still.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import machine, table

from batchocr.documents.read import read_document
from batchocr.outputs.fields import normalize
from synth import files, generate
from synth.einvoice import invoice, truth_data

FORMATS: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "PDF (text layer, /Rotate 90)": ("pdf", files.einvoice_pdf),
    "OFD (XBRL attachment)": ("ofd", files.einvoice_ofd),
    "OFD (text objects only)": ("ofd", lambda s: files.einvoice_ofd(s, attachment=False)),
    "XML (XBRL instance)": ("xml", files.einvoice_xbrl),
}


def measure(kind: str, blobs: list[tuple[int, bytes]]) -> float:
    """CPU seconds to read and normalize every document; then every field is checked."""
    got = []
    start = time.process_time()
    for _, data in blobs:
        pages = list(read_document(data, kind))  # type: ignore[arg-type]
        got.append(normalize(pages[0].data)[0])  # type: ignore[union-attr]
    cpu = time.process_time() - start
    for (seed, _), fields in zip(blobs, got, strict=True):
        want, _ = normalize(truth_data(invoice(seed)))
        if {k: v for k, v in fields.items() if k != "extra"} != {
            k: v for k, v in want.items() if k != "extra"
        }:
            raise SystemExit(f"seed {seed} ({kind}): a field differs from the truth")
    return cpu


def ocr_seconds(n: int) -> float:
    """CPU seconds per page of the offline engine (model load excluded)."""
    from batchocr.recognize.local.recognizer import recognize, warm_up

    warm_up()
    pages = []
    for seed in range(500000, 500000 + n):
        buf = io.BytesIO()
        generate(seed, "paper", "clean").image.save(buf, "PNG")
        pages.append(buf.getvalue())
    start = time.process_time()
    for page in pages:
        recognize(page)
    return (time.process_time() - start) / n


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=300, help="documents per format")
    p.add_argument("--ocr", type=int, default=6, help="pages for the OCR path (0: skip)")
    args = p.parse_args()
    seeds = range(500000, 500000 + args.n)
    rows = []
    per_ocr = ocr_seconds(args.ocr) if args.ocr else None
    for label, (kind, make) in FORMATS.items():
        blobs = [(s, make(s)) for s in seeds]
        size = sum(len(b) for _, b in blobs) / len(blobs) / 1024
        cpu = measure(kind, blobs)
        rate = args.n / cpu
        ratio = f"{rate * per_ocr:.0f}x" if per_ocr else "-"
        rows.append((label, args.n, f"{size:.1f}", f"{cpu / args.n * 1000:.2f}", f"{rate:.0f}",
                     ratio, "100 %"))  # fmt: skip
    if per_ocr:
        rows.append(("OCR: offline engine, rendered paper page", args.ocr, "-",
                     f"{per_ocr * 1000:.0f}", f"{1 / per_ocr:.2f}", "1x", "-"))  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# documents.py --n {args.n} --ocr {args.ocr}: {machine()}")
    print(table(("format", "docs", "KB each", "CPU ms/doc", "docs/s (1 core)",
                 "vs OCR", "fields exact"), rows))  # fmt: skip
    print(f"peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
