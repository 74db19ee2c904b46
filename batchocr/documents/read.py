"""One entry point for document files: PDF, OFD or XML bytes → their pages, lazily.

>>> list(read_document(b"<?xml version='1.0'?><EInvoice><EIid>1</EIid></EInvoice>", "xml"))
[Foreign(page=1, kind='电子发票（EInvoice XML）', number='1')]
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from ..errors import DocumentError
from ..models import Item
from .ofd import read_ofd
from .pages import DEFAULT_LIMITS, DocKind, DocLimits, Page
from .pdf import pdf_pages, read_pdf
from .xbrl import read_xml

__all__ = ["next_page", "page_count", "page_item", "read_document"]


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


def page_item(item: Item, kind: DocKind, n: int, file_sha: str) -> tuple[Item, str]:
    """A document page's item and content id: ``trip.pdf#p2`` (its own id and source, a
    content id derived from the file's) for PDFs; the file itself for OFD and XML.

    >>> page_item(Item("trip.pdf", "/in/trip.pdf"), "pdf", 2, "ab")[0].id
    'trip.pdf#p2'
    """
    if kind != "pdf":
        return item, file_sha
    sha = hashlib.sha256(f"{file_sha}#p{n}".encode()).hexdigest()
    return Item(f"{item.id}#p{n}", f"{item.source}#p{n}", item.path), sha


def next_page(pages: Iterator[Page]) -> Page | DocumentError | None:
    """The next page, None at the end, or the error that ended the document (for threads)."""
    try:
        return next(pages, None)
    except DocumentError as exc:
        return exc
