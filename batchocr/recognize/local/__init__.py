"""The local engine: offline OCR of itineraries into the service's Name/Value list.

``batchocr.recognize.local.recognizer.recognize`` reads one image; ``LocalBackend`` runs
it in worker processes behind the engine's backend protocol. The OCR models
ship in the optional ``rapidocr-onnxruntime`` dependency (``batchocr[local]``),
imported on first use only.

::

    recognizer  the entry points: recognize(image) and LocalBackend
    pool        the one process pool, shared by run and serve; a crash fails one page
    ocr         RapidOCR (detection + recognition), loaded once per process
    crops       a line's pixels before it is read: a dot-matrix head's gaps filled
    lexicon     a misread label, city or carrier told by the recognizer's probabilities
    register  geometry  layout  printed  printed_boxes   which form, and where on it
    extract  table  repair  checks   boxes → Name/Value list, cleaned and cross-checked
    sums        the amounts' arithmetic: the total per document, the VAT equation
    identity    ID numbers and credit codes: shape, region digits, check characters
    airlines  places   the carriers and the cities an itinerary names (data)
    fullpage  labels  values   the checked fallback: a page read in full, by its labels
    upright     its lines as upright words: marks, stations and labels inside a line parted
    misread     labels misread past a slip, named by the form of the value beside them
    amounts     an amount row whose labels went unread, named by its order and its sums
    forms       values whose form one field alone has, named without their label
    confirm     numbers nothing checks, kept only when a second reading agrees
    inks        a page printed in two inks parted into one image per ink
    stamps      a stamp (a seal, a 已报销 mark) lifted off a page by its shape
    readings    two readings of one page (whole, an ink at a time, unstamped) made one
"""

__all__ = [
    "airlines", "amounts", "checks", "confirm", "crops", "extract", "forms", "fullpage", "geometry",
    "identity", "inks", "labels", "layout", "lexicon", "misread", "ocr", "places", "pool",
    "printed", "printed_boxes", "readings", "recognizer", "register", "repair", "stamps", "sums",
    "table", "upright", "values",
]  # fmt: skip
