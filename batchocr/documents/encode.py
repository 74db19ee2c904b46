"""Pixels → bytes the service accepts: flatten to 8-bit L/RGB, then PNG or a JPEG that fits.

Pure functions of an image (no file, no network): :mod:`.prepare` decides *whether* to
re-encode; this module does it, stopping each encoder as soon as its output cannot fit.

>>> fit((8000, 2000), 4096)
(4096, 1024)
>>> max_raw(8)
6
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, cast

from PIL import Image

from ..errors import InputError
from ..models import InputKind, PreparedImage

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["encode", "encode_jpeg_to_fit", "fit", "flatten", "max_raw", "mb"]

_MB = 1024 * 1024
_GIVE_UP_SIDE = 1000  # below this a ticket is no longer legible: fail instead of shrinking
_JPEG_QUALITIES = (90, 85, 75, 65)
_SHRINK_STEP = 0.85
_GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "F"})


def mb(n: int) -> str:
    """A byte count for a message.

    >>> mb(3 * _MB), mb(200)
    ('3.0 MB', '200 bytes')
    """
    return f"{n / _MB:.1f} MB" if n >= _MB // 10 else f"{n} bytes"


def flatten(img: Image.Image) -> Image.Image:
    """One 8-bit L or RGB image; transparency is composited onto white paper."""
    gray = img.mode in _GRAY_MODES or img.mode.startswith("I;16")
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        paper = Image.new("RGB", img.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper.convert("L") if gray else paper
    if img.mode in ("L", "RGB"):
        return img
    if img.mode == "1":
        return img.convert("L")
    if gray:
        return stretch_to_8bit(img)
    return img.convert("RGB")


def stretch_to_8bit(img: Image.Image) -> Image.Image:
    """16-bit/int/float gray → L by its own value range (Pillow's convert clips at 255)."""
    f = img.convert("F")
    lo, hi = cast(tuple[float, float], f.getextrema())  # one band: (min, max)
    scale = 255.0 / (hi - lo) if hi > lo else 1.0
    offset = -lo * scale
    return f.point(lambda v: v * scale + offset).convert("L")


def encode_jpeg_to_fit(img: Image.Image, cap: int, min_side: int) -> PreparedImage:
    """JPEG at falling quality, then at 0.85× steps down to 1000 px, until ``cap`` bytes fit."""
    for quality in _JPEG_QUALITIES:
        data = encode(img, cap, "JPEG", quality)
        if data is not None:
            return PreparedImage(data, "jpeg", img.width, img.height, converted=True)
    longest = max(img.size)
    while longest > _GIVE_UP_SIDE:
        longest = max(_GIVE_UP_SIDE, int(longest * _SHRINK_STEP))
        size = fit(img.size, longest)
        if min(size) < min_side:
            break
        small = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
        data = encode(small, cap, "JPEG", _JPEG_QUALITIES[-1])
        if data is not None:
            return PreparedImage(data, "jpeg", small.width, small.height, converted=True)
    raise InputError(
        f"image does not fit the service's base64 limit ({mb(cap)} of image data) "
        f"even as a JPEG of {longest} px",
        InputKind.TOO_LARGE_TO_SEND,
    )


class _Full(Exception):
    """The encoder's output passed the cap: stop encoding, it will not be sent."""


class _CappedBuffer(BytesIO):
    """Pillow writes encoder output as it goes; stop it as soon as it cannot fit."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self._cap = cap

    def write(self, data: ReadableBuffer, /) -> int:
        written = super().write(data)
        if self.tell() > self._cap:
            raise _Full
        return written


def encode(img: Image.Image, cap: int, fmt: str, quality: int = 90) -> bytes | None:
    """The encoded bytes, or None as soon as they exceed ``cap``."""
    buf = _CappedBuffer(cap)
    try:
        if fmt == "PNG":
            # zlib level 3 instead of 6: 3× faster on noisy scans for ~10% more bytes.
            img.save(buf, "PNG", optimize=False, compress_level=3)
        else:
            img.save(buf, "JPEG", quality=quality)
    except _Full:
        return None
    return buf.getvalue()


def max_raw(max_base64: int) -> int:
    """The most bytes whose base64 text fits in ``max_base64`` characters."""
    return max_base64 // 4 * 3


def fit(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``size`` scaled down so its longest side is ``max_side`` (unchanged if it fits)."""
    w, h = size
    longest = max(w, h)
    if longest <= max_side:
        return size
    scale = max_side / longest
    return min(max_side, max(1, round(w * scale))), min(max_side, max(1, round(h * scale)))
