"""Synthetic itineraries with exact ground truth: a development tool, not part of ``batchocr``.

Every sample image, test fixture and benchmark page of this project comes from here; no real
ticket is ever stored. Run it as ``python -m synth --samples samples/`` from the repository root.
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

__all__ = [
    "CARRIERS",
    "CREDIT_CHARS",
    "LAYOUTS",
    "NOISES",
    "SAMPLE_SET",
    "Sample",
    "credit_check_char",
    "font_path",
    "generate",
    "main",
    "truth_json",
    "write_sample",
]
