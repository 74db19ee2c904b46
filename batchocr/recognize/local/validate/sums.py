"""The amounts' own arithmetic (pure): the total the sum of its parts, per document, and the
e-invoice's VAT equation; a value repaired only when exactly one character of it is off
(misread, lost, or a currency sign read as a digit) and the rest pins it (for the total,
only when every part was read: with one unread, the sum cannot tell which is off); the
e-invoice's VAT amount however far off, when the sum and the VAT equation both pin it.

The sum depends on the document (einvoice.md): the paper itinerary's 合计 is
票价 + 民航发展基金 + 燃油附加费 + 其他税费; the e-invoice prints 票价 and 燃油附加费
without VAT, so its 合计 adds 增值税税额, and 增值税税额 = (票价 + 燃油附加费) x 税率
(to a cent) is a second equation that must hold for a repair to be taken.

>>> t = {"票价": "1190.00", "民航发展基金": "50.00", "燃油附加费": "0.00", "其他税费": "0.00",
...      "合计金额": "1290.00"}
>>> totals(t); t["合计金额"]
'1240.00'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import combinations

from ..vocabulary.labels import edits
from .repair import AS_DIGIT, amount

__all__ = ["EINVOICE_PARTS", "adds_up", "adds_up_partly", "one_off", "summed", "totals",
           "unsummed", "vat", "vat_agrees", "vat_holds"]

_PAPER_PARTS = ("票价", "民航发展基金", "燃油附加费", "其他税费")
EINVOICE_PARTS = ("票价", "燃油附加费", "增值税税额", "民航发展基金", "其他税费")
_CENT = Decimal("0.01")
_EINVOICE_ONLY = ("增值税税额", "增值税税率", "发票号码", "开票日期")


def one_off(a: str, b: str) -> bool:
    """Same length, exactly one character different.

    >>> one_off("1290.00", "1240.00"), one_off("1290.00", "129.00")
    (True, False)
    """
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def totals(ticket: dict[str, str]) -> None:
    einvoice = "增值税税额" in ticket
    total_name = "合计金额" if "合计金额" in ticket else "合计"
    parts = EINVOICE_PARTS if einvoice else _PAPER_PARTS
    if total_name not in ticket:
        _total_in_a_part(ticket, [n for n in parts if n in ticket], total_name)
    names = [n for n in (*parts, total_name) if n in ticket]
    if total_name not in names or "票价" not in names:
        return
    values = {n: Decimal(ticket[n]) for n in names}
    copies = [n for n in names if n not in (total_name, "票价") and values[n] == values[total_name]]
    if copies and values["票价"] > 0:  # the total read into another cell: that value is none
        for n in copies:
            del ticket[n]
        return
    if einvoice and _pinned_twice(ticket, names, total_name):
        return
    if len(names) < len(parts) + 1:
        # A part unread: the others cannot tell which value is off (1380 for 1480); but signs
        # read as 1s that make the parts read add up leave nothing for it (or it is blank).
        # (Not when they add up as read: a 1 off the fare and the total adds up as well.)
        if not adds_up_partly(ticket):
            _signs_read(ticket, names, adds_up_partly)
        return
    total = sum(v for n, v in values.items() if n != total_name)
    if total == values[total_name] or _signs_read(ticket, names):
        return
    wants = {n: f"{want:.2f}" for n, want in (
        (n, total if n == total_name else values[total_name]
         - sum(v for m, v in values.items() if m not in (n, total_name))) for n in names)
        if want >= 0}  # fmt: skip
    # A glyph misread, or lost (a 1 beside a rule: 180.00 for 1180.00), or a currency sign
    # read as a digit (20.00 for ¥0.00)
    fixes = [(n, want) for n, want in wants.items() if one_off(ticket[n], want)
             or _sign_read(ticket[n], want) or _lost_one(ticket[n], want)]  # fmt: skip
    if einvoice:  # net amounts have cents: the VAT equation decides, not round numbers
        fixes = [(n, want) for n, want in fixes if vat_holds({**ticket, n: want}) is not False]
    if len(fixes) > 1:
        # Domestic fares, taxes and so totals are whole tens of yuan (the e-invoice's gross
        # ones too: its fund, other taxes and total): "1889.00" is the misread.
        whole = [n for n in names if not einvoice or n not in ("票价", "燃油附加费", "增值税税额")]
        tens = [(n, want) for n, want in fixes
                if n in whole and want.endswith("0.00") and not ticket[n].endswith("0.00")]
        if len(tens) != 1 and any(len(ticket[n]) != len(want) for n, want in fixes):
            # 1210.00 and 120.00 with parts of 90.00: the total's 1 a sign, or the fare's
            # lost? One of them is wrong and nothing tells which: neither is kept.
            for n, _ in fixes:
                del ticket[n]
        fixes = tens
    if len(fixes) == 1:
        ticket[fixes[0][0]] = fixes[0][1]


def _pinned_twice(ticket: dict[str, str], names: list[str], total_name: str) -> bool:
    """On an e-invoice whose VAT equation fails as read, the VAT amount that the sum gives
    (the total less the other amounts read, one unread taken as nil) when the VAT equation
    then holds, however many glyphs off it was read (``151.32`` for 164.32): two equations
    vouch for it. Repaired if so (True). Not the fare or the surcharge: both equations hold
    their sum alone, so either mended against the other misread keeps both holding
    (``629.72`` and ``40.00`` for 669.72 and ¥0.00).

    >>> t = {"票价": "1816.51", "燃油附加费": "9.17", "增值税税率": "9%",
    ...      "增值税税额": "151.32", "民航发展基金": "50.00", "合计": "2040.00"}
    >>> totals(t); t["增值税税额"]
    '164.32'
    """
    name = "增值税税额"
    if name not in names or vat_holds(ticket) is not False:
        return False
    rest = sum(Decimal(ticket[m]) for m in names if m not in (name, total_name))
    want = f"{Decimal(ticket[total_name]) - rest:.2f}"
    if Decimal(want) <= 0 or not vat_holds({**ticket, name: want}):
        return False
    ticket[name] = want
    return True


def _total_in_a_part(ticket: dict[str, str], parts: list[str], total_name: str) -> None:
    """The total read into a part's cell (a blank one: ``其他税费`` 1210.00 beside it), when
    the total is unread and that part is the sum of the fare and at least one other part
    read (no part of a ticket is: each is less than the fare).

    >>> t = {"票价": "1120.00", "民航发展基金": "50.00", "燃油附加费": "40.00",
    ...      "其他税费": "1210.00"}
    >>> totals(t); t
    {'票价': '1120.00', '民航发展基金': '50.00', '燃油附加费': '40.00', '合计': '1210.00'}
    """
    for n in parts:
        rest = [Decimal(ticket[m]) for m in parts if m != n]
        if n != "票价" and "票价" in parts and len(rest) >= 2 and sum(rest) == Decimal(ticket[n]):
            ticket[total_name] = ticket.pop(n)
            return


def _signs_read(ticket: dict[str, str], names: list[str],
                holds: Callable[[dict[str, str]], bool] | None = None) -> bool:  # fmt: skip
    """Whether the amounts ``names`` add up once some of those read with a leading 1 lose it
    (a dot-matrix ``¥`` read as a 1: ``140.00``, ``10.00`` with ``2530.00``, ``50.00``,
    ``2620.00``, their signs lost); if so they are so repaired. When some of them losing it
    adds up too (``1720.00``, ``130.00``, ``1800.00``: the surcharge's sign alone, or all
    three?), what the choices disagree on is left out.

    >>> t = {"票价": "2530.00", "民航发展基金": "50.00", "燃油附加费": "140.00",
    ...      "其他税费": "10.00", "合计": "2620.00"}
    >>> _signs_read(t, list(t)), t["燃油附加费"], t["其他税费"]
    (True, '40.00', '0.00')
    >>> t = {"票价": "1720.00", "民航发展基金": "50.00", "燃油附加费": "130.00",
    ...      "其他税费": "0.00", "合计": "1800.00"}
    >>> _signs_read(t, list(t)), sorted(t.items())
    (True, [('其他税费', '0.00'), ('民航发展基金', '50.00'), ('燃油附加费', '30.00')])

    Some of the amounts that start with a 1 may keep it (a fund of 150.00):

    >>> t = {"票价": "14010.00", "民航发展基金": "150.00", "燃油附加费": "10.00",
    ...      "其他税费": "0.00", "合计": "4160.00"}
    >>> _signs_read(t, list(t)), t["票价"], t["民航发展基金"], t["燃油附加费"]
    (True, '4010.00', '150.00', '0.00')

    With a part unread or blank, the parts read must add up by themselves (``holds``):

    >>> t = {"票价": "2750.00", "民航发展基金": "150.00", "燃油附加费": "30.00", "合计": "2830.00"}
    >>> _signs_read(t, list(t), adds_up_partly), t["民航发展基金"]
    (True, '50.00')
    """
    holds = holds or adds_up
    ones = [n for n in names if ticket[n].startswith("1") and len(ticket[n]) > 4]
    # (the total's 1 goes only with every other's: alone, or with a part's, it would shift
    # both sides of a sum that does not hold: ``140.00``, 1210.00 read ``210.00``)
    choices = [signless for k in range(1, len(ones) + 1) for chosen in combinations(ones, k)
               if (k == len(ones) or not any(n.startswith("合计") for n in chosen))
               and holds({**ticket, **(signless := {n: ticket[n][1:] for n in chosen})})]
    if not choices:
        return False
    for n in ones:
        values = {choice.get(n, ticket[n]) for choice in choices}
        if len(values) > 1:
            del ticket[n]
        else:
            ticket[n] = values.pop()
    return True


def _lost_one(read: str, want: str) -> bool:
    """Whether ``read`` is ``want`` with one glyph lost, and has two digits before its cents
    at least: a nil amount's ``0.00`` is read surely, not ``50.00`` with its 5 lost.

    >>> _lost_one("180.00", "1180.00"), _lost_one("1180.00", "180.00"), _lost_one("0.00", "50.00")
    (True, False, False)
    """
    return len(read) < len(want) and len(read) >= 5 and edits(read, want) == 1


def summed(ticket: dict[str, str], unclean: Mapping[str, str]) -> None:
    """The one amount of the document's sum read as no amount, a glyph of it wrong, lost or
    added (``990.0``, ``99C.00``), when every other amount of the sum is read: the value the
    sum gives, if what was read is that value but for the one glyph (the two readings
    vouch for each other; the e-invoice's VAT equation must hold too). Letters read for the
    digits they look like count as those digits, as they do when an amount is cleaned: a
    faded print's ``5O.CO`` is 50.00 but for its ``C``.

    >>> t = {"票价": "900.00", "民航发展基金": "50.00", "燃油附加费": "40.00", "其他税费": "0.00"}
    >>> summed(t, {"合计": "990.0"}); t["合计"]
    '990.00'
    >>> t = {"票价": "730.00", "燃油附加费": "0.00", "其他税费": "0.00", "合计": "780.00"}
    >>> summed(t, {"民航发展基金": "CNY 5O.CO"}); t["民航发展基金"]
    '50.00'
    >>> t = {"民航发展基金": "50.00", "燃油附加费": "40.00", "其他税费": "0.00", "合计": "990.00"}
    >>> summed(t, {"票价": "CNY 8O.0C"}); "票价" in t  # more than one glyph off 900.00
    False

    Two unread, one of them an amount after a mark (its label's colon read as a bracket):
    taken when the other then mends and the whole sum holds.

    >>> t = {"票价": "900.00", "民航发展基金": "50.00", "燃油附加费": "40.00"}
    >>> summed(t, {"其他税费": "（0.00", "合计": "99:0.00"}); t["其他税费"], t["合计"]
    ('0.00', '990.00')
    >>> t = {"票价": "900.00", "民航发展基金": "50.00", "燃油附加费": "40.00"}
    >>> summed(t, {"其他税费": "(0.00", "合计": "100:0.00"}); "其他税费" in t  # (: a 1?
    False
    """
    einvoice = any(n in ticket or n in unclean for n in ("增值税税额", "增值税税率"))
    total_name = "合计金额" if "合计金额" in ticket or "合计金额" in unclean else "合计"
    names = (*(EINVOICE_PARTS if einvoice else _PAPER_PARTS), total_name)
    missing = [n for n in names if n not in ticket]
    if not missing or any(n not in unclean for n in missing):
        return
    if len(missing) == 1:
        (name,) = missing
        if (mended := _mended(ticket, name, unclean[name], names)) is not None:
            ticket[name] = mended
        return
    if len(missing) != 2:
        return
    for marked, other in (missing, missing[::-1]):
        bare = _MARK.sub("", unclean[marked])
        value = amount(bare) if bare != unclean[marked] else None
        if value is not None and (mended := _mended({**ticket, marked: value}, other,
                                                    unclean[other], names)):  # fmt: skip
            ticket.update({marked: value, other: mended})
            return


_MARK = re.compile(r"^\s*[(（:：]")  # a label's colon read as a bracket before its amount


def _mended(ticket: Mapping[str, str], name: str, read: str, names: tuple[str, ...]) -> str | None:
    """The value of ``name`` (read as ``read``, no amount) that the sum of ``names`` gives,
    if ``read`` is that value but for one glyph and the document's equations then hold."""
    total_name = names[-1]
    parts = sum(Decimal(ticket[n]) for n in names[:-1] if n != name)
    want = parts if name == total_name else Decimal(ticket[total_name]) - parts
    read = re.sub(r"^(CNY|RMB|CN|[¥￥YV])|[\s,]", "", read.upper()).translate(AS_DIGIT)
    value = f"{want:.2f}"
    if want >= 0 and edits(read, value) == 1 and adds_up({**ticket, name: value}):
        return value
    return None


def unsummed(ticket: dict[str, str]) -> None:
    """When the total does not confirm its parts (one unread, or the sum off past repair),
    leave out the amounts read with units or cents that are not whole tens of yuan where
    the document's are: a domestic paper itinerary's every amount (when its serial number
    tells it is one), either document's fund, other taxes and total (the e-invoice's fare,
    surcharge and VAT are net, with cents). ``56.00`` for 50.00, ``5293.00`` for 5290.00.

    A part above the total goes, and the total with it (``869.72`` of 780.00).

    >>> t = {"印刷序号": "46071056081", "票价": "5110.00", "民航发展基金": "56.00",
    ...      "燃油附加费": "33.00", "合计": "5290.00"}
    >>> unsummed(t); sorted(t)
    ['印刷序号', '合计', '票价']
    >>> t = {"票价": "869.72", "民航发展基金": "50.00", "合计": "780.00"}
    >>> unsummed(t); sorted(t)
    ['民航发展基金']
    """
    if adds_up(ticket):
        return
    total_name = "合计金额" if "合计金额" in ticket else "合计"
    over = [n for n in EINVOICE_PARTS if n in ticket and total_name in ticket
            and Decimal(ticket[n]) > Decimal(ticket[total_name])]  # fmt: skip
    for n in over:  # a part above the total: one of the two is misread, which is unclear
        ticket.pop(n, None)
        ticket.pop(total_name, None)
    whole: tuple[str, ...] = ("民航发展基金", "其他税费", "合计", "合计金额")
    if "印刷序号" in ticket and not any(n in ticket for n in _EINVOICE_ONLY):
        whole += ("票价", "燃油附加费")  # a paper itinerary's (its serial number says so)
    for n in whole:
        if n in ticket and not ticket[n].endswith("0.00"):
            del ticket[n]


def vat(ticket: dict[str, str]) -> None:
    """Repair the e-invoice's 票价, 燃油附加费 or 增值税税额 when its VAT equation fails and
    exactly one digit of one of them, changed, makes it hold (``659.72`` for 669.72, with
    0.00 and 60.28 at 9%); the total need not be read.

    >>> t = {"票价": "659.72", "燃油附加费": "0.00", "增值税税率": "9%", "增值税税额": "60.28"}
    >>> vat(t); t["票价"]
    '669.72'
    """
    if vat_holds(ticket) is not False:
        return
    fixes = [(n, want) for n in ("票价", "燃油附加费", "增值税税额")
             for want in _one_digit_off(ticket[n]) if vat_holds({**ticket, n: want})]  # fmt: skip
    if len(fixes) == 1:
        ticket[fixes[0][0]] = fixes[0][1]


def _one_digit_off(amount: str) -> list[str]:
    """``amount`` with one of its digits changed, every way (its first kept non-zero).

    >>> len(_one_digit_off("60.28")), _one_digit_off("0.00")[:2]
    (35, ['1.00', '2.00'])
    """
    out = []
    for i, ch in enumerate(amount):
        if ch.isdigit():
            lead = i == 0 and len(amount.split(".")[0]) > 1
            out += [amount[:i] + d + amount[i + 1 :] for d in "0123456789"
                    if d != ch and not (lead and d == "0")]  # fmt: skip
    return out


def _sign_read(read: str, want: str) -> bool:
    """The amount read with its currency sign taken for a digit (``¥0.00`` read ``20.00``).

    >>> _sign_read("20.00", "0.00"), _sign_read("120.00", "20.00")
    (True, True)
    """
    return len(read) > 4 and read[1:] == want


def adds_up(ticket: dict[str, str]) -> bool:
    """Whether the total and every part of it are read and agree, to the cent (on the
    e-invoice the VAT equation too).

    >>> adds_up({"票价": "730.00", "民航发展基金": "50.00", "燃油附加费": "0.00",
    ...          "其他税费": "0.00", "合计": "780.00"})
    True
    """
    parts = EINVOICE_PARTS if "增值税税额" in ticket else _PAPER_PARTS
    total_name = "合计金额" if "合计金额" in ticket else "合计"
    if not all(n in ticket for n in (*parts, total_name)):
        return False
    total = Decimal(ticket[total_name])
    summed = sum(Decimal(ticket[n]) for n in parts) == total
    return total > 0 and summed and vat_holds(ticket) is not False


def adds_up_partly(ticket: dict[str, str]) -> bool:
    """Whether the fare, another part and the total are read and the parts read sum to the
    total: a part unread or not printed (a blank cell) is nil.

    >>> adds_up_partly({"票价": "2750.00", "民航发展基金": "50.00", "燃油附加费": "30.00",
    ...                 "合计": "2830.00"})
    True
    """
    total = ticket.get("合计金额", ticket.get("合计"))
    if total is None or "票价" not in ticket:
        return False
    parts = [Decimal(ticket[n]) for n in EINVOICE_PARTS if n in ticket]
    return len(parts) >= 2 and Decimal(total) > 0 and sum(parts) == Decimal(total)


def vat_holds(ticket: dict[str, str]) -> bool | None:
    """增值税税额 against (票价 + 燃油附加费) x 税率, a cent allowed; None when not checkable."""
    if not {"票价", "燃油附加费", "增值税税额", "增值税税率"} <= set(ticket):
        return None
    rate = Decimal(ticket["增值税税率"].rstrip("%")) / 100
    base = Decimal(ticket["票价"]) + Decimal(ticket["燃油附加费"])
    return vat_agrees(Decimal(ticket["增值税税额"]), base, rate)


def vat_agrees(vat: Decimal, base: Decimal, rate: Decimal) -> bool:
    """Whether ``vat`` is ``base`` x ``rate`` to the cent, a cent either way allowed (the
    issuer rounds the tax of each line before summing).

    >>> vat_agrees(Decimal("60.28"), Decimal("669.72"), Decimal("0.09"))
    True
    """
    return abs(vat - (base * rate).quantize(_CENT)) <= _CENT
