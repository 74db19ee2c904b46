"""The local engine: offline OCR of itineraries into the service's Name/Value list.

``batchocr.recognize.local.recognizer.recognize`` reads one image; ``LocalBackend`` runs
it in worker processes behind the engine's backend protocol. The OCR models
ship in the optional ``rapidocr-onnxruntime`` dependency (``batchocr[local]``),
imported on first use only.

The sub-packages are the reader's stages; dependencies point down this list::

    recognizer  the entry points: recognize(image) and LocalBackend
    pool        the one process pool, shared by run and serve; a crash fails one page
    readings    two readings of one page (whole, an ink at a time, unstamped) made one
    rereads     what a page read in full reads again: empty cells, a masked ID stretched
    labelled/   the checked fallback: a page read in full, by its labels
    template/   the fast path: a known form registered, its values read where it prints them
    image/      the recognizer, a page's pixels before reading (inks, stamps), geometry
    validate/   values cleaned and checked: ID check characters, the sums, carriers
    vocabulary/ what an itinerary prints: carriers, cities, labels
"""

__all__ = [
    "image", "labelled", "pool", "readings", "recognizer", "rereads", "template", "validate",
    "vocabulary",
]  # fmt: skip
