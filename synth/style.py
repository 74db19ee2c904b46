"""The look of a synthetic itinerary (synth.variety): a :class:`Style` and its families.

A :class:`Style` is every visual choice of one page, each drawn independently from a seeded
generator within the restriction of a *family*. A family is a name plus, for each axis of
:data:`AXES`, the values it allows (axes it does not name take :data:`DEFAULTS`). The classic
families (:data:`CLASSIC`) are not drawn with a Style: they are the fixed drawings of
:mod:`synth.scans` (and :func:`synth.files.render`), the ones the offline engine is tuned on.

Tuning and held-out families are disjoint, and every held-out family is a combination no
tuning family draws: the held-out ones use a typeface (dot-matrix) and marks (stamps,
handwriting) that no tuning family uses. The value formats and label styles the issue names
(``01JAN25`` dates, ``¥1234.00`` amounts, Chinese-only labels) and the receipt arrangement were
held out too until 2026-12-05; they are in tuning families since (an engine cannot read a date
format it was never told of, while it must read a typeface it never saw). Since 2026-12-06
three tuning families draw wear and marks of other kinds than the held-out seals and pen
strokes (print faded in patches, a highlighter, a rectangular 已报销 stamp): an engine may
learn to read through marks and worn print there, and the held-out families say whether
that holds for marks and a typeface it never saw. Since the afternoon of 2026-12-06 one tuning
family prints its values dot-matrix too, as another head does (``dotmatrix24``: round dots in
staggered rows over a Song face); the held-out ``dotmatrix`` (a 9-pin grid of square dots over
a sans face) is still a print no tuning page draws. Since the evening of 2026-12-06 one tuning
family draws a reviewer's ballpoint rings and underlines over values (``mixed-pen-reviewed``,
every typeface but the dotted ones, misregistered or not): pen marks of another shape than the
held-out families' signatures and ticks. The probe families (:data:`PROBE_FAMILIES`, sessions
18 and 19) redraw held-out ones from tuning axes only (no seal, no pen, no 9-pin face): pages
looked at, in neither list.

>>> s = draw_style(3, "paper-rotated")
>>> s.rotation in (90, 180, 270), 0.5 <= s.scale <= 2.0
(True, True)
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont

from batchocr.errors import ConfigError

from .scans import REAL_LAYOUT, font_path

# Every choice a Style makes, and the values it can take.
AXES: dict[str, tuple[Any, ...]] = {
    "content": ("paper", "einvoice"),  # which document's fields and Names (fields.md)
    "arrangement": ("form", "receipt"),  # a wide ruled form, or a narrow one-column slip
    "typeface": ("sans", "mono", "dotmatrix", "serif", "kai", "dotmatrix24"),  # of the values
    "value_ink": ("black", "blue", "darkred"),
    "form_ink": ("grey", "ochre", "green", "blue"),  # labels and rules
    "labels": ("zh-over-en", "zh-beside-en", "zh-only"),
    "variant": (0, 1),  # which real label text: 有效截止日期 or 有效期截止日期 …
    "date_format": ("iso", "cn", "ddmonyy"),  # 2025-01-01 / 2025年01月01日 / 01JAN25
    "amount_format": ("cny", "yen", "plain"),  # CNY 1,234.00 / ¥1234.00 / 1234.00
    "time_format": ("hhmm", "hh:mm"),
    "ruled": (True, False),
    "placement": ("above", "left"),  # labels above their values or left of them
    "offset": ("none", "misregistered"),  # the data pass shifted by up to one line height
    "stamp": (False, True),  # a semi-transparent red seal over some fields
    "scribble": (False, True),  # handwriting-like strokes over some fields
    "rotation": (0, 90, 180, 270),  # counter-clockwise, as PIL's transpose
    "scale": ("1", "varied"),  # the whole page at 1x, or at 0.5-2x
    "wear": ("none", "faded"),  # a worn ribbon or thermal head: values printed in patches
    # a reviewer's marker, a 已报销 stamp, ballpoint rings and underlines
    "overprint": ("none", "highlighter", "received", "pen"),
}
# Axes added after pages of the earlier families were benchmarked: drawn from a generator of
# their own (and kept out of a Style's repr, which seeds the drawing) so those pages stay the
# same for their seeds.
LATER = ("wear", "overprint")
DEFAULTS: dict[str, tuple[Any, ...]] = {
    "content": ("paper",), "arrangement": ("form",), "typeface": ("sans",),
    "value_ink": ("black",), "form_ink": ("grey",), "labels": ("zh-over-en",), "variant": (0, 1),
    "date_format": ("iso",), "amount_format": ("cny",), "time_format": ("hhmm",),
    "ruled": (True,), "placement": ("above",), "offset": ("none",), "stamp": (False,),
    "scribble": (False,), "rotation": (0,), "scale": ("1",),
    "wear": ("none",), "overprint": ("none",),
}  # fmt: skip

# The fixed drawings: family → the synth.scans layout drawn.
CLASSIC = {"paper-classic": "paper", "einvoice-classic": "einvoice", "einvoice-real": REAL_LAYOUT}
# The drawn families: name → the values each axis allows (others: DEFAULTS).
SPECS: dict[str, dict[str, tuple[Any, ...]]] = {
    "paper-serif-colour": {
        "typeface": ("serif",), "value_ink": ("blue", "darkred"), "form_ink": ("ochre", "green"),
        "date_format": ("iso", "cn"), "offset": ("misregistered",),
    },
    "paper-beside-unruled": {
        "labels": ("zh-beside-en",), "amount_format": ("plain",), "time_format": ("hh:mm",),
        "ruled": (False,), "placement": ("left",), "form_ink": ("grey", "blue"),
    },
    "einvoice-mono-left": {
        "content": ("einvoice",), "typeface": ("mono",), "value_ink": ("black", "blue"),
        "form_ink": ("ochre",), "labels": ("zh-over-en", "zh-beside-en"),
        "date_format": ("iso", "cn"), "amount_format": ("cny", "plain"),
        "time_format": ("hh:mm",), "ruled": (True, False), "placement": ("left",),
    },
    "paper-rotated": {
        "typeface": ("sans", "mono"), "rotation": (90, 180, 270), "scale": ("varied",),
    },
    # Tuning since 2026-12-05 (see TUNING_FAMILIES): its label, date and amount styles are
    # no longer the held-out ones (Chinese-only labels, 01JAN25, ¥) so that those stay unseen.
    "einvoice-ruled-kai": {
        "content": ("einvoice",), "typeface": ("kai",), "value_ink": ("black", "blue"),
        "form_ink": ("ochre", "green"), "labels": ("zh-over-en",),
        "date_format": ("cn",), "amount_format": ("plain",),
    },
    # Tuning since 2026-12-05 (session 5): the formats issue 9 names (01JAN25 dates, ¥
    # amounts, Chinese-only labels) and the one-column receipt, in typefaces and marks the
    # held-out families do not use, so a held-out page is still a combination no tuning saw.
    "receipt-sans-yen": {
        "content": ("paper", "einvoice"), "arrangement": ("receipt",),
        "typeface": ("sans", "mono"), "value_ink": ("black", "blue"),
        "labels": ("zh-only", "zh-beside-en"), "date_format": ("ddmonyy", "cn"),
        "amount_format": ("yen", "cny"), "ruled": (False,), "placement": ("left",),
    },
    "paper-zh-only-ddmonyy": {
        "typeface": ("serif", "sans"), "value_ink": ("black", "darkred"),
        "form_ink": ("grey", "blue"), "labels": ("zh-only",), "date_format": ("ddmonyy",),
        "amount_format": ("yen", "plain"), "ruled": (True, False), "offset": ("misregistered",),
    },
    "receipt-mono-dotmatrix": {
        "arrangement": ("receipt",), "typeface": ("dotmatrix",),
        "value_ink": ("black", "darkred", "blue"), "labels": ("zh-only", "zh-beside-en"),
        "date_format": ("ddmonyy",), "amount_format": ("yen", "cny"), "ruled": (False,),
        "placement": ("left",),
    },
    # Tuning since 2026-12-06 (session 11): wear and marks over fields of other kinds than the
    # held-out seals and pen strokes (a reviewer's highlighter, a rectangular 已报销 stamp,
    # print fading in patches), so that an engine learns to read through them on pages no
    # held-out family draws.
    "paper-faded-highlighted": {
        "typeface": ("sans", "serif", "mono"), "value_ink": ("black", "blue"),
        "form_ink": ("grey", "blue", "ochre"), "labels": ("zh-over-en", "zh-only"),
        "date_format": ("iso", "ddmonyy"), "amount_format": ("cny", "plain"),
        "ruled": (True, False), "offset": ("none", "misregistered"), "wear": ("faded",),
        "overprint": ("highlighter",),
    },
    "einvoice-received": {
        "content": ("einvoice",), "typeface": ("sans", "mono"), "value_ink": ("black", "blue"),
        "labels": ("zh-over-en", "zh-beside-en"), "placement": ("left", "above"),
        "date_format": ("iso", "cn"), "amount_format": ("cny", "yen"),
        "time_format": ("hhmm", "hh:mm"), "wear": ("none", "faded"),
        "overprint": ("received",),
    },
    "receipt-thermal": {
        "content": ("paper", "einvoice"), "arrangement": ("receipt",),
        "typeface": ("sans", "serif"), "labels": ("zh-only", "zh-over-en"),
        "date_format": ("cn", "iso"), "amount_format": ("plain", "cny"), "ruled": (False,),
        "placement": ("left",), "wear": ("faded",), "overprint": ("none", "highlighter"),
    },
    # Tuning since 2026-12-06 (session 12): a dot-matrix print of another head (round dots in
    # staggered rows, a Song face) than the held-out families' 9-pin grid over a sans face.
    "paper-dotmatrix-pins": {
        "typeface": ("dotmatrix24",), "value_ink": ("black", "blue"),
        "form_ink": ("grey", "blue", "ochre"), "labels": ("zh-over-en", "zh-only"),
        "date_format": ("iso", "ddmonyy", "cn"), "amount_format": ("cny", "plain"),
        "ruled": (True, False), "offset": ("none", "misregistered"), "scale": ("1", "varied"),
    },
    # Tuning since 2026-12-06 (session 13): a reviewer's ballpoint rings and underlines over
    # values, in blue, red or black: pen marks of another shape than the held-out families'
    # signatures and ticks across a value.
    "mixed-pen-reviewed": {
        "content": ("paper", "einvoice"), "typeface": ("sans", "serif", "kai", "mono"),
        "value_ink": ("black", "blue"), "form_ink": ("grey", "blue", "ochre"),
        "labels": ("zh-over-en", "zh-only", "zh-beside-en"),
        "date_format": ("iso", "cn", "ddmonyy"),
        "amount_format": ("cny", "yen", "plain"), "time_format": ("hhmm", "hh:mm"),
        "ruled": (True, False), "placement": ("above", "left"), "offset": ("none", "misregistered"),
        "overprint": ("pen",),
    },
    "einvoice-stamped": {
        "content": ("einvoice",), "typeface": ("serif", "sans"), "form_ink": ("ochre",),
        "labels": ("zh-beside-en",), "amount_format": ("yen",), "time_format": ("hh:mm",),
        "placement": ("left",), "stamp": (True,), "scribble": (True,),
    },
    "paper-kai-shifted": {
        "typeface": ("kai", "dotmatrix"), "value_ink": ("blue", "black"), "form_ink": ("green",),
        "labels": ("zh-only",), "date_format": ("ddmonyy",), "amount_format": ("yen",),
        "offset": ("misregistered",), "scale": ("varied",), "rotation": (0, 180),
        "scribble": (True,),
    },
    # Probes (sessions 18 and 19): held-out families redrawn from tuning axes only, to tell
    # what they lose to the held-out face and marks from what they lose to the rest.
    # einvoice-stamped without its seals and pen strokes:
    "probe-einv-beside": {
        "content": ("einvoice",), "typeface": ("serif", "sans"), "form_ink": ("ochre",),
        "labels": ("zh-beside-en",), "amount_format": ("yen",), "time_format": ("hh:mm",),
        "placement": ("left",),
    },
    # paper-kai-shifted without its 9-pin face (the tuning 24-pin one instead) and pen strokes:
    "probe-kai-green": {
        "typeface": ("kai", "dotmatrix24"), "value_ink": ("blue", "black"),
        "form_ink": ("green",), "labels": ("zh-only",), "date_format": ("ddmonyy",),
        "amount_format": ("yen",), "offset": ("misregistered",), "scale": ("varied",),
        "rotation": (0, 180),
    },
    # receipt-mono-dotmatrix with the tuning 24-pin face in place of its 9-pin one:
    "probe-receipt-dots": {
        "arrangement": ("receipt",), "typeface": ("dotmatrix24",),
        "value_ink": ("black", "darkred", "blue"), "labels": ("zh-only", "zh-beside-en"),
        "date_format": ("ddmonyy",), "amount_format": ("yen", "cny"), "ruled": (False,),
        "placement": ("left",),
    },
}  # fmt: skip
FAMILIES = (*CLASSIC, *SPECS)
PROBE_FAMILIES = tuple(f for f in SPECS if f.startswith("probe-"))  # tuning axes: looked at
# einvoice-ruled-kai was held out until 2026-12-05, when one of its pages (seed 1500001) was
# looked at while the full-page reader was fixed: it is tuning data since.
TUNING_FAMILIES = ("paper-classic", "einvoice-classic", "einvoice-real", "paper-serif-colour",
                   "paper-beside-unruled", "einvoice-mono-left", "paper-rotated",
                   "einvoice-ruled-kai", "receipt-sans-yen",
                   "paper-zh-only-ddmonyy", "paper-faded-highlighted", "einvoice-received",
                   "receipt-thermal", "paper-dotmatrix-pins", "mixed-pen-reviewed")  # fmt: skip
HELD_OUT_FAMILIES = tuple(f for f in FAMILIES if f not in (*TUNING_FAMILIES, *PROBE_FAMILIES))

INKS = {
    "black": (20, 20, 24), "blue": (30, 50, 150), "darkred": (130, 20, 25),
    "grey": (105, 105, 105), "ochre": (200, 145, 40), "green": (40, 120, 70),
}  # fmt: skip
_ARPHIC = Path("/usr/share/fonts/truetype/arphic")
# Typeface → (font file, Debian package, face index in the .ttc); None: the CJK sans.
FONT_FILES: dict[str, tuple[Path | None, str, int]] = {
    "sans": (None, "fonts-wqy-zenhei", 0),
    "mono": (None, "fonts-wqy-zenhei", 1),
    "dotmatrix": (None, "fonts-wqy-zenhei", 2),  # Zen Hei Sharp, drawn dotted
    "dotmatrix24": (_ARPHIC / "uming.ttc", "fonts-arphic-uming", 0),  # UMing, staggered dots
    "serif": (_ARPHIC / "uming.ttc", "fonts-arphic-uming", 0),  # AR PL UMing CN
    "kai": (_ARPHIC / "ukai.ttc", "fonts-arphic-ukai", 0),  # AR PL UKai CN
}


@dataclass(frozen=True)
class Style:
    """Every visual choice of one drawn page (see :data:`AXES`), plus drawn proportions."""

    content: str
    arrangement: str
    typeface: str
    value_ink: str
    form_ink: str
    labels: str
    variant: int
    date_format: str
    amount_format: str
    time_format: str
    ruled: bool
    placement: str
    offset: str
    stamp: bool
    scribble: bool
    rotation: int
    scale: float  # 1.0, or 0.5-2.0 when the family's scale is "varied"
    margin: int  # page margin in px at scale 1
    value_size: int  # value font size in px at scale 1
    jitter: float  # how unequal the cells' extra widths are (0: equal shares)
    shift: tuple[int, int]  # the data pass offset from the form, px
    wear: str = field(default="none", repr=False)  # (see LATER)
    overprint: str = field(default="none", repr=False)


def family_axes(family: str) -> dict[str, tuple[Any, ...]]:
    """The values each axis allows in a drawn ``family``."""
    if family not in SPECS:
        raise ConfigError(f"family must be one of {FAMILIES}, not {family!r}")
    return {**DEFAULTS, **SPECS[family]}


def draw_style(seed: int, family: str) -> Style:
    """The Style of page ``seed`` of a drawn ``family``; each choice drawn independently."""
    allowed = family_axes(family)
    rng = random.Random(f"synth.style:{family}:{seed}")
    pick = {axis: rng.choice(allowed[axis]) for axis in AXES if axis not in LATER}
    value_size = rng.randint(26, 34)
    shift = (0, 0)
    if pick["offset"] == "misregistered":  # up to one line height
        reach = value_size * 2 // 3  # (vertically: the line height is about 1.5 x this)
        shift = (rng.randint(-value_size, value_size), rng.randint(-reach, reach))
    scale = 1.0 if pick["scale"] == "1" else round(rng.uniform(0.5, 2.0), 2)
    later = random.Random(f"synth.style.later:{family}:{seed}")
    pick.update({axis: later.choice(allowed[axis]) for axis in LATER})
    return Style(**{**pick, "scale": scale}, margin=rng.randint(30, 110), value_size=value_size,
                 jitter=round(rng.uniform(0.0, 0.8), 3), shift=shift)  # fmt: skip


def font_file(typeface: str) -> tuple[Path, int]:
    """The font file and face of ``typeface``; a clear error naming the package if missing."""
    path, package, index = FONT_FILES[typeface]
    if path is None:
        return font_path(), index
    env = os.environ.get(f"BATCHOCR_FONT_{typeface.upper()}")
    path = Path(env) if env else path
    if not path.is_file():
        env_name = f"BATCHOCR_FONT_{typeface.upper()}"
        raise ConfigError(f"{typeface} font not found: {path}; install it with "
                          f"`apt-get install {package}` or set {env_name}")  # fmt: skip
    return path, index


@lru_cache(maxsize=128)
def font(typeface: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = font_file(typeface)
    try:
        return ImageFont.truetype(str(path), size, index=index)
    except OSError:  # a single-face file given by the environment
        return ImageFont.truetype(str(path), size)
