"""``batchocr report OUT``: what a run left to do, and what to do about it.

usage: batchocr report [-h] [--html FILE] OUT

The text report (stdout) has the last run's totals from ``summary.json``; the
failures of ``errors.jsonl`` grouped by kind, each kind with what the user
should do (:data:`CODE_ADVICE`, :data:`INPUT_KINDS`); the warnings of
``results.jsonl`` grouped by code; and the tickets recorded more than once.

``--html FILE`` also writes one self-contained page for reviewers (inline CSS,
images as ``data:`` URIs, no script; a Content-Security-Policy forbids loading
anything else): the same summary, then a card per item that needs a human
look, with a thumbnail of the scan, its fields and the problem highlighted.
Every value is escaped: the text comes from OCR. The file is owner-only (0600).

>>> print(text_report(None, [], []))
No summary.json: no run has finished in this OUT yet.
<BLANKLINE>
Failures: none.
<BLANKLINE>
Warnings: none.
<BLANKLINE>
Duplicate tickets: none.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import os
import re
import sys
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from ..errors import CODE_MEANINGS, UsageError
from ..run.sinks import ERRORS, RESULTS, SUMMARY, write_atomic
from .export import duplicate_groups, find_duplicates, load_records, merged_warnings
from .fields import SEGMENT_KEYS, TICKET_KEYS

__all__ = [
    "CODE_ADVICE",
    "INPUT_KINDS",
    "WARNING_ADVICE",
    "Digest",
    "Group",
    "add_arguments",
    "classify_failure",
    "digest",
    "html_report",
    "run",
    "text_report",
    "thumbnail",
]

CODE_ADVICE: dict[int, str] = {
    252601: "the service could not read the image data: save the scan as JPEG or PNG,"
    " then rerun with --retry-failed",
    252602: "the service was busy: rerun later; the rerun sends these again",
    252603: "the image was garbled on the way: rerun with --retry-failed; if it repeats,"
    " re-save the file as JPEG or PNG",
    252604: "no itinerary was recognized: check that the image is an itinerary, re-scan it"
    " sharper and straight, then rerun with --retry-failed",
    10001: "wrong key: check JUHE_KEY (or the config's key) against the provider's console"
    " and rerun",
    10002: "the key may not use this API: enable the itinerary-OCR API for it in the"
    " provider's console and rerun",
    10003: "key expired: renew it in the provider's console and rerun",
    10004: "wrong OPENID: check the account settings in the provider's console and rerun",
    10005: "the application is not approved yet: finish the verification in the provider's"
    " console, then rerun",
    10007: "the provider does not accept requests from here: check --endpoint and the key's"
    " allowed sources, then rerun",
    10008: "this machine's IP address is banned: ask the provider's support; rerun once lifted",
    10009: "the key is banned: ask the provider's support or use another key, then rerun",
    10011: "this IP address sent too many requests: lower --qps or wait; rerun resumes",
    10012: "quota/rate: lower --qps or wait; rerun resumes (a used-up daily quota needs"
    " more quota or the next day)",
    10013: "the test key's allowance is used up: switch to a paid key and rerun",
    10014: "the service failed internally: rerun later; rerun resumes",
    10020: "the API is under maintenance: rerun later; rerun resumes",
    10021: "the provider discontinued this API: contact the provider; nothing can be"
    " recognized until another service is configured",
}
UNKNOWN_CODE_ADVICE = (
    "an undocumented code: look it up with the provider, then rerun with --retry-failed"
)
TRANSPORT_ADVICE = (
    "no usable answer (timeout, connection or HTTP error): check the network and --endpoint"
    " (raise --timeout if these are timeouts); rerun resumes and sends these again"
)
PENDING_ADVICE = "not sent yet: rerun the same command; it resumes where it stopped"

_AGAIN = ", then rerun with --retry-failed"
_REPLACE = ", then rerun"
# reason prefix → (kind, what to do); first match wins, in this order.
INPUT_KINDS: tuple[tuple[str, str, str], ...] = (
    ("file not found", "file not found", "check the path (it moved or was deleted)" + _AGAIN),
    ("no such file", "file not found", "check the path (it moved or was deleted)" + _AGAIN),
    ("permission denied", "permission denied", "let batchocr's user read the file" + _AGAIN),
    ("cannot list directory", "folder not readable", "let batchocr's user read it" + _AGAIN),
    ("is a directory", "not a file", "give image files or folders, not special files" + _AGAIN),
    ("not a regular file", "not a file", "give image files or folders, not special files" + _AGAIN),
    ("empty file", "empty file", "copy the file again or re-scan it" + _REPLACE),
    ("file too large", "file too large", "re-scan at a lower resolution or as JPEG" + _REPLACE),
    ("not an image (a PDF", "a PDF, not an image", "export the page as JPEG or PNG" + _REPLACE),
    ("not an image", "not an image", "remove it or replace it with the scan" + _REPLACE),
    ("unsupported image format", "HEIF/AVIF image", "export it as JPEG or PNG" + _REPLACE),
    ("truncated or corrupt", "damaged image", "copy the file again or re-scan it" + _REPLACE),
    (
        "image too large to decode",
        "image too large to decode",
        "re-scan at a lower resolution" + _REPLACE,
    ),
    ("image too small", "image too small", "re-scan at a higher resolution" + _REPLACE),
    ("image too elongated", "image too elongated", "crop it to the itinerary" + _REPLACE),
    (
        "image does not fit",
        "image too large to send",
        "re-scan at a lower resolution or crop" + _REPLACE,
    ),
    ("line ", "bad manifest row", "fix the row in the manifest" + _REPLACE),
    ("no path", "bad manifest row", "fix the row in the manifest" + _REPLACE),
)
INPUT_FALLBACK = ("unusable input", "fix or re-scan the file" + _REPLACE)

WARNING_ADVICE: dict[str, str] = {
    "total_mismatch": "the total is not fare + CAAC fund + fuel surcharge + other taxes:"
    " compare the amounts with the scan",
    "bad_e_ticket_no": "the e-ticket number is not 13 digits: read it off the scan",
    "bad_check_code": "the check code is not 4 digits: read it off the scan",
    "bad_serial_no": "the serial number is not 11 digits: read it off the scan",
    "bad_amount": "an amount could not be read: take it from the scan",
    "bad_date": "a date could not be read: take it from the scan",
    "bad_time": "a time could not be read: take it from the scan",
    "segment_gap": "a flight does not leave from where the previous one landed: check the route"
    " on the scan (an open-jaw trip is genuine)",
    "missing_core_field": "no e-ticket or invoice number: check that this is an itinerary;"
    " re-scan it if it is",
    "duplicate_ticket": "the same ticket is in more than one scan: keep one claim, reject"
    " the others",
}
UNKNOWN_WARNING_ADVICE = "check the named field against the scan"


@dataclass(frozen=True, slots=True)
class Group:
    """Items with the same problem: a title, what to do, and ``(id, detail)`` per item."""

    title: str
    advice: str
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything both reports show, computed once from the three files."""

    totals: tuple[str, ...]
    failures: tuple[Group, ...]
    warnings: tuple[Group, ...]
    duplicates: tuple[tuple[str, tuple[str, ...]], ...]  # "e_ticket_no 999…" → ids


def _code_in(text: str) -> int | None:
    """The first documented service code named in ``text`` (a pending reason, a stop message)."""
    for number in re.findall(r"\d{5,6}", text):
        if int(number) in CODE_ADVICE:
            return int(number)
    return None


def _code_title(code: int) -> str:
    return f"{code} {CODE_MEANINGS.get(code, 'undocumented code')}"


def classify_failure(error: Mapping[str, Any]) -> tuple[int, str, str]:
    """An ``errors.jsonl`` line → (sort rank, group title, what to do).

    >>> classify_failure({"stage": "service", "error_code": 10003})[1:]
    ('10003 the key has expired', "key expired: renew it in the provider's console and rerun")
    """
    stage, reason = str(error.get("stage")), str(error.get("reason") or "")
    code = error.get("error_code")
    if stage == "pending":
        code = code if isinstance(code, int) else _code_in(reason)
        if code is None:
            return 40, "pending: not sent", PENDING_ADVICE
        title = f"pending: the run stopped on {_code_title(code)}"
        return 40, title, CODE_ADVICE.get(code, UNKNOWN_CODE_ADVICE)
    if stage == "transport":
        return 20, "transport: no usable answer", TRANSPORT_ADVICE
    if isinstance(code, int):
        return 10, _code_title(code), CODE_ADVICE.get(code, UNKNOWN_CODE_ADVICE)
    for prefix, kind, advice in INPUT_KINDS:
        if reason.startswith(prefix):
            return 30, f"input: {kind}", advice
    return 30, f"input: {INPUT_FALLBACK[0]}", INPUT_FALLBACK[1]


def _failure_groups(errors: Iterable[Mapping[str, Any]]) -> tuple[Group, ...]:
    found: dict[tuple[int, str, str], list[tuple[str, str]]] = defaultdict(list)
    for error in errors:
        found[classify_failure(error)].append((str(error.get("id")), str(error.get("reason"))))
    return tuple(Group(title, advice, tuple(sorted(items)))
                 for (_, title, advice), items in sorted(found.items()))  # fmt: skip


def _warning_groups(records: Sequence[Mapping[str, Any]]) -> tuple[Group, ...]:
    duplicates = find_duplicates(records)
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for record in records:
        id_ = str(record.get("id"))
        for w in merged_warnings(record, duplicates.get(id_, [])):
            found[str(w.get("code"))].append((id_, str(w.get("detail") or w.get("field") or "")))
    return tuple(
        Group(code, WARNING_ADVICE.get(code, UNKNOWN_WARNING_ADVICE), tuple(sorted(items)))
        for code, items in sorted(found.items())
    )


def _todo(advice: str) -> str:
    """``what to do: …`` wrapped to 100 columns, for terminals and e-mail."""
    return textwrap.fill(
        advice, 100, initial_indent="    what to do: ", subsequent_indent=" " * 16,
        break_on_hyphens=False, break_long_words=False,
    )  # fmt: skip


def _stop_advice(stopped: Mapping[str, Any]) -> str:
    message, reason = str(stopped.get("message") or ""), stopped.get("reason")
    code = _code_in(message)
    if code is not None:
        return CODE_ADVICE[code]
    return {
        "limit": "--limit was reached: rerun (with a new --limit) to send the rest",
        "sigint": "interrupted: rerun the same command; it resumes",
        "sigterm": "terminated: rerun the same command; it resumes",
        "usage": "fix the manifest, then rerun",
    }.get(str(reason), "rerun later; it resumes where it stopped")


def _totals(summary: Mapping[str, Any] | None) -> list[str]:
    if summary is None:
        lines = ["No summary.json: no run has finished in this OUT yet."]
    else:
        s = defaultdict(lambda: "?", summary)
        lines = [
            f"Last run: run {s['run']}, finished {s['finished_at']}:"
            f" exit {s['exit_code']} ({s['exit_meaning']})",
            f"  {s['seen']} seen: {s['done_now']} done now, {s['done_earlier']} done earlier,"
            f" {s['failed']} failed, {s['pending']} pending",
            f"  {s['requests_sent']} page(s) read by the local engine, nothing billed"
            if summary.get("backend") == "local"
            else f"  {s['requests_sent']} request(s): {s['billable_requests']} billable,"
            f" {s['retries']} retries",
        ]
        if summary.get("duplicate_tickets"):
            lines.append(f"  {s['duplicate_tickets']} ticket(s) already recorded from another scan")
        if isinstance(stopped := summary.get("stopped"), Mapping):
            lines.append(f"  stopped: {stopped.get('message')}")
            lines.append(_todo(_stop_advice(stopped)))
    return lines


def digest(
    summary: Mapping[str, Any] | None,
    errors: Iterable[Mapping[str, Any]],
    records: Iterable[Mapping[str, Any]],
) -> Digest:
    """Group the failures and warnings and find the duplicates (pure)."""
    records = list(records)
    warnings = _warning_groups(records)
    totals = _totals(summary)
    if records:
        warned = len({id_ for g in warnings for id_, _ in g.items})
        totals.append(f"Recorded in OUT: {len(records)} ticket(s), {warned} with warnings.")
    return Digest(
        totals=tuple(totals),
        failures=_failure_groups(errors),
        warnings=warnings,
        duplicates=tuple((key, tuple(ids)) for key, ids in duplicate_groups(records)),
    )


def _section(name: str, groups: Sequence[Group], unit: str) -> list[str]:
    if not groups:
        return [f"{name}: none."]
    lines = [f"{name}: {sum(len(g.items) for g in groups)} {unit}"]
    for g in groups:
        lines += [f"  {g.title} ({len(g.items)})", _todo(g.advice)]
        lines += [f"      {id_}: {detail}" for id_, detail in g.items]
    return lines


def text_report(
    summary: Mapping[str, Any] | None,
    errors: Iterable[Mapping[str, Any]],
    records: Iterable[Mapping[str, Any]],
) -> str:
    """The plain-text report: totals, failures, warnings, duplicates."""
    d = digest(summary, errors, records)
    lines = [*d.totals, ""]
    lines += [*_section("Failures", d.failures, "item(s) not done (errors.jsonl)"), ""]
    lines += _section("Warnings", d.warnings, "finding(s) in recorded tickets (results.jsonl)")
    lines.append("")
    if d.duplicates:
        lines.append(f"Duplicate tickets: {len(d.duplicates)} ticket(s) in more than one scan")
        lines.append(_todo(WARNING_ADVICE["duplicate_ticket"]))
        lines += [f"  {key}: {', '.join(ids)}" for key, ids in d.duplicates]
    else:
        lines.append("Duplicate tickets: none.")
    return "\n".join(lines)


Thumbnail = Callable[[str], str | None]


def thumbnail(source: str, size: int = 240) -> str | None:
    """The scan at ``source`` as a JPEG ``data:`` URI, ``size`` px at most; None if unreadable.

    >>> thumbnail("/nonexistent/scan.png") is None
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


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


_CSS = """
body{font:14px/1.45 "WenQuanYi Zen Hei","Noto Sans CJK SC","Microsoft YaHei","PingFang SC",
 sans-serif;margin:0 auto;max-width:1180px;padding:16px 24px;color:#1d2330;background:#f5f6f8}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:24px 0 8px;border-bottom:1px solid #ccd}
h3{font-size:15px;margin:0 0 6px}a{color:#114a9e}
.totals{background:#fff;border:1px solid #dde;padding:8px 14px;white-space:pre-wrap;
 font-family:inherit;margin:0}
.group{background:#fff;border:1px solid #dde;border-left:4px solid #d98e04;margin:8px 0;
 padding:6px 14px}.group.fail{border-left-color:#c62828}.group ul{margin:2px 0;padding-left:20px}
.advice{margin:2px 0;color:#114a9e}.todo{color:#1d2330;text-decoration:underline}
.what{color:#6b2e00}.fail .what{color:#8e1414}
.count{background:#e4e6eb;border-radius:9px;padding:0 7px;font-size:12px;margin-left:6px}
.card{display:grid;grid-template-columns:250px 1fr;gap:16px;background:#fff;border:1px solid #dde;
 border-radius:6px;margin:14px 0;padding:14px;break-inside:avoid}
.scan img{max-width:240px;border:1px solid #ccd;display:block}
.noimg{width:240px;height:110px;display:flex;align-items:center;justify-content:center;
 background:#eceef2;color:#667;border:1px dashed #aab;text-align:center}
.path{color:#556;font-size:12px;word-break:break-all;margin:6px 0 0}
.badge{display:inline-block;border-radius:4px;padding:0 6px;margin-left:6px;font-size:12px;
 background:#fff0c2;color:#6b4a00}.badge.fail{background:#fde0e0;color:#8e1414}
.problem{background:#fff6db;border-left:4px solid #d98e04;padding:5px 10px;margin:6px 0}
.problem.fail{background:#fdeaea;border-left-color:#c62828}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(185px,1fr));gap:4px;margin:8px 0}
.f{border:1px solid #e3e5ea;padding:1px 6px;word-break:break-all}
.k{display:block;font-size:11px;color:#667}.v{display:block;min-height:1.4em}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
td,th{border:1px solid #dde;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f0f2f6;font-weight:normal;color:#445}
.flag{background:#ffe08a;outline:2px solid #d98e04}.f.flag .k{color:#6b2e00}
"""
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _advice(text: str) -> str:
    return f'<p class="advice"><span class="todo">What to do:</span> {_e(text)}</p>'


def _duplicates_html(duplicates: Digest, anchors: Mapping[str, str]) -> str:
    if not duplicates.duplicates:
        return "<h2>Duplicate tickets: none</h2>"
    rows = "".join(
        f"<tr><td>{_e(key)}</td><td>"
        + ", ".join(f'<a href="#{anchors.get(i, "")}">{_e(i)}</a>' for i in ids)
        + "</td></tr>"
        for key, ids in duplicates.duplicates
    )
    advice = _advice(WARNING_ADVICE["duplicate_ticket"])
    return f"<h2>Duplicate tickets</h2>{advice}<table>{rows}</table>"


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _groups_html(title: str, groups: Sequence[Group], anchors: Mapping[str, str], cls: str) -> str:
    if not groups:
        return f"<h2>{_e(title)}: none</h2>"
    parts = [f"<h2>{_e(title)}</h2>"]
    for g in groups:
        items = "".join(
            f'<li><a href="#{anchors.get(i, "")}">{_e(i)}</a>: {_e(detail)}</li>'
            for i, detail in g.items
        )
        parts.append(
            f'<div class="group {cls}"><h3>{_e(g.title)}<span class="count">{len(g.items)}</span>'
            f"</h3>{_advice(g.advice)}<ul>{items}</ul></div>"
        )
    return "".join(parts)


def _scan(source: Any, thumb: Thumbnail) -> str:
    uri = thumb(str(source)) if source else None
    image = (
        f'<img src="{_e(uri)}" alt="scan">'
        if uri
        else '<div class="noimg">no preview<br>(not a readable image)</div>'
    )
    return f'<div class="scan">{image}<p class="path">{_e(source)}</p></div>'


def _failure_card(anchor: str, error: Mapping[str, Any], thumb: Thumbnail) -> str:
    _, title, advice = classify_failure(error)
    meta = " · ".join(
        f"{k} {_e(str(error[k])[:16] if k == 'sha256' else error[k])}"  # a prefix finds it
        for k in ("stage", "error_code", "attempts", "failed_at", "sha256")
        if error.get(k) is not None
    )
    return (
        f'<article class="card" id="{anchor}" data-id="{_e(error.get("id"))}" data-kind="failure">'
        f"{_scan(error.get('source'), thumb)}<div><h3>{_e(error.get('id'))}"
        f'<span class="badge fail">{_e(title)}</span></h3>'
        f'<div class="problem fail"><span class="what">{_e(error.get("reason"))}</span><br>'
        f'<span class="todo">What to do:</span> {_e(advice)}</div>'
        f'<p class="path">{meta}</p></div></article>'
    )


def _cell(key: str, value: Any, flagged: bool) -> str:
    return (
        f'<div class="f{" flag" if flagged else ""}"><span class="k">{_e(key)}</span>'
        f'<span class="v">{_e(value)}</span></div>'
    )


def _ticket_tables(fields: Mapping[str, Any], flagged: set[str]) -> str:
    """The ticket's fields as a grid and its flights as a table; warned fields are flagged."""
    cells = "".join(
        _cell(k, fields.get(k), k in flagged)
        for k in TICKET_KEYS
        if fields.get(k) is not None or k in flagged
    )
    segments = [s for s in fields.get("segments") or [] if isinstance(s, Mapping)]
    head = "".join(f"<th>{_e(k)}</th>" for k in ("#", *SEGMENT_KEYS))
    body = "".join(
        f"<tr><td>{i}</td>"
        + "".join(
            f"<td{' class=flag' if f'segments[{i}].{k}' in flagged else ''}>{_e(s.get(k))}</td>"
            for k in SEGMENT_KEYS
        )
        + "</tr>"
        for i, s in enumerate(segments)
    )
    flights = f"<table><tr>{head}</tr>{body}</table>" if segments else ""
    return f'<div class="grid">{cells}</div>{flights}'


def _warning_html(w: Mapping[str, Any]) -> str:
    code, field = str(w.get("code")), w.get("field")
    return (
        f'<div class="problem"><span class="what">{_e(code)}</span>'
        f"{f' ({_e(field)})' if field else ''}: {_e(w.get('detail'))}<br>"
        '<span class="todo">What to do:</span>'
        f" {_e(WARNING_ADVICE.get(code, UNKNOWN_WARNING_ADVICE))}</div>"
    )


def _ticket_card(
    anchor: str,
    record: Mapping[str, Any],
    others: Sequence[str],
    anchors: Mapping[str, str],
    thumb: Thumbnail,
) -> str:
    warnings = merged_warnings(record, others)
    codes = list(dict.fromkeys(str(w.get("code")) for w in warnings))
    badges = "".join(f'<span class="badge">{_e(c)}</span>' for c in codes)
    problems = "".join(_warning_html(w) for w in warnings)
    if others:
        links = ", ".join(f'<a href="#{anchors.get(o, "")}">{_e(o)}</a>' for o in others)
        problems += f'<div class="problem">Same ticket as: {links}</div>'
    kind = "duplicate" if others else "warning"
    flagged = {str(w.get("field")) for w in warnings if w.get("field")}
    fields = record.get("fields") if isinstance(record.get("fields"), Mapping) else {}
    return (
        f'<article class="card" id="{anchor}" data-id="{_e(record.get("id"))}"'
        f' data-kind="{kind}" data-codes="{_e(" ".join(codes))}">'
        f"{_scan(record.get('source'), thumb)}"
        f"<div><h3>{_e(record.get('id'))}{badges}</h3>{problems}"
        f"{_ticket_tables(fields or {}, flagged)}</div></article>"
    )


def html_report(
    summary: Mapping[str, Any] | None,
    errors: Iterable[Mapping[str, Any]],
    records: Iterable[Mapping[str, Any]],
    thumbnail: Thumbnail = lambda source: None,
) -> str:
    """The self-contained review page; ``thumbnail(source)`` gives a scan's data URI or None.

    >>> page = html_report(None, [], [{"id": "<script>", "sha256": "1", "fields": {},
    ...                                "warnings": [{"code": "bad_date"}]}])
    >>> "&lt;script&gt;" in page and "<script>" not in page
    True
    """
    errors = sorted(errors, key=lambda e: str(e.get("id")))
    records = sorted(records, key=lambda r: (str(r.get("id")), str(r.get("sha256"))))
    d = digest(summary, errors, records)
    duplicates = find_duplicates(records)
    flagged = [r for r in records if r.get("warnings") or str(r.get("id")) in duplicates]
    failure_at = {str(e.get("id")): f"card-{n}" for n, e in enumerate(errors, 1)}
    ticket_at: dict[str, str] = {}
    for n, r in enumerate(flagged, len(errors) + 1):
        ticket_at.setdefault(str(r.get("id")), f"card-{n}")
    cards = [_failure_card(failure_at[str(e.get("id"))], e, thumbnail) for e in errors]
    cards += [
        _ticket_card(f"card-{n}", r, duplicates.get(str(r.get("id")), []), ticket_at, thumbnail)
        for n, r in enumerate(flagged, len(errors) + 1)
    ]
    body = (
        f'<h1>batchocr review</h1><pre class="totals">{_e(chr(10).join(d.totals))}</pre>'
        + _groups_html("Failures", d.failures, failure_at, "fail")
        + _groups_html("Warnings", d.warnings, ticket_at, "")
        + _duplicates_html(d, ticket_at)
        + f'<h2 id="cards">To check: {len(cards)}</h2>'
        + ("\n".join(cards) or "<p>Nothing needs a human look.</p>")
    )
    return _page(f"batchocr review: {len(cards)} to check", body)


# ---------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``batchocr report`` ."""
    parser.add_argument("out", type=Path, metavar="OUT", help="the output directory of a run")
    parser.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="also write a self-contained review page (owner-only) to FILE",
    )


def _load_summary(path: Path) -> dict[str, Any] | None:
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"batchocr: warning: {path.name} unreadable ({type(exc).__name__})", file=sys.stderr)
        return None
    return summary if isinstance(summary, dict) else None


def run(args: argparse.Namespace) -> int:
    """Print the text report of ``args.out``; with ``--html``, write the page too; returns 0."""
    if not args.out.is_dir():
        raise UsageError(f"{args.out} is not a directory (give the OUT of a run)")
    summary = _load_summary(args.out / SUMMARY)
    errors, records = load_records(args.out / ERRORS), load_records(args.out / RESULTS)
    print(text_report(summary, errors, records))
    if args.html is not None:
        page = html_report(summary, errors, records, thumbnail)
        try:
            write_atomic(args.html, page.encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot write {args.html}: {exc.strerror}") from exc
        print(f"batchocr: review page written to {args.html}", file=sys.stderr)
    return 0
