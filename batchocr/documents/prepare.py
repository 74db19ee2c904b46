"""Bytes of an input file → a service-ready image (synchronous; run it in a worker thread).

The service takes jpg/png/bmp, longest side ≤ 4096 px, shortest side ≥ 15 px and
base64 text ≤ 4 MB. An input that already meets all of that is sent as the very
same bytes (same input, same request, no re-encoding cost); anything else is
decoded, flattened to L or RGB, downscaled and re-encoded. Every bad input
becomes an :class:`~batchocr.errors.InputError` with a one-line message.

The format comes from the bytes, never from a file name, and Pillow's global
settings (``MAX_IMAGE_PIXELS``, ``LOAD_TRUNCATED_IMAGES``) are left alone.

>>> import io
>>> from PIL import Image
>>> buf = io.BytesIO()
>>> Image.new("L", (600, 400), 255).save(buf, "PNG")
>>> img = prepare(buf.getvalue())
>>> (img.format, img.width, img.height, img.converted, img.data == buf.getvalue())
('png', 600, 400, False, True)
"""

from __future__ import annotations

import stat
import struct
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from batchocr.errors import InputError
from batchocr.models import InputKind, PreparedImage

from .encode import encode, encode_jpeg_to_fit, fit, flatten, max_raw, mb

MAX_SIDE = 4096  # service limit: longest side
MIN_SIDE = 15  # service limit: shortest side
MAX_BASE64 = 4 * 1024 * 1024  # service limit on the base64 text
MAX_PIXELS = 64_000_000  # decompression-bomb guard, checked on the header before decoding

_JPEG_EOI = b"\xff\xd9"
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the whole chunk: length, type, CRC

# Only formats scanners and phones produce; Pillow could also open EPS (which
# shells out to Ghostscript) and exotic formats we have no reason to parse.
_OPEN_FORMATS = ("JPEG", "PNG", "BMP", "GIF", "TIFF", "WEBP")
_SEND_AS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "BMP": "bmp"}
# Modes every decoder reads; alpha, CMYK and 16-bit are re-encoded rather than gambled on
# (a transparent background can come out black, CMYK JPEG breaks some decoders).
_SEND_MODES = frozenset({"1", "L", "P", "RGB"})
_LOSSY_FORMATS = frozenset({"JPEG", "MPO", "WEBP"})
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)

# warnings.catch_warnings swaps process-wide state and is not thread-safe: two
# overlapping uses can restore each other's filters. Our worker threads take
# this lock around the short header parse, where Pillow checks the pixel count.
_WARNINGS_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Limits:
    """What the service accepts, and how many pixels we agree to decode."""

    max_side: int = MAX_SIDE
    min_side: int = MIN_SIDE
    max_base64: int = MAX_BASE64
    max_pixels: int = MAX_PIXELS


def base64_size(n: int) -> int:
    """Length of the base64 text of ``n`` bytes (padding included).

    >>> [base64_size(n) for n in (0, 1, 3, 4)]
    [0, 4, 4, 8]
    """
    return 4 * ((n + 2) // 3)


def read_file(path: Path, max_bytes: int) -> bytes:
    """Read an input file, refusing what is missing, not a file, or over ``max_bytes``.

    The size is checked with ``stat`` before reading, so a huge file costs nothing.

    >>> read_file(Path("/nonexistent/scan.jpg"), 10 * 1024 * 1024)
    Traceback (most recent call last):
    ...
    batchocr.errors.InputError: file not found
    """
    try:
        st = path.stat()
    except OSError as exc:
        raise _os_input_error(exc) from exc
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory", InputKind.NOT_A_FILE)
    if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
        raise InputError("not a regular file", InputKind.NOT_A_FILE)
    if st.st_size > max_bytes:
        raise InputError(
            f"file too large: {mb(st.st_size)} (limit {mb(max_bytes)})", InputKind.FILE_TOO_LARGE
        )
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # +1: notice a file that grew since stat
    except OSError as exc:
        raise _os_input_error(exc) from exc
    if len(data) > max_bytes:
        raise InputError(
            f"file too large: over {mb(max_bytes)} (it grew while being read)",
            InputKind.FILE_TOO_LARGE,
        )
    return data


def prepare(data: bytes, limits: Limits = Limits()) -> PreparedImage:
    """Turn the bytes of an input file into a :class:`PreparedImage` the service accepts.

    >>> prepare(b"")
    Traceback (most recent call last):
    ...
    batchocr.errors.InputError: empty file (0 bytes)
    """
    if not data:
        raise InputError("empty file (0 bytes)", InputKind.EMPTY)
    img = _open(data)
    _check_header(img, limits)
    send_as = _SEND_AS.get(img.format or "")
    if (
        send_as is not None
        and img.mode in _SEND_MODES
        and not img.has_transparency_data
        and _orientation(img) == 1
        and max(img.size) <= limits.max_side
        and base64_size(len(data)) <= limits.max_base64
    ):
        width, height = img.size  # before the check: a JPEG draft shrinks img.size
        _check_complete(img, data)
        return PreparedImage(data, send_as, width, height, converted=False)
    return _convert(img, limits)


# -- reading the input -------------------------------------------------------------------


def _open(data: bytes) -> Image.Image:
    """Parse the header only; nothing is decoded yet."""
    with _decode_errors():
        try:
            with _WARNINGS_LOCK, warnings.catch_warnings():
                # A broken header also makes Pillow warn ("Corrupt EXIF data"): the
                # InputError or the decode below says what matters, keep stderr quiet.
                warnings.simplefilter("ignore", UserWarning)
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                return Image.open(BytesIO(data), formats=_OPEN_FORMATS)
        except UnidentifiedImageError:
            raise _unidentified(data) from None


def _check_header(img: Image.Image, limits: Limits) -> None:
    w, h = img.size
    if w * h > limits.max_pixels:
        raise InputError(
            f"image too large to decode safely: {w}×{h} px "
            f"(decompression-bomb guard, limit {limits.max_pixels} px)",
            InputKind.TOO_MANY_PIXELS,
        )
    if min(w, h) < limits.min_side:
        raise InputError(
            f"image too small: {w}×{h} px "
            f"(the service needs at least {limits.min_side} px per side)",
            InputKind.TOO_SMALL,
        )
    fitted = fit((w, h), limits.max_side)
    if min(fitted) < limits.min_side:
        raise InputError(
            f"image too elongated: {w}×{h} px cannot be scaled to {limits.max_side} px "
            f"on the longest side and keep {limits.min_side} px on the shortest",
            InputKind.TOO_ELONGATED,
        )


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation (1..8), read without decoding the pixels."""
    if img.format == "PNG" and "exif" not in img.info:
        return 1  # PngImageFile.getexif() decodes the whole image to look for a late eXIf
    try:
        value = img.getexif().get(ExifTags.Base.Orientation, 1)
    except _DECODE_ERRORS:  # unreadable EXIF: the pixels may still be fine
        return 1
    return value if isinstance(value, int) and 2 <= value <= 8 else 1


def _check_complete(img: Image.Image, data: bytes) -> None:
    """Catch a truncated file before it is sent unchanged, as cheaply as each format allows.

    JPEG: a file cut short cannot end with the EOI marker FF D9, because the
    encoder escapes every FF in the compressed data and a cut inside a header
    segment already fails in ``Image.open``; so a file ending in EOI needs no
    decode. Anything after EOI (scanner padding, camera trailers) falls back to
    a decode at 1/8 scale, which still reads every block but skips the inverse
    DCT. (A full decode would not catch much more: corrupt data mostly decodes
    to garbage without an error.) PNG: verify() checks every chunk's CRC through
    IEND without inflating, and the IEND chunk must be whole. BMP is raw: load it.
    """
    if img.format in ("JPEG", "MPO") and data.endswith(_JPEG_EOI):
        return
    with _decode_errors():
        if img.format == "PNG":
            img.verify()  # stops at the IEND chunk type, before IEND's own CRC
            if not data.endswith(_PNG_IEND) and data.rfind(_PNG_IEND) < 0:
                raise InputError(
                    "truncated or corrupt image (the PNG end chunk is cut off)",
                    InputKind.DAMAGED_IMAGE,
                )
            return
        if img.format in ("JPEG", "MPO"):
            img.draft(img.mode, (1, 1))
        img.load()


@contextmanager
def _decode_errors() -> Iterator[None]:
    """Turn what Pillow raises on broken data into one-line InputErrors."""
    try:
        yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        reason = _reason(exc).split(", could be")[0]
        raise InputError(
            f"image too large to decode safely ({reason})", InputKind.TOO_MANY_PIXELS
        ) from exc
    except _DECODE_ERRORS as exc:
        raise InputError(
            f"truncated or corrupt image ({_reason(exc)})", InputKind.DAMAGED_IMAGE
        ) from exc


def _unidentified(data: bytes) -> InputError:
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return InputError(
                f"truncated or corrupt image (unreadable {name} header)", InputKind.DAMAGED_IMAGE
            )
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return InputError(
            "truncated or corrupt image (unreadable WEBP header)", InputKind.DAMAGED_IMAGE
        )
    if data.startswith(b"%PDF"):
        return InputError(
            "not an image (a PDF document; export the page as JPEG or PNG)",
            InputKind.PDF_AS_IMAGE,
        )
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return InputError(
            "unsupported image format (HEIF/AVIF; export it as JPEG or PNG)", InputKind.HEIF
        )
    return InputError("not an image (unrecognized format)", InputKind.NOT_AN_IMAGE)


def _reason(exc: BaseException) -> str:
    """A short single-line reason from an exception, never more than 100 characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 100 else text[:97] + "..."


def _os_input_error(exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError("file not found", InputKind.NOT_FOUND)
    if isinstance(exc, IsADirectoryError):
        return InputError("is a directory", InputKind.NOT_A_FILE)
    if isinstance(exc, PermissionError):
        return InputError("permission denied", InputKind.PERMISSION)
    return InputError(exc.strerror or type(exc).__name__)


# -- converting --------------------------------------------------------------------------


def _convert(img: Image.Image, limits: Limits) -> PreparedImage:
    """Decode the first frame, upright it, flatten it to L/RGB, shrink it and encode it."""
    source_format = img.format or ""
    lossless = _is_lossless(img)
    target = fit(img.size, limits.max_side)
    with _decode_errors():
        if source_format in ("JPEG", "MPO") and target[0] * 2 <= img.width:
            img.draft(img.mode, target)  # libjpeg decodes at 1/2, 1/4 or 1/8 scale for free
        img.load()
    turned = _orientation(img) != 1  # now also sees a PNG eXIf chunk after the pixels
    if turned:
        _upright(img)
    out = flatten(img)
    target = fit(out.size, limits.max_side)
    if out.size != target:
        out = out.resize(target, Image.Resampling.LANCZOS, reducing_gap=2.0)
    # Re-encoding an untouched PNG as PNG only costs time: it was too big already.
    same_png = source_format == "PNG" and not turned and out is img
    cap = max_raw(limits.max_base64)
    if lossless and not same_png:
        data = encode(out, cap, "PNG")
        if data is not None:
            return PreparedImage(data, "png", out.width, out.height, converted=True)
    return encode_jpeg_to_fit(out, cap, limits.min_side)


def _is_lossless(img: Image.Image) -> bool:
    if img.format in _LOSSY_FORMATS:
        return False
    return not str(img.info.get("compression", "")).endswith("jpeg")  # JPEG-in-TIFF


def _upright(img: Image.Image) -> None:
    try:
        ImageOps.exif_transpose(img, in_place=True)
    except _DECODE_ERRORS:  # unreadable EXIF: send the pixels as they are stored
        return
