"""The HTML review page of ``batchocr report --html``: one self-contained file.

Its text comes from documents (OCR'd names, reasons, file names), so it is rendered from a
Jinja2 template with autoescaping on for every value: no value can become markup. Styles
are inline and images are ``data:`` URIs, so the page works offline and its Content
Security Policy forbids everything else (no script at all). A click on a scan opens it
large (a CSS ``:target`` view, no JavaScript) to check a value against the scan.

>>> from batchocr.records import ResultRecord
>>> page = render_review(None, [], [ResultRecord.from_json(
...     {"id": "<script>", "sha256": "1", "warnings": [{"code": "bad_date"}]})])
>>> "&lt;script&gt;" in page and "<script>" not in page
True
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup
from PIL import Image, ImageOps

from ..records import ErrorRecord, ResultRecord, Summary
from .fields import SEGMENT_KEYS, TICKET_KEYS
from .outdir import find_duplicates, merged_warnings
from .report import (
    UNKNOWN_WARNING_ADVICE,
    WARNING_ADVICE,
    classify_failure,
    digest,
    stop_code,
)

__all__ = ["Preview", "preview", "render_review"]

Preview = Callable[[str, int], str | None]  # (source, longest side) → data URI or None
THUMB = 240
LARGE = 1400  # px: enough to read a value on an A5 scan; ~100-200 KB a card as JPEG 70
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
# Our own constant, not data: it goes into the page as written (quotes and all).
_CSP_MARKUP = Markup(CSP)  # noqa: S704


def preview(source: str, size: int = THUMB) -> str | None:
    """The scan at ``source`` as a JPEG ``data:`` URI, ``size`` px at most; None if unreadable.

    >>> preview("/nonexistent/scan.png") is None
    True
    """
    if not os.path.isfile(source):  # a FIFO or device would block the report
        return None
    try:
        with Image.open(source) as img:
            img.draft("RGB", (size, size))  # JPEG: decode at a fraction of the size
            small = ImageOps.exif_transpose(img).convert("RGB")
    except (OSError, ValueError, EOFError, Image.DecompressionBombError):
        return None
    small.thumbnail((size, size))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("batchocr.outputs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    return env.get_template("review.html.j2")


@cache
def _css() -> Markup:
    # Our own file, not data: safe to place verbatim inside <style>.
    text = resources.files("batchocr.outputs").joinpath("templates/review.css").read_text()
    return Markup(text)  # noqa: S704


def _no_preview(source: str, size: int) -> str | None:
    return None


def render_review(
    summary: Summary | None,
    errors: Iterable[ErrorRecord],
    records: Iterable[ResultRecord],
    images: Preview = _no_preview,
) -> str:
    """The page: totals, failures and warnings grouped, duplicates, a card per problem."""

    errors = sorted(errors, key=lambda e: e.id)
    records = sorted(records, key=lambda r: (r.id, r.sha256))
    d = digest(summary, errors, records)
    duplicates = find_duplicates(records)
    flagged = [r for r in records if r.warnings or r.id in duplicates]
    anchors = {e.id: f"card-{n}" for n, e in enumerate(errors, 1)}
    stopped_on = stop_code(summary)
    cards = [_failure(anchors[e.id], e, stopped_on, images) for e in errors]
    for n, r in enumerate(flagged, len(errors) + 1):
        anchors.setdefault(r.id, f"card-{n}")
        cards.append(_ticket(f"card-{n}", r, duplicates.get(r.id, []), images))
    return _template().render(
        css=_css(), csp=_CSP_MARKUP, totals="\n".join(d.totals), failures=d.failures,
        warnings=d.warnings, duplicates=d.duplicates, anchors=anchors, cards=cards,
        duplicate_advice=WARNING_ADVICE["duplicate_ticket"], segment_head=("#", *SEGMENT_KEYS),
    ) + "\n"  # fmt: skip


def _images(source: Any, images: Preview) -> dict[str, Any]:
    thumb = images(str(source), THUMB) if source else None
    large = images(str(source), LARGE) if thumb else None
    return {"source": source, "thumb": thumb, "large": large}


def _failure(anchor: str, error: ErrorRecord, stopped_on: int | None,
             images: Preview) -> dict[str, Any]:  # fmt: skip
    _, title, advice = classify_failure(error, stopped_on)
    facts = (("stage", error.stage.value), ("error_code", error.error_code),
             ("attempts", error.attempts), ("failed_at", error.failed_at),
             ("sha256", error.sha256[:16] if error.sha256 else None))  # a prefix finds it
    meta = " · ".join(f"{k} {v}" for k, v in facts if v is not None)
    return {"anchor": anchor, "id": error.id, "kind": "failure", "codes": (),
            "title": title, "reason": error.reason, "advice": advice, "meta": meta,
            **_images(error.source, images)}  # fmt: skip


def _ticket(anchor: str, record: ResultRecord, others: Sequence[str],
            images: Preview) -> dict[str, Any]:  # fmt: skip
    warnings = [
        {"code": w.code, "field": w.field, "detail": w.detail,
         "advice": WARNING_ADVICE.get(w.code, UNKNOWN_WARNING_ADVICE)}
        for w in merged_warnings(record, others)
    ]  # fmt: skip
    flagged = {str(w["field"]) for w in warnings if w["field"]}
    fields = record.fields
    cells = [(k, fields.get(k), k in flagged) for k in TICKET_KEYS
             if fields.get(k) is not None or k in flagged]  # fmt: skip
    segments = [
        [(i, False), *((s.get(k), f"segments[{i}].{k}" in flagged) for k in SEGMENT_KEYS)]
        for i, s in enumerate(x for x in fields.get("segments") or [] if isinstance(x, Mapping))
    ]
    return {"anchor": anchor, "id": record.id, "kind": "duplicate" if others else "warning",
            "codes": list(dict.fromkeys(w["code"] for w in warnings)), "warnings": warnings,
            "others": list(others), "cells": cells, "segments": segments,
            **_images(record.source, images)}  # fmt: skip
