"""OCR boxes → the service's Name/Value/Row list. Pure: no image, no model.

The page is registered on its layout (:mod:`batchocr.recognize.local.template.register`), each
field is read from where the layout prints it, cleaned by its form
(:mod:`batchocr.recognize.local.validate.repair`), then checked against the rest of the
document: the total against its parts, the ticket number's airline prefix
against the first carrier, each flight number's airline code against its
carrier. A field that cannot be read is left out, never guessed.

Each entry carries ``Confidence``: the lowest recognizer score of the boxes its
value was read from (a value the checks repaired keeps its boxes' score), so
the normalizer can flag a doubtful read; Juhe's answers have no such key.

>>> extract([])
[]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ....models import NameValue
from ..image.geometry import Rect
from ..image.ocr import Box, Point
from ..validate import identity, repair
from ..validate.checks import check, consistent, refuted
from . import table
from .layout import EINVOICE_LINES, FLIGHT_ORDER, PAPER, PAPER_CELLS, PAPER_SERIAL, Layout, Line
from .register import likeness, register, similar

Quad = tuple[Point, Point, Point, Point]
FITS = 0.8  # anchors agreeing: our drawings 0.89+ at every noise, the published e-invoice
#   7-10 of 27, the other tuning forms' clean pages 0.46 or less (one page each), but a
#   dot-matrix pass over the paper form 0.60-0.63 (read far better in full: 7 fields missed
#   against 27 by the template)

Cleaner = Callable[[str], str | None]
Scores = dict[str, float]  # field Name → the lowest score of the boxes its value came from
INSURANCE_AT_MOST = Decimal(100)  # yuan (see insurance)


def insurance(text: str) -> str | None:
    """``XXX`` (none bought) or an amount, in whole yuan and at most :data:`INSURANCE_AT_MOST`
    (travel insurance is sold at 20, 30 or 40 yuan: ``20.90`` is a misread, ``990.00`` a
    total read under a misregistered pass).

    >>> insurance("X XX"), insurance("20.00"), insurance("X"), insurance("20.90")
    ('XXX', '20.00', None, None)
    >>> insurance("990.00")
    """
    t = repair.squeeze(text).upper()
    if re.fullmatch(r"[X×xK]{2,4}", t):  # always printed XXX; OCR merges or splits an X
        return "XXX"
    found = repair.amount(t)
    if found is None or not found.endswith(".00") or Decimal(found) > INSURANCE_AT_MOST:
        return None
    return found


def rate(text: str) -> str | None:
    """A VAT rate: ``9%``."""
    t = repair.squeeze(text).replace("％", "%").strip(".,·:;")  # a speck beside it
    return t if re.fullmatch(r"\d{1,2}%", t) else None


def domestic(text: str) -> str | None:
    """国内 or 国际, told by the second glyph (the first misread: ``[内``).

    >>> domestic("[内"), domestic("国际"), domestic("内地")
    ('国内', '国际', None)
    """
    t = repair.squeeze(text)
    return {"内": "国内", "际": "国际"}.get(t[-1:]) if len(t) <= 2 else None


CLEAN: dict[str, Cleaner] = {
    "印刷序号": lambda t: repair.digits(t, 11),
    "旅客姓名": repair.person,
    "有效身份证件号码": identity.id_number,
    "签注": repair.note,
    "票价": repair.amount, "民航发展基金": repair.amount, "燃油附加费": repair.amount,
    "其他税费": repair.amount, "合计金额": repair.amount, "合计": repair.amount,
    "增值税税额": repair.amount, "增值税税率": rate,
    "电子客票号码": lambda t: repair.digits(t, 13),
    "验证码": lambda t: repair.digits(t, 4),
    "提示信息": repair.note, "保险费": insurance,
    "销售单位代号": repair.office_code, "销售网点代号": repair.office_code,
    "填开单位": repair.organization, "填开日期": repair.iso_date,
    "发票号码": lambda t: repair.digits(t, 20), "开票日期": repair.cn_date,
    "国内国际标签": domestic, "购买方名称": repair.organization,
    "统一社会信用代码/纳税人识别号": identity.credit_code,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reading:
    """What a page says, and where a second look could say more.

    ``doubtful`` holds the indices of boxes that sat where a value belongs but
    did not read as one (worth a stretched re-read); ``blanks`` the page-pixel
    quads of flight-table cells where a value belongs but no box was found
    (worth recognizing the cell as it is: detection misses lone letters).
    """

    data: list[NameValue]
    doubtful: frozenset[int] = frozenset()
    blanks: tuple[Quad, ...] = ()
    fit: float = 0.0  # the share of the layout's anchors the page agreed with

    @property
    def fits(self) -> bool:
        """Whether the page is the layout it was registered on: our drawings agree on nine
        anchors in ten or more, other forms that happen to share labels on a third or less."""
        return self.fit >= FITS


def extract(boxes: Sequence[Box]) -> list[NameValue]:
    """The Name/Value/Row list of a page's OCR boxes; ``[]`` when it is no itinerary."""
    return read(boxes).data


def read(boxes: Sequence[Box]) -> Reading:
    """Like :func:`extract`, also naming the boxes that failed to read as their field."""
    reg = register(boxes)
    if reg is None:
        return Reading([])
    doubts: set[int] = set()
    scores: Scores = {}
    if reg.layout is PAPER:
        ticket = _paper_ticket(reg.rects, doubts, scores)
    else:
        ticket = _einvoice_ticket(reg.rects, doubts, scores)
    row_scores: list[Scores] = []
    rows = table.read_rows(reg.rects, reg.layout, doubts, row_scores)
    flights = _flights(rows, reg.layout)
    back = reg.transform.inverse()
    blanks = tuple(
        (back.apply((c.x0, c.y0)), back.apply((c.x1, c.y0)), back.apply((c.x1, c.y1)),
         back.apply((c.x0, c.y1)))
        for c in table.empty_cells(rows, len(flights), reg.layout)
    )  # fmt: skip
    ticket, flights = check(ticket, flights)
    refuted(ticket)
    flights = [_consistent(f, reg.layout) for f in flights]
    out = [_entry(k, v, -1, scores) for k, v in ticket.items()]
    for row, flight in enumerate(flights):
        known = _flight_scores(row_scores, row, reg.layout)
        for name in sorted(flight, key=FLIGHT_ORDER.index):
            out.append(_entry(name, flight[name], row, known))
    return Reading(out, frozenset(doubts), blanks, reg.anchors / len(reg.layout.anchors))


def _entry(name: str, value: str, row: int, scores: Scores) -> NameValue:
    """One Name/Value/Row entry, with the ``Confidence`` of its boxes when it is known."""
    entry: NameValue = {"Name": name, "Value": value, "Row": row}
    if name in scores:
        entry["Confidence"] = round(scores[name], 3)
    return entry


# ---------------------------------------------------------------------- paper


def _paper_ticket(rects: Sequence[Rect], doubts: set[int], scores: Scores) -> dict[str, str]:
    out: dict[str, str] = {}
    x0, x1, y0, y1 = PAPER_SERIAL
    near = [r for r in rects if x0 <= r.cx <= x1 and y0 <= r.cy <= y1]
    found = [(r, v) for r in near if (v := CLEAN["印刷序号"](r.text)) is not None]
    if len({v for _, v in found}) == 1:
        out["印刷序号"] = found[0][1]
        scores["印刷序号"] = min(r.score for r, _ in found)
    else:
        doubts.update(r.index for r in near if re.search(r"\d{5}", r.text))
    for cell in PAPER_CELLS:
        parts = sorted(
            (r for r in rects
             if cell.x0 - 12 <= r.x0 < cell.x1 - 30 and cell.y0 + 58 <= r.cy <= cell.y0 + 100),
            key=lambda r: r.x0,
        )  # fmt: skip
        text = "".join(r.text for r in parts)
        value = CLEAN[cell.name](text) if text else None
        if value is not None:
            out[cell.name] = value
            scores[cell.name] = min(r.score for r in parts)
        else:
            doubts.update(r.index for r in parts)
    return out


# ---------------------------------------------------------------------- e-invoice


@dataclass(slots=True)
class _Seg:
    label: str | None
    value: str
    x: float
    x1: float
    boxes: list[int]
    score: float = 1.0  # the lowest score of the boxes the value was read from


def _einvoice_ticket(rects: Sequence[Rect], doubts: set[int], scores: Scores) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in EINVOICE_LINES:
        on_line = sorted((r for r in rects if abs(r.cy - line.y) <= 21), key=lambda r: r.x0)
        out.update(_read_line(on_line, line, doubts, scores))
    return out


def _cut_label(part: str, line: Line) -> tuple[str, str]:
    """Split ``value + next label`` (two pairs OCR read as one box) before the label."""
    best = (0.6, len(part))
    for _, printed, _ in line.fields:
        for k in range(len(part)):
            score = likeness(part[k:], printed)
            if score > best[0]:
                best = (score, k)
    return part[: best[1]], part[best[1] :]


def _split_pairs(text: str, line: Line) -> list[str]:
    """Split at the colons that end a label (a colon after a digit is a misread decimal point).

    A colon OCR put inside a label (``统：一社会信用代码…``) is dropped when the
    joined text is more like one of the line's labels.
    """
    parts = re.split(r"(?<=\D):", text)
    while len(parts) > 2:
        joined = parts[0] + parts[1]
        labels = [p for _, p, _ in line.fields]
        if max(likeness(joined, p) for p in labels) <= max(likeness(parts[0], p) for p in labels):
            break
        parts = [joined, *parts[2:]]
    return parts


def _label_prefix(text: str, line: Line) -> list[str]:
    """``[label, value]`` when ``text`` starts like a label whose colon was lost, else ``[text]``.

    The cut is where the head is most like the label, within three characters of
    its length either way (``效身份证件号码330106…`` lost its first character).
    """
    best: tuple[float, int] = (0.6, 0)
    for _, printed, _ in line.fields:
        n = len(printed)
        for k in range(max(1, n - 3), min(len(text), n + 3)):
            score = likeness(text[:k], printed)
            if score > best[0]:
                best = (score, k)
    return [text[: best[1]], text[best[1] :]] if best[1] else [text]


def _completes(label: str | None, text: str, line: Line) -> bool:
    """Whether ``text`` is the rest of ``label`` (the label's last characters, boxed apart)."""
    if label is None:
        return False
    return any(likeness(label + text, p) > likeness(label, p) for _, p, _ in line.fields)


def _lone_label(text: str, line: Line) -> bool:
    """A label printed with no value (``提示信息`` without its colon, ``签注`` read ``整注``)."""
    return any(
        len(p) - 1 <= len(text) <= len(p) + 1
        and difflib.SequenceMatcher(None, text, p).ratio() >= 0.5
        for _, p, _ in line.fields
    )


def _segments(rects: Sequence[Rect], line: Line) -> list[_Seg]:
    """Each ``label：value`` on a line, left to right; lone values join the pair before."""
    segs: list[_Seg] = []
    for r in rects:
        text = repair.squeeze(r.text).lstrip(":.,")
        parts = _split_pairs(text, line)
        if len(parts) == 1:
            _add_unlabelled(segs, r, text, line)
            continue
        label = parts[0]
        if segs and not any(similar(label, p) for _, p, _ in line.fields):
            rest, cut = _cut_label(label, line)
            if cut and r.x0 - segs[-1].x1 < 60:
                segs[-1].value += rest  # "…代理有限公司填开日期：…": the end of the last value
                segs[-1].score = min(segs[-1].score, r.score)
                label = cut
        for k, part in enumerate(parts[1:], start=1):
            value, next_label = _cut_label(part, line) if k < len(parts) - 1 else (part, "")
            segs.append(_Seg(label, value, r.x0, r.x1, [r.index], r.score))
            label = next_label
    return segs


def _add_unlabelled(segs: list[_Seg], r: Rect, text: str, line: Line) -> None:
    """A box without a colon: a lone label, the rest of one, a label and value, or a value."""
    last = segs[-1] if segs else None
    if _lone_label(text, line):
        segs.append(_Seg(text, "", r.x0, r.x1, [r.index]))  # no value yet: no score
    elif last is not None and not last.value and _completes(last.label, text, line):
        last.label = f"{last.label}{text}"  # "提示信" + "息": a label boxed in two
    elif len(parts := _label_prefix(text, line)) == 2:
        segs.append(_Seg(parts[0], parts[1], r.x0, r.x1, [r.index], r.score))
    elif last is not None and r.x0 - last.x1 < 60:
        last.value += text  # the rest of a value OCR cut off, or a lone label's value
        last.x1, last.boxes = r.x1, [*last.boxes, r.index]
        last.score = min(last.score, r.score)
    else:
        segs.append(_Seg(None, text, r.x0, r.x1, [r.index], r.score))


def _read_line(
    rects: Sequence[Rect], line: Line, doubts: set[int], scores: Scores
) -> dict[str, str]:
    segs = _segments(rects, line)
    names: dict[int, str] = {}
    free = [name for name, _, _ in line.fields]
    for i, seg in enumerate(segs):  # by label, then by a fixed position
        for name, printed, fx in line.fields:
            if name in free and (
                (seg.label is not None and similar(seg.label, printed))
                or (fx is not None and abs(seg.x - fx) <= 40)
            ):
                names[i] = name
                free.remove(name)
                break
    for i, seg in enumerate(segs):  # what is left, by the value's form
        if i not in names:
            fits = [n for n in free if CLEAN[n](seg.value) is not None]
            if len(fits) == 1:
                names[i] = fits[0]
                free.remove(fits[0])
    out = {}
    for i, name in names.items():
        value = CLEAN[name](segs[i].value) if segs[i].value else None
        if value is not None:
            out[name] = value
            scores[name] = segs[i].score
        elif segs[i].value:
            doubts.update(segs[i].boxes)
    return {name: out[name] for name, _, _ in line.fields if name in out}


# ---------------------------------------------------------------------- flights


def _stations(layout: Layout) -> tuple[str, str]:
    """The names ``layout`` gives a flight's origin and destination."""
    return ("始发地", "目的地") if layout is PAPER else ("始发站", "目的站")


def _flights(rows: Sequence[dict[str, str]], layout: Layout) -> list[dict[str, str]]:
    # A flight has its number, or at least two of its values: one stray letter in an empty
    # row (a speck read as "A") is no flight.
    flying = [i for i, row in enumerate(rows) if "航班号" in row or len(set(row) - {"城市"}) > 1]
    count = flying[-1] + 1 if flying else 0
    src, dst = _stations(layout)
    flights = []
    for i in range(count):
        f = {k: v for k, v in rows[i].items() if k != "城市"}
        origin = rows[i].get("城市")
        dest = rows[i + 1].get("城市") if i + 1 < len(rows) else None
        if origin is not None and origin != table.VOID:
            f[src] = origin
        if dest is not None and dest != table.VOID:
            f[dst] = dest
        flights.append(f)
    return flights


def _consistent(flight: dict[str, str], layout: Layout) -> dict[str, str]:
    """:func:`.checks.consistent` of a flight whose stations are named as ``layout`` names
    them: a page that fits the drawing prints no airline code no airline has either."""
    src, dst = _stations(layout)
    marks = {src: "自", dst: "至"}
    back = {"自": src, "至": dst}
    return {back.get(k, k): v for k, v in consistent({marks.get(k, k): v
                                                      for k, v in flight.items()}).items()}


def _flight_scores(row_scores: Sequence[Scores], i: int, layout: Layout) -> Scores:
    """Flight ``i``'s scores by Name, named as :func:`_flights` names its values."""
    src, dst = _stations(layout)
    own = row_scores[i] if i < len(row_scores) else {}
    out = {k: v for k, v in own.items() if k != "城市"}
    if "城市" in own:
        out[src] = own["城市"]
    if i + 1 < len(row_scores) and "城市" in row_scores[i + 1]:
        out[dst] = row_scores[i + 1]["城市"]
    return out
