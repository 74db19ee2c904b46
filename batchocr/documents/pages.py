"""What a document file holds, page by page, and how its kind is told from its bytes.

A born-digital e-invoice is *read*, not recognized: each page becomes an :class:`Itinerary`
(the service's Name/Value list, exact), a :class:`Foreign` (another kind of invoice, never
sent anywhere) or a :class:`Scan` (no usable text: rendered, to be recognized like a photo).

>>> sniff(b"%PDF-1.7\\n..."), sniff(b"<?xml version='1.0'?><EInvoice/>"), sniff(b"\\x89PNG")
('pdf', 'xml', None)
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Literal

from ..models import NameValue

DocKind = Literal["pdf", "ofd", "xml"]

__all__ = ["DocKind", "DocLimits", "Foreign", "Itinerary", "Page", "Scan", "sniff"]


@dataclass(frozen=True, slots=True)
class DocLimits:
    """Bounds that keep a hostile file from exhausting memory or time."""

    max_pages: int = 1000
    zip_members: int = 2000
    zip_bytes: int = 200 * 1024 * 1024  # uncompressed, all members together
    zip_ratio: int = 200  # uncompressed / compressed, per member
    render_dpi: int = 200


DEFAULT_LIMITS = DocLimits()


@dataclass(frozen=True, slots=True)
class Itinerary:
    """A flight itinerary read exactly from the file's own text or data."""

    page: int  # 1-based
    backend: DocKind
    data: list[NameValue]


@dataclass(frozen=True, slots=True)
class Foreign:
    """Another kind of invoice: reported as such, never recognized or sent."""

    page: int
    kind: str  # as the document names itself, e.g. 电子发票（普通发票）
    number: str | None

    def reason(self) -> str:
        return f"not a flight itinerary: {self.kind}" + (f" {self.number}" if self.number else "")


@dataclass(frozen=True, slots=True)
class Scan:
    """A page with no usable text, rendered as PNG: it goes down the image path."""

    page: int
    image: bytes
    why: str  # "no text", "text without a Unicode map", …


Page = Itinerary | Foreign | Scan


_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8", b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")


def sniff(data: bytes) -> DocKind | None:
    """The document kind from the bytes, or None (an image, or anything else)."""
    if data.startswith(_IMAGE_MAGIC):
        return None
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data[:1024].find(b"%PDF-") >= 0:  # readers allow junk before the header
        return "pdf"
    if data[:4] == b"PK\x03\x04" and _has_ofd_xml(data):
        return "ofd"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "xml"
    return None


def _has_ofd_xml(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return any(n.lower() == "ofd.xml" for n in z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
