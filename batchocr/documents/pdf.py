"""PDF pages → :mod:`~batchocr.documents.pages` records, through PDFium (pypdfium2).

Characters and their boxes come from PDFium's text page, turned with the page's ``/Rotate``
(the air e-invoice is stored as a portrait page turned 90°) into points on the page as shown.
Pages are opened one at a time, so a 500-page file is never held whole. A page whose text is
missing, or extracts as nothing we know (fonts without a Unicode map give empty or junk
text), is rendered and handed back as a :class:`~batchocr.documents.pages.Scan`.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator

import pypdfium2 as pdfium

from ..errors import DocumentError
from ..models import InputKind
from .pages import DEFAULT_LIMITS, DocLimits, Foreign, Itinerary, Page, Scan
from .positioned import Char, interpret, words

__all__ = ["read_pdf"]


# PDFium is not thread-safe, and pages are read in worker threads: one call at a time.
_PDFIUM = threading.Lock()


def pdf_pages(data: bytes, limits: DocLimits = DEFAULT_LIMITS) -> int:
    """The page count; raises DocumentError for a PDF that cannot be read or has too many."""
    with _PDFIUM:
        pdf = _open(data)
        try:
            return _checked(len(pdf), limits)
        finally:
            pdf.close()


def _checked(count: int, limits: DocLimits) -> int:
    if count == 0:
        raise DocumentError("the PDF has no pages", InputKind.PDF_PAGES)
    if count > limits.max_pages:
        raise DocumentError(
            f"the PDF has {count} pages (at most {limits.max_pages} are read)", InputKind.PDF_PAGES
        )
    return count


def read_pdf(
    data: bytes, limits: DocLimits = DEFAULT_LIMITS, wanted: Callable[[int], bool] | None = None
) -> Iterator[Page]:
    """Each page of the PDF, in order; pages for which ``wanted(n)`` is False are skipped.

    Pages are opened one at a time: a 500-page file is never held in memory whole.
    """
    with _PDFIUM:
        pdf = _open(data)
    try:
        with _PDFIUM:
            count = _checked(len(pdf), limits)
        for index in range(count):
            if wanted is not None and not wanted(index + 1):
                continue
            with _PDFIUM:
                page = pdf[index]
                try:
                    result = _read_page(page, index + 1, limits)
                finally:
                    page.close()
            yield result
    finally:
        with _PDFIUM:
            pdf.close()


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise DocumentError("the PDF is password-protected", InputKind.PDF_LOCKED) from None
        if "security" in text:
            raise DocumentError(
                "the PDF is encrypted with an unsupported scheme", InputKind.PDF_LOCKED
            ) from None
        raise DocumentError(
            f"not a readable PDF ({_reason(text)})", InputKind.DAMAGED_PDF
        ) from None


def _reason(text: str) -> str:
    return text.split(":", 1)[-1].strip() or "unknown error"


def _read_page(page: pdfium.PdfPage, number: int, limits: DocLimits) -> Page:
    chars = page_chars(page)
    if not chars:
        return Scan(number, _render(page, limits.render_dpi), "no text layer")
    reading = interpret(words(chars))
    if reading.foreign:
        numbers = [d["Value"] for d in reading.data if d["Name"] == "发票号码"]
        return Foreign(number, reading.title or "", numbers[0] if numbers else None)
    if not reading.usable:
        return Scan(number, _render(page, limits.render_dpi), "text without a usable Unicode map")
    return Itinerary(number, "pdf", reading.data)


def page_chars(page: pdfium.PdfPage) -> list[Char]:
    """Every character with its box, in points on the page as displayed."""
    turn = _turn(page)
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        if n <= 0:
            return []
        text = textpage.get_text_range(0, n)
        out: list[Char] = []
        for i, ch in enumerate(text[:n]):
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            x0, y0, x1, y1 = turn(left, bottom, right, top)
            out.append((ch, x0, y0, x1, y1))
        return out
    finally:
        textpage.close()


def _turn(page: pdfium.PdfPage):  # type: ignore[no-untyped-def]
    """Page space (y up, unrotated) → displayed points (x from the left, y from the top)."""
    x_min, y_min, x_max, y_max = page.get_mediabox()
    w, h = x_max - x_min, y_max - y_min
    rotation = page.get_rotation() % 360

    def turn(left: float, bottom: float, right: float, top: float) -> tuple[float, ...]:
        left, right, bottom, top = left - x_min, right - x_min, bottom - y_min, top - y_min
        if rotation == 90:
            return bottom, left, top, right
        if rotation == 180:
            return w - right, bottom, w - left, top
        if rotation == 270:
            return h - top, w - right, h - bottom, w - left
        return left, h - top, right, h - bottom

    return turn


def _render(page: pdfium.PdfPage, dpi: int) -> bytes:
    bitmap = page.render(scale=dpi / 72)  # PDFium applies /Rotate itself
    try:
        image = bitmap.to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG")
        return out.getvalue()
    finally:
        bitmap.close()
