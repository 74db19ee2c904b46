"""The records that cross module boundaries.

Every record is a frozen dataclass; output lines carry ``schema_version`` so
that readers can tell formats apart when the schema grows.

>>> Item(id="a.png", source="/in/a.png").id
'a.png'
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

NameValue = dict[str, Any]
"""One entry of the service's ``data`` list: ``{"Name": ..., "Value": ..., "Row"?: ...}``."""


class Extent:
    """Geometry shared by every box with text on a page (a PDF word, an OCR line): the mixin
    of dataclasses with ``x0``, ``top``, ``x1``, ``bottom`` fields (y grows downwards)."""

    __slots__ = ()
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        """At least one unit: a box is never flat (tolerances are multiples of it)."""
        return max(self.bottom - self.top, 1.0)


class Stage(enum.StrEnum):
    """Where an item stopped short of done."""

    INPUT = "input"  # unreadable, not an image, bad manifest row: no request was made
    SERVICE = "service"  # the service answered with an error code
    TRANSPORT = "transport"  # timeout, connection error, 5xx, 429, malformed body
    PENDING = "pending"  # never sent (limit, abort, early stop): the next run sends it


class Status(enum.StrEnum):
    """What the state knows of one image content (its bytes, by sha256)."""

    PENDING = "pending"  # never answered: the next run sends it
    RETRY = "retry"  # failed on something that may clear: the next run sends it again
    FAILED = "failed"  # failed for good: sent again only with --retry-failed
    DONE = "done"  # recognized (or read from a document's text): never sent again


class InputKind(enum.StrEnum):
    """What is wrong with an input, as data: the report's advice is looked up by it."""

    NOT_FOUND = "not_found"
    PERMISSION = "permission"
    FOLDER = "folder_unreadable"
    NOT_A_FILE = "not_a_file"
    EMPTY = "empty"
    FILE_TOO_LARGE = "file_too_large"
    PDF_AS_IMAGE = "pdf_as_image"
    NOT_AN_IMAGE = "not_an_image"
    HEIF = "heif"
    DAMAGED_IMAGE = "damaged_image"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_SMALL = "too_small"
    TOO_ELONGATED = "too_elongated"
    TOO_LARGE_TO_SEND = "too_large_to_send"
    OTHER_INVOICE = "other_invoice"
    PDF_LOCKED = "pdf_locked"
    DAMAGED_PDF = "damaged_pdf"
    PDF_PAGES = "pdf_pages"
    UNSAFE_XML = "unsafe_xml"
    DAMAGED_XML = "damaged_xml"
    UNSAFE_OFD = "unsafe_ofd"
    DAMAGED_OFD = "damaged_ofd"
    MANIFEST_ROW = "manifest_row"
    UNUSABLE = "unusable"


@dataclass(frozen=True, slots=True)
class Item:
    """One input to recognize: an image path with a stable id.

    ``problem`` is set for inputs that are broken before any byte is read
    (a manifest row without a path, a duplicate id): they go straight to the
    error report.
    """

    id: str
    source: str
    path: Path | None = None
    problem: str | None = None
    kind: InputKind = InputKind.UNUSABLE  # what ``problem`` is, as data


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """Bytes the service accepts (jpg/png/bmp, longest side ≤ 4096, base64 ≤ 4 MB)."""

    data: bytes
    format: str  # "jpeg" | "png" | "bmp"
    width: int
    height: int
    converted: bool  # False when the original bytes are sent unchanged


@dataclass(frozen=True, slots=True)
class Reply:
    """A parsed service answer: the documented ``{error_code, reason, result}`` JSON."""

    error_code: int
    reason: str
    data: list[NameValue] = field(default_factory=list)
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class Warning_:
    """A validation finding about a recognized ticket; never drops the result."""

    code: str
    field: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "detail": self.detail}


@dataclass(slots=True)
class Counters:
    """Live numbers for progress and the summary."""

    seen: int = 0
    done_now: int = 0
    done_earlier: int = 0
    same_content: int = 0  # ids whose bytes another id already carries
    duplicate_tickets: int = 0  # tickets already recognized from other image bytes
    failed_now: int = 0
    failed_earlier: int = 0
    not_reached: int = 0  # inputs never taken up because the run stopped early
    requests: int = 0
    billable: int = 0
    retries: int = 0
    would_send: int = 0
    would_read: int = 0  # dry run: pages a real run would read from a document's own text
    pace_qps: float | None = None  # the adaptive pacer's current rate (paced backends)
    rate_refusals: int = 0  # 10011/10012 answers the pacer slowed down for
    read_from_files: int = 0  # pages recorded from a PDF/OFD/XML's own text: no request
    in_flight: int = 0
    max_in_flight: int = 0
    retrying: int = 0
    first_request_at: float | None = None
    last_request_at: float | None = None
    failures: Counter[str] = field(default_factory=Counter)  # this run's, by code or stage
