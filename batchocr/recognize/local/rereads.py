"""What a page read in full reads again (the recognizer's re-reads around :func:`read_full`):
its empty flight cells as they are (:func:`with_blanks`), and its masked lines stretched
(:func:`.image.ocr.reread`) where its masked ID number did not read as one
(:func:`with_id_reread`).

The recognizer merges a digit into a long run of asterisks (``510107*********361`` for
``510107********8361``), as the fast path knows, or reads a long mask short (``11****0140``
for ``610113********0140``, which the ID's shape restores as a short mask's, 11*****0140);
more time steps per glyph stop both.

>>> _adds_to("11*****0140", "610113********0140"), _adds_to("3301060763", "3301069763")
(True, False)
"""

from __future__ import annotations

from dataclasses import replace

from PIL import Image

from .image import ocr
from .labelled.confirm import one_stroke_more
from .labelled.fullpage import FullReading, read_full
from .readings import ID_NUMBER, pooled
from .validate.repair import squeeze

__all__ = ["has_id", "starred", "stars_reread", "with_blanks", "with_id_reread"]


def with_id_reread(picture: Image.Image, page: ocr.Page, full: FullReading) -> FullReading:
    """``full``, or, when it has no ID number or one no line printed as read (a masked number
    restored to its shape), the page read again with its masked lines recognized stretched
    (:func:`.ocr.reread`): the recognizer merges a digit into a long run of asterisks
    (``510107*********361`` for ``510107********8361``), as the fast path knows, or reads a
    long mask short (``11****0140``, restored as 11*****0140, for ``610113********0140``)."""
    if not starred(page) or _id_as_read(full, page):
        return full
    stretched = stars_reread(picture, page)
    again = with_blanks(picture, stretched.boxes)
    # (a restored number gives way only to one read as printed that keeps its digits: a
    # stretched reading may find digits lost, ``11*****0140`` for 610113********0140, but
    # not overrule them, ``…9763`` for the 0763 read first on a heavy photo)
    better = has_id(again) and (not has_id(full) or (
        _id_as_read(again, stretched) and _adds_to(_id(full), _id(again))))
    return again if better and len(again.data) >= len(full.data) else full


def _id(full: FullReading) -> str:
    return next((d["Value"] for d in full.data if d["Name"] == ID_NUMBER), "")


def _id_as_read(full: FullReading, page: ocr.Page) -> bool:
    """Whether ``full``'s ID number stands in one of ``page``'s lines as it is."""
    number = squeeze(_id(full))
    return bool(number) and any(number in squeeze(b.text) for b in page.boxes)


def _adds_to(first: str, second: str) -> bool:
    """Whether ``second`` holds the digits of ``first`` in their order (all, when empty)."""
    rest = iter(second)
    return all(glyph in rest for glyph in first if glyph.isalnum())


def starred(page: ocr.Page) -> list[int]:
    return [i for i, b in enumerate(page.boxes) if "**" in b.text]


def has_id(full: FullReading) -> bool:
    return bool(_id(full))


def stars_reread(picture: Image.Image, page: ocr.Page) -> ocr.Page:
    """``page`` with its masked lines recognized again stretched (see :func:`with_id_reread`)."""
    # (a line read again as it was with a 1 more is no new reading: stretched, a lost first
    # digit's edge reads as a 1, ``120102****`` where the line read ``20102****`` for 320102)
    boxes = tuple(a if one_stroke_more(a.text, b.text) else b for a, b in zip(
        page.boxes, ocr.reread(picture, page, starred(page)).boxes, strict=True))
    return replace(page, boxes=boxes)


def with_blanks(picture: Image.Image, boxes: tuple[ocr.Box, ...]) -> FullReading:
    """:func:`read_full` of ``boxes``, and again with its empty flight cells read as they are."""
    full = read_full(boxes)
    if full.blanks:  # (a cell's ink read apart may spoil a line the rest read well)
        return pooled(full, read_full((*boxes, *ocr.read_quads(picture, full.blanks))))
    return full
