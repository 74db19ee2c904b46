"""What goes over a drawn page (synth.variety): seals, handwriting, a dot-matrix print head,
a worn print head, a reviewer's highlighter, 已报销 stamp and ballpoint rings and underlines.

Fields under a seal or a stroke stay in the truth (they are printed and mostly legible), so
pages with :attr:`synth.style.Style.stamp` or ``scribble`` are harder than their look suggests.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from PIL import Image, ImageChops, ImageDraw, ImageFont

Box = tuple[int, int, int, int]
SEAL_RED = (205, 35, 40)


def dotted_text(image: Image.Image, xy: tuple[int, int], text: str,
                font: ImageFont.FreeTypeFont, ink: tuple[int, int, int],
                anchor: str = "ls", pins: int = 9) -> Box:  # fmt: skip
    """Draw ``text`` as a dot-matrix printer would: the glyphs sampled by a grid of dots.

    ``pins=9``: square dots 2 px wide every 3 px on an aligned grid; ``pins=24``: round dots
    3 px across every 3 px, each row a pixel on (a 24-pin head's staggered columns), so
    their gaps have another size and pattern.
    """
    draw = ImageDraw.Draw(image)
    x0, y0, x1, y1 = (int(v) for v in draw.textbbox(xy, text, font=font, anchor=anchor))
    x0, y0, x1, y1 = x0 - 2, y0 - 2, x1 + 2, y1 + 2
    w, h = x1 - x0, y1 - y0
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).text((xy[0] - x0, xy[1] - y0), text, fill=255, font=font, anchor=anchor)
    grid = (_pin_grid if pins == 9 else _staggered_grid)(x0, y0, w, h)
    mask = Image.composite(mask, grid.point(lambda v: 0), grid)
    image.paste(ink, (x0, y0), mask)
    return x0, y0, x1, y1


def _pin_grid(x0: int, y0: int, w: int, h: int) -> Image.Image:
    """Dots 2 px wide every 3 px, on the page's grid (as one print head would place them)."""
    row = bytes(255 if (x0 + i) % 3 < 2 else 0 for i in range(w))
    blank = bytes(w)
    return Image.frombytes("L", (w, h), b"".join(
        row if (y0 + j) % 3 < 2 else blank for j in range(h)))  # fmt: skip


def _staggered_grid(x0: int, y0: int, w: int, h: int) -> Image.Image:
    """Round dots 3 px across every 3 px, on the page's grid, odd rows a third of one on."""
    out = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(out)
    for j in range(-(y0 % 3), h, 3):
        shift = 1 if (y0 + j) // 3 % 2 else 0
        for i in range(-((x0 + shift) % 3), w, 3):
            draw.ellipse((i, j, i + 2, j + 2), fill=255)
    return out


def _arc_text(layer: Image.Image, centre: tuple[float, float], radius: float, text: str,
              font: ImageFont.FreeTypeFont, span: float) -> None:  # fmt: skip
    """Characters along the top of a circle, each turned to face the centre."""
    n = len(text)
    for i, ch in enumerate(text):
        angle = 270 - span / 2 + span * (i + 0.5) / n  # degrees, y down: 270 is the top
        size = int(font.size * 1.6)
        glyph = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size / 2, size / 2), ch, fill=(*SEAL_RED, 255), font=font,
                                   anchor="mm")  # fmt: skip
        glyph = glyph.rotate(270 - angle, Image.Resampling.BICUBIC)
        a = math.radians(angle)
        cx, cy = centre[0] + radius * math.cos(a), centre[1] + radius * math.sin(a)
        layer.alpha_composite(glyph, (int(cx - size / 2), int(cy - size / 2)))


def seal(image: Image.Image, box: Box, rng: random.Random, issuer: str,
         font_for: Callable[[int], ImageFont.FreeTypeFont]) -> None:  # fmt: skip
    """A round red company seal, semi-transparent, centred near ``box``.

    ``font_for(size)`` gives the seal's font (a seal is cut in its own face, not the form's).
    """
    r = rng.randint(95, 130)
    cx = (box[0] + box[2]) // 2 + rng.randint(-40, 40)
    cy = (box[1] + box[3]) // 2 + rng.randint(-30, 30)
    layer = Image.new("RGBA", (2 * r + 20, 2 * r + 20), (0, 0, 0, 0))
    c = (r + 10, r + 10)
    d = ImageDraw.Draw(layer)
    d.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), outline=(*SEAL_RED, 255), width=7)
    star = [(c[0] + (r * 0.28 if k % 2 == 0 else r * 0.11) * math.cos(math.radians(-90 + 36 * k)),
             c[1] + (r * 0.28 if k % 2 == 0 else r * 0.11) * math.sin(math.radians(-90 + 36 * k)))
            for k in range(10)]  # fmt: skip
    d.polygon(star, fill=(*SEAL_RED, 255))
    _arc_text(layer, c, r * 0.72, issuer[:14], font_for(int(r * 0.24)), 240)
    d.text((c[0], c[1] + r * 0.45), rng.choice(("发票专用章", "业务专用章")), anchor="mm",
           fill=(*SEAL_RED, 255), font=font_for(int(r * 0.2)))  # fmt: skip
    layer = layer.rotate(rng.uniform(-25, 25), Image.Resampling.BICUBIC)
    alpha = layer.getchannel("A").point(lambda v: v * rng.randint(120, 170) // 255)
    layer.putalpha(alpha)
    base = image.convert("RGBA")
    base.alpha_composite(layer, (cx - c[0], cy - c[1]))
    image.paste(base.convert("RGB"))


def scribble(image: Image.Image, box: Box, rng: random.Random) -> None:
    """A pen stroke across ``box``: a signature-like loop or a tick, in blue or black ink."""
    d = ImageDraw.Draw(image)
    ink = rng.choice(((25, 45, 160), (30, 30, 40)))
    x0, y0, x1, y1 = box
    h = max(10, y1 - y0)
    if rng.random() < 0.5:  # a loopy signature through the value
        amp, freq, phase = h * rng.uniform(0.3, 0.7), rng.uniform(0.03, 0.08), rng.uniform(0, 6)
        pts = []
        for i in range(60):
            t = i / 59
            x = x0 - 10 + t * (x1 - x0 + 20) + 12 * math.sin(freq * 3 * i)
            y = (y0 + y1) / 2 + amp * math.sin(freq * (x - x0) + phase) + rng.uniform(-2, 2)
            pts.append((x, y))
    else:  # a tick over the value's right part
        x, y = x1 - rng.randint(10, 60), (y0 + y1) // 2
        pts = [(x - 20, y - 5), (x, y + h * 0.6), (x + 45, y - h * 0.9)]
    d.line(pts, fill=ink, width=rng.randint(3, 5), joint="curve")


def faded(image: Image.Image, box: Box, rng: random.Random, dead: tuple[int, ...]) -> None:
    """Wear a printed value in ``box``: patches of it faded toward the paper, and the page's
    ``dead`` columns (a thermal head's failed dots, the same x on every line) left blank."""
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), box[2], box[3]
    w, h = x1 - x0, y1 - y0
    if w < 2 or h < 2:
        return
    region = image.crop((x0, y0, x1, y1))
    cell = max(4, h // 3)  # patches about a third of a line across
    coarse = Image.frombytes("L", (w // cell + 2, h // cell + 2), bytes(
        rng.randrange(256) for _ in range((w // cell + 2) * (h // cell + 2))))  # fmt: skip
    cut = rng.randint(150, 200)  # about a third of the value fades
    mask = coarse.resize((w, h), Image.Resampling.BILINEAR).point(lambda v: 255 if v > cut else 0)
    paper = Image.new("RGB", (w, h), "white")
    region = Image.composite(Image.blend(region, paper, rng.uniform(0.5, 0.8)), region, mask)
    draw = ImageDraw.Draw(region)
    for x in dead:
        if x0 <= x < x1:
            draw.line((x - x0, 0, x - x0, h), fill="white", width=2)
    image.paste(region, (x0, y0))


HIGHLIGHTS = ((255, 238, 90), (160, 240, 150), (255, 175, 205))


def highlighter(image: Image.Image, box: Box, rng: random.Random) -> None:
    """A marker stroke over ``box``: a translucent band the ink shows through (multiplied)."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    x0, x1 = x0 - rng.randint(2, 14), x1 + rng.randint(2, 14)
    y0, y1 = y0 - rng.randint(-h // 6, h // 4), y1 + rng.randint(-h // 6, h // 4)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(image.width, x1), min(image.height, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    region = image.crop((x0, y0, x1, y1))
    band = Image.new("RGB", region.size, rng.choice(HIGHLIGHTS))
    image.paste(ImageChops.multiply(region, band), (x0, y0))


def received(image: Image.Image, box: Box, rng: random.Random, date: str,
             font_for: Callable[[int], ImageFont.FreeTypeFont]) -> None:  # fmt: skip
    """A rectangular 已报销 stamp in violet or blue ink, semi-transparent, tilted, over ``box``."""
    ink = rng.choice(((90, 60, 170), (40, 70, 170), (120, 50, 140)))
    big, small = font_for(rng.randint(44, 58)), font_for(rng.randint(18, 22))
    word = rng.choice(("已报销", "已审核", "财务已收"))
    w = int(max(big.getlength(word), small.getlength(date)) + 50)
    h = big.size + small.size + 46
    layer = Image.new("RGBA", (w + 20, h + 20), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    d.rectangle((10, 10, w + 10, h + 10), outline=(*ink, 255), width=5)
    d.rectangle((17, 17, w + 3, h + 3), outline=(*ink, 255), width=2)
    d.text((w // 2 + 10, 24), word, fill=(*ink, 255), font=big, anchor="ma")
    d.text((w // 2 + 10, h - 2), date, fill=(*ink, 255), font=small, anchor="ms")
    layer = layer.rotate(rng.uniform(-10, 10), Image.Resampling.BICUBIC, expand=True)
    alpha = layer.getchannel("A").point(lambda v: v * rng.randint(110, 170) // 255)
    layer.putalpha(alpha)
    cx = (box[0] + box[2]) // 2 + rng.randint(-60, 60) - layer.width // 2
    cy = (box[1] + box[3]) // 2 + rng.randint(-25, 25) - layer.height // 2
    base = image.convert("RGBA")
    base.alpha_composite(layer, (max(0, cx), max(0, cy)))
    image.paste(base.convert("RGB"))


PENS = ((25, 60, 175), (190, 30, 40), (35, 35, 45))  # ballpoint blue, red, black


def pen(image: Image.Image, box: Box, rng: random.Random) -> None:
    """A reviewer's ballpoint mark on ``box``: a ring drawn round the value in one wobbly
    stroke (its ends crossing, its sides now and then through the first or last glyph), or
    an underline or two just under it, touching its lowest strokes."""
    d = ImageDraw.Draw(image)
    ink, width = rng.choice(PENS), rng.randint(2, 3)
    h = max(10, box[3] - box[1])
    strokes = [_ring(box, h, rng)] if rng.random() < 0.5 else [
        _underline(box, h, k, rng) for k in range(rng.choice((1, 1, 2)))]
    for pts in strokes:
        d.line(pts, fill=ink, width=width, joint="curve")


def _ring(box: Box, h: int, rng: random.Random) -> list[tuple[float, float]]:
    """A wobbly ellipse round ``box``, a little more than once round, slightly tilted."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    rx, ry = (x1 - x0) / 2 + rng.uniform(-6, 16), h / 2 + rng.uniform(2, 12)
    start, turn = rng.uniform(0, 2 * math.pi), rng.uniform(1.05, 1.15)
    tilt = rng.uniform(-0.05, 0.05)
    pts = []
    for i in range(72):
        a = start + 2 * math.pi * turn * i / 71
        wobble = 1 + rng.uniform(-0.03, 0.03)
        x, y = rx * wobble * math.cos(a), ry * wobble * math.sin(a)
        pts.append((cx + x - tilt * y, cy + y + tilt * x))
    return pts


def _underline(box: Box, h: int, k: int, rng: random.Random) -> list[tuple[float, float]]:
    """The ``k``-th line under ``box``, touching its lowest strokes, sloping a little."""
    x0, _, x1, y1 = box
    y = y1 - h * 0.08 + k * rng.uniform(4, 7)
    left, right = x0 - rng.uniform(0, 12), x1 + rng.uniform(-10, 14)
    return [(left + (right - left) * i / 20, y + rng.uniform(-1.5, 1.5) + 3 * i / 20)
            for i in range(21)]
