"""Tests for batchocr.documents: e-invoice PDF, OFD and XML files read exactly, other
invoices told apart, unusable pages handed to recognition, hostile files refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from batchocr.documents.ofd import read_ofd
from batchocr.documents.pages import DocLimits, Foreign, Itinerary, Scan, sniff
from batchocr.documents.pdf import read_pdf
from batchocr.documents.qr import parse_qr, read_qr
from batchocr.documents.read import page_count, read_document
from batchocr.documents.xbrl import read_xml
from batchocr.errors import DocumentError, InputError
from batchocr.outputs.fields import normalize
from synth import files
from synth.einvoice import invoice, truth_data
from synth.scans import REAL_LAYOUT, font_path, generate

try:
    font_path()
except InputError as exc:  # pragma: no cover - the Makefile installs the font
    pytestmark = pytest.mark.skip(reason=str(exc))

SEEDS = range(30)


def fields_of(data: list[dict[str, Any]]) -> dict[str, Any]:
    fields, warnings = normalize(data)
    assert warnings == []
    return fields


def truth(seed: int) -> dict[str, Any]:
    return fields_of(truth_data(invoice(seed)))


def only(pages: Any) -> Any:
    got = list(pages)
    assert len(got) == 1
    return got[0]


# --- born-digital air e-invoices: every field exact ---------------------------------


@pytest.mark.parametrize("rotation", [90, 0, 270])
def test_pdf_text_layer_gives_every_field_exactly_whatever_the_page_rotation(
    rotation: int,
) -> None:
    """The PDF's text, turned with /Rotate, maps onto the truth's fields on every seed."""
    for seed in SEEDS:
        page = only(read_pdf(files.einvoice_pdf(seed, rotation=rotation)))
        assert isinstance(page, Itinerary) and page.backend == "pdf"
        assert fields_of(page.data) == truth(seed), seed


def test_pdf_raw_pairs_are_what_the_service_returns_for_the_page() -> None:
    """Name, Value (as printed) and Row of every pair equal the truth's, flights included."""
    page = only(read_pdf(files.einvoice_pdf(3)))  # a four-segment ticket
    key = lambda d: (d["Name"], d["Value"], d["Row"])  # noqa: E731
    assert sorted(map(key, page.data)) == sorted(map(key, truth_data(invoice(3))))
    assert {d["Row"] for d in page.data if d["Name"] == "航班号"} == {0, 1, 2, 3}


def test_a_pdf_with_three_itineraries_gives_three_pages_in_order() -> None:
    """Each page of a multi-itinerary PDF is its own itinerary."""
    data = files.einvoice_pdf([5, 6, 7])
    assert page_count(data, "pdf") == 3
    pages = list(read_document(data, "pdf"))
    assert [p.page for p in pages] == [1, 2, 3]
    assert [fields_of(p.data) for p in pages] == [truth(5), truth(6), truth(7)]


def test_pages_not_wanted_are_not_read() -> None:
    """wanted(n) False skips page n (a resumed run does no work for done pages)."""
    pages = list(read_document(files.einvoice_pdf([5, 6, 7]), "pdf", wanted=lambda n: n != 2))
    assert [p.page for p in pages] == [1, 3]


def test_ofd_xbrl_attachment_and_ofd_text_objects_and_xbrl_alone_are_exact() -> None:
    """OFD with its XBRL, OFD without it (text objects), and the XBRL file all read exactly."""
    for seed in SEEDS:
        with_atr = only(read_ofd(files.einvoice_ofd(seed)))
        text_only = only(read_ofd(files.einvoice_ofd(seed, attachment=False)))
        xbrl = read_xml(files.einvoice_xbrl(seed))
        assert (with_atr.backend, text_only.backend, xbrl.backend) == ("ofd", "ofd", "xml")
        for page in (with_atr, text_only, xbrl):
            assert isinstance(page, Itinerary)
            assert fields_of(page.data) | {"extra": {}} == truth(seed) | {"extra": {}}, seed


def test_xbrl_dates_written_either_way_and_namespace_versions_are_accepted() -> None:
    """IssueDate as 2024-04-05 or 2024年04月05日, atr namespace of 2021 or 2023: same fields."""
    odd, even = files.einvoice_xbrl(1), files.einvoice_xbrl(2)
    assert "年".encode() in odd and "年".encode() not in even
    older = even.replace(b"/taxonomy/2023-12-31/atr", b"/taxonomy/2021-11-30/atr")
    assert fields_of(read_xml(odd).data)["issue_date"] == truth(1)["issue_date"]
    assert fields_of(read_xml(older).data) == fields_of(read_xml(even).data)


def test_sniff_tells_the_kind_from_the_bytes_not_the_name() -> None:
    """PDF, OFD and XML are told by their bytes; images and other zips are not documents."""
    png = io.BytesIO()
    Image.new("L", (20, 20)).save(png, "PNG")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("a.txt", "x")
    assert sniff(files.einvoice_pdf(1)) == "pdf"
    assert sniff(files.einvoice_ofd(1)) == "ofd"
    assert sniff(files.einvoice_xbrl(1)) == "xml"
    assert sniff(png.getvalue()) is None
    assert sniff(plain_zip.getvalue()) is None


# --- other invoices, scans, garbled text --------------------------------------------


def test_other_invoices_are_named_with_their_number() -> None:
    """An ordinary 数电票 (PDF, OFD, XML) or a rail e-ticket is Foreign, with kind and number."""
    n = files.other_number
    assert only(read_pdf(files.ordinary_pdf(1))) == Foreign(1, "电子发票（普通发票）", n(1))
    assert only(read_pdf(files.rail_pdf(2))) == Foreign(1, "电子发票（铁路电子客票）", n(2))
    assert only(read_ofd(files.ordinary_ofd(3))) == Foreign(1, "电子发票（普通发票）", n(3))
    assert read_xml(files.ordinary_xml(4)) == Foreign(1, "电子发票（EInvoice XML）", n(4))
    reason = Foreign(1, "电子发票（普通发票）", n(1)).reason()
    assert reason == f"not a flight itinerary: 电子发票（普通发票） {n(1)}"


def test_a_scanned_pdf_and_a_pdf_with_garbled_text_are_rendered_for_recognition() -> None:
    """No text, or text that maps to nothing known, gives a Scan: a PNG at 200 dpi."""
    for data, why in ((files.scanned_pdf(1), "no text layer"),
                      (files.garbled_pdf(2), "text without a usable Unicode map")):  # fmt: skip
        page = only(read_pdf(data))
        assert isinstance(page, Scan) and page.why == why
        image = Image.open(io.BytesIO(page.image))
        assert image.format == "PNG"
        assert image.size == (round(595 * 200 / 72), round(420 * 200 / 72))  # landscape


# --- the QR code ---------------------------------------------------------------------


def test_the_qr_code_of_a_rendered_einvoice_gives_its_four_fields() -> None:
    """Type 61, 发票号码, 合计, 填开日期 and 验证码, equal to the ticket's own."""
    e = invoice(9)
    qr = read_qr(files.render(e))
    assert qr is not None and qr.is_air
    t = truth(9)
    assert (qr.number, qr.total, qr.date, qr.check_code) == (
        t["invoice_no"], t["total"], t["issue_date"], t["check_code"])  # fmt: skip


def test_the_qr_code_is_read_from_phone_photos_of_the_real_layout() -> None:
    """Heavy noise (downscaled, tilted, keystoned, speckled, JPEG): on 20 photos no tuning saw,
    at least 19 codes give the ticket's 发票号码 and none gives a wrong one."""
    read = []
    for seed in range(710000, 710020):
        sample = generate(seed, REAL_LAYOUT, "heavy")
        buf = io.BytesIO()
        sample.image.save(buf, "JPEG", quality=sample.jpeg_quality)
        qr = read_qr(Image.open(io.BytesIO(buf.getvalue())))
        if qr is not None:
            assert qr.number == invoice(seed).invoice_no
            read.append(seed)
    assert len(read) >= 19


def test_an_ordinary_invoice_qr_code_is_not_air_and_junk_is_not_an_invoice() -> None:
    """A type-32 QR is another invoice; a QR holding a URL is no invoice QR at all."""
    qr = read_qr(files.ordinary_image(4))
    assert qr is not None and not qr.is_air and qr.number == files.other_number(4)
    assert qr.kind_name == "电子发票（普通发票）"
    assert parse_qr("https://example.com/a,b,c,d,e,f,g,h") is None
    assert read_qr(Image.new("RGB", (300, 200), "white")) is None


# --- hostile files -------------------------------------------------------------------


def _pdf(**kwargs: Any) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, **kwargs)
    c.drawString(100, 100, "hello")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_password_protected_truncated_and_fake_pdfs_are_clear_input_errors() -> None:
    """Each becomes a DocumentError (an InputError) with a one-line reason."""
    locked = _pdf(encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    cases = {
        locked: "the PDF is password-protected",
        files.einvoice_pdf(1)[:600]: "not a readable PDF",
        b"%PDF-1.7\n" + b"\x00" * 500: "not a readable PDF",
    }
    for data, reason in cases.items():
        with pytest.raises(DocumentError, match=reason) as info:
            list(read_document(data, "pdf"))
        assert "\n" not in str(info.value)


def test_a_pdf_with_more_pages_than_allowed_is_refused_before_reading() -> None:
    """The page count is checked first: a 500-page file is never loaded page by page."""
    with pytest.raises(DocumentError, match="has 3 pages"):
        page_count(files.einvoice_pdf([1, 2, 3]), "pdf", DocLimits(max_pages=2))


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_ofd_zip_bombs_and_traversal_names_are_refused(tmp_path: Path) -> None:
    """Sizes are checked before inflating; ../ and absolute names are refused; nothing is
    written anywhere."""
    ofd = b"<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>"
    bomb = _zip({"OFD.xml": ofd, "Doc_0/Pages/Page_0/Content.xml": b"\x00" * (300 * 2**20)})
    with pytest.raises(DocumentError, match="zip bomb"):
        list(read_ofd(bomb))
    for evil in ("../evil.xml", "/etc/evil.xml", "Doc_0/../../evil.xml"):
        with pytest.raises(DocumentError, match="unsafe member name"):
            list(read_ofd(_zip({"OFD.xml": ofd, evil: b"<x/>"})))
    assert not any(tmp_path.iterdir()) and not Path("/etc/evil.xml").exists()


def test_xml_with_external_entities_or_entity_bombs_is_refused() -> None:
    """XXE and billion-laughs documents are refused unread, in XML and inside OFD."""
    xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b"<EInvoice><EIid>&e;</EIid></EInvoice>")  # fmt: skip
    laughs = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">'
              b"]><EInvoice>&c;</EInvoice>")  # fmt: skip
    for doc in (xxe, laughs):
        with pytest.raises(DocumentError, match="DTD or entities"):
            read_xml(doc)
        with pytest.raises(DocumentError, match="DTD or entities"):
            list(read_ofd(_zip({"OFD.xml": doc})))
    with pytest.raises(DocumentError, match="not well-formed XML"):
        read_xml(b"<EInvoice><unclosed></EInvoice>")
