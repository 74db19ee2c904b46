"""Synthetic itineraries with the variety of real documents, in named families.

The ticket is :func:`synth.scans._ticket` of the seed (the same invented facts as every other
drawing); a :class:`synth.style.Style` drawn for (family, seed) decides how it looks: typeface,
ink and form colours, label style and text variants, date/amount/time formats, ruled or not,
labels above or left of values, a misregistered data pass, seals and pen strokes, page scale
and rotation. Every page is reproducible from (family, seed); the noise modes are those of
:mod:`synth.scans` (the drawing does not depend on the noise).

The truth's ``data`` holds exactly the Name/Value/Row pairs printed on the page, with the Names
and normalized Values of the classic drawings, whatever the printed format: a paper page's
flight dates are ``05MAR`` (printed ``2025-03-05``, ``2025年03月05日`` or ``05MAR25``), its
issue date ``2025-03-05``; an e-invoice's flight dates ``2025-03-05``, its 开票日期
``2025年03月05日``; amounts ``1234.00`` (printed ``CNY 1,234.00``, ``¥1234.00``, ``1234.00``);
times ``14:55`` (printed ``1455`` or ``14:55``). Printed label variants (有效截止日期,
销售单位代号 …) do not change the Names. Fields under a seal or a pen stroke stay in the truth
and are listed in ``truth["style"]["marked"]``: they are harder to read. Scale and rotation
(counter-clockwise; turn the image clockwise by it to read) are in ``truth["style"]``.

>>> s = generate_family(5, "einvoice-ruled-kai")
>>> s.truth["family"], s.truth["layout"], s.image.mode
('einvoice-ruled-kai', 'einvoice', 'RGB')
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict

from PIL import Image, ImageDraw

from batchocr.errors import ConfigError
from batchocr.models import SCHEMA_VERSION, NameValue

from . import marks
from .content import TITLES, Content, Field, fields
from .scans import FLIGHT_NAMES, NOISES, Sample, _heavy, _light, _ticket, generate
from .style import (
    CLASSIC,
    FAMILIES,
    HELD_OUT_FAMILIES,
    INKS,
    TUNING_FAMILIES,
    Style,
    draw_style,
    font,
)

__all__ = ["FAMILIES", "HELD_OUT_FAMILIES", "TUNING_FAMILIES", "generate_family", "render"]

PAD = 12
LABEL, EN = 24, 15  # label font sizes (Chinese, English), px at scale 1
_TRANSPOSE = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
              270: Image.Transpose.ROTATE_270}  # fmt: skip
_CITY = ("始发地", "目的地", "始发站", "目的站")


class _Page:
    """A page being drawn in a style, and the Name/Value pairs printed on it so far."""

    def __init__(self, style: Style, width: int, rng: random.Random) -> None:
        self.style, self.rng = style, rng
        self.image = Image.new("RGB", (width, 6000), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.data: list[NameValue] = []
        self.boxes: dict[tuple[str, int], tuple[int, int, int, int]] = {}
        self.form, self.ink = INKS[style.form_ink], INKS[style.value_ink]
        face = "serif" if style.typeface in ("serif", "kai") else "sans"
        self.zh, self.en = font(face, LABEL), font("sans", EN)
        self.val = font(style.typeface, style.value_size)
        # A worn print head's failed dots: the same columns blank on every line it printed.
        self.dead = tuple(rng.randrange(width) for _ in range(rng.randint(1, 3))) \
            if style.wear == "faded" else ()  # fmt: skip

    def label_size(self, f: Field) -> tuple[int, int]:
        zw = int(self.zh.getlength(f.label))
        if self.style.labels == "zh-only":
            return zw, LABEL
        ew = int(self.en.getlength(f.en))
        if self.style.labels == "zh-beside-en":
            return zw + 8 + ew, LABEL
        return max(zw, ew), LABEL + 4 + EN

    def label(self, f: Field, x: int, y: int) -> None:
        """The printed label with its top left at (x, y), in the form's colour."""
        self.draw.text((x, y + LABEL), f.label, fill=self.form, font=self.zh, anchor="ls")
        if self.style.labels == "zh-beside-en":
            x += int(self.zh.getlength(f.label)) + 8
            self.draw.text((x, y + LABEL), f.en, fill=self.form, font=self.en, anchor="ls")
        elif self.style.labels == "zh-over-en":
            self.draw.text((x, y + LABEL + 4), f.en, fill=self.form, font=self.en, anchor="la")

    def value(self, f: Field, x: int, baseline: int) -> None:
        """Print a value in the data pass (shifted from the form) and record it."""
        if not f.printed:
            return
        xy = (x + self.style.shift[0], baseline + self.style.shift[1])
        if self.style.typeface.startswith("dotmatrix"):
            pins = 24 if self.style.typeface == "dotmatrix24" else 9
            box = marks.dotted_text(self.image, xy, f.printed, self.val, self.ink, pins=pins)
        else:
            self.draw.text(xy, f.printed, fill=self.ink, font=self.val, anchor="ls")
            box = tuple(int(v) for v in self.draw.textbbox(xy, f.printed, font=self.val,
                                                            anchor="ls"))  # fmt: skip
        if self.style.wear == "faded":
            marks.faded(self.image, box, self.rng, self.dead)  # type: ignore[arg-type]
        self.boxes[(f.name, f.row)] = box  # type: ignore[assignment]
        self.note(f)

    def note(self, f: Field) -> None:
        """Record a pair already on the page (a city shared by two flights is printed once)."""
        if f.printed:
            self.data.append({"Name": f.name, "Value": f.truth, "Row": f.row})

    def rule(self, box: tuple[int, int, int, int], width: int = 2) -> None:
        self.draw.line(box, fill=self.form, width=width)

    def cells(self, fields: list[Field], y: int, x0: int, width: int,
              ruled: bool | None = None) -> int:  # fmt: skip
        """Fields as cells across ``width``, wrapped onto more lines when they do not fit;
        return the y below them."""
        st, ruled = self.style, self.style.ruled if ruled is None else ruled
        above = st.placement == "above"
        vh = int(st.value_size * 1.25)
        sizes = [self.label_size(f) for f in fields]
        need = []
        for f, (lw, _) in zip(fields, sizes, strict=True):
            vw = int(self.val.getlength(f.printed))
            need.append((max(lw, vw) if above else lw + PAD + vw) + 2 * PAD + 2)
        line: list[int] = []
        lines = [line]
        for i, n in enumerate(need):
            if line and sum(need[j] for j in line) + n > width:
                line = []
                lines.append(line)
            line.append(i)
        for line in lines:
            lh = max(sizes[i][1] for i in line)
            h = PAD + lh + 6 + vh + PAD if above else 2 * PAD + max(lh, vh)
            weights = [max(0.1, 1 + st.jitter * self.rng.uniform(-1, 1)) for _ in line]
            extra = max(0, width - sum(need[i] for i in line))
            x = x0
            for i, w in zip(line, weights, strict=True):
                cw = need[i] + int(extra * w / sum(weights))
                if i == line[-1]:
                    cw = x0 + width - x
                if ruled:
                    self.draw.rectangle((x, y, x + cw, y + h), outline=self.form, width=2)
                self.label(fields[i], x + PAD, y + PAD)
                if above:
                    self.value(fields[i], x + PAD, y + PAD + lh + 6 + st.value_size)
                else:
                    base = y + PAD + max(LABEL, int(st.value_size * 0.9))
                    self.value(fields[i], x + PAD + sizes[i][0] + PAD, base)
                x += cw
            y += h + (0 if ruled else 6)
        return y

    def _city_prefix(self, r: int) -> str:
        zh = "自" if r == 0 else "至"
        return zh if self.style.labels == "zh-only" else f"{zh} {'FROM' if r == 0 else 'TO'}"

    def _prefix_width(self) -> int:
        return max(int(self.zh.getlength(self._city_prefix(r))) for r in (0, 1))

    def table_need(self, c: Content) -> tuple[list[int], int]:
        """The flight table's minimum column widths (the city column first)."""
        names, flights = c.columns, c.flights
        cities = [f[n].printed for f in flights for n in _CITY if n in f]
        city = max(int(self.val.getlength(s)) for s in [*cities, "VOID"])
        widths = [self._prefix_width() + city + 3 * PAD]
        for name in names:
            values = [int(self.val.getlength(f[name].printed)) for f in flights]
            widths.append(max(self.label_size(flights[0][name])[0], *values) + 2 * PAD + 2)
        return widths, sum(widths)

    def table(self, c: Content, y: int, x0: int, width: int) -> int:
        """The flight grid: 自/至 city rows, each flight on its departure city's row."""
        st, flights = self.style, c.flights
        need, total = self.table_need(c)
        weights = [max(0.1, 1 + st.jitter * self.rng.uniform(-1, 1)) for _ in need]
        xs, x = [], x0
        for n, w in zip(need, weights, strict=True):
            xs.append(x)
            x += n + int((width - total) * w / sum(weights))
        xs.append(x0 + width)
        head = max(self.label_size(flights[0][n])[1] for n in c.columns) + 2 * PAD
        pitch = max(48, int(st.value_size * 1.8))
        rows = max(len(flights) + 1, 5) if c.kind == "paper" else len(flights) + 1
        bottom = y + head + rows * pitch
        for name, cx in zip(c.columns, xs[1:], strict=False):
            self.label(flights[0][name], cx + PAD, y + PAD)
        if st.ruled:
            self.draw.rectangle((x0, y, x0 + width, bottom), outline=self.form, width=2)
            self.rule((x0, y + head, x0 + width, y + head))
            for cx in xs[1:-1]:
                self.rule((cx, y, cx, bottom), 1)
        for r in range(rows):
            top = y + head + r * pitch
            base = top + pitch // 2 + st.value_size // 3
            prefix = self._city_prefix(r)
            self.draw.text((x0 + PAD, base), prefix, fill=self.form, font=self.zh, anchor="ls")
            cx = x0 + 2 * PAD + self._prefix_width()
            if st.ruled and r:
                self.rule((x0, top, x0 + width, top), 1)
            if r == 0:
                self.value(flights[0][_CITY[0 if c.kind == "paper" else 2]], cx, base)
            elif r <= len(flights):
                self.value(flights[r - 1][_CITY[1 if c.kind == "paper" else 3]], cx, base)
            else:
                void = (cx + st.shift[0], base + st.shift[1])  # printed by the data pass
                self.draw.text(void, "VOID", fill=self.ink, font=self.val, anchor="ls")
            if r >= len(flights):
                continue
            if r > 0:
                self.note(flights[r][_CITY[0 if c.kind == "paper" else 2]])
            for name, colx in zip(c.columns, xs[1:], strict=False):
                self.value(flights[r][name], colx + PAD, base)
        return bottom + 10

    def title(self, c: Content, y: int) -> int:
        zh, en = TITLES[c.kind]
        cx = self.image.width // 2
        self.draw.text((cx, y), zh, fill=self.form, font=font(self._face(), 50), anchor="ma")
        y += 70
        if en and self.style.labels != "zh-only":
            self.draw.text((cx, y), en, fill=self.form, font=font("sans", 22), anchor="ma")
            y += 34
        return y

    def _face(self) -> str:
        return "serif" if self.style.typeface in ("serif", "kai") else "sans"

    def truth_data(self) -> list[NameValue]:
        """Ticket-level pairs in drawing order, then each flight's pairs in a fixed order."""
        flights = [d for d in self.data if d["Row"] >= 0]
        flights.sort(key=lambda d: (d["Row"], FLIGHT_NAMES.index(d["Name"])))
        return [d for d in self.data if d["Row"] < 0] + flights


def _marks(page: _Page, c: Content) -> list[str]:
    """Seal and pen strokes over some printed fields; return the fields they cover."""
    st, rng, marked = page.style, page.rng, []
    ticket = [k for k in page.boxes if k[1] < 0]
    if st.stamp and ticket:
        near = [k for k in ticket if k[0] in ("填开单位", "合计", "合计金额")] or ticket
        key = rng.choice(near)
        marks.seal(page.image, page.boxes[key], rng, c.issuer, lambda n: font("serif", n)
                   if st.typeface == "serif" else font("sans", n))  # fmt: skip
        marked.append(key[0])
    if st.scribble and page.boxes:
        marked += _over_some(page, 2, marks.scribble)
    if st.overprint == "highlighter" and page.boxes:
        marked += _over_some(page, rng.randint(1, 3), marks.highlighter)
    elif st.overprint == "received" and ticket:
        key = rng.choice(ticket)
        date = f"{rng.randint(2025, 2026)}.{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d}"
        marks.received(page.image, page.boxes[key], rng, date, lambda n: font("sans", n))
        marked.append(key[0])
    elif st.overprint == "pen" and page.boxes:
        marked += _over_some(page, rng.randint(2, 4), marks.pen)
    return marked


def _over_some(page: _Page, n: int,
               mark: Callable[[Image.Image, marks.Box, random.Random], None]) -> list[str]:
    """``mark`` drawn over ``n`` of the page's printed fields (at most all), chosen by its
    generator; their names (a flight's with its row)."""
    out = []
    for key in page.rng.sample(sorted(page.boxes), k=min(n, len(page.boxes))):
        mark(page.image, page.boxes[key], page.rng)
        out.append(key[0] if key[1] < 0 else f"{key[0]}[{key[1]}]")
    return out


def render(seed: int, style: Style) -> tuple[Image.Image, list[NameValue], list[str]]:
    """Draw the ticket of ``seed`` in ``style``: the clean image (scaled and rotated), its
    truth data and the fields under a seal or stroke. Deterministic for (seed, style)."""
    t = _ticket(seed)
    rng = random.Random(f"synth.variety:{seed}:{style!r}")
    c = fields(t, style)
    m = style.margin
    if style.arrangement == "receipt":
        page = _Page(style, rng.randint(900, 1150), rng)
        inner = page.image.width - 2 * m
        y = page.title(c, m)
        for row in [c.top, *c.header]:
            y = page.cells(row, y, m, inner)
        for r, flight in enumerate(c.flights):
            head = f"航段 {r + 1}" + ("" if style.labels == "zh-only" else f" SEGMENT {r + 1}")
            y += 8
            page.draw.text((m, y + LABEL), head, fill=page.form, font=page.zh, anchor="ls")
            page.rule((m, y + LABEL + 8, m + inner, y + LABEL + 8), 1)
            y = page.cells(list(flight.values()), y + LABEL + 16, m, inner)
        page.rule((m, y + 4, m + inner, y + 4), 1)
        for row in c.footer:
            y = page.cells(row, y + 12, m, inner)
    else:
        probe = _Page(style, 10, random.Random(0))
        width = max(2000, probe.table_need(c)[1] + 2 * m + 40)
        page = _Page(style, width, rng)
        inner = width - 2 * m
        y = page.title(c, m)
        y = page.cells(c.top, y, m + inner // 2, inner - inner // 2, ruled=False) + 10
        for row in c.header:
            y = page.cells(row, y, m, inner)
        y = page.table(c, y, m, inner)
        for row in c.footer:
            y = page.cells(row, y, m, inner)
    image = page.image.crop((0, 0, page.image.width, y + m))
    page.image = image
    marked = _marks(page, c)
    image = page.image
    if style.scale != 1.0:
        size = (round(image.width * style.scale), round(image.height * style.scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    if style.rotation:
        image = image.transpose(_TRANSPOSE[style.rotation])
    return image, page.truth_data(), marked


def generate_family(seed: int, family: str, noise: str = "clean") -> Sample:
    """Page ``seed`` of ``family``, degraded by ``noise``; deterministic.

    The classic families are :func:`synth.scans.generate`'s drawings, with the family named in
    the truth; the others are drawn in :func:`synth.style.draw_style`'s Style.
    """
    if family not in FAMILIES or noise not in NOISES:
        raise ConfigError(f"family must be one of {FAMILIES} and noise one of {NOISES}, "
                          f"not {family!r}/{noise!r}")  # fmt: skip
    if family in CLASSIC:
        s = generate(seed, CLASSIC[family], noise)
        meta = {"drawing": CLASSIC[family], "rotation": 0, "scale": 1.0}
        return Sample(s.image, {**s.truth, "family": family, "style": meta}, s.jpeg_quality)
    style = draw_style(seed, family)
    image, data, marked = render(seed, style)
    rng = random.Random(f"synth.variety:{family}:{seed}:{noise}")
    quality = None
    if noise == "light":
        image = _light(image, rng)
    elif noise == "heavy":
        image, quality = _heavy(image, rng), rng.randint(35, 60)
    meta = {**asdict(style), "marked": marked}
    truth = {"schema_version": SCHEMA_VERSION, "generator": "synth", "seed": seed,
             "layout": style.content, "family": family, "noise": noise, "style": meta,
             "data": data}  # fmt: skip
    return Sample(image, truth, quality)
