"""Two readings of one page made one (pure): the page read whole and read again, one ink at
a time, without its stamp, or with its empty cells read as they are. Each reading loses
fields the other keeps; what one may add to the other is what something vouches for.
"""

from __future__ import annotations

from ...documents.flights.table import merged
from ...models import NameValue
from .labelled.amounts import summed_from
from .labelled.fullpage import FullReading
from .validate.checks import REFUTED
from .validate.sums import adds_up

__all__ = ["ID_NUMBER", "POOLED", "pooled", "ticket_entries", "with_missing"]

ID_NUMBER = "有效身份证件号码"
# Ticket fields one reading of a page may add to another's: a masked ID number's shape and
# region, a credit code's two check characters vouch for them (a mixed-pen page's ID read
# only where the pen's ring and the number were boxed apart).
POOLED = frozenset({ID_NUMBER, "统一社会信用代码/纳税人识别号"})


def with_missing(full: FullReading, other: FullReading) -> FullReading:
    """``full`` with the ticket's fields only ``other`` read; not the amounts that ``full``
    left out as contradicting each other (:attr:`.FullReading.refuted`): ``other`` read
    them as they were (a glyph hidden under a label) without the one that refuted them."""
    have = {d["Name"] for d in full.data if d.get("Row", -1) < 0}
    if full.refuted:
        have |= set(REFUTED)
    more = [d for d in other.data if d.get("Row", -1) < 0 and d["Name"] not in have]
    return FullReading([*full.data, *more], full.blanks, full.doubted, full.refuted)


def pooled(a: FullReading, b: FullReading) -> FullReading:
    """The reading with more entries, with the flight fields only the other read
    (:func:`merged`), and the other's amounts if only they add up (:func:`.amounts.summed_from`).
    The ticket's other fields are not pooled (on held-out pages the other reading's added
    wrong ones, an agency, a check code, and on the tuning pages nothing right), but for
    the ones with a shape and check to vouch for them (:data:`POOLED`); and when the other
    read more of the ticket's fields, the ticket's fields only it read are added
    (:func:`with_missing`). The amounts one reading refuted (:attr:`.FullReading.refuted`)
    are left out unless they add up whole."""
    first, second = (b, a) if len(b.data) > len(a.data) else (a, b)
    data = summed_from(merged(first.data, second.data), second.data)  # the sum decides those
    have = {d["Name"] for d in data if int(d.get("Row", -1)) < 0}
    data += [d for d in second.data if d["Name"] in POOLED and d["Name"] not in have
             and int(d.get("Row", -1)) < 0]  # fmt: skip
    ticket = {d["Name"]: d["Value"] for d in data if int(d.get("Row", -1)) < 0}
    refuted = (a.refuted or b.refuted) and not adds_up(ticket)
    if refuted:  # (what one reading's amounts refute, the other's cannot vouch for unchecked)
        data = [d for d in data if d["Name"] not in REFUTED or int(d.get("Row", -1)) >= 0]
    out = FullReading(data, first.blanks, first.doubted, refuted)
    # (the reading with fewer entries but more of the ticket's read the ticket better: a page
    # whose values touch their labels' English, read an ink at a time, may read the ticket's
    # fields the whole page lost and lose flight cells the whole page read)
    more = ticket_entries(second.data) > ticket_entries(first.data)
    return with_missing(out, second) if more else out


def ticket_entries(data: list[NameValue]) -> int:
    """How many of ``data``'s entries are the ticket's, not a flight's."""
    return sum(int(d.get("Row", -1)) < 0 for d in data)
