"""One entry point for document files: PDF, OFD or XML bytes → their pages, lazily.

>>> list(read_document(b"<?xml version='1.0'?><EInvoice><EIid>1</EIid></EInvoice>", "xml"))
[Foreign(page=1, kind='电子发票（EInvoice XML）', number='1')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .ofd import read_ofd
from .pages import DEFAULT_LIMITS, DocKind, DocLimits, Page
from .pdf import pdf_pages, read_pdf
from .xbrl import read_xml

__all__ = ["page_count", "read_document"]


def page_count(data: bytes, kind: DocKind, limits: DocLimits = DEFAULT_LIMITS) -> int:
    """How many pages (records) the document has: a PDF's page count, else 1."""
    return pdf_pages(data, limits) if kind == "pdf" else 1


def read_document(
    data: bytes,
    kind: DocKind,
    limits: DocLimits = DEFAULT_LIMITS,
    wanted: Callable[[int], bool] | None = None,
) -> Iterator[Page]:
    """The pages of a document; ``wanted(n)`` False skips page n (already done: no work).

    Raises :class:`~batchocr.errors.DocumentError` (an input error) for files that cannot be
    read safely; pages already yielded stand.
    """
    if kind == "pdf":
        yield from read_pdf(data, limits, wanted)
    elif kind == "ofd":
        yield from read_ofd(data, limits)
    else:
        yield read_xml(data)
