"""Cross-field checks of a normalized ticket: totals by each document's equation, VAT,
the route, the core numbers (pure). Each failure is a warning; nothing is dropped.

>>> [w.code for w in check_total({"total": "620.00", "fare": "477.06", "fuel_surcharge":
...     "45.87", "vat_amount": "47.07", "caac_dev_fund": "50.00", "other_taxes": None})]
[]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..models import Warning_
from .parse import CENTS

__all__ = ["check_core", "check_gaps", "check_total", "check_vat"]


_PAPER_PARTS = ("fare", "caac_dev_fund", "fuel_surcharge", "other_taxes")
_EINVOICE_PARTS = ("fare", "fuel_surcharge", "vat_amount", "caac_dev_fund", "other_taxes")
_NORMAL_AMOUNT = re.compile(r"-?\d+\.\d{2}")
_RATE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<pct>%?)")


def _amounts(fields: Mapping[str, Any], keys: Sequence[str]) -> list[Decimal] | None:
    values = [fields[key] for key in keys]
    if all(isinstance(v, str) and _NORMAL_AMOUNT.fullmatch(v) for v in values):
        return [Decimal(v) for v in values]
    return None  # some part is absent or unparsed: nothing to compare


def check_total(fields: Mapping[str, Any]) -> list[Warning_]:
    """合计 against its parts, with the equation of the document at hand (see above)."""
    if fields["vat_amount"] is None:
        keys: Sequence[str] = _PAPER_PARTS
        filled = dict(fields)
    else:  # the e-invoice often leaves 其他税费 blank: it counts as 0 there
        keys = _EINVOICE_PARTS
        filled = {**fields, "other_taxes": fields["other_taxes"] or "0.00"}
    values = _amounts(filled, ("total", *keys))
    if values is None:
        return []
    total, *parts = values
    if total == sum(parts, Decimal(0)):
        return []
    shown = " + ".join(f"{p}" for p in parts)
    return [Warning_("total_mismatch", "total", f"total {total} != {shown}")]


def _rate(text: Any) -> Decimal | None:
    """``9%`` or ``0.09`` → Decimal("0.09")."""
    match = _RATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    value = Decimal(match["n"])
    return value / 100 if match["pct"] or value >= 1 else value


def check_vat(fields: Mapping[str, Any]) -> list[Warning_]:
    """增值税税额 = (票价 + 燃油附加费) x 增值税税率, to the cent (a cent of rounding allowed)."""
    values = _amounts(fields, ("vat_amount", "fare", "fuel_surcharge"))
    rate = _rate(fields["vat_rate"])
    if values is None or rate is None:
        return []
    vat, fare, fuel = values
    expected = ((fare + fuel) * rate).quantize(CENTS, rounding=ROUND_HALF_UP)
    if abs(vat - expected) <= CENTS:
        return []
    detail = f"vat_amount {vat} != ({fare} + {fuel}) x {fields['vat_rate']} = {expected}"
    return [Warning_("vat_mismatch", "vat_amount", detail)]


def check_gaps(segments: Sequence[Mapping[str, Any]]) -> list[Warning_]:
    return [
        Warning_("segment_gap", f"segments[{i}].to", f"{a['to']} != {b['from']} (next from)")
        for i, (a, b) in enumerate(itertools.pairwise(segments))
        if a["to"] and b["from"] and a["to"] != b["from"]
    ]


def check_core(fields: Mapping[str, Any]) -> list[Warning_]:
    if fields["e_ticket_no"] or fields["invoice_no"]:
        return []
    return [Warning_("missing_core_field", None, "neither e_ticket_no nor invoice_no was found")]
