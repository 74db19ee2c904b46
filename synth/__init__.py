"""Synthetic itineraries with exact ground truth: a development tool, not part of ``batchocr``.

Every sample image, test fixture and benchmark page of this project comes from here; no real
ticket is ever stored. Run it as ``python -m synth --samples samples/`` from the repository root;
``python -m synth --family NAME --out DIR`` writes pages of a family of :mod:`synth.variety`.
"""

from .scans import (
    CARRIERS,
    CREDIT_CHARS,
    LAYOUTS,
    NOISES,
    SAMPLE_SET,
    Sample,
    credit_check_char,
    font_path,
    generate,
    main,
    truth_json,
    write_sample,
)
from .variety import FAMILIES, HELD_OUT_FAMILIES, TUNING_FAMILIES, generate_family

__all__ = [
    "CARRIERS",
    "CREDIT_CHARS",
    "FAMILIES",
    "HELD_OUT_FAMILIES",
    "LAYOUTS",
    "NOISES",
    "SAMPLE_SET",
    "TUNING_FAMILIES",
    "Sample",
    "credit_check_char",
    "font_path",
    "generate",
    "generate_family",
    "main",
    "truth_json",
    "write_sample",
]
