"""The labels of the itinerary forms, as printed and as read: the Chinese labels the readers
know (one misread character in four forgiven) and the English halves of bilingual labels, which
are never values (pure).

>>> label_text("旅客娃名"), english_label("VAMEOFPASSENGEF"), english_label("YOW")
('旅客姓名', True, False)
"""

from __future__ import annotations

import difflib
import re

from ...documents import positioned

__all__ = [
    "COLON", "ENGLISH", "LABELS", "english_label", "english_length", "fragment", "label_text",
]  # fmt: skip

LABELS = tuple(sorted(positioned.KNOWN_LABELS, key=len, reverse=True))
COLON = "：:"


def label_text(text: str) -> str:
    """A word that reads like a known label (one slip per four characters) becomes it."""
    key = text.rstrip(COLON).replace(" ", "")
    if len(key) < 2 or key in positioned.KNOWN_LABELS:
        return text
    best = difflib.get_close_matches(key, LABELS, n=1, cutoff=0.0)
    if not best:
        return text
    label = best[0]
    ratio = difflib.SequenceMatcher(None, key, label).ratio()
    slips = round((1 - ratio) * max(len(key), len(label)))
    if len(label) >= 4 and slips <= len(label) // 4 and abs(len(key) - len(label)) <= 1:
        return label + text[len(text.rstrip(COLON)) :]
    return text


_LABEL_TEXTS = (
    "NAME OF PASSENGER", "ID.NO.", "ENDORSEMENTS/RESTRICTIONS", "CARRIER", "FLIGHT", "CLASS",
    "DATE", "TIME", "FARE BASIS", "NOT VALID BEFORE", "NOT VALID AFTER", "ALLOW", "FARE",
    "CAAC DEVELOPMENT FUND", "FUEL SURCHARGE", "OTHER TAXES", "TOTAL", "E-TICKET NO.", "CK.",
    "INFORMATION", "INSURANCE", "AGENT CODE", "ISSUED BY", "DATE OF ISSUE", "SERIAL NUMBER",
    "INVOICE NO.", "DOMESTIC/INTERNATIONAL", "BUYER", "TAX ID", "FROM", "TO",
    "ITINERARY/RECEIPT OF E-TICKET FOR AIR TRANSPORT",
)  # fmt: skip
ENGLISH = tuple(e.replace(" ", "") for e in _LABEL_TEXTS)


def english_length(run: str) -> int:
    """How much of a run of Latin letters is an English label: all of it when it is one
    (or the start of one, four letters or more), its head when a label runs into a value
    (``OTHERTAXESO`` of ``OTHERTAXESO.00``); 0 when it is none.

    >>> english_length("OTHERTAXESO"), english_length("NAMEOF"), english_length("YOW")
    (10, 6, 0)
    """
    t = run.upper()
    heads = [e for e in ENGLISH if t.startswith(e)]
    if heads:
        return len(max(heads, key=len))
    if len(t) >= 4 and any(e.startswith(t) for e in ENGLISH):
        return len(run)
    return len(run) if english_label(run) else 0


def english_label(text: str) -> bool:
    """The English half of a bilingual label (``VAMEOFPASSENGEF``), however OCR spaced it.

    >>> english_label("VAMEOFPASSENGEF"), english_label("NOT VALIDBEFORE"), english_label("YOW")
    (True, True, False)
    """
    t = text.replace(" ", "").upper()
    if len(t) < 4 or not re.fullmatch(r"[A-Z./\-,]+", t):
        return False
    return bool(difflib.get_close_matches(t, ENGLISH, n=1, cutoff=0.75))


def fragment(text: str) -> bool:
    """A piece of an English label (``NO.``, ``OF``, ``EMEN``, ``BASIS``, ``TME`` for TIME):
    Latin letters only, found inside one of the English labels or one misread from one of
    their words.

    >>> fragment("EMEN"), fragment("TME"), fragment("KOW"), fragment("Y")
    (True, True, False, False)
    """
    t = re.sub(r"[\s./\-]", "", text).upper()
    if not (t.isalpha() and t.isascii() and len(t) >= 2):
        return False
    if any(t in e.replace(".", "") for e in ENGLISH):
        return True
    return len(t) >= 3 and bool(difflib.get_close_matches(t, _WORDS, n=1, cutoff=0.8))


_WORDS = tuple({w for e in _LABEL_TEXTS for w in re.split(r"[\s./\-]+", e) if len(w) >= 3})
