"""The service's Name/Value list → normalized itinerary fields + warnings (pure).

The schema is /work/shared/fields.md. Two tables drive everything: which
printed Names mean which key (``_TICKET_NAMES``, ``_SEGMENT_NAMES``) and how
each key's text is parsed (``_TICKET_PARSERS``, ``_SEGMENT_PARSERS``). A value
that cannot be parsed is kept as printed and reported as a warning; nothing is
ever dropped (unknown Names go to ``extra``, and the caller keeps ``raw``).
An entry may carry ``Confidence`` (the offline engine's recognizer score,
0..1); Juhe's answers never do. A value read below :data:`LOW_CONFIDENCE`
is kept and reported as ``low_confidence``.

>>> fields, warnings = normalize([{"Name": "票价", "Value": "CNY 1,190"}])
>>> fields["fare"], fields["segments"], warnings[0].code
('1190.00', [], 'missing_core_field')
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from batchocr.models import NameValue, Warning_

from .checks import check_core, check_gaps, check_total, check_vat
from .parse import (
    Parsed,
    Parser,
    amount,
    calendar_date,
    code,
    domestic_intl,
    flight_date,
    flight_no,
    insurance,
    iso_date,
    plain,
    time_of_day,
)

__all__ = ["LOW_CONFIDENCE", "SEGMENT_KEYS", "TICKET_KEYS", "field_of", "normalize", "ticket_key"]

# Below this the offline engine's read is doubtful enough to check on the scan. Measured
# with the real OCR: on samples/ (259 values, all correct) clean and light pages never
# go below 0.88, the heavy ones have 3 values under 0.80 (0.36, 0.49, 0.797: single
# letters). On generated pages (seeds 300000+), light: 0.4% of correct values under
# 0.80 (1.1% under 0.85); heavy: 2.8% of correct values and 12 of 34 wrong ones under
# 0.80, so a flagged value is ~10x likelier wrong than one not flagged. Lower (0.70)
# flags too few wrong reads (8 of 34); higher (0.85) starts flagging normal reads.
LOW_CONFIDENCE = 0.80

# key → the Names printed for it, in the order of fields.md's tables.
_TICKET_NAMES: dict[str, tuple[str, ...]] = {
    "passenger_name": ("旅客姓名", "姓名"),
    "passenger_id_no": ("有效身份证件号码",),
    "endorsement": ("签注",),
    "e_ticket_no": ("电子客票号码",),
    "check_code": ("验证码",),
    "serial_no": ("印刷序号",),
    "fare": ("票价",),
    "caac_dev_fund": ("民航发展基金",),
    "fuel_surcharge": ("燃油附加费",),
    "other_taxes": ("其他税费",),
    "insurance": ("保险费",),
    "total": ("合计金额", "合计"),
    "agent_code": ("销售单位代号", "销售网点代号"),
    "issued_by": ("填开单位",),
    "issue_date": ("填开日期",),
    "domestic_intl": ("国内国际标签", "国内国际标识"),
    "prompt_info": ("提示信息",),
    "expense_kind": ("发票消费类型",),
    "invoice_no": ("发票号码",),
    "invoice_date": ("开票日期",),
    "vat_rate": ("增值税税率",),
    "vat_amount": ("增值税税额",),
    "buyer_name": ("购买方名称",),
    "buyer_tax_id": ("统一社会信用代码/纳税人识别号", "统一社会信用代码", "纳税人识别号"),
    "issuing_status": ("开票状态", "开具状态"),
}
_SEGMENT_NAMES: dict[str, tuple[str, ...]] = {
    "from": ("始发地", "始发站", "自"),
    "to": ("目的地", "目的站", "至"),
    "carrier": ("承运人",),
    "flight_no": ("航班号",),
    "seat_class": ("座位等级",),
    "date": ("日期",),
    "time": ("时间",),
    "fare_basis": ("客票级别/类别", "客票级别/客票类别"),
    "not_valid_before": ("客票生效日期",),
    "not_valid_after": ("有效期截止日期", "有效截止日期"),
    "baggage": ("免费行李",),
}
TICKET_KEYS: tuple[str, ...] = tuple(_TICKET_NAMES)
SEGMENT_KEYS: tuple[str, ...] = tuple(_SEGMENT_NAMES)


def _name_key(name: str) -> str:
    # OCR inserts stray spaces and full-width forms (／ for /); neither changes the label.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


_ALIASES: dict[str, str] = {
    _name_key(name): key
    for table in (_TICKET_NAMES, _SEGMENT_NAMES)
    for key, names in table.items()
    for name in names
}


def field_of(name: str) -> str | None:
    """The fields.md key a printed Name fills (``销售网点代号`` → ``agent_code``), if any."""
    return _ALIASES.get(_name_key(name))


def _table(keys: Sequence[str], special: Mapping[str, Parser]) -> dict[str, Parser]:
    """Every key in fields.md order; keys without a special parser are kept as printed."""
    return {key: special.get(key, plain) for key in keys}


_TICKET_PARSERS = _table(
    TICKET_KEYS,
    {
        "e_ticket_no": code(r"[-\s]", 13, "bad_e_ticket_no"),
        "check_code": code(r"\s", 4, "bad_check_code"),
        "serial_no": code(r"\s", 11, "bad_serial_no"),
        "invoice_no": code(r"[-\s]"),
        "fare": amount,
        "caac_dev_fund": amount,
        "fuel_surcharge": amount,
        "other_taxes": amount,
        "insurance": insurance,
        "total": amount,
        "vat_amount": amount,
        "issue_date": iso_date,
        "invoice_date": iso_date,
        "domestic_intl": domestic_intl,
    },
)
_SEGMENT_PARSERS = _table(
    SEGMENT_KEYS,
    {
        "flight_no": flight_no,
        "date": flight_date,
        "time": time_of_day,
        "not_valid_before": flight_date,
        "not_valid_after": flight_date,
    },
)


# ---- collecting: raw entries → texts per ticket key, per flight, and extras


@dataclass(frozen=True, slots=True)
class _Texts:
    ticket: dict[str, str]
    flights: dict[int, dict[str, str]]  # flight row → key → text
    extra: dict[str, Any]
    # The Confidence of the entry each kept text came from, where it had a numeric one.
    ticket_conf: dict[str, float] = field(default_factory=dict)
    flight_conf: dict[int, dict[str, float]] = field(default_factory=dict)


def _text(value: Any) -> str:
    return "" if value is None else (value if isinstance(value, str) else str(value)).strip()


def _row(value: Any) -> int | None:
    """A usable flight row, or None (absent, -1 for ticket-level, or junk)."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _confidence(value: Any) -> float | None:
    """A usable Confidence (a finite number), or None: anything else is ignored."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _keep_first(
    target: dict[str, str], conf: dict[str, float], key: str, text: str, score: float | None
) -> None:
    # A repeated Name keeps its first non-empty value (and that entry's Confidence);
    # every entry stays in ``raw``.
    if text and key not in target:
        target[key] = text
        if score is not None:
            conf[key] = score


def _add_extra(extra: dict[str, Any], name: str, text: str) -> None:
    if name not in extra:
        extra[name] = text
    elif isinstance(extra[name], list):
        extra[name].append(text)
    else:
        extra[name] = [extra[name], text]


def _collect(raw: Sequence[NameValue]) -> _Texts:
    texts = _Texts({}, {}, {})
    seen: Counter[str] = Counter()  # how often each flight-level key came without a Row
    for entry in raw:
        if not isinstance(entry, Mapping):
            continue
        name, text = _text(entry.get("Name")), _text(entry.get("Value"))
        key = _ALIASES.get(_name_key(name))
        score = _confidence(entry.get("Confidence"))
        if key in _SEGMENT_NAMES:
            row = _row(entry.get("Row"))
            if row is None:  # no Row: the k-th occurrence of a Name belongs to flight k
                row, seen[key] = seen[key], seen[key] + 1
            flight = texts.flights.setdefault(row, {})
            _keep_first(flight, texts.flight_conf.setdefault(row, {}), key, text, score)
        elif key is not None:
            _keep_first(texts.ticket, texts.ticket_conf, key, text, score)
        else:
            _add_extra(texts.extra, name, text)
    return texts


# ---- parsing and checks


def _parse_all(
    texts: Mapping[str, str],
    parsers: Mapping[str, Parser],
    issue: date | None,
    prefix: str,
    warnings: list[Warning_],
    conf: Mapping[str, float],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, parser in parsers.items():
        text = texts.get(key, "")
        parsed = parser(text, issue) if text else Parsed(None)
        if parsed.problem:
            warnings.append(Warning_(parsed.problem, prefix + key, parsed.detail))
        if key in conf and conf[key] < LOW_CONFIDENCE:
            detail = f"read with confidence {conf[key]:.2f}"
            warnings.append(Warning_("low_confidence", prefix + key, detail))
        out[key] = parsed.value
    return out


def _segments(texts: _Texts, issue: date | None, warnings: list[Warning_]) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = []
    for row in sorted(texts.flights):
        if flight := texts.flights[row]:  # a flight with no values is not emitted
            prefix = f"segments[{len(segments)}]."
            conf = texts.flight_conf.get(row, {})
            segments.append(_parse_all(flight, _SEGMENT_PARSERS, issue, prefix, warnings, conf))
    return segments


# The paper itinerary: 合计 = 票价 + 民航发展基金 + 燃油附加费 + 其他税费. The e-invoice prints
# 票价 and 燃油附加费 without VAT, so its 合计 also holds 增值税税额 (einvoice.md).
def normalize(raw: Sequence[NameValue]) -> tuple[dict[str, Any], list[Warning_]]:
    """Map the service's Name/Value list onto fields.md's keys and validate it.

    ``fields`` has every ticket-level key (None when absent), ``segments`` (one
    dict per non-empty flight, every flight-level key) and ``extra`` (unknown
    Names → value, a list when a Name repeats). Entries may carry ``Row``
    (0-based flight, -1 ticket-level); without it the k-th occurrence of a
    flight-level Name belongs to flight k.

    Warnings come in a fixed order: per-field problems (bad_e_ticket_no,
    bad_check_code, bad_serial_no, bad_amount, bad_date, bad_time, then
    low_confidence for the same field) in ticket key order then flight by
    flight; then total_mismatch, vat_mismatch, segment_gap, missing_core_field. Segment
    warnings name their field ``segments[i].key``. An entry's numeric
    ``Confidence`` below :data:`LOW_CONFIDENCE` gives low_confidence ("read
    with confidence 0.62"); a missing or non-numeric one is ignored.

    A flight date printed without a year ("03DEC", also "O3DEC") gets the year
    that puts it nearest the ticket's issue date (see ``parse.flight_date`` for why
    this differs from fields.md's "latest date not after"); with no readable
    issue date it is kept as printed, uppercased.

    >>> fields, warnings = normalize([
    ...     {"Name": "电子客票号码", "Value": "999-2106974306"},
    ...     {"Name": "航班号", "Value": "ca 1401"}, {"Name": "航班号", "Value": "MU5101"},
    ... ])
    >>> fields["e_ticket_no"], [s["flight_no"] for s in fields["segments"]], warnings
    ('9992106974306', ['CA1401', 'MU5101'], [])
    """
    texts = _collect(raw)
    issue = calendar_date(texts.ticket.get("issue_date"))
    warnings: list[Warning_] = []
    fields = _parse_all(texts.ticket, _TICKET_PARSERS, issue, "", warnings, texts.ticket_conf)
    fields["segments"] = _segments(texts, issue, warnings)
    fields["extra"] = texts.extra
    warnings += check_total(fields) + check_vat(fields)
    warnings += check_gaps(fields["segments"]) + check_core(fields)
    return fields, warnings


def ticket_key(fields: Mapping[str, Any]) -> str | None:
    """The identity used to spot a ticket recorded twice, or None.

    >>> ticket_key({"e_ticket_no": "9992106974306", "invoice_no": None})
    'e_ticket_no:9992106974306'
    >>> ticket_key({"e_ticket_no": None, "invoice_no": None}) is None
    True
    """
    for key in ("e_ticket_no", "invoice_no"):
        if value := fields.get(key):
            return f"{key}:{value}"
    return None
