"""The document checks itself: totals, ticket prefix ↔ carrier, flight code ↔ carrier.

An itinerary says several things twice: the total is the sum of its parts
(insurance is sold apart), the ticket number starts with the first carrier's
accounting code, and each flight number starts with its carrier's code. A
value that disagrees is repaired only when exactly one character of it is
off (misread, lost, or a currency sign read as a digit) and the other side fixes it (for the
total, only when every part was read: with one unread, the sum cannot tell which is off);
otherwise both are kept as read, unless two readings could be the one and one of them lost
or gained a glyph: then neither is. A ticket number whose prefix is no listed carrier's, on a
page whose carriers are all listed, is left out. A carrier unread is its flight number's
airline, when the page shows it prints them (its 承运人 label, or another flight's carrier,
read).

The sums and the VAT equation are :mod:`.sums`'s; when the VAT equation fails past repair (or,
the rate unread, no legal rate fits), the e-invoice's amounts are left out (:func:`refuted`).

>>> check({"票价": "1190.00", "民航发展基金": "50.00", "燃油附加费": "0.00",
...        "其他税费": "0.00", "合计金额": "1290.00"}, [])[0]["合计金额"]
'1240.00'
>>> check({"票价": "180.00", "民航发展基金": "50.00", "燃油附加费": "40.00",
...        "其他税费": "0.00", "合计": "1470.00"}, [])[0]["票价"]  # a 3 lost
'1380.00'
>>> sorted(check({"票价": "120.00", "民航发展基金": "50.00", "燃油附加费": "40.00",
...               "其他税费": "0.00", "合计": "1210.00"}, [])[0])  # 1120.00, or ¥210.00?
['其他税费', '民航发展基金', '燃油附加费']
>>> sorted(check({"票价": "1160.00", "民航发展基金": "50.00", "其他税费": "1210.00",
...               "合计": "1210.00"}, [])[0])
['合计', '民航发展基金', '票价']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from ....models import NameValue
from ..vocabulary.airlines import AIRLINE_CODES, AIRLINES, CARRIERS, TICKET_PREFIXES
from ..vocabulary.places import cities_apart, known_city, two_cities
from .sums import EINVOICE_PARTS, one_off, summed, totals, unsummed, vat, vat_agrees, vat_holds

_CODE_TWINS = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8",
               "2": "Z", "Z": "2", "4": "A", "A": "4", "6": "G", "G": "6"}  # fmt: skip

Flight = dict[str, str]


def check(
    ticket: dict[str, str], flights: list[Flight], unclean: Mapping[str, str] | None = None,
    *, carriers: bool = False,
) -> tuple[dict[str, str], list[Flight]]:  # fmt: skip
    """Repair what the document's redundancy pins down; see the module docstring.
    ``unclean`` holds what was read for amounts that are no amount as read (``990.0``);
    ``carriers``: the page prints its flights' carriers (its 承运人 label was read)."""
    flights = _stations_apart([_flight_code(f) for f in flights])
    flights = _carriers_unread(flights, carriers or any("承运人" in f for f in flights))
    ticket = dict(ticket)
    _ticket_prefix(ticket, flights)
    vat(ticket)
    totals(ticket)
    summed(ticket, unclean or {})
    unsummed(ticket)
    _dates(ticket, flights)
    return ticket, flights


def refuted(ticket: dict[str, str]) -> bool:
    """Leave out the e-invoice's amounts and VAT rate when its VAT equation fails after every
    repair, or, its rate unread, when no rate the law has makes it hold (True if so): one is
    misread, none tells which, and a pass printed off its form hides a glyph of each alike
    (596.33, 46.97, 830.00 for 1596.33, 146.97, 1830.00: 7.4 % of 596.33 + 36.70).

    >>> t = {"票价": "596.33", "燃油附加费": "36.70", "增值税税率": "0%", "增值税税额": "46.97",
    ...      "民航发展基金": "0.00", "合计": "830.00", "保险费": "20.00"}
    >>> refuted(t), t
    (True, {'保险费': '20.00'})
    >>> refuted({"票价": "596.33", "燃油附加费": "36.70", "增值税税额": "46.97"})
    True
    >>> refuted({"票价": "1596.33", "燃油附加费": "36.70", "增值税税额": "146.97"})  # at 9 %
    False
    """
    holds = vat_holds(ticket)
    if holds is None and "增值税税率" not in ticket and set(ticket) >= _VAT_PARTS:
        base = Decimal(ticket["票价"]) + Decimal(ticket["燃油附加费"])
        holds = any(vat_agrees(Decimal(ticket["增值税税额"]), base, r) for r in VAT_RATES)
    if holds is not False:
        return False
    for n in REFUTED:
        ticket.pop(n, None)
    return True


_VAT_PARTS = frozenset({"票价", "燃油附加费", "增值税税额"})
# The VAT rates the law has (增值税: 13, 9 and 6 %, the simple 5, 3 and 1 %, and 0 %); an
# air ticket's is 9 % (domestic) or 0 % (international), the others allowed for.
VAT_RATES = tuple(Decimal(r) / 100 for r in (0, 1, 3, 5, 6, 9, 13))
REFUTED = (*EINVOICE_PARTS, "增值税税率", "合计", "合计金额")  # what :func:`refuted` leaves out


def _stations_apart(flights: list[Flight]) -> list[Flight]:
    """``flights`` with an origin that is exactly two cities run together (parted one way
    only) parted into origin and destination, when the second is the destination read or
    none was: a slip prints both on its 自 line, and its 至 mark may go unread (``兰州北京``).
    Not on a page whose stations print their airports' codes: two bare cities there are no
    reading of its stations (``青岛武汉`` for 青岛 TAO, 武汉 WUH).

    >>> _stations_apart([{"自": "兰州北京"}, {"自": "武汉南宁", "至": "南宁"}])
    [{'自': '兰州', '至': '北京'}, {'自': '武汉', '至': '南宁'}]
    >>> _stations_apart([{"自": "青岛武汉"}, {"自": "武汉 WUH", "至": "兰州 LHW"}])[0]
    {'自': '青岛武汉'}
    """
    if any(" " in f.get(mark, "").strip() for f in flights for mark in ("自", "至")):
        return flights
    out = []
    for f in flights:
        apart = cities_apart(f.get("自", ""))
        out.append({**f, "自": apart[0], "至": apart[1]}
                   if apart and f.get("至", "") in ("", apart[1]) else f)  # fmt: skip
    return out


def _dates(ticket: dict[str, str], flights: list[Flight]) -> None:
    """Leave out the dates a year or more from the others: a ticket is issued, invoiced and
    flown within months (``2021-11-28`` is a misread ``2024``). A date is kept when most of
    the page's dates are within a year of it; two that disagree are both dropped.

    >>> t, f = {"填开日期": "2021-11-28"}, [{"日期": "2024-12-02"}, {"日期": "2024-12-09"}]
    >>> _dates(t, f); t, f
    ({}, [{'日期': '2024-12-02'}, {'日期': '2024-12-09'}])
    """
    found = [(d, name, _day(d[name])) for d in (ticket, *flights) for name in _DATE_NAMES
             if name in d]  # fmt: skip
    days = [(d, name, day) for d, name, day in found if day is not None]
    for d, name, day in days:
        near = sum(abs((other - day).days) <= _YEAR for _, _, other in days)
        if 2 * near <= len(days):
            d.pop(name, None)


_DATE_NAMES = ("填开日期", "开票日期", "日期", "客票生效日期", "有效截止日期")
_YEAR = 366


def _day(text: str) -> date | None:
    m = re.fullmatch(r"(\d{4})(?:-|年)(\d{2})(?:-|月)(\d{2})日?", text)
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def consistent(f: Flight, scores: Mapping[str, float] | None = None) -> Flight:
    """A flight without the pairs that contradict each other, both left out since either may
    be the misread one (but for a class and a fare basis whose ``scores``, the recognizer's,
    tell: one read all but surely, the other well below it, :func:`_surer`): a fare basis
    that does not start with the booking class, a flight
    number whose airline code is not the named carrier's; and without what no itinerary
    prints: a carrier or an airline code no airline has (:mod:`.airlines`), a station that
    is no city (:mod:`.places`), an origin that ends in the destination (the next cell run
    into it), a baggage allowance of kilos that are no multiple of five.

    >>> consistent({"座位等级": "Y", "客票级别/客票类别": "BOW", "承运人": "厦航"})
    {'承运人': '厦航'}
    >>> consistent({"承运人": "发航", "航班号": "NP8358", "自": "武汉南宁", "至": "南宁"})
    {'至': '南宁'}
    >>> consistent({"自": "复门", "至": "北京首都 PEK", "免费行李": "26K"})
    {'至': '北京首都 PEK'}
    >>> read = {"座位等级": "V", "客票级别/客票类别": "Y"}
    >>> consistent(read, {"座位等级": 0.69, "客票级别/客票类别": 0.97})
    {'客票级别/客票类别': 'Y'}
    """
    f = dict(f)
    seat, basis = f.get("座位等级"), f.get("客票级别/客票类别") or f.get("客票级别/类别")
    if seat and basis and not basis.startswith(seat):
        kept = _surer(_CLASS_AND_BASIS, scores or {})
        for name in _CLASS_AND_BASIS:
            if name != kept:
                f.pop(name, None)
    known, no = CARRIERS.get(f.get("承运人", "")), f.get("航班号")
    if known and no and no[:2] != known[0]:
        del f["承运人"], f["航班号"]
    if "承运人" in f and f["承运人"] not in AIRLINES:
        del f["承运人"]  # no airline's name: a misread one (发航 for 厦航)
    if no and no[:2] not in AIRLINE_CODES:
        f.pop("航班号", None)  # no airline's code: a misread one (NP8358 for MF8358)
    origin, destination = f.get("自", ""), f.get("至", "")
    if destination and len(origin) > len(destination) and origin.endswith(destination):
        del f["自"]  # the destination run into the origin's cell (武汉南宁)
    for mark in ("自", "至"):
        if mark in f and (not known_city(f[mark]) or two_cities(f[mark])):
            del f[mark]  # a misread city (复门 for 厦门), or two run together (厦门长沙)
    kilos = re.fullmatch(r"(\d+)K", f.get("免费行李", ""))
    if kilos and int(kilos[1]) % 5:
        del f["免费行李"]  # allowances are whole fives of kilos: 26K is a misread 20K
    return f


_CLASS_AND_BASIS = ("座位等级", "客票级别/客票类别", "客票级别/类别")  # (the basis has two Names)
SURE_OF_PAIR = 0.95  # a class or fare basis read at least this surely...
PAIR_GAP = 0.05  # ...and the other this much less surely is the one kept of the two


def _surer(names: Sequence[str], scores: Mapping[str, float]) -> str | None:
    """Of two fields that contradict each other, the one the recognizer read all but surely
    and the other well below it (a lone Y's box cut to its arms reads ``V`` at 0.69 beside its
    fare basis ``Y`` at 0.97: on 240 tuning pages the surer was right each time); None when
    the scores do not tell (or a field has none: a value the checks changed)."""
    read = sorted(((scores[n], n) for n in names if n in scores), reverse=True)
    if len(read) == 2 and read[0][0] >= SURE_OF_PAIR and read[0][0] - read[1][0] >= PAIR_GAP:
        return read[0][1]
    return None


def scheduled(data: list[NameValue]) -> list[NameValue]:
    """``data`` without the departure times off the five minutes airlines schedule on
    (``12:26`` is a misread 12:25), but for a flight's only field: a flight read as nothing
    else keeps its place by it (else the flights after it would move up one). Applied to a
    page's final reading: inside one reading it would change which of two readings has more
    entries, and so which is kept.

    >>> scheduled([{"Name": "时间", "Value": "12:26", "Row": 0},
    ...            {"Name": "时间", "Value": "12:24", "Row": 1},
    ...            {"Name": "航班号", "Value": "CA1401", "Row": 1}])
    [{'Name': '时间', 'Value': '12:26', 'Row': 0}, {'Name': '航班号', 'Value': 'CA1401', 'Row': 1}]
    """
    rows = Counter(d.get("Row", -1) for d in data)
    return [d for d in data if d["Name"] != "时间" or rows[d.get("Row", -1)] == 1 or not (
        m := re.fullmatch(r"\d\d:(\d\d)", d["Value"])) or int(m[1]) % 5 == 0]



def _flight_code(f: Flight) -> Flight:
    f = _carrier_name(f)
    known = CARRIERS.get(f.get("承运人", ""))
    no = f.get("航班号")
    if known is None or no is None:
        return f
    code = known[0]
    if no[:2] != code and all(_twin(a, b) for a, b in zip(no[:2], code, strict=True)):
        return {**f, "航班号": code + no[2:]}
    return f


def _carrier_name(f: Flight) -> Flight:
    """A carrier name one character off the name its flight number's airline code has."""
    name, no = f.get("承运人"), f.get("航班号")
    if name is None or no is None or name in CARRIERS:
        return f
    named = [n for n, (code, _) in CARRIERS.items() if code == no[:2] and one_off(n, name)]
    return {**f, "承运人": named[0]} if len(named) == 1 else f


def _carriers_unread(flights: list[Flight], printed: bool) -> list[Flight]:
    """Each flight whose carrier went unread, on a page that ``printed`` its carriers, with
    the carrier its flight number's airline code names: the 承运人 column prints the
    flight's airline, so the code says what the cell holds.

    >>> _carriers_unread([{"航班号": "CA1301"}, {"航班号": "SC4679"}], True)[1]
    {'航班号': 'SC4679', '承运人': '山航'}
    >>> _carriers_unread([{"航班号": "CA1301"}, {"航班号": "SC4679"}], False)[1]
    {'航班号': 'SC4679'}
    """
    if not printed:
        return flights
    out = []
    for f in flights:
        name = _CARRIER_OF.get(f.get("航班号", "")[:2]) if "承运人" not in f else None
        out.append(f if name is None else {**f, "承运人": name})
    return out


_CARRIER_OF = {code: name for name, (code, _) in CARRIERS.items()}


def _twin(a: str, b: str) -> bool:
    return a == b or _CODE_TWINS.get(a) == b


def _ticket_prefix(ticket: dict[str, str], flights: list[Flight]) -> None:
    """The e-ticket number starts with the first carrier's accounting code: one digit off it
    is that code. A number whose prefix no carrier of :data:`.airlines.CARRIERS` has, on a
    page whose carriers read are all such carriers, is misread and left out.

    >>> flights = [{"承运人": "深航"}, {"承运人": "南航"}]
    >>> ticket = {"电子客票号码": "1843520013894"}  # 7843529043894 (南航 784), two digits off
    >>> _ticket_prefix(ticket, flights); ticket
    {}
    >>> ticket = {"电子客票号码": "4793520013894"}
    >>> _ticket_prefix(ticket, flights); ticket
    {'电子客票号码': '4793520013894'}
    >>> ticket = {"电子客票号码": "1603520013894"}  # a carrier not listed flies: kept
    >>> _ticket_prefix(ticket, [{"承运人": "国泰"}]); ticket
    {'电子客票号码': '1603520013894'}
    """
    number = ticket.get("电子客票号码")
    if number is None:
        return
    known = CARRIERS.get(flights[0].get("承运人", "")) if flights else None
    read = [f["承运人"] for f in flights if f.get("承运人")]
    if known is not None and one_off(number[:3], known[1]):
        ticket["电子客票号码"] = known[1] + number[3:]
    elif number[:3] not in TICKET_PREFIXES and read and all(c in CARRIERS for c in read):
        del ticket["电子客票号码"]
