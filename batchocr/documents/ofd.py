"""OFD files (GB/T 33190, a zip of XML) → :mod:`~batchocr.documents.pages` records.

The air e-invoice attaches its data as an XBRL instance (``Doc_0/Attachs/atr_*.xml``): when
present it is read exactly. Otherwise the page's text objects, with the template page's,
go through the same positional reading as a PDF's text. Ordinary 数电票 carry their number
in ``OFD.xml``'s ``CustomData``.

The zip is checked before anything is inflated (member count, total and per-member sizes,
compression ratio) and members are read into memory only: a name like ``../x`` or ``/etc``
is refused outright, and nothing is ever written to disk.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from ..errors import DocumentError
from ..models import InputKind
from .pages import DEFAULT_LIMITS, DocLimits, Foreign, Page, Scan
from .positioned import Char, interpret, words
from .xbrl import local, parse_xml, read_xml

__all__ = ["read_ofd"]

_PT_PER_MM = 72 / 25.4
_ATR = re.compile(r"(^|/)Attachs/[^/]*\.xml$", re.IGNORECASE)


def read_ofd(data: bytes, limits: DocLimits = DEFAULT_LIMITS) -> Iterator[Page]:
    """The OFD's itinerary (one record), or what it is instead."""
    with _open(data, limits) as z:
        members = {info.filename: info for info in z.infolist()}
        for name in sorted(members):
            if _ATR.search(name):
                found = read_xml(_read(z, name, limits), 1, "ofd")
                if not isinstance(found, Foreign):
                    yield found
                    return
        yield _from_text(z, members, limits)


def _open(data: bytes, limits: DocLimits) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError(f"not a readable OFD (bad zip: {exc})", InputKind.DAMAGED_OFD) from None
    infos = z.infolist()
    if len(infos) > limits.zip_members:
        raise DocumentError(
            f"the OFD holds {len(infos)} files (at most {limits.zip_members})", InputKind.UNSAFE_OFD
        )
    total = 0
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", name) or ":" in name:
            raise DocumentError(
                f"the OFD has an unsafe member name {name!r} (refused)", InputKind.UNSAFE_OFD
            )
        if info.flag_bits & 0x1:
            raise DocumentError("the OFD is encrypted", InputKind.UNSAFE_OFD)
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.zip_ratio and info.file_size > 1024 * 1024:
            raise DocumentError(
                f"the OFD member {name} inflates {ratio:.0f}x (a zip bomb?)", InputKind.UNSAFE_OFD
            )
        total += info.file_size
    if total > limits.zip_bytes:
        raise DocumentError(
            f"the OFD inflates to {total // 2**20} MB (a zip bomb?)", InputKind.UNSAFE_OFD
        )
    return z


def _read(z: zipfile.ZipFile, name: str, limits: DocLimits) -> bytes:
    # The sizes in the directory were checked, but a forged header could lie: cap the read.
    with z.open(name) as f:
        data = f.read(limits.zip_bytes + 1)
    if len(data) > limits.zip_bytes:
        raise DocumentError(
            f"the OFD member {name} is larger than its header says", InputKind.UNSAFE_OFD
        )
    return data


def _from_text(z: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], limits: DocLimits) -> Page:
    number = _custom_number(z, members, limits)
    chars: list[Char] = []
    for name in sorted(members):
        if re.search(r"(Pages/Page_\d+|Tpls/Tpl_\d+)/Content\.xml$", name, re.IGNORECASE):
            chars += _page_chars(parse_xml(_read(z, name, limits), "OFD page"))
    reading = interpret(words(chars))
    if reading.foreign or (number and not reading.is_air):
        found = [d["Value"] for d in reading.data if d["Name"] == "发票号码"]
        kind = reading.title or "电子发票（OFD）"
        return Foreign(1, kind, found[0] if found else number)
    if not reading.usable:
        return Scan(1, b"", "OFD without readable text")
    from .pages import Itinerary

    return Itinerary(1, "ofd", reading.data)


def _custom_number(z: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo],
                   limits: DocLimits) -> str | None:  # fmt: skip
    name = next((n for n in members if n.lower() == "ofd.xml"), None)
    if name is None:
        raise DocumentError("not an OFD (no OFD.xml)", InputKind.DAMAGED_OFD)
    root = parse_xml(_read(z, name, limits), "OFD.xml")
    for el in root.iter():
        if local(el.tag) == "CustomData" and el.get("Name") in ("发票号码", "InvoiceNo"):
            return (el.text or "").strip() or None
    return None


def _page_chars(root: Element) -> list[Char]:
    """Each text object as one run of characters, in points from the page's top left."""
    out: list[Char] = []
    for obj in root.iter():
        if local(obj.tag) != "TextObject":
            continue
        box = [float(v) for v in (obj.get("Boundary") or "0 0 0 0").split()[:4]]
        size = float(obj.get("Size") or box[3] or 1) * _PT_PER_MM
        for code in obj:
            if local(code.tag) != "TextCode" or not code.text:
                continue
            left = (box[0] + float(code.get("X") or 0)) * _PT_PER_MM
            base = (box[1] + float(code.get("Y") or 0)) * _PT_PER_MM
            steps = _deltas(code.get("DeltaX") or "", len(code.text))
            for i, ch in enumerate(code.text):
                step = steps[i] * _PT_PER_MM if i < len(steps) else _advance(ch, size)
                out.append((ch, left, base - size * 0.88, left + step * 0.95, base + size * 0.12))
                left += step
            out.append(("\n", 0, 0, 0, 0))
    return out


def _advance(ch: str, size: float) -> float:
    return size * (0.55 if ch.isascii() else 1.0)


def _deltas(text: str, n: int) -> list[float]:
    """OFD's DeltaX: gaps between glyphs in mm, where ``g k d`` repeats ``d`` k times."""
    out: list[float] = []
    tokens = text.split()
    i = 0
    try:
        while i < len(tokens) and len(out) < n:
            if tokens[i] == "g":
                out += [float(tokens[i + 2])] * int(tokens[i + 1])
                i += 3
            else:
                out.append(float(tokens[i]))
                i += 1
    except (IndexError, ValueError):
        return []
    return out
