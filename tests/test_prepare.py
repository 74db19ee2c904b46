"""Tests for batchocr.documents.prepare: input bytes → service-ready image, reading files."""

from __future__ import annotations

import base64
import io
import os
import random
import re
import struct
import sys
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFile

from batchocr.documents.prepare import (
    MAX_BASE64,
    MAX_PIXELS,
    MAX_SIDE,
    MIN_SIDE,
    Limits,
    base64_size,
    prepare,
    read_file,
)
from batchocr.errors import InputError
from batchocr.models import InputKind, PreparedImage

WHITE = (255, 255, 255)
RED = (255, 0, 0)


def encode(img: Image.Image, fmt: str, **options: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def page(size: tuple[int, int] = (300, 200), mode: str = "RGB") -> Image.Image:
    """A white page with a few dark 'text' bars, so encoders have something to do."""
    img = Image.new("RGB", size, WHITE)
    draw = ImageDraw.Draw(img)
    w, h = size
    for y in range(h // 10, h - h // 10, max(1, h // 8)):
        draw.rectangle([w // 10, y, w - w // 5, y + max(1, h // 30)], fill=(20, 20, 20))
    return img.convert(mode)


def noise(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """Random RGB pixels: incompressible, so it is expensive to encode in few bytes."""
    raw = random.Random(seed).randbytes(size[0] * size[1] * 3)
    return Image.frombytes("RGB", size, raw)


def summary(prepared: PreparedImage) -> tuple[str, int, int, bool]:
    return prepared.format, prepared.width, prepared.height, prepared.converted


def reopen(prepared: PreparedImage) -> Image.Image:
    img = Image.open(io.BytesIO(prepared.data))
    img.load()
    return img


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims huge dimensions: a decompression bomb in 100 bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def error_of(data: bytes, limits: Limits | None = None) -> str:
    return str(failure_of(data, limits))


def failure_of(data: bytes, limits: Limits | None = None) -> InputError:
    with pytest.raises(InputError) as info:
        prepare(data, limits or Limits())
    return info.value


def test_each_refusal_says_what_is_wrong_as_data() -> None:
    """The report's advice is keyed on the error's kind, never on its message text."""
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), WHITE).save(buf, "PNG")
    heif = b"\x00\x00\x00\x18ftypheic" + bytes(40)
    assert [failure_of(data).kind for data in (b"", b"%PDF-1.7\n", heif, b"plain text",
                                                buf.getvalue(), b"\x89PNG\r\n\x1a\n")] == [
        InputKind.EMPTY, InputKind.PDF_AS_IMAGE, InputKind.HEIF, InputKind.NOT_AN_IMAGE,
        InputKind.TOO_SMALL, InputKind.DAMAGED_IMAGE,
    ]  # fmt: skip


def outcome(data: bytes, limits: Limits) -> str:
    """The prepared format, or the error message."""
    try:
        return prepare(data, limits).format
    except InputError as exc:
        return str(exc)


def assert_close(actual: tuple[int, ...], expected: tuple[int, ...], tol: int = 12) -> None:
    assert all(abs(a - e) <= tol for a, e in zip(actual, expected, strict=True)), actual


# -- the public constants and helpers -----------------------------------------------------


def test_defaults_are_the_service_limits() -> None:
    """The default limits are the documented service limits and the bomb guard."""
    assert Limits() == Limits(
        max_side=4096, min_side=15, max_base64=4 * 1024 * 1024, max_pixels=64_000_000
    )
    assert (MAX_SIDE, MIN_SIDE, MAX_BASE64, MAX_PIXELS) == (4096, 15, 4194304, 64_000_000)


def test_base64_size_matches_the_real_encoding() -> None:
    """base64_size(n) equals the length of the base64 text of n bytes."""
    assert [base64_size(n) for n in range(10)] == [
        len(base64.b64encode(b"x" * n)) for n in range(10)
    ]


# -- bad input --------------------------------------------------------------------------


def test_empty_input_is_refused() -> None:
    """Zero bytes is reported as an empty file."""
    assert error_of(b"") == "empty file (0 bytes)"


def test_random_bytes_are_not_an_image() -> None:
    """Bytes with no image signature are reported as not an image."""
    assert error_of(random.Random(7).randbytes(2000)) == "not an image (unrecognized format)"


def test_text_file_is_not_an_image() -> None:
    """A CSV text file is reported as not an image."""
    text = "姓名,证件号码\n测试乘客,110101199001010000\n".encode()
    assert error_of(text) == "not an image (unrecognized format)"


def test_pdf_gets_a_helpful_message() -> None:
    """A PDF document is named as such, with what to do instead."""
    assert error_of(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n") == (
        "not an image (a PDF document; export the page as JPEG or PNG)"
    )


def test_truncated_jpeg_is_refused() -> None:
    """A JPEG cut in half fails as truncated, though it would be sent unchanged."""
    data = encode(page(), "JPEG")
    message = error_of(data[: len(data) // 2])
    assert re.fullmatch(
        r"truncated or corrupt image \(image file is truncated \(\d+ bytes not processed\)\)",
        message,
    )


def test_truncated_jpeg_header_is_refused() -> None:
    """A JPEG cut inside its header is reported as truncated, not as a non-image."""
    assert error_of(encode(page(), "JPEG")[:20]) == (
        "truncated or corrupt image (unreadable JPEG header)"
    )


def test_truncated_png_is_refused() -> None:
    """A PNG cut in half fails as truncated, though it would be sent unchanged."""
    data = encode(page(), "PNG")
    assert error_of(data[: len(data) // 2]) == "truncated or corrupt image (Truncated File Read)"


def test_png_missing_only_its_end_chunk_crc_is_refused() -> None:
    """A PNG missing just the last bytes of its IEND chunk is still caught."""
    assert error_of(encode(page(), "PNG")[:-2]) == (
        "truncated or corrupt image (the PNG end chunk is cut off)"
    )


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("JPEG", {}), ("JPEG", {"progressive": True}), ("PNG", {}), ("BMP", {})],
)
def test_every_cut_of_a_passthrough_image_is_caught(fmt: str, options: dict[str, Any]) -> None:
    """Whatever byte a jpeg/png/bmp file is cut at, it never passes through unchanged."""
    data = encode(page((60, 40)), fmt, **options)
    assert prepare(data).converted is False
    for cut in range(1, len(data), 3):
        with pytest.raises(InputError, match=r"^(truncated or corrupt image|not an image)"):
            prepare(data[:cut])


def test_corrupt_png_checksum_is_refused() -> None:
    """A PNG with a flipped byte in its pixel data fails its chunk checksum."""
    data = bytearray(encode(page(), "PNG"))
    data[data.index(b"IDAT") + 10] ^= 0xFF
    assert error_of(bytes(data)) == (
        "truncated or corrupt image (broken PNG file (bad header checksum in b'IDAT'))"
    )


def test_huge_header_hits_our_pixel_guard_before_decoding() -> None:
    """A 9000×8000 header (72 Mpx) is refused by our 64 Mpx limit without decoding."""
    assert error_of(png_header_only(9000, 8000)) == (
        "image too large to decode safely: 9000×8000 px "
        "(decompression-bomb guard, limit 64000000 px)"
    )


def test_pillow_bomb_warning_becomes_the_error() -> None:
    """Above Pillow's own warning limit, its warning is turned into our error."""
    limits = Limits(max_pixels=10**9)
    assert error_of(png_header_only(10000, 10000), limits) == (
        "image too large to decode safely "
        "(Image size (100000000 pixels) exceeds limit of 89478485 pixels)"
    )


def test_pillow_bomb_error_becomes_the_error() -> None:
    """Above twice Pillow's limit, Pillow's own refusal becomes our error."""
    assert error_of(png_header_only(20000, 20000), Limits(max_pixels=10**9)) == (
        "image too large to decode safely "
        "(Image size (400000000 pixels) exceeds limit of 178956970 pixels)"
    )


def test_small_max_pixels_is_honoured() -> None:
    """A real image above a tiny max_pixels limit is refused."""
    assert error_of(encode(page((100, 100)), "PNG"), Limits(max_pixels=5000)) == (
        "image too large to decode safely: 100×100 px (decompression-bomb guard, limit 5000 px)"
    )


def test_pillow_global_state_is_left_alone() -> None:
    """prepare never changes Pillow's globals, even when it refuses a bomb."""
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)
    error_of(png_header_only(10000, 10000), Limits(max_pixels=10**9))
    prepare(encode(page(), "JPEG"))
    after = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)
    assert after == before
    assert before == (89478485, False)


def test_broken_headers_print_no_warnings() -> None:
    """Pillow's warnings about bombs and corrupt TIFF headers do not leak to the user."""
    tiff = encode(page(), "TIFF")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert error_of(tiff[:40]) == "truncated or corrupt image (unreadable TIFF header)"
        error_of(png_header_only(10000, 10000), Limits(max_pixels=10**9))
    assert [str(w.message) for w in caught] == []


def test_concurrent_calls_leave_the_warning_filters_as_they_were() -> None:
    """prepare() from many threads at once restores the process-wide warning filters."""
    before = list(warnings.filters)
    inputs = [png_header_only(10000, 10000), encode(page(), "TIFF")[:40], encode(page(), "PNG")]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so unguarded filter swaps do collide
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(outcome, inputs * 100, [Limits(max_pixels=10**9)] * 300))
    finally:
        sys.setswitchinterval(interval)
    assert warnings.filters == before
    assert sorted(set(outcomes)) == [
        "image too large to decode safely "
        "(Image size (100000000 pixels) exceeds limit of 89478485 pixels)",
        "png",
        "truncated or corrupt image (unreadable TIFF header)",
    ]


@pytest.mark.parametrize(("size", "text"), [((10, 200), "10×200"), ((5, 5), "5×5")])
def test_too_small_image_is_refused(size: tuple[int, int], text: str) -> None:
    """An image with a side under 15 px is refused with its size."""
    assert error_of(encode(Image.new("L", size, 255), "PNG")) == (
        f"image too small: {text} px (the service needs at least 15 px per side)"
    )


def test_too_elongated_image_is_refused() -> None:
    """A strip that would drop under 15 px once its long side is cut to 4096 is refused."""
    assert error_of(encode(Image.new("L", (6000, 20), 255), "PNG")) == (
        "image too elongated: 6000×20 px cannot be scaled to 4096 px "
        "on the longest side and keep 15 px on the shortest"
    )


# -- unchanged passthrough ---------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "jpeg"), ("PNG", "png"), ("BMP", "bmp")])
def test_ready_image_is_sent_unchanged(fmt: str, name: str) -> None:
    """A jpeg/png/bmp within every limit comes back as the very same bytes."""
    data = encode(page((640, 480)), fmt)
    assert prepare(data) == PreparedImage(data, name, 640, 480, converted=False)


def test_format_comes_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    """PNG bytes in a file named .jpg are recognized and sent as png."""
    path = tmp_path / "ticket.jpg"
    path.write_bytes(encode(page(), "PNG"))
    prepared = prepare(read_file(path, 10 * 1024 * 1024))
    assert (prepared.format, prepared.converted) == ("png", False)


def test_jpeg_with_trailing_bytes_is_sent_unchanged() -> None:
    """A complete JPEG followed by padding is checked by decoding and still passes."""
    data = encode(page(), "JPEG") + b"\x00" * 64
    assert prepare(data) == PreparedImage(data, "jpeg", 300, 200, converted=False)


def test_jpeg_with_upright_exif_is_sent_unchanged() -> None:
    """An EXIF orientation of 1 needs no rotation, so the bytes are kept."""
    exif = Image.Exif()
    exif[0x0112] = 1
    data = encode(page(), "JPEG", exif=exif)
    assert prepare(data).data == data


# -- conversion --------------------------------------------------------------------------


def test_exif_rotated_jpeg_is_turned_upright() -> None:
    """Orientation 6 is applied: sides swap, the stored top-left corner moves top-right."""
    img = page((300, 200))
    ImageDraw.Draw(img).rectangle([0, 0, 39, 39], fill=RED)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    prepared = prepare(encode(img, "JPEG", exif=exif))
    out = reopen(prepared)
    assert summary(prepared) == ("jpeg", 200, 300, True)
    assert out.size == (200, 300)
    assert_close(out.getpixel((190, 10)), RED)  # type: ignore[arg-type]
    assert 0x0112 not in out.getexif()  # the service must not rotate it a second time


def test_multipage_tiff_becomes_png_of_the_first_page() -> None:
    """A two-page TIFF (lossless) becomes a PNG of its first page."""
    first, second = Image.new("RGB", (80, 60), RED), Image.new("RGB", (80, 60), (0, 0, 255))
    prepared = prepare(encode(first, "TIFF", save_all=True, append_images=[second]))
    out = reopen(prepared)
    assert summary(prepared) == ("png", 80, 60, True)
    assert (out.format, out.mode, out.getpixel((40, 30))) == ("PNG", "RGB", RED)


def test_webp_becomes_jpeg() -> None:
    """A (lossy) WEBP is re-encoded as a JPEG that Pillow reads back."""
    prepared = prepare(encode(page(), "WEBP"))
    out = reopen(prepared)
    assert (prepared.format, prepared.converted, out.format, out.size) == (
        "jpeg",
        True,
        "JPEG",
        (300, 200),
    )


def test_animated_gif_becomes_png_of_the_first_frame() -> None:
    """An animated GIF becomes a PNG of its first frame."""
    frames = [Image.new("RGB", (50, 40), c) for c in (RED, (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    prepared = prepare(data)
    out = reopen(prepared)
    assert (prepared.format, out.format, out.size, out.mode) == ("png", "PNG", (50, 40), "RGB")
    assert out.getpixel((25, 20)) == RED


def test_gif_transparency_is_composited_onto_white() -> None:
    """Transparent GIF pixels become white paper, not black."""
    img = Image.new("P", (40, 40), 0)
    img.putpalette([0, 0, 0, 10, 20, 30] + [0] * 762)
    ImageDraw.Draw(img).rectangle([0, 0, 19, 39], fill=1)
    out = reopen(prepare(encode(img, "GIF", transparency=0)))
    assert (out.mode, out.getpixel((30, 20)), out.getpixel((5, 20))) == ("RGB", WHITE, (10, 20, 30))


def test_large_image_is_downscaled_to_the_longest_side_limit() -> None:
    """A 5000×3000 image comes back 4096×2458."""
    prepared = prepare(encode(Image.new("L", (5000, 3000), 200), "JPEG"))
    assert (prepared.format, prepared.width, prepared.height) == ("jpeg", 4096, 2458)
    assert reopen(prepared).size == (4096, 2458)


def test_very_large_jpeg_is_downscaled_through_a_draft_decode() -> None:
    """A JPEG more than twice too wide is decoded small and resized to the exact limit."""
    prepared = prepare(encode(page((9000, 1000), "L"), "JPEG"))
    assert (prepared.format, prepared.width, prepared.height) == ("jpeg", 4096, 455)


def test_oversized_png_goes_straight_to_jpeg() -> None:
    """A PNG that is too big only in bytes is re-encoded as JPEG that fits."""
    data = encode(noise((300, 300)), "PNG")
    limit = 200_000
    assert base64_size(len(data)) > limit
    prepared = prepare(data, Limits(max_base64=limit))
    assert (prepared.format, prepared.width, prepared.height) == ("jpeg", 300, 300)
    assert base64_size(len(prepared.data)) <= limit


def test_image_over_the_base64_limit_is_shrunk_until_it_fits() -> None:
    """When no JPEG quality fits, the image is scaled in 0.85 steps until it does."""
    img = noise((1600, 1200))
    sizes = [  # q65 JPEG sizes at the 0.85 steps 1360 and 1156 px
        base64_size(len(encode(img.resize(s, Image.Resampling.LANCZOS), "JPEG", quality=65)))
        for s in ((1360, 1020), (1156, 867))
    ]
    limit = (sizes[0] + sizes[1]) // 2  # too small for 1360 px, enough for 1156 px
    prepared = prepare(encode(img, "BMP"), Limits(max_base64=limit))
    assert (prepared.format, prepared.width, prepared.height) == ("jpeg", 1156, 867)
    assert base64_size(len(prepared.data)) <= limit


def test_image_that_cannot_fit_even_at_1000_px_is_refused() -> None:
    """An absurdly small base64 limit fails once the image is down to 1000 px."""
    assert error_of(encode(noise((1200, 1000)), "BMP"), Limits(max_base64=4000)) == (
        "image does not fit the service's base64 limit (3000 bytes of image data) "
        "even as a JPEG of 1000 px"
    )


def test_rgba_png_is_flattened_onto_white() -> None:
    """An RGBA PNG loses its alpha: transparent pixels become white, opaque ones stay."""
    img = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle([0, 0, 9, 29], fill=(0, 128, 0, 255))
    prepared = prepare(encode(img, "PNG"))
    out = reopen(prepared)
    assert (prepared.format, prepared.converted, out.mode) == ("png", True, "RGB")
    assert (out.getpixel((30, 15)), out.getpixel((5, 15))) == (WHITE, (0, 128, 0))


def test_gray_with_alpha_stays_gray() -> None:
    """An LA image is flattened onto white and kept grayscale."""
    img = Image.new("LA", (40, 30), (0, 0))
    ImageDraw.Draw(img).rectangle([0, 0, 9, 29], fill=(60, 255))
    out = reopen(prepare(encode(img, "PNG")))
    assert (out.mode, out.getpixel((30, 15)), out.getpixel((5, 15))) == ("L", 255, 60)


def test_cmyk_jpeg_becomes_rgb() -> None:
    """A CMYK JPEG, which some decoders cannot read, is re-encoded as RGB."""
    prepared = prepare(encode(page().convert("CMYK"), "JPEG"))
    out = reopen(prepared)
    assert (prepared.format, prepared.converted, out.mode, out.size) == (
        "jpeg",
        True,
        "RGB",
        (300, 200),
    )


def test_sixteen_bit_gray_is_stretched_to_eight_bits() -> None:
    """A 16-bit gray PNG is scaled by its own range, not clipped at 255."""
    row = [v for v in (0, 1000, 2000, 4000) for _ in range(10)]  # four 10-px bands
    img = Image.frombytes("I;16", (40, 20), struct.pack("<800H", *row * 20))
    out = reopen(prepare(encode(img, "PNG")))
    assert out.mode == "L"
    assert [out.getpixel((x, 10)) for x in (5, 15, 25, 35)] == [0, 63, 127, 255]


def test_bilevel_tiff_becomes_gray_png() -> None:
    """A 1-bit TIFF fax scan becomes an 8-bit grayscale PNG."""
    img = Image.new("1", (64, 32), 1)
    ImageDraw.Draw(img).rectangle([0, 0, 31, 31], fill=0)
    out = reopen(prepare(encode(img, "TIFF", compression="group4")))
    assert (out.format, out.mode, out.getpixel((10, 10)), out.getpixel((50, 10))) == (
        "PNG",
        "L",
        0,
        255,
    )


def test_conversion_is_deterministic() -> None:
    """The same input converts to the same bytes, so retries send identical requests."""
    data = encode(page().convert("RGBA"), "WEBP")
    assert prepare(data).data == prepare(data).data


# -- read_file ---------------------------------------------------------------------------

MB = 1024 * 1024


def read_error(path: Path, max_bytes: int = 20 * MB) -> str:
    with pytest.raises(InputError) as info:
        read_file(path, max_bytes)
    return str(info.value)


def test_read_file_returns_the_bytes(tmp_path: Path) -> None:
    """A readable file within the limit is returned whole."""
    path = tmp_path / "a.jpg"
    path.write_bytes(b"\xff\xd8\xff" + bytes(range(256)))
    assert read_file(path, 1000) == b"\xff\xd8\xff" + bytes(range(256))


def test_read_file_missing(tmp_path: Path) -> None:
    """A missing file is reported as not found."""
    assert read_error(tmp_path / "nope.jpg") == "file not found"


def test_read_file_directory(tmp_path: Path) -> None:
    """A directory is reported as such."""
    assert read_error(tmp_path) == "is a directory"


def test_read_file_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    """A 5 GB sparse file is refused from its size alone, naming size and limit in MB."""
    path = tmp_path / "huge.png"
    with path.open("wb") as f:
        f.truncate(5 * 1024 * MB)
    assert read_error(path) == "file too large: 5120.0 MB (limit 20.0 MB)"


def test_read_file_limit_is_inclusive(tmp_path: Path) -> None:
    """A file of exactly max_bytes is read; one byte more is refused."""
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 100)
    assert read_file(path, 100) == b"x" * 100
    assert read_error(path, 99) == "file too large: 100 bytes (limit 99 bytes)"


def test_read_file_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A named pipe is refused from stat, instead of blocking on read."""
    path = tmp_path / "pipe.jpg"
    os.mkfifo(path)
    assert read_error(path) == "not a regular file"


def test_read_file_permission_denied(tmp_path: Path) -> None:
    """A file we may not read is reported as permission denied."""
    path = tmp_path / "secret.jpg"
    path.write_bytes(b"data")
    path.chmod(0)
    try:
        try:
            path.open("rb").close()
        except PermissionError:
            pass
        else:
            pytest.skip("this user can read mode-000 files (root / CAP_DAC_OVERRIDE)")
        assert read_error(path) == "permission denied"
    finally:
        path.chmod(0o600)


def test_read_file_other_os_error_gives_strerror(tmp_path: Path) -> None:
    """Other OS errors give the system's short message, not a traceback."""
    (tmp_path / "file").write_bytes(b"x")
    assert read_error(tmp_path / "file" / "child.jpg") == "Not a directory"
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(loop)
    assert read_error(loop) == "Too many levels of symbolic links"
